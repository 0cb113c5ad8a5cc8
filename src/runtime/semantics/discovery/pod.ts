/** Role `pod`: one target per container port (or per container without ports) of each pod with an IP. */
import type { PodObject, SnapshotIndex } from '../snapshot.js';
import { labelValue, mergeLabels, type Labels } from '../labels.js';
import { addNamespaceMetaLabels, BuiltGroup, joinHostPort, META, nodeMetaLabels, objectMetaLabels, set, type GroupView, type RoleOptions } from './group.js';

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
  deployment: `${META}pod_deployment_name`,
  job: `${META}pod_job_name`,
  cronjob: `${META}pod_cronjob_name`,
};
const NAMESPACE_META_PREFIX = `${META}namespace_`;
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

function podController(pod: { metadata: PodObject['metadata'] }): { kind: string; name: string } | undefined {
  for (const o of pod.metadata.ownerReferences ?? []) if (o.controller === true) return o;
  return undefined;
}

/** What podLabels needs to name a pod's Deployment, Job and CronJob (Prometheus 3's attach_metadata). */
export interface PodOwners {
  index: SnapshotIndex;
  options: RoleOptions;
}

/**
 * The Deployment, Job or CronJob label of a pod, as Prometheus 3 derives it:
 * the Deployment controlling the ReplicaSet that controls the pod (the
 * ReplicaSet looked up in its namespace), the Job controlling the pod (by its
 * owner reference alone), the CronJob controlling that Job.
 */
function podOwnerLabel(pod: PodObject, which: 'deployment' | 'job' | 'cronjob', owners: PodOwners | undefined): string | undefined {
  if (owners === undefined || owners.options[which] !== true) return undefined;
  const controller = podController(pod);
  if (controller === undefined) return undefined;
  const ns = pod.metadata.namespace ?? '';
  if (which === 'deployment') {
    if (controller.kind !== 'ReplicaSet') return undefined;
    const rs = owners.index.replicaSet(ns, controller.name);
    const owner = rs === undefined ? undefined : podController(rs);
    return owner?.kind === 'Deployment' ? nonEmpty(owner.name) : undefined;
  }
  if (controller.kind !== 'Job') return undefined;
  if (which === 'job') return nonEmpty(controller.name);
  const job = owners.index.job(ns, controller.name);
  const owner = job === undefined ? undefined : podController(job);
  return owner?.kind === 'CronJob' ? nonEmpty(owner.name) : undefined;
}

export function podLabels(pod: PodObject, owners?: PodOwners): Labels {
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
    if (owners !== undefined) {
      set(out, POD_LABEL_NAMES.deployment, podOwnerLabel(pod, 'deployment', owners));
      set(out, POD_LABEL_NAMES.job, podOwnerLabel(pod, 'job', owners));
      set(out, POD_LABEL_NAMES.cronjob, podOwnerLabel(pod, 'cronjob', owners));
    }
  }
  return out;
}

export function containersOf(pod: PodObject): { c: NonNullable<NonNullable<PodObject['spec']>['containers']>[number]; isInit: boolean }[] {
  return [...(pod.spec?.containers ?? []).map((c) => ({ c, isInit: false })), ...(pod.spec?.initContainers ?? []).map((c) => ({ c, isInit: true }))];
}

export const POD_CONTAINER = `${META}pod_container_`;

export function podGroup(pod: PodObject, index: SnapshotIndex, options: RoleOptions): GroupView {
  const ip = pod.status?.podIP;
  const unusable = ip === undefined || ip === '' || (options.attachNode && (pod.spec?.nodeName === undefined || index.node(pod.spec.nodeName) === undefined));
  if (unusable) return new BuiltGroup({ source: podSource(pod), targets: [], labels: {} });
  return new PodGroup(pod, ip, index, options);
}

function podSource(pod: PodObject): string {
  return `pod/${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

/** A pod's group: labels read straight from the pod until the set is asked for. */
class PodGroup implements GroupView, PodOwners {
  private builtLabels: Labels | undefined;
  private builtTargets: Labels[] | undefined;

  constructor(
    private readonly pod: PodObject,
    private readonly ip: string,
    readonly index: SnapshotIndex,
    readonly options: RoleOptions,
  ) {}

  get source(): string {
    return podSource(this.pod);
  }

  label(name: string): string | undefined {
    if (this.builtLabels !== undefined) return labelValue(this.builtLabels, name);
    const v = podLabel(this.pod, name, this.options, this);
    return v === null ? labelValue(this.labels(), name) : v;
  }

  labels(): Labels {
    if (this.builtLabels === undefined) {
      const labels = podLabels(this.pod, this);
      labels[POD_LABEL_NAMES.namespace] = this.pod.metadata.namespace ?? '';
      const withNode = this.options.attachNode ? mergeLabels(labels, nodeMetaLabels(this.index, this.pod.spec?.nodeName)) : labels;
      this.builtLabels = this.options.attachNamespace === true ? addNamespaceMetaLabels(withNode, this.index, this.pod.metadata.namespace) : withNode;
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
function podLabel(pod: PodObject, name: string, options: RoleOptions, owners: PodOwners): string | undefined | null {
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
    case POD_LABEL_NAMES.deployment:
      return podOwnerLabel(pod, 'deployment', owners);
    case POD_LABEL_NAMES.job:
      return podOwnerLabel(pod, 'job', owners);
    case POD_LABEL_NAMES.cronjob:
      return podOwnerLabel(pod, 'cronjob', owners);
  }
  if (name.startsWith(NODE_PREFIX)) return options.attachNode ? null : undefined;
  if (name.startsWith(NAMESPACE_META_PREFIX)) return options.attachNamespace === true ? null : undefined;
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
