/**
 * The inventory in the cluster: reading and writing the ApplySet parent,
 * listing the set's members, and working out what a render no longer
 * contains. k8smon does these steps itself through kubectl rather than
 * `kubectl apply --prune --applyset`, which is alpha (KUBECTL_APPLYSET=true)
 * and prunes straight after applying, before new agents are ready.
 */
import { packagePath } from '../package-root.js';
import { readFileSync } from 'node:fs';
import { ExitCode, K8smonError } from '../errors.js';
import {
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_ID_LABEL,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  groupKindOf,
  INVENTORY_CLUSTER_ANNOTATION,
  isMember,
  PARENT_KIND,
} from '../render/applyset.js';
import { toYamlStream } from '../render/serialize.js';
import type { KubernetesObject } from '../render/templates.js';
import { KubectlFailedError, runKubectl, type KubectlTarget } from './kubectl.js';

export interface Inventory {
  name: string;
  namespace: string;
  id: string;
  /** cluster.name of the profile this render comes from. */
  clusterName: string;
}

/** What the parent records: its annotations, parsed. */
export interface ParentRecord {
  tooling?: string;
  clusterName?: string;
  groupKinds: string[];
  namespaces: string[];
}

export const TOOLING = 'k8smon';

/** Group-kinds that are not namespaced, among those k8smon renders (and the Namespace itself). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole.rbac.authorization.k8s.io', 'ClusterRoleBinding.rbac.authorization.k8s.io']);

export function isClusterScoped(groupKind: string): boolean {
  return CLUSTER_SCOPED.has(groupKind);
}

/** The name kubectl takes for a group-kind: `deployments.apps`, `configmaps`. */
export function resourceName(groupKind: string): string {
  const dot = groupKind.indexOf('.');
  const kind = (dot === -1 ? groupKind : groupKind.slice(0, dot)).toLowerCase();
  const group = dot === -1 ? '' : groupKind.slice(dot + 1);
  const plural = kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  return group === '' ? plural : `${plural}.${group}`;
}

/** `Kind.group/namespace/name`: one object, whatever its apiVersion. */
export function objectKey(o: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${groupKindOf(o.apiVersion, o.kind)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** How kubectl names an object in its output: `deployment.apps/x -n monitoring`. */
export function describeObject(o: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const slash = o.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : `.${o.apiVersion.slice(0, slash)}`;
  const ref = `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
  return o.metadata.namespace !== undefined ? `${ref} -n ${o.metadata.namespace}` : ref;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(packagePath('package.json'), 'utf8'));
    return (pkg as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The parent as it is in the cluster, or undefined when there is none yet. */
export async function readParent(inv: Inventory, target: KubectlTarget, secrets: readonly string[]): Promise<ParentRecord | undefined> {
  const r = await runKubectl(['get', 'configmap', inv.name, `--namespace=${inv.namespace}`, '--ignore-not-found', '-o', 'json'], { target });
  if (r.exitCode !== 0) throw new KubectlFailedError('get (inventory)', r, secrets, target);
  if (r.stdout.trim() === '') return undefined;
  const parent = JSON.parse(r.stdout) as KubernetesObject;
  const a = parent.metadata.annotations ?? {};
  return {
    ...(a[APPLYSET_TOOLING_ANNOTATION] !== undefined ? { tooling: a[APPLYSET_TOOLING_ANNOTATION] } : {}),
    ...(a[INVENTORY_CLUSTER_ANNOTATION] !== undefined ? { clusterName: a[INVENTORY_CLUSTER_ANNOTATION] } : {}),
    groupKinds: splitList(a[APPLYSET_GROUP_KINDS_ANNOTATION]),
    namespaces: splitList(a[APPLYSET_NAMESPACES_ANNOTATION]),
  };
}

/** Refuses a parent another tool or another profile owns: the message names both. */
export function checkOwnership(inv: Inventory, parent: ParentRecord | undefined): void {
  if (parent === undefined) return;
  const where = `inventory ${inv.namespace}/${inv.name}`;
  const tool = parent.tooling?.split('/')[0];
  if (tool !== undefined && tool !== TOOLING) {
    throw new K8smonError(`${where} is an ApplySet of "${parent.tooling}", not of k8smon; set inventory.name to another name`, ExitCode.invalidInput);
  }
  if (parent.clusterName !== undefined && parent.clusterName !== inv.clusterName) {
    throw new K8smonError(
      `${where} belongs to the profile of cluster "${parent.clusterName}" (namespace ${inv.namespace}); this profile (cluster "${inv.clusterName}") would take its objects over. ` +
        'Give one of the two profiles another namespace, or its own inventory.name',
      ExitCode.invalidInput,
    );
  }
}

/** The group-kinds and non-parent namespaces of the members of a render. */
export function membership(inv: Inventory, objects: readonly KubernetesObject[]): { groupKinds: string[]; namespaces: string[] } {
  const members = objects.filter(isMember);
  const groupKinds = [...new Set(members.map((o) => groupKindOf(o.apiVersion, o.kind)))].sort();
  const namespaces = [...new Set(members.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined && n !== inv.namespace))].sort();
  return { groupKinds, namespaces };
}

/** The parent object k8smon writes: id label, tooling, members' group-kinds and namespaces, and the profile it belongs to. */
export function parentObject(inv: Inventory, groupKinds: readonly string[], namespaces: readonly string[]): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: PARENT_KIND,
    metadata: {
      name: inv.name,
      namespace: inv.namespace,
      labels: { [APPLYSET_ID_LABEL]: inv.id, 'app.kubernetes.io/part-of': 'k8smon', 'app.kubernetes.io/managed-by': 'k8smon' },
      annotations: {
        [APPLYSET_TOOLING_ANNOTATION]: `${TOOLING}/v${packageVersion()}`,
        [APPLYSET_GROUP_KINDS_ANNOTATION]: [...groupKinds].sort().join(','),
        [APPLYSET_NAMESPACES_ANNOTATION]: [...namespaces].sort().join(','),
        [INVENTORY_CLUSTER_ANNOTATION]: inv.clusterName,
      },
    },
  };
}

/**
 * Writes the parent (server-side apply). `namespaceObject`, when the render
 * has one, goes first: on a first install the parent's namespace does not exist yet.
 */
export async function writeParent(
  parent: KubernetesObject,
  options: { target: KubectlTarget; secrets: readonly string[]; namespaceObject?: KubernetesObject },
): Promise<void> {
  const objects = options.namespaceObject !== undefined ? [options.namespaceObject, parent] : [parent];
  const r = await runKubectl(['apply', '--server-side', '--field-manager=k8smon', '-f', '-'], { target: options.target, input: toYamlStream(objects) });
  if (r.exitCode !== 0) throw new KubectlFailedError('apply', r, options.secrets, options.target);
}

/**
 * Every object carrying an ApplySet part-of label, of the given group-kinds,
 * in the given namespaces (cluster-scoped ones once). Objects without the
 * label — whatever their name — are never listed, so never pruned.
 */
export async function listLabelled(
  groupKinds: readonly string[],
  namespaces: readonly string[],
  options: { target: KubectlTarget; secrets: readonly string[]; selector?: string },
): Promise<KubernetesObject[]> {
  const selector = options.selector ?? APPLYSET_PART_OF_LABEL;
  const clusterKinds = groupKinds.filter(isClusterScoped);
  const namespacedKinds = groupKinds.filter((gk) => !isClusterScoped(gk));
  const calls: string[][] = [];
  if (clusterKinds.length > 0) calls.push(['get', clusterKinds.map(resourceName).join(','), `--selector=${selector}`, '-o', 'json']);
  if (namespacedKinds.length > 0) {
    for (const ns of namespaces) calls.push(['get', namespacedKinds.map(resourceName).join(','), `--namespace=${ns}`, `--selector=${selector}`, '-o', 'json']);
  }
  const lists = await Promise.all(
    calls.map(async (args) => {
      const r = await runKubectl(args, { target: options.target });
      if (r.exitCode !== 0) throw new KubectlFailedError('get (inventory members)', r, options.secrets, options.target);
      const list = JSON.parse(r.stdout || '{"items":[]}') as { items?: KubernetesObject[] };
      return (list.items ?? []).filter((o) => typeof o?.kind === 'string' && typeof o.apiVersion === 'string' && typeof o.metadata?.name === 'string');
    }),
  );
  const seen = new Map<string, KubernetesObject>();
  for (const o of lists.flat()) seen.set(objectKey(o), o);
  return [...seen.values()];
}

export interface PrunePlan {
  /** Members of this inventory the render no longer contains: to delete. */
  stale: KubernetesObject[];
  /** Objects of the render that already belong to another ApplySet: apply would take them over. */
  conflicts: { object: KubernetesObject; otherId: string }[];
}

/** Compares what is in the cluster with the render. Pure: tests drive it directly. */
export function planPrune(inv: Inventory, existing: readonly KubernetesObject[], rendered: readonly KubernetesObject[]): PrunePlan {
  const wanted = new Set(rendered.filter(isMember).map(objectKey));
  const stale: KubernetesObject[] = [];
  const conflicts: PrunePlan['conflicts'] = [];
  for (const o of existing) {
    const partOf = o.metadata.labels?.[APPLYSET_PART_OF_LABEL];
    if (partOf === inv.id) {
      if (!wanted.has(objectKey(o))) stale.push(o);
    } else if (partOf !== undefined && wanted.has(objectKey(o))) {
      conflicts.push({ object: o, otherId: partOf });
    }
  }
  return { stale, conflicts };
}

/** Everything to look at: what the parent records plus what the render has (a superset is always safe). */
export function scope(inv: Inventory, parent: ParentRecord | undefined, objects: readonly KubernetesObject[]): { groupKinds: string[]; namespaces: string[] } {
  const now = membership(inv, objects);
  return {
    groupKinds: [...new Set([...(parent?.groupKinds ?? []), ...now.groupKinds])].sort(),
    namespaces: [...new Set([...(parent?.namespaces ?? []), ...now.namespaces])].filter((n) => n !== inv.namespace).sort(),
  };
}

/** Refuses to apply objects another ApplySet holds, naming the profile that owns it when it is k8smon's. */
export async function refuseConflicts(inv: Inventory, conflicts: PrunePlan['conflicts'], options: { target: KubectlTarget; secrets: readonly string[] }): Promise<void> {
  if (conflicts.length === 0) return;
  const owners = new Map<string, string>();
  for (const id of new Set(conflicts.map((c) => c.otherId))) {
    const r = await runKubectl(['get', 'configmaps,secrets', '--all-namespaces', `--selector=${APPLYSET_ID_LABEL}=${id}`, '-o', 'json'], { target: options.target });
    const parent = r.exitCode === 0 ? (JSON.parse(r.stdout || '{"items":[]}') as { items?: KubernetesObject[] }).items?.[0] : undefined;
    const cluster = parent?.metadata.annotations?.[INVENTORY_CLUSTER_ANNOTATION];
    owners.set(
      id,
      parent === undefined
        ? `ApplySet ${id}`
        : `inventory ${parent.metadata.namespace ?? ''}/${parent.metadata.name}${cluster !== undefined ? ` of the profile of cluster "${cluster}"` : ` (${parent.metadata.annotations?.[APPLYSET_TOOLING_ANNOTATION] ?? 'unknown tool'})`}`,
    );
  }
  const lines = conflicts.map((c) => `  ${describeObject(c.object)} belongs to ${owners.get(c.otherId)}`);
  throw new K8smonError(
    `this profile (cluster "${inv.clusterName}", inventory ${inv.namespace}/${inv.name}) renders objects that another profile already applied:\n${lines.join('\n')}\n` +
      'Two profiles in one namespace overwrite each other: give one of them another namespace',
    ExitCode.invalidInput,
  );
}

/** Deletes objects by reference only; prints kubectl's lines. */
export async function deleteObjects(
  objects: readonly KubernetesObject[],
  options: { target: KubectlTarget; secrets: readonly string[]; dryRun?: 'client' | 'server' },
): Promise<string> {
  if (objects.length === 0) return '';
  const refs = objects.map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata.name, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}) },
  }));
  const args = ['delete', '--ignore-not-found', ...(options.dryRun !== undefined ? [`--dry-run=${options.dryRun}`] : []), '-f', '-'];
  const r = await runKubectl(args, { target: options.target, input: toYamlStream(refs) });
  if (r.exitCode !== 0) throw new KubectlFailedError('delete', r, options.secrets, options.target);
  return r.stdout;
}
