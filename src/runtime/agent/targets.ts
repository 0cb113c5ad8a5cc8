/**
 * A job's targets as the agent scrapes them: discovery on each
 * kubernetes_sd_configs entry's own source, static_configs, relabeling and
 * target finalisation. It is the preview's code (previewAgent), asked once
 * per SD entry with that entry's snapshot, so `k8smon targets` shows what the
 * agent scrapes.
 */
import type { AgentSpec } from '../plan/plan.js';
import { previewAgent, type ActiveTarget, type Problem } from '../preview/preview.js';
import type { Labels } from '../semantics/labels.js';
import type { Snapshot } from '../semantics/snapshot.js';
import { AGENT_SEMANTICS, type AgentGlobal, type AgentJob } from './config.js';

export interface JobTarget {
  url: string;
  labels: Labels;
}

const EMPTY: Snapshot = {};

/** An AgentSpec that is just the agent's own config (the preview asks no more of it). */
function agentSpec(name: string, ownNamespace: string | undefined): AgentSpec {
  return {
    name,
    kind: 'prometheus',
    semantics: AGENT_SEMANTICS,
    perNode: false,
    text: '',
    read: () => {
      throw new Error('unreachable: the agent passes its config');
    },
    httpClients: () => [],
    ...(ownNamespace !== undefined ? { namespace: ownNamespace } : {}),
  };
}

/**
 * The job's active targets: `snapshots[i]` is what the source of its i-th
 * kubernetes_sd_configs entry sees. Problems (an SD entry the preview could
 * not run) are returned for the log.
 */
export function jobTargets(job: AgentJob, global: AgentGlobal, snapshots: readonly Snapshot[], ownNamespace?: string): { targets: JobTarget[]; dropped: number; problems: Problem[] } {
  const agent = agentSpec('agent', ownNamespace);
  const g = { scrape_interval: global.scrape_interval, scrape_timeout: global.scrape_timeout };
  const found: ActiveTarget[] = [];
  const problems: Problem[] = [];
  let dropped = 0;
  const { kubernetes_sd_configs: _sd, static_configs: statics, ...rest } = job.config;
  const ask = (config: AgentJob['config'], snapshot: Snapshot): void => {
    const p = previewAgent(agent, snapshot, undefined, { discoveredLabels: false }, { global: g, scrapeConfigs: [config] });
    found.push(...p.targets);
    problems.push(...p.problems);
    dropped += p.droppedCounts[job.name] ?? 0;
  };
  job.sd.forEach((sd, i) => ask({ ...rest, kubernetes_sd_configs: [sd] }, snapshots[i] ?? EMPTY));
  if (statics !== undefined && statics.length > 0) ask({ ...rest, static_configs: statics }, EMPTY);
  return { targets: found.map((t) => ({ url: t.url, labels: t.labels })), dropped, problems };
}

/** A target's identity within its job: its labels and URL (Prometheus' target hash). */
export function targetKey(t: JobTarget): string {
  const names = Object.keys(t.labels).sort();
  let key = t.url;
  for (const n of names) key += `\u0000${n}\u0001${t.labels[n]}`;
  return key;
}
