/**
 * Target groups per Kubernetes SD role, with the labels Prometheus' Kubernetes
 * service discovery (discovery/kubernetes/*.go) produces for the same objects.
 * Labels with empty values are left out: Prometheus treats an empty label as
 * an absent one.
 */
import type { ContainerPortSpec, ContainerSpec, EndpointSliceObject, EndpointsObject, IngressObject, NodeObject, ObjectMeta, ObjectReference, PodObject, ServiceObject, SnapshotIndex } from '../snapshot.js';
import { labelValue, mergeLabels, type Labels } from '../labels.js';

export type { Labels };

export interface TargetGroup {
  source: string;
  targets: Labels[];
  labels: Labels;
}

/**
 * A discovered group as the preview reads it: one label at a time, and the
 * label set and targets built only when asked for. Most pods of a large
 * cluster are dropped by a rule that reads two or three of their labels, so a
 * pod's full label set and targets are mostly never built.
 */
export interface GroupView {
  readonly source: string;
  /** One group label; undefined when absent. */
  label(name: string): string | undefined;
  labels(): Labels;
  targets(): Labels[];
  /** The number of targets, without building them. */
  size(): number;
  /** Whether `name` belongs to the targets rather than to the group (Kubernetes SD never gives both the same label). */
  isTargetLabel(name: string): boolean;
}

/** A group whose labels and targets are already built. */
export class BuiltGroup implements GroupView {
  constructor(private readonly group: TargetGroup) {}
  get source(): string {
    return this.group.source;
  }
  label(name: string): string | undefined {
    return labelValue(this.group.labels, name);
  }
  labels(): Labels {
    return this.group.labels;
  }
  targets(): Labels[] {
    return this.group.targets;
  }
  size(): number {
    return this.group.targets.length;
  }
  isTargetLabel(name: string): boolean {
    return this.group.targets.some((t) => name in t);
  }
}

/** The plain group a view stands for. */
export function builtGroup(view: GroupView): TargetGroup {
  return { source: view.source, targets: view.targets(), labels: view.labels() };
}

export interface RoleOptions {
  /** attach_metadata.node: node labels on pod (and endpoint) targets. */
  attachNode: boolean;
}

const META = '__meta_kubernetes_';

/** Prometheus' strutil.SanitizeLabelName. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function set(labels: Labels, name: string, value: string | undefined): void {
  if (value !== undefined && value !== '') labels[name] = value;
}

function objectMetaLabels(out: Labels, meta: ObjectMeta, resource: string, withName = true): void {
  if (withName) set(out, `${META}${resource}_name`, meta.name);
  const names = metaLabelNames(resource);
  for (const k in meta.labels) {
    const [value, present] = names.label(k);
    set(out, value, meta.labels[k]);
    out[present] = 'true';
  }
  for (const k in meta.annotations) {
    const [value, present] = names.annotation(k);
    set(out, value, meta.annotations[k]);
    out[present] = 'true';
  }
}

/**
 * The label names a metadata key becomes (`…_label_<key>`, `…_labelpresent_<key>`),
 * remembered per resource: the same few keys (app, prometheus.io/scrape, …)
 * recur on thousands of objects.
 */
class MetaLabelNames {
  private readonly labels = new Map<string, readonly [string, string]>();
  private readonly annotations = new Map<string, readonly [string, string]>();
  constructor(private readonly resource: string) {}

  label(key: string): readonly [string, string] {
    return this.named(this.labels, key, 'label');
  }
  annotation(key: string): readonly [string, string] {
    return this.named(this.annotations, key, 'annotation');
  }
  private named(cache: Map<string, readonly [string, string]>, key: string, kind: string): readonly [string, string] {
    let names = cache.get(key);
    if (names === undefined) {
      const ln = sanitizeLabelName(key);
      names = [`${META}${this.resource}_${kind}_${ln}`, `${META}${this.resource}_${kind}present_${ln}`];
      if (cache.size < 10_000) cache.set(key, names);
    }
    return names;
  }
}

const metaNamesByResource = new Map<string, MetaLabelNames>();

function metaLabelNames(resource: string): MetaLabelNames {
  let names = metaNamesByResource.get(resource);
  if (names === undefined) metaNamesByResource.set(resource, (names = new MetaLabelNames(resource)));
  return names;
}

/** host:port as Go's net.JoinHostPort writes it: an IPv6 address in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// ---- node ----------------------------------------------------------------------------------------

const NODE_ADDRESS_PRIORITY = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'LegacyHostIP', 'Hostname'];

export function nodeGroup(node: NodeObject): TargetGroup {
  const labels: Labels = {};
  objectMetaLabels(labels, node.metadata, 'node');
  set(labels, `${META}node_provider_id`, node.spec?.providerID);
  const group: TargetGroup = { source: `node/${node.metadata.name}`, targets: [], labels };
  const byType = new Map<string, string[]>();
  for (const a of node.status?.addresses ?? []) byType.set(a.type, [...(byType.get(a.type) ?? []), a.address]);
  const type = NODE_ADDRESS_PRIORITY.find((t) => byType.has(t));
  if (type === undefined) return group; // "No node address found"
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const target: Labels = { __address__: joinHostPort(byType.get(type)![0]!, port), instance: node.metadata.name };
  for (const [t, addrs] of byType) set(target, sanitizeLabelName(`${META}node_address_${t}`), addrs[0]);
  group.targets.push(target);
  return group;
}

function nodeMetaLabels(index: SnapshotIndex, nodeName: string | undefined): Labels {
  const node = nodeName === undefined ? undefined : index.node(nodeName);
  const out: Labels = {};
  if (node !== undefined) objectMetaLabels(out, node.metadata, 'node');
  return out;
}

// ---- pod -----------------------------------------------------------------------------------------

const POD_LABEL_NAMES = {
  namespace: `${META}namespace`,
  name: `${META}pod_name`,
  phase: `${META}pod_phase`,
  nodeName: `${META}pod_node_name`,
  ip: `${META}pod_ip`,
  hostIP: `${META}pod_host_ip`,
  uid: `${META}pod_uid`,
  ready: `${META}pod_ready`,
  controllerKind: `${META}pod_controller_kind`,
  controllerName: `${META}pod_controller_name`,
};
const NODE_PREFIX = `${META}node_`;
const POD_LABEL_PREFIX = `${META}pod_label_`;
const POD_LABELPRESENT_PREFIX = `${META}pod_labelpresent_`;
const POD_ANNOTATION_PREFIX = `${META}pod_annotation_`;
const POD_ANNOTATIONPRESENT_PREFIX = `${META}pod_annotationpresent_`;

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function podReady(pod: PodObject): string {
  for (const c of pod.status?.conditions ?? []) if (c.type === 'Ready') return c.status.toLowerCase();
  return 'unknown';
}

function podController(pod: PodObject): { kind: string; name: string } | undefined {
  for (const o of pod.metadata.ownerReferences ?? []) if (o.controller === true) return o;
  return undefined;
}

export function podLabels(pod: PodObject): Labels {
  const out: Labels = {};
  set(out, POD_LABEL_NAMES.ip, pod.status?.podIP);
  out[POD_LABEL_NAMES.ready] = podReady(pod);
  set(out, POD_LABEL_NAMES.phase, pod.status?.phase);
  set(out, POD_LABEL_NAMES.nodeName, pod.spec?.nodeName);
  set(out, POD_LABEL_NAMES.hostIP, pod.status?.hostIP);
  set(out, POD_LABEL_NAMES.uid, pod.metadata.uid);
  objectMetaLabels(out, pod.metadata, 'pod');
  const controller = podController(pod);
  if (controller !== undefined) {
    set(out, POD_LABEL_NAMES.controllerKind, controller.kind);
    set(out, POD_LABEL_NAMES.controllerName, controller.name);
  }
  return out;
}

function containersOf(pod: PodObject): { c: NonNullable<NonNullable<PodObject['spec']>['containers']>[number]; isInit: boolean }[] {
  return [...(pod.spec?.containers ?? []).map((c) => ({ c, isInit: false })), ...(pod.spec?.initContainers ?? []).map((c) => ({ c, isInit: true }))];
}

const POD_CONTAINER = `${META}pod_container_`;

export function podGroup(pod: PodObject, index: SnapshotIndex, options: RoleOptions): GroupView {
  const ip = pod.status?.podIP;
  const unusable = ip === undefined || ip === '' || (options.attachNode && (pod.spec?.nodeName === undefined || index.node(pod.spec.nodeName) === undefined));
  if (unusable) return new BuiltGroup({ source: podSource(pod), targets: [], labels: {} });
  return new PodGroup(pod, ip, index, options.attachNode);
}

function podSource(pod: PodObject): string {
  return `pod/${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

/** A pod's group: labels read straight from the pod until the set is asked for. */
class PodGroup implements GroupView {
  private builtLabels: Labels | undefined;
  private builtTargets: Labels[] | undefined;

  constructor(
    private readonly pod: PodObject,
    private readonly ip: string,
    private readonly index: SnapshotIndex,
    private readonly attachNode: boolean,
  ) {}

  get source(): string {
    return podSource(this.pod);
  }

  label(name: string): string | undefined {
    if (this.builtLabels !== undefined) return labelValue(this.builtLabels, name);
    const v = podLabel(this.pod, name, this.attachNode);
    return v === null ? labelValue(this.labels(), name) : v;
  }

  labels(): Labels {
    if (this.builtLabels === undefined) {
      const labels = podLabels(this.pod);
      labels[POD_LABEL_NAMES.namespace] = this.pod.metadata.namespace ?? '';
      this.builtLabels = this.attachNode ? mergeLabels(labels, nodeMetaLabels(this.index, this.pod.spec?.nodeName)) : labels;
    }
    return this.builtLabels;
  }

  targets(): Labels[] {
    this.builtTargets ??= podTargets(this.pod, this.ip);
    return this.builtTargets;
  }

  size(): number {
    if (this.builtTargets !== undefined) return this.builtTargets.length;
    let n = 0;
    for (const c of this.pod.spec?.containers ?? []) n += Math.max(1, c.ports?.length ?? 0);
    for (const c of this.pod.spec?.initContainers ?? []) n += Math.max(1, c.ports?.length ?? 0);
    return n;
  }

  isTargetLabel(name: string): boolean {
    return name === '__address__' || name.startsWith(POD_CONTAINER);
  }
}

/** One target per container port; one (address without port) per container without ports. */
function podTargets(pod: PodObject, ip: string): Labels[] {
  const targets: Labels[] = [];
  for (const { c, isInit } of containersOf(pod)) {
    const statuses = isInit ? pod.status?.initContainerStatuses : pod.status?.containerStatuses;
    const id = statuses?.find((s) => s.name === c.name)?.containerID;
    const base: Labels = {};
    set(base, `${POD_CONTAINER}name`, c.name);
    set(base, `${POD_CONTAINER}id`, id);
    set(base, `${POD_CONTAINER}image`, c.image);
    base[`${POD_CONTAINER}init`] = String(isInit);
    if ((c.ports ?? []).length === 0) {
      targets.push(mergeLabels({ __address__: ip }, base));
      continue;
    }
    for (const p of c.ports!) {
      const t = mergeLabels({ __address__: joinHostPort(ip, p.containerPort) }, base);
      t[`${POD_CONTAINER}port_number`] = String(p.containerPort);
      set(t, `${POD_CONTAINER}port_name`, p.name);
      set(t, `${POD_CONTAINER}port_protocol`, p.protocol ?? 'TCP');
      targets.push(t);
    }
  }
  return targets;
}

/**
 * One pod group label straight from the pod, without building the set (and
 * without allocating: it runs for every pod and every leading rule); null when
 * only the full set can say (node metadata). `undefined`: absent.
 */
function podLabel(pod: PodObject, name: string, attachNode: boolean): string | undefined | null {
  if (!name.startsWith(META)) return undefined;
  switch (name) {
    case POD_LABEL_NAMES.namespace:
      return nonEmpty(pod.metadata.namespace);
    case POD_LABEL_NAMES.name:
      return nonEmpty(pod.metadata.name);
    case POD_LABEL_NAMES.phase:
      return nonEmpty(pod.status?.phase);
    case POD_LABEL_NAMES.nodeName:
      return nonEmpty(pod.spec?.nodeName);
    case POD_LABEL_NAMES.ip:
      return nonEmpty(pod.status?.podIP);
    case POD_LABEL_NAMES.hostIP:
      return nonEmpty(pod.status?.hostIP);
    case POD_LABEL_NAMES.uid:
      return nonEmpty(pod.metadata.uid);
    case POD_LABEL_NAMES.ready:
      return podReady(pod);
    case POD_LABEL_NAMES.controllerKind:
      return nonEmpty(podController(pod)?.kind);
    case POD_LABEL_NAMES.controllerName:
      return nonEmpty(podController(pod)?.name);
  }
  if (name.startsWith(NODE_PREFIX)) return attachNode ? null : undefined;
  if (name.startsWith(POD_LABELPRESENT_PREFIX)) return metadataLabel(pod.metadata.labels, name, POD_LABELPRESENT_PREFIX.length, true);
  if (name.startsWith(POD_LABEL_PREFIX)) return metadataLabel(pod.metadata.labels, name, POD_LABEL_PREFIX.length, false);
  if (name.startsWith(POD_ANNOTATIONPRESENT_PREFIX)) return metadataLabel(pod.metadata.annotations, name, POD_ANNOTATIONPRESENT_PREFIX.length, true);
  if (name.startsWith(POD_ANNOTATION_PREFIX)) return metadataLabel(pod.metadata.annotations, name, POD_ANNOTATION_PREFIX.length, false);
  // Any other name (another role's, or a target-level one) is not a pod group label.
  return undefined;
}

/**
 * The `…_label_<key>` / `…_labelpresent_<key>` value for the metadata key whose
 * sanitized form is name[offset:], as objectMetaLabels would set it: the last
 * non-empty value among keys that sanitize alike.
 */
function metadataLabel(source: Record<string, string> | undefined, name: string, offset: number, present: boolean): string | undefined {
  let found: string | undefined;
  for (const k in source) {
    if (!sanitizesTo(k, name, offset)) continue;
    if (present) return 'true';
    if (source[k] !== '') found = source[k];
  }
  return found;
}

/** sanitizeLabelName(key) === name.slice(offset), without building either string. */
function sanitizesTo(key: string, name: string, offset: number): boolean {
  if (key.length !== name.length - offset) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const valid = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if ((valid ? c : 95) !== name.charCodeAt(offset + i)) return false;
  }
  return true;
}

// ---- service -------------------------------------------------------------------------------------

function serviceLabels(svc: ServiceObject): Labels {
  const out: Labels = { [`${META}namespace`]: svc.metadata.namespace ?? '' };
  objectMetaLabels(out, svc.metadata, 'service');
  return out;
}

export function serviceGroup(svc: ServiceObject): TargetGroup {
  const ns = svc.metadata.namespace ?? '';
  const group: TargetGroup = { source: `svc/${ns}/${svc.metadata.name}`, targets: [], labels: serviceLabels(svc) };
  const type = svc.spec?.type ?? 'ClusterIP';
  for (const port of svc.spec?.ports ?? []) {
    const t: Labels = {
      __address__: joinHostPort(`${svc.metadata.name}.${ns}.svc`, port.port),
      [`${META}service_port_number`]: String(port.port),
      [`${META}service_port_protocol`]: port.protocol ?? 'TCP',
      [`${META}service_type`]: type,
    };
    set(t, `${META}service_port_name`, port.name);
    if (type === 'ExternalName') set(t, `${META}service_external_name`, svc.spec?.externalName);
    else set(t, `${META}service_cluster_ip`, svc.spec?.clusterIP);
    if (type === 'LoadBalancer') {
      const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => ip !== undefined && ip !== '');
      set(t, `${META}service_loadbalancer_ip`, ips.length > 0 ? ips.join(',') : svc.spec?.loadBalancerIP);
    }
    group.targets.push(t);
  }
  return group;
}

// ---- endpoints and endpointslices ----------------------------------------------------------------

/** A pod behind endpoints, and the ports the endpoints serve on it. */
interface SeenPod {
  pod: PodObject;
  ports: number[];
}

/** One endpoint address on one port, with what Prometheus looks up for it. */
interface EndpointAddress {
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
class EndpointGroup<E> implements GroupView {
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

const ENDPOINTS_TARGET_PREFIXES = [`${META}endpoint_`, `${META}pod_`, `${META}node_`];
const ENDPOINTSLICE_TARGET_PREFIXES = [`${META}endpointslice_port`, `${META}endpointslice_endpoint_`, `${META}endpointslice_address_target_`, `${META}pod_`, `${META}node_`];

type EndpointsAddress = NonNullable<NonNullable<EndpointsObject['subsets']>[number]['addresses']>[number];

/** Every (address, port) of an Endpoints object, in Prometheus' order, with its readiness. */
function endpointsAddresses(eps: EndpointsObject): { addr: EndpointsAddress; port: NonNullable<NonNullable<EndpointsObject['subsets']>[number]['ports']>[number]; ready: string }[] {
  const out = [];
  for (const subset of eps.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      for (const addr of subset.addresses ?? []) out.push({ addr, port, ready: 'true' });
      for (const addr of subset.notReadyAddresses ?? []) out.push({ addr, port, ready: 'false' });
    }
  }
  return out;
}

export function endpointsGroup(eps: EndpointsObject, index: SnapshotIndex, options: RoleOptions): GroupView {
  const ns = eps.metadata.namespace ?? '';
  const labels: Labels = { [`${META}namespace`]: ns };
  const svc = index.service(ns, eps.metadata.name);
  if (svc !== undefined) Object.assign(labels, serviceLabels(svc));
  objectMetaLabels(labels, eps.metadata, 'endpoints');
  return new EndpointGroup(`endpoints/${ns}/${eps.metadata.name}`, labels, { entries: () => endpointsAddresses(eps), addressOf: endpointsAddress, targetOf: endpointsTarget, targetPrefixes: ENDPOINTS_TARGET_PREFIXES }, index, options);
}

type EndpointsEntry = ReturnType<typeof endpointsAddresses>[number];

function endpointsAddress({ addr, port }: EndpointsEntry): EndpointAddress {
  return { ref: addr.targetRef, port: port.port };
}

function endpointsTarget({ addr, port, ready }: EndpointsEntry): { labels: Labels; nodeName: string | undefined } {
  const t: Labels = { __address__: joinHostPort(addr.ip, port.port), [`${META}endpoint_port_protocol`]: port.protocol ?? 'TCP', [`${META}endpoint_ready`]: ready };
  set(t, `${META}endpoint_port_name`, port.name);
  if (addr.targetRef !== undefined) {
    set(t, `${META}endpoint_address_target_kind`, addr.targetRef.kind);
    set(t, `${META}endpoint_address_target_name`, addr.targetRef.name);
  }
  set(t, `${META}endpoint_node_name`, addr.nodeName);
  set(t, `${META}endpoint_hostname`, addr.hostname);
  return { labels: t, nodeName: addr.nodeName ?? (addr.targetRef?.kind === 'Node' ? addr.targetRef.name : undefined) };
}

/** Every (endpoint, port, address) of an EndpointSlice, in Prometheus' order. */
function sliceAddresses(eps: EndpointSliceObject): { ep: NonNullable<EndpointSliceObject['endpoints']>[number]; port: NonNullable<EndpointSliceObject['ports']>[number]; addr: string }[] {
  const out = [];
  for (const ep of eps.endpoints ?? []) for (const port of eps.ports ?? []) for (const addr of ep.addresses) out.push({ ep, port, addr });
  return out;
}

export function endpointSliceGroup(eps: EndpointSliceObject, index: SnapshotIndex, options: RoleOptions): GroupView {
  const ns = eps.metadata.namespace ?? '';
  const labels: Labels = { [`${META}namespace`]: ns };
  set(labels, `${META}endpointslice_address_type`, eps.addressType);
  objectMetaLabels(labels, eps.metadata, 'endpointslice');
  const serviceName = eps.metadata.labels?.['kubernetes.io/service-name'];
  const svc = serviceName === undefined ? undefined : index.service(ns, serviceName);
  if (svc !== undefined) Object.assign(labels, serviceLabels(svc));
  const source = `endpointslice/${ns}/${eps.metadata.name}`;
  const dualStack = svc?.spec?.ipFamilyPolicy === 'PreferDualStack' || svc?.spec?.ipFamilyPolicy === 'RequireDualStack';
  if (dualStack && (svc?.spec?.ipFamilies ?? []).length > 0 && eps.addressType !== svc?.spec?.ipFamilies?.[0]) return new BuiltGroup({ source, targets: [], labels });
  return new EndpointGroup(source, labels, { entries: () => sliceAddresses(eps), addressOf: sliceAddress, targetOf: sliceTarget, targetPrefixes: ENDPOINTSLICE_TARGET_PREFIXES }, index, options);
}

type SliceEntry = ReturnType<typeof sliceAddresses>[number];

function sliceAddress({ ep, port }: SliceEntry): EndpointAddress {
  return { ref: ep.targetRef, port: port.port };
}

function sliceTarget({ ep, port, addr }: SliceEntry): { labels: Labels; nodeName: string | undefined } {
  const t: Labels = { __address__: port.port === undefined ? addr : joinHostPort(addr, port.port) };
  set(t, `${META}endpointslice_port_name`, port.name);
  set(t, `${META}endpointslice_port_protocol`, port.protocol);
  if (port.port !== undefined) t[`${META}endpointslice_port`] = String(port.port);
  set(t, `${META}endpointslice_port_app_protocol`, port.appProtocol);
  for (const cond of ['ready', 'serving', 'terminating'] as const) {
    const v = ep.conditions?.[cond];
    if (v !== undefined) t[`${META}endpointslice_endpoint_conditions_${cond}`] = String(v);
  }
  set(t, `${META}endpointslice_endpoint_hostname`, ep.hostname);
  if (ep.targetRef !== undefined) {
    set(t, `${META}endpointslice_address_target_kind`, ep.targetRef.kind);
    set(t, `${META}endpointslice_address_target_name`, ep.targetRef.name);
  }
  set(t, `${META}endpointslice_endpoint_node_name`, ep.nodeName);
  set(t, `${META}endpointslice_endpoint_zone`, ep.zone);
  for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
    set(t, `${META}endpointslice_endpoint_topology_${sanitizeLabelName(k)}`, v);
    t[`${META}endpointslice_endpoint_topology_present_${sanitizeLabelName(k)}`] = 'true';
  }
  return { labels: t, nodeName: ep.targetRef?.kind === 'Node' ? ep.targetRef.name : ep.nodeName };
}

// ---- ingress -------------------------------------------------------------------------------------

function matchesHostnamePattern(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  const p = pattern.split('.');
  const h = host.split('.');
  if (p[0] !== '*' || p.length !== h.length) return false;
  return p.slice(1).every((part, i) => part === h[i + 1]);
}

export function ingressGroup(ing: IngressObject): TargetGroup {
  const ns = ing.metadata.namespace ?? '';
  const labels: Labels = { [`${META}namespace`]: ns };
  set(labels, `${META}ingress_class_name`, ing.spec?.ingressClassName);
  objectMetaLabels(labels, ing.metadata, 'ingress');
  const group: TargetGroup = { source: `ingress/${ns}/${ing.metadata.name}`, targets: [], labels };
  const tlsHosts = (ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
  for (const rule of ing.spec?.rules ?? []) {
    const host = rule.host ?? '';
    const scheme = tlsHosts.some((p) => matchesHostnamePattern(p, host)) ? 'https' : 'http';
    const paths = rule.http?.paths === undefined ? ['/'] : rule.http.paths.map((p) => (p.path === undefined || p.path === '' ? '/' : p.path));
    for (const path of paths) {
      const t: Labels = { [`${META}ingress_scheme`]: scheme, [`${META}ingress_path`]: path };
      set(t, '__address__', host);
      set(t, `${META}ingress_host`, host);
      group.targets.push(t);
    }
  }
  return group;
}
