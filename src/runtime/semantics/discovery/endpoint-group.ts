/**
 * What roles `endpoints` and `endpointslice` share: one target per address
 * and port, the labels of the pod behind an address, and one more target per
 * container port of those pods that no endpoint port covers.
 */
import type { ContainerPortSpec, ContainerSpec, ObjectReference, PodObject, SnapshotIndex } from '../snapshot.js';
import { labelValue, mergeLabels, type Labels } from '../labels.js';
import { joinHostPort, META, nodeMetaLabels, set, type GroupView, type RoleOptions } from './group.js';
import { containersOf, podLabels, POD_CONTAINER } from './pod.js';

/** A pod behind endpoints, and the ports the endpoints serve on it. */
interface SeenPod {
  pod: PodObject;
  ports: number[];
}

/** One endpoint address on one port, with what Prometheus looks up for it. */
export interface EndpointAddress {
  ref: ObjectReference | undefined;
  port: number | undefined;
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

function podLabelsMemo(): PodLabelsOf {
  const memo = new Map<PodObject, Labels>();
  return (pod) => {
    let labels = memo.get(pod);
    if (labels === undefined) memo.set(pod, (labels = podLabels(pod)));
    return labels;
  };
}

/** The pod labels of an endpoint target, with those of the container port it serves. */
function podTargetLabels(pod: PodObject, port: number | undefined, podLabelsOf: PodLabelsOf): Labels {
  const out = mergeLabels(podLabelsOf(pod));
  if (port !== undefined) {
    for (const { c, isInit } of containersOf(pod)) {
      const cport = (c.ports ?? []).find((p) => p.containerPort === port);
      if (cport === undefined) continue;
      set(out, `${POD_CONTAINER}name`, c.name);
      set(out, `${POD_CONTAINER}image`, c.image);
      set(out, `${POD_CONTAINER}port_name`, cport.name);
      out[`${POD_CONTAINER}port_number`] = String(port);
      set(out, `${POD_CONTAINER}port_protocol`, cport.protocol ?? 'TCP');
      out[`${POD_CONTAINER}init`] = String(isInit);
      break;
    }
  }
  return out;
}

/** An endpoint target with the node (attach_metadata.node) and pod labels Prometheus adds to it; pod labels win. */
function withEndpointMetadata(t: Labels, index: SnapshotIndex, options: RoleOptions, nodeName: string | undefined, address: EndpointAddress, podLabelsOf: PodLabelsOf): Labels {
  const withNode = options.attachNode ? mergeLabels(t, nodeMetaLabels(index, nodeName)) : t;
  const pod = podOf(index, address.ref);
  return pod === undefined ? withNode : mergeLabels(withNode, podTargetLabels(pod, address.port, podLabelsOf));
}

/** Container ports of the endpoints' pods that no endpoint port covered: one target each. */
function uncoveredPorts(seen: Map<string, SeenPod>): { pod: PodObject; ip: string; c: ContainerSpec; isInit: boolean; port: ContainerPortSpec }[] {
  const out: { pod: PodObject; ip: string; c: ContainerSpec; isInit: boolean; port: ContainerPortSpec }[] = [];
  for (const { pod, ports } of seen.values()) {
    const ip = pod.status?.podIP;
    if (ip === undefined || ip === '') continue;
    for (const { c, isInit } of containersOf(pod)) {
      for (const port of c.ports ?? []) if (!ports.includes(port.containerPort)) out.push({ pod, ip, c, isInit, port });
    }
  }
  return out;
}

function uncoveredPodTargets(seen: Map<string, SeenPod>, podLabelsOf: PodLabelsOf): Labels[] {
  return uncoveredPorts(seen).map(({ pod, ip, c, isInit, port }) => {
    const t: Labels = { __address__: joinHostPort(ip, port.containerPort) };
    set(t, `${POD_CONTAINER}name`, c.name);
    set(t, `${POD_CONTAINER}image`, c.image);
    set(t, `${POD_CONTAINER}port_name`, port.name);
    t[`${POD_CONTAINER}port_number`] = String(port.containerPort);
    set(t, `${POD_CONTAINER}port_protocol`, port.protocol ?? 'TCP');
    t[`${POD_CONTAINER}init`] = String(isInit);
    return mergeLabels(t, podLabelsOf(pod));
  });
}

/**
 * An endpoints or endpointslice group: the group labels (namespace, object and
 * service metadata) are built at once, the targets (one per address and port,
 * plus the uncovered pod ports) only when asked: a rule on the service's
 * annotations drops most groups as a whole.
 */
export class EndpointGroup<E> implements GroupView {
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
    private readonly index: SnapshotIndex,
    private readonly options: RoleOptions,
  ) {}

  label(name: string): string | undefined {
    return labelValue(this.groupLabels, name);
  }
  labels(): Labels {
    return this.groupLabels;
  }
  /** Built anew on each call: kept, they would live as long as the group. */
  targets(): Labels[] {
    const podLabelsOf = podLabelsMemo();
    const entries = this.role.entries();
    const targets = entries.map((e) => {
      const { labels, nodeName } = this.role.targetOf(e);
      return withEndpointMetadata(labels, this.index, this.options, nodeName, this.role.addressOf(e), podLabelsOf);
    });
    return [...targets, ...uncoveredPodTargets(seenPods(this.index, entries.map(this.role.addressOf)), podLabelsOf)];
  }
  size(): number {
    const addresses = this.role.entries().map(this.role.addressOf);
    return addresses.length + uncoveredPorts(seenPods(this.index, addresses)).length;
  }
  isTargetLabel(name: string): boolean {
    return name === '__address__' || this.role.targetPrefixes.some((p) => name.startsWith(p));
  }
}

export const ENDPOINTS_TARGET_PREFIXES = [`${META}endpoint_`, `${META}pod_`, `${META}node_`];
export const ENDPOINTSLICE_TARGET_PREFIXES = [`${META}endpointslice_port`, `${META}endpointslice_endpoint_`, `${META}endpointslice_address_target_`, `${META}pod_`, `${META}node_`];
