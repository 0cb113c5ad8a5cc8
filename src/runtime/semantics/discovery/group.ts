/**
 * What every Kubernetes SD role shares: target groups (built, or views that
 * build labels and targets only when asked), the `__meta_kubernetes_` label
 * names of object metadata, and Go's host:port joining. One file per role
 * beside this one produces the groups Prometheus' Kubernetes service discovery
 * (discovery/kubernetes/*.go) produces for the same objects. Labels with empty
 * values are left out: Prometheus treats an empty label as an absent one.
 */
import type { ObjectMeta, SnapshotIndex } from '../snapshot.js';
import { labelValue, type Labels } from '../labels.js';
import type { PromSemantics } from '../version.js';

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
  /** attach_metadata.namespace (Prometheus 3): the namespace's labels and annotations on every group but a node's. */
  attachNamespace?: boolean;
  /** attach_metadata.deployment (Prometheus 3): __meta_kubernetes_pod_deployment_name, through the pod's ReplicaSet. */
  deployment?: boolean;
  /** attach_metadata.job (Prometheus 3): __meta_kubernetes_pod_job_name, the pod's controlling Job. */
  job?: boolean;
  /** attach_metadata.cronjob (Prometheus 3): __meta_kubernetes_pod_cronjob_name, through the pod's Job. */
  cronjob?: boolean;
  /** Which Prometheus discovers (default prometheus-3). */
  semantics?: PromSemantics;
}


export const META = '__meta_kubernetes_';

/** Prometheus' strutil.SanitizeLabelName. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}


export function set(labels: Labels, name: string, value: string | undefined): void {
  if (value !== undefined && value !== '') labels[name] = value;
}

export function objectMetaLabels(out: Labels, meta: ObjectMeta, resource: string, withName = true): void {
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

/**
 * The namespace's labels and annotations (attach_metadata.namespace) added to
 * `out`: `__meta_kubernetes_namespace_label_<key>`, `…_labelpresent_…`,
 * `…_annotation_…`, `…_annotationpresent_…` (no name label: `__meta_kubernetes_namespace`
 * is already there). Nothing when the namespace is not in the snapshot.
 */
export function addNamespaceMetaLabels(out: Labels, index: SnapshotIndex, namespace: string | undefined): Labels {
  const ns = namespace === undefined ? undefined : index.namespace(namespace);
  if (ns !== undefined) objectMetaLabels(out, ns.metadata, 'namespace', false);
  return out;
}

/** The node's metadata labels (attach_metadata.node), empty when the node is unknown. */
export function nodeMetaLabels(index: SnapshotIndex, nodeName: string | undefined): Labels {
  const node = nodeName === undefined ? undefined : index.node(nodeName);
  const out: Labels = {};
  if (node !== undefined) objectMetaLabels(out, node.metadata, 'node');
  return out;
}
