/**
 * discover(role, snapshot, options): the target groups Prometheus' Kubernetes
 * SD would produce for a snapshot, given a `kubernetes_sd_configs` entry in its
 * Prometheus YAML form (`namespaces`, `selectors`, `attach_metadata`).
 */
import { indexBy, SnapshotIndex, type Snapshot, type SnapshotResource } from '../snapshot.js';
import { endpointsGroup } from './endpoints.js';
import { endpointSliceGroup } from './endpointslice.js';
import { BuiltGroup, builtGroup, type GroupView, type TargetGroup } from './group.js';
import { ingressGroup } from './ingress.js';
import { nodeGroup } from './node.js';
import { podGroup } from './pod.js';
import { serviceGroup } from './service.js';
import { fieldSelector, labelSelector } from './selectors.js';
import type { PromSemantics } from '../version.js';

export const DISCOVERY_ROLES = ['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress'] as const;
export type DiscoveryRole = (typeof DISCOVERY_ROLES)[number];

export interface KubernetesSdOptions {
  namespaces?: { names?: string[]; own_namespace?: boolean };
  selectors?: { role: DiscoveryRole; label?: string; field?: string }[];
  attach_metadata?: { node?: boolean };
}

export interface DiscoverContext {
  /** The namespace the agent runs in, for namespaces.own_namespace. */
  ownNamespace?: string;
  /** Which Prometheus' discovery to follow (default: Prometheus 3). */
  semantics?: PromSemantics;
}

/** Which selector role narrows which resource. */
const RESOURCE_OF_ROLE: Record<DiscoveryRole, SnapshotResource> = {
  node: 'nodes',
  pod: 'pods',
  service: 'services',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  ingress: 'ingresses',
};

/** The resources each role's informers list (node metadata, the pods and services behind endpoints). */
const READS: Record<DiscoveryRole, readonly SnapshotResource[]> = {
  node: ['nodes'],
  pod: ['pods', 'nodes'],
  service: ['services'],
  endpoints: ['endpoints', 'pods', 'services', 'nodes'],
  endpointslice: ['endpointslices', 'pods', 'services', 'nodes'],
  ingress: ['ingresses'],
};

export class DiscoveryError extends Error {}

type Meta = { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: { nodeName?: string } };

/** `metadata.name=x` or `spec.nodeName=x` alone: answered from an index. */
function indexedFieldSelector(field: string): { key: 'name' | 'nodeName'; value: string } | undefined {
  const m = /^\s*(metadata\.name|spec\.nodeName)\s*==?\s*([^,!=\s]*)\s*$/.exec(field);
  if (m === null) return undefined;
  return { key: m[1] === 'metadata.name' ? 'name' : 'nodeName', value: m[2]! };
}

/** The snapshot as the SD's informers would see it: namespaces and selectors applied. */
export function visibleSnapshot(
  snapshot: Snapshot,
  options: KubernetesSdOptions,
  context: DiscoverContext = {},
  resources: readonly SnapshotResource[] = Object.values(RESOURCE_OF_ROLE),
): Snapshot {
  const names = [...(options.namespaces?.names ?? [])];
  if (options.namespaces?.own_namespace === true) {
    if (context.ownNamespace === undefined) throw new DiscoveryError('namespaces.own_namespace: the namespace the agent runs in is not known (for an agent config file, pass --namespace)');
    names.push(context.ownNamespace);
  }
  const out: Snapshot = { ...snapshot };
  for (const resource of resources) {
    const all = (snapshot[resource] ?? []) as Meta[];
    let items: Meta[] = all;
    const selectors = (options.selectors ?? []).filter((sel) => RESOURCE_OF_ROLE[sel.role] === resource);
    for (const sel of selectors) {
      const fast = sel.field !== undefined && items === all ? indexedFieldSelector(sel.field) : undefined;
      if (fast !== undefined) items = indexBy(all, fast.key).get(fast.value) ?? [];
      else if (sel.field !== undefined && sel.field !== '') items = items.filter(fieldSelector(sel.field));
      if (sel.label !== undefined && sel.label !== '') {
        const matches = labelSelector(sel.label);
        items = items.filter((o) => matches(o.metadata.labels));
      }
    }
    if (names.length > 0 && resource !== 'nodes') {
      items = items === all ? names.flatMap((n) => indexBy(all, 'namespace').get(n) ?? []) : items.filter((o) => names.includes(o.metadata.namespace ?? ''));
    }
    (out as Record<string, unknown>)[resource] = items;
  }
  return out;
}

/**
 * The groups Prometheus' Kubernetes SD produces, as views that build a pod's
 * labels and targets only when asked (what the preview of a large cluster needs).
 */
export function discoverGroups(role: DiscoveryRole, snapshot: Snapshot, options: KubernetesSdOptions = {}, context: DiscoverContext = {}): GroupView[] {
  if (!(DISCOVERY_ROLES as readonly string[]).includes(role)) {
    throw new DiscoveryError(`unknown role "${role}"; one of ${DISCOVERY_ROLES.join(', ')}`);
  }
  const visible = visibleSnapshot(snapshot, options, context, READS[role]);
  const index = new SnapshotIndex(visible);
  const roleOptions = { attachNode: options.attach_metadata?.node === true && (role === 'pod' || role === 'endpoints' || role === 'endpointslice') };
  const built = (g: TargetGroup): GroupView => new BuiltGroup(g);
  switch (role) {
    case 'node':
      return (visible.nodes ?? []).map((n) => built(nodeGroup(n)));
    case 'pod':
      return (visible.pods ?? []).map((p) => podGroup(p, index, roleOptions));
    case 'service':
      return (visible.services ?? []).map((s) => built(serviceGroup(s)));
    case 'endpoints':
      return (visible.endpoints ?? []).map((e) => endpointsGroup(e, index, roleOptions));
    case 'endpointslice':
      return (visible.endpointslices ?? []).map((e) => endpointSliceGroup(e, index, roleOptions));
    case 'ingress':
      return (visible.ingresses ?? []).map((i) => built(ingressGroup(i)));
  }
}

/** The target groups Prometheus' Kubernetes SD produces for the snapshot: labels and targets as plain data. */
export function discover(role: DiscoveryRole, snapshot: Snapshot, options: KubernetesSdOptions = {}, context: DiscoverContext = {}): TargetGroup[] {
  return discoverGroups(role, snapshot, options, context).map(builtGroup);
}
