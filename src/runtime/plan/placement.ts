/**
 * Which nodes a DaemonSet's pods run on, as the DaemonSet controller and the
 * scheduler decide it: the pod's nodeSelector and required node affinity must
 * match the node, and every NoSchedule or NoExecute taint must be tolerated
 * (besides those the DaemonSet controller tolerates by itself). A node-local
 * agent that cannot run on a node leaves that node's kubelet, cAdvisor and
 * pods unscraped.
 */
import type { NodeObject } from '../semantics/snapshot.js';

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** What a pod says of the nodes it may run on. */
export interface PodPlacement {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[] } } };
}

/** Taints the DaemonSet controller tolerates on its pods by itself (node conditions, cordoning). */
const DAEMONSET_TOLERATED = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/pid-pressure',
  'node.kubernetes.io/unschedulable',
  'node.kubernetes.io/network-unavailable',
]);

function tolerates(t: Toleration, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

function requirementHolds(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** Why a pod with this placement does not run on the node; undefined when it does. */
export function whyNotOn(placement: PodPlacement, node: NodeObject): string | undefined {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(placement.nodeSelector ?? {})) {
    if (labels[k] !== v) return `its nodeSelector ${k}=${v} does not match the node (${k}=${labels[k] ?? '<none>'})`;
  }
  const terms = placement.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && terms.length > 0) {
    const fields: Record<string, string> = { 'metadata.name': node.metadata.name };
    const matches = terms.some(
      (term) => (term.matchExpressions ?? []).every((r) => requirementHolds(r, labels[r.key])) && (term.matchFields ?? []).every((r) => requirementHolds(r, fields[r.key])),
    );
    if (!matches) return 'its required node affinity does not match the node';
  }
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' || DAEMONSET_TOLERATED.has(taint.key)) continue;
    if (!(placement.tolerations ?? []).some((t) => tolerates(t, taint))) return `the taint ${taint.key}${taint.value !== undefined && taint.value !== '' ? `=${taint.value}` : ''}:${taint.effect} is not tolerated`;
  }
  return undefined;
}
