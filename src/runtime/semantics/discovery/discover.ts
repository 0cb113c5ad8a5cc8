/**
 * discover(role, snapshot, options, context): the target groups Prometheus'
 * Kubernetes SD would produce for a snapshot, given a `kubernetes_sd_configs`
 * entry in its Prometheus YAML form (`namespaces`, `selectors`,
 * `attach_metadata`), as the Prometheus of `context.semantics` would
 * (Prometheus 3 by default; 2.x for grafana-agent).
 */
import { indexBy, SnapshotIndex, type Snapshot, type SnapshotResource } from '../snapshot.js';
import { endpointsGroup } from './endpoints.js';
import { endpointSliceGroup } from './endpointslice.js';
import { BuiltGroup, builtGroup, type GroupView, type RoleOptions, type TargetGroup } from './group.js';
import { ingressGroup } from './ingress.js';
import { nodeGroup } from './node.js';
import { podGroup } from './pod.js';
import { serviceGroup } from './service.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { DEFAULT_SEMANTICS, type PromSemantics } from '../version.js';

import { DISCOVERY_ROLES, type DiscoveryRole } from './roles.js';
export { DISCOVERY_ROLES, type DiscoveryRole };

export interface KubernetesSdOptions {
  namespaces?: { names?: string[]; own_namespace?: boolean };
  selectors?: { role: DiscoveryRole; label?: string; field?: string }[];
  /**
   * node: the node's metadata on pod, endpoints and endpointslice targets. The
   * others are Prometheus 3's: namespace (the namespace's labels and annotations
   * on every role but node), deployment, job, cronjob (the pod's owners).
   */
  attach_metadata?: { node?: boolean; namespace?: boolean; deployment?: boolean; job?: boolean; cronjob?: boolean };
}

export interface DiscoverContext {
  /** The namespace the agent runs in, for namespaces.own_namespace. */
  ownNamespace?: string;
  /** Which Prometheus discovers (default prometheus-3). */
  semantics?: PromSemantics;
}

/**
 * The fields of a kubernetes_sd_configs entry that only say how to reach the
 * API server: they do not change what is discovered.
 */
const CONNECTION_FIELDS = [
  'api_server',
  'kubeconfig_file',
  'tls_config',
  'authorization',
  'basic_auth',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'proxy_url',
  'no_proxy',
  'proxy_from_environment',
  'proxy_connect_header',
  'follow_redirects',
  'enable_http2',
  'http_headers',
];
const SD_FIELDS = new Set(['role', 'namespaces', 'selectors', 'attach_metadata', ...CONNECTION_FIELDS]);
const NAMESPACES_FIELDS = new Set(['names', 'own_namespace']);
const SELECTOR_FIELDS = new Set(['role', 'label', 'field']);
/** attach_metadata in Prometheus 2.x has node only; 3 adds namespace and the pod owners. */
const ATTACH_FIELDS: Record<PromSemantics, ReadonlySet<string>> = {
  'prometheus-2': new Set(['node']),
  'prometheus-3': new Set(['node', 'namespace', 'deployment', 'job', 'cronjob']),
};

/** The selector roles each SD role accepts; Prometheus refuses a config with any other (both 2.x and 3). */
export const SELECTOR_ROLES: Readonly<Record<DiscoveryRole, readonly DiscoveryRole[]>> = {
  node: ['node'],
  pod: ['pod'],
  service: ['service'],
  endpoints: ['pod', 'service', 'endpoints'],
  endpointslice: ['pod', 'service', 'endpointslice'],
  ingress: ['ingress'],
};

/** Selector roles as Prometheus checks them when it loads the config: allowed for the role, each once. */
function checkSelectorRoles(role: DiscoveryRole, selectors: KubernetesSdOptions['selectors']): void {
  const seen = new Set<string>();
  for (const sel of selectors ?? []) {
    if (!SELECTOR_ROLES[role].includes(sel.role)) throw new DiscoveryError(`kubernetes_sd_configs: ${role} role supports only ${SELECTOR_ROLES[role].join(', ')} selectors`);
    if (seen.has(sel.role)) throw new DiscoveryError(`kubernetes_sd_configs: duplicated selector role: ${sel.role}`);
    seen.add(sel.role);
  }
}

/** A field the runtime does not implement would change targets silently: refuse it, by name. */
function checkOptions(options: KubernetesSdOptions, semantics: PromSemantics): void {
  const unknown = (where: string, o: unknown, known: ReadonlySet<string>, why = 'not implemented by the preview'): void => {
    if (o === undefined || o === null) return;
    if (typeof o !== 'object' || Array.isArray(o)) throw new DiscoveryError(`kubernetes_sd_configs: ${where} must be a mapping`);
    for (const k of Object.keys(o)) if (!known.has(k)) throw new DiscoveryError(`kubernetes_sd_configs: ${where}${k}: ${why}`);
  };
  unknown('', options, SD_FIELDS);
  unknown('namespaces.', options.namespaces, NAMESPACES_FIELDS);
  for (const [i, sel] of (options.selectors ?? []).entries()) unknown(`selectors[${i}].`, sel, SELECTOR_FIELDS);
  unknown('attach_metadata.', options.attach_metadata, ATTACH_FIELDS[semantics], semantics === 'prometheus-2' ? 'Prometheus 2.x (grafana-agent) has no such field (attach_metadata.node only)' : 'not implemented by the preview');
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
  pod: ['pods', 'nodes', 'namespaces', 'replicasets', 'jobs'],
  service: ['services', 'namespaces'],
  endpoints: ['endpoints', 'pods', 'services', 'nodes', 'namespaces', 'replicasets', 'jobs'],
  endpointslice: ['endpointslices', 'pods', 'services', 'nodes', 'namespaces', 'replicasets', 'jobs'],
  ingress: ['ingresses', 'namespaces'],
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
    // The namespace informer lists every namespace, whatever discovery is limited to; nothing narrows it.
    if (resource === 'namespaces') continue;
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
  const semantics = context.semantics ?? DEFAULT_SEMANTICS;
  checkOptions(options, semantics);
  checkSelectorRoles(role, options.selectors);
  const visible = visibleSnapshot(snapshot, options, context, READS[role]);
  const index = new SnapshotIndex(visible);
  const attach = options.attach_metadata ?? {};
  const podRoles = role === 'pod' || role === 'endpoints' || role === 'endpointslice';
  const roleOptions: RoleOptions = {
    attachNode: attach.node === true && podRoles,
    attachNamespace: attach.namespace === true && role !== 'node',
    deployment: attach.deployment === true && podRoles,
    job: attach.job === true && podRoles,
    cronjob: attach.cronjob === true && podRoles,
    semantics,
  };
  const built = (g: TargetGroup): GroupView => new BuiltGroup(g);
  switch (role) {
    case 'node':
      // A node without an address yields no group at all ("No node address found").
      return (visible.nodes ?? []).flatMap((n) => {
        const g = nodeGroup(n, semantics);
        return g === undefined ? [] : [built(g)];
      });
    case 'pod':
      return (visible.pods ?? []).map((p) => podGroup(p, index, roleOptions));
    case 'service':
      return (visible.services ?? []).map((s) => built(serviceGroup(s, index, roleOptions)));
    case 'endpoints':
      return (visible.endpoints ?? []).map((e) => endpointsGroup(e, index, roleOptions));
    case 'endpointslice':
      return (visible.endpointslices ?? []).map((e) => endpointSliceGroup(e, index, roleOptions));
    case 'ingress':
      return (visible.ingresses ?? []).map((i) => built(ingressGroup(i, index, roleOptions)));
  }
}

/** The target groups Prometheus' Kubernetes SD produces for the snapshot: labels and targets as plain data. */
export function discover(role: DiscoveryRole, snapshot: Snapshot, options: KubernetesSdOptions = {}, context: DiscoverContext = {}): TargetGroup[] {
  return discoverGroups(role, snapshot, options, context).map(builtGroup);
}
