/**
 * The inventory of what `apply` created, kept in the cluster in kubectl's
 * ApplySet convention (KEP-3659): a parent object carries the set's id and
 * the group-kinds and namespaces of its members; each member carries the id
 * in a label. kubectl and other ApplySet-aware tools read the same keys, so
 * they see k8smon's objects as one set owned by one tool.
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../profile/types.js';
import type { KubernetesObject } from './templates.js';

/** On the parent: the set's id. */
export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
/** On every member: the id of the set it belongs to. */
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
/** On the parent: `<tool>/<version>`; a tool leaves sets of another tool alone. */
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
/** On the parent: sorted, comma-separated `Kind.group` (core kinds bare) of every member. */
export const APPLYSET_GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
/** On the parent: namespaces other than its own that hold members. */
export const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
/** On the parent, k8smon's own: the cluster.name of the profile the set belongs to. */
export const INVENTORY_CLUSTER_ANNOTATION = 'k8smon.dev/cluster-name';

/** The parent's kind: one kubectl accepts as a parent without further setup, holding nothing secret. */
export const PARENT_KIND = 'ConfigMap';
const PARENT_GROUP = '';

/** `applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`, as kubectl computes it. */
export function applySetId(name: string, namespace: string, kind = PARENT_KIND, group = PARENT_GROUP): string {
  const digest = createHash('sha256').update([name, namespace, kind, group].join('.')).digest('base64url');
  return `applyset-${digest}-v1`;
}

/** The inventory name of a profile: `inventory.name`, else `k8smon-<cluster.name>` made a valid object name. */
export function inventoryName(profile: Pick<Profile, 'cluster' | 'inventory'>): string {
  if (profile.inventory?.name !== undefined) return profile.inventory.name;
  const slug = profile.cluster.name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `k8smon-${slug || 'kubernetes'}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

export function inventoryOf(profile: Pick<Profile, 'cluster' | 'inventory' | 'namespace'>): { name: string; namespace: string; id: string } {
  const name = inventoryName(profile);
  return { name, namespace: profile.namespace, id: applySetId(name, profile.namespace) };
}

/** `Kind.group`, or the bare kind for the core group: how the parent lists group-kinds. */
export function groupKindOf(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? kind : `${kind}.${apiVersion.slice(0, slash)}`;
}

/**
 * Whether an object of the render is a member of the set. The Namespace is not:
 * pruning it would take everything in it along (`delete --include-namespace` removes it).
 */
export function isMember(o: KubernetesObject): boolean {
  return o.kind !== 'Namespace';
}
