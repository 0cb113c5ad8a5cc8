/**
 * What roles `endpoints` and `endpointslice` share: one target per address
 * and port, the labels of the pod behind an address, and one more target per
 * container port of those pods that no endpoint port covers.
 */
import type { ContainerPortSpec, ContainerSpec, ObjectReference, PodObject, SnapshotIndex } from '../snapshot.js';
import { labelValue, mergeLabels, type Labels } from '../labels.js';
import { joinHostPort, META, nodeMetaLabels, set, type GroupView, type RoleOptions } from './group.js';
import { containersOf, podLabels, POD_CONTAINER, type PodOwners } from './pod.js';

/** A pod behind endpoints, and the ports the endpoints serve on it. */
interface SeenPod {
  pod: PodObject;
  ports: number[];
}

/** One endpoint address on one port, with what Prometheus looks up for it. */
export interface EndpointAddress {
  ref: ObjectReference | undefined;
  port: number | undefined;
  /** Role endpoints labels the pod's container port with the endpoint port's protocol; endpointslice with the container port's. */
  protocol?: string;
}

/**
 * The containers whose ports Prometheus matches against endpoint ports:
 * Prometheus 3 includes init containers (sidecars), 2.x only the containers.
 */
function portContainers(pod: PodObject, owners: PodOwners): { c: ContainerSpec; isInit: boolean }[] {
  return owners.options.semantics === 'prometheus-2' ? (pod.spec?.containers ?? []).map((c) => ({ c, isInit: false })) : containersOf(pod);
}

function podOf(index: SnapshotIndex, ref: ObjectReference | undefined): PodObject | undefined {
  if (ref?.kind !== 'Pod' || ref.name === undefined) return undefined;
  return index.pod(ref.namespace ?? '', ref.name);
}

/** The pods behind the endpoints and the ports served on each (Prometheus' seenPods). */
function seenPods(index: SnapshotIndex, addresses: readonly EndpointAddress[]): Map<string, SeenPod> {
  const seen = new Map<string, SeenPod>();
  for (const { ref, port } of addresses) {
    const pod = podOf(index, ref);
    if (pod === undefined) continue;
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
    let entry = seen.get(key);
    if (entry === undefined) seen.set(key, (entry = { pod, ports: [] }));
    if (port !== undefined) entry.ports.push(port);
  }
  return seen;
}

/** podLabels, built once per pod for the targets of one group (a pod serves several ports). */
type PodLabelsOf = (pod: PodObject) => Readonly<Labels>;

function podLabelsMemo(owners: PodOwners): PodLabelsOf {
  const memo = new Map<PodObject, Labels>();
  return (pod) => {
    let labels = memo.get(pod);
    if (labels === undefined) memo.set(pod, (labels = podLabels(pod, owners)));
    return labels;
  };
}

/**
 * The pod labels of an endpoint target, with those of the container port it
 * serves: every container is looked at, so a later container with the same
 * port number wins, as in Prometheus.
 */
function podTargetLabels(pod: PodObject, address: EndpointAddress, podLabelsOf: PodLabelsOf, owners: PodOwners): Labels {
  const out = mergeLabels(podLabelsOf(pod));
  const port = address.port;
  if (port !== undefined) {
    const prometheus3 = owners.options.semantics !== 'prometheus-2';
    for (const { c, isInit } of portContainers(pod, owners)) {
      const cport = (c.ports ?? []).find((p) => p.containerPort === port);
      if (cport === undefined) continue;
      set(out, `${POD_CONTAINER}name`, c.name);
      set(out, `${POD_CONTAINER}image`, c.image);
      set(out, `${POD_CONTAINER}port_name`, cport.name);
      out[`${POD_CONTAINER}port_number`] = String(port);
      set(out, `${POD_CONTAINER}port_protocol`, address.protocol ?? cport.protocol ?? 'TCP');
      if (prometheus3) out[`${POD_CONTAINER}init`] = String(isInit);
    }
  }
  return out;
}

/** An endpoint target with the node (attach_metadata.node) and pod labels Prometheus adds to it; pod labels win. */
function withEndpointMetadata(t: Labels, owners: PodOwners, nodeName: string | undefined, address: EndpointAddress, podLabelsOf: PodLabelsOf): Labels {
  const withNode = owners.options.attachNode ? mergeLabels(t, nodeMetaLabels(owners.index, nodeName)) : t;
  const pod = podOf(owners.index, address.ref);
  return pod === undefined ? withNode : mergeLabels(withNode, podTargetLabels(pod, address, podLabelsOf, owners));
}

/** Container ports of the endpoints' pods that no endpoint port covered: one target each. */
function uncoveredPorts(seen: Map<string, SeenPod>, owners: PodOwners): { pod: PodObject; ip: string; c: ContainerSpec; isInit: boolean; port: ContainerPortSpec }[] {
  const out: { pod: PodObject; ip: string; c: ContainerSpec; isInit: boolean; port: ContainerPortSpec }[] = [];
  for (const { pod, ports } of seen.values()) {
    const ip = pod.status?.podIP;
    if (ip === undefined || ip === '') continue;
    for (const { c, isInit } of portContainers(pod, owners)) {
      for (const port of c.ports ?? []) if (!ports.includes(port.containerPort)) out.push({ pod, ip, c, isInit, port });
    }
  }
  return out;
}

function uncoveredPodTargets(seen: Map<string, SeenPod>, podLabelsOf: PodLabelsOf, owners: PodOwners): Labels[] {
  const prometheus3 = owners.options.semantics !== 'prometheus-2';
  return uncoveredPorts(seen, owners).map(({ pod, ip, c, isInit, port }) => {
    const t: Labels = { __address__: joinHostPort(ip, port.containerPort) };
    set(t, `${POD_CONTAINER}name`, c.name);
    set(t, `${POD_CONTAINER}image`, c.image);
    set(t, `${POD_CONTAINER}port_name`, port.name);
    t[`${POD_CONTAINER}port_number`] = String(port.containerPort);
    set(t, `${POD_CONTAINER}port_protocol`, port.protocol ?? 'TCP');
    if (prometheus3) t[`${POD_CONTAINER}init`] = String(isInit);
    return mergeLabels(t, podLabelsOf(pod));
  });
}

/**
 * An endpoints or endpointslice group: the group labels (namespace, object and
 * service metadata) are built at once, the targets (one per address and port,
 * plus the uncovered pod ports) only when asked: a rule on the service's
 * annotations drops most groups as a whole.
 */
export class EndpointGroup<E> implements GroupView, PodOwners {
  constructor(
    readonly source: string,
    private readonly groupLabels: Labels,
    private readonly role: {
      /** One entry per address and port, in Prometheus' order. */
      entries: () => E[];
      addressOf: (e: E) => EndpointAddress;
      /** The entry's own labels, and the node it runs on (for attach_metadata.node). */
      targetOf: (e: E) => { labels: Labels; nodeName: string | undefined };
      targetPrefixes: readonly string[];
    },
    readonly index: SnapshotIndex,
    readonly options: RoleOptions,
  ) {}

  label(name: string): string | undefined {
    return labelValue(this.groupLabels, name);
  }
  labels(): Labels {
    return this.groupLabels;
  }
  /** Built anew on each call: kept, they would live as long as the group. */
  targets(): Labels[] {
    const podLabelsOf = podLabelsMemo(this);
    const entries = this.role.entries();
    const targets = entries.map((e) => {
      const { labels, nodeName } = this.role.targetOf(e);
      return withEndpointMetadata(labels, this, nodeName, this.role.addressOf(e), podLabelsOf);
    });
    return [...targets, ...uncoveredPodTargets(seenPods(this.index, entries.map(this.role.addressOf)), podLabelsOf, this)];
  }
  size(): number {
    const addresses = this.role.entries().map(this.role.addressOf);
    return addresses.length + uncoveredPorts(seenPods(this.index, addresses), this).length;
  }
  isTargetLabel(name: string): boolean {
    return name === '__address__' || this.role.targetPrefixes.some((p) => name.startsWith(p));
  }
}

export const ENDPOINTS_TARGET_PREFIXES = [`${META}endpoint_`, `${META}pod_`, `${META}node_`];
export const ENDPOINTSLICE_TARGET_PREFIXES = [`${META}endpointslice_port`, `${META}endpointslice_endpoint_`, `${META}endpointslice_address_target_`, `${META}pod_`, `${META}node_`];
