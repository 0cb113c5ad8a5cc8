/** `targets --explain WHAT`: the targets it is about, kept or dropped, with every relabel step. */
import { InvalidInputError } from '../../errors.js';
import type { Preview } from '../../runtime/preview/preview.js';
import type { RelabelConfig, RelabelStep } from '../../runtime/semantics/relabel/relabel.js';
import { sortedByName } from '../../runtime/semantics/labels.js';
import type { Snapshot } from '../../runtime/semantics/snapshot.js';

/** The targets --explain WHAT is about: by URL, address, instance, pod or node name. */
export function explainMatcher(what: string): (labels: Record<string, string>, url?: string) => boolean {
  return (labels, url) => url === what || labels.__address__ === what || labels.instance === what || labels.__meta_kubernetes_pod_name === what || labels.__meta_kubernetes_node_name === what;
}

/** One target --explain is about: its discovered labels, every relabel step, and what came of it. */
export interface ExplainedTarget {
  job: string;
  agent: string;
  outcome: 'kept' | 'dropped';
  url?: string;
  labels?: Record<string, string>;
  reason?: string;
  discoveredLabels: Record<string, string>;
  steps: { index: number; rule: RelabelConfig; before: Record<string, string>; after: Record<string, string> | null }[];
}

export function explainedTargets(what: string, preview: Preview, job: string | undefined, snapshot: Snapshot): ExplainedTarget[] {
  const matches = explainMatcher(what);
  const ofJob = (j: string): boolean => job === undefined || j === job;
  const steps = (list: readonly RelabelStep[] | undefined): ExplainedTarget['steps'] => (list ?? []).map((st) => ({ index: st.index, rule: st.rule, before: sortedByName(st.before), after: st.after === null ? null : sortedByName(st.after) }));
  const explained: ExplainedTarget[] = [];
  for (const t of preview.targets) {
    if (!ofJob(t.job) || !matches(t.discoveredLabels ?? {}, t.url)) continue;
    explained.push({ job: t.job, agent: t.agent, outcome: 'kept', url: t.url, labels: t.labels, discoveredLabels: sortedByName(t.discoveredLabels ?? {}), steps: steps(t.steps) });
  }
  for (const d of preview.dropped) {
    if (!ofJob(d.job) || !matches(d.discoveredLabels)) continue;
    explained.push({ job: d.job, agent: d.agent, outcome: 'dropped', reason: d.reason, discoveredLabels: sortedByName(d.discoveredLabels), steps: steps(d.steps) });
  }
  if (explained.length === 0) throw new InvalidInputError('No such target.', [{ path: '--explain', message: whyNoTarget(what, snapshot) }]);
  return explained;
}

/** Why nothing matched --explain WHAT: a pod discovery cannot see yet, or no such name at all. */
function whyNoTarget(what: string, snapshot: Snapshot): string {
  const none = `no discovered target has URL, __address__, instance, pod or node name "${what}"`;
  const pod = (snapshot.pods ?? []).find((p) => p.metadata?.name === what);
  if (pod !== undefined && (pod.status?.podIP ?? '') === '') {
    return `${none}: pod ${pod.metadata.namespace ?? ''}/${what} has no IP yet (phase ${pod.status?.phase ?? 'unknown'}), and pod discovery gives a pod no target until it has one`;
  }
  if (pod !== undefined) return `${none}: pod ${pod.metadata.namespace ?? ''}/${what} is in the snapshot, but no job's discovery covers it (namespaces, selectors, role)`;
  return `${none}; pass what \`k8smon targets\` lists, e.g. a pod or node name`;
}
