/**
 * What a render would cost before it is deployed: per job, the series one
 * sample payload exposes, how many of them survive the job's allow-list
 * (metric_relabel_configs, after the target's labels are attached as a scrape
 * attaches them), and that projected over every target the preview finds,
 * with the samples per minute each job's scrape interval makes of it.
 *
 * One payload stands for every target of its job: the counts of a target are
 * computed with that target's own labels wherever the allow-list reads them,
 * the payload itself is extrapolated. Pure: the payloads are handed in.
 */
import { anyInstanceConfig, type AgentSpec, type RuntimeScrapeConfig } from '../plan/plan.js';
import type { ActiveTarget, Preview } from '../preview/preview.js';
import { ExpositionError, scanExposition, type ExpositionFormat } from '../scrape/parse.js';
import { REPORT_SERIES } from '../scrape/scrape.js';
import { seriesKey } from '../scrape/stale.js';
import { sampleLabels } from '../scrape/target-labels.js';
import type { Labels } from '../semantics/labels.js';
import { compileRelabelConfigs, relabelInPlace, type CompiledRelabel } from '../semantics/relabel/relabel.js';
import { durationMs } from '../../util/duration.js';
import { statefulSetPod } from './proxy.js';

/** One sample scrape of a job: a payload file, or what the API server's proxy answered for one of its targets. */
export interface JobPayload {
  /** Where it came from, for the report: a file path, or `kubectl get --raw <path>`. */
  source: string;
  /** Read from a file (taken wherever the file was made) or scraped from the cluster previewed. */
  from: 'file' | 'cluster';
  body: string | Uint8Array;
  /** Default: the Prometheus text format, or OpenMetrics when the payload ends with `# EOF`. */
  format?: ExpositionFormat;
}

export interface EstimateInput {
  agents: readonly AgentSpec[];
  preview: Preview;
  /** The sample payload of each job that has one. */
  payloads: ReadonlyMap<string, JobPayload>;
  /** Why a job has no payload, when something tried to get one (an unreachable target). */
  missing?: ReadonlyMap<string, string>;
  /** How many metric names to list per job (default 10). */
  top?: number;
}

export interface MetricCount {
  name: string;
  /** Series of this name over every target of the job, after the allow-list. */
  series: number;
}

export interface JobEstimate {
  job: string;
  /** Active targets, and scrapes (a target every pod of a DaemonSet scrapes alike counts once per pod). */
  targets: number;
  scrapes: number;
  scrapeInterval: string;
  estimated: boolean;
  /** Why the job is not estimated. */
  reason?: string;
  payload?: { source: string; from: 'file' | 'cluster' };
  /** The sample payload, as one target of the job would write it: series exposed, series the allow-list keeps, and the report series Prometheus adds (up, scrape_*). */
  perTarget?: { before: number; after: number; report: number };
  /** Every target of the job: series before and after the allow-list (report series included in both), and samples per minute written. */
  projected?: { before: number; after: number; samplesPerMinute: number };
  /** The metric names with the most series after the allow-list, over every target. */
  topMetrics?: MetricCount[];
  /** What is extrapolated, in words. */
  notes: string[];
}

export interface Estimate {
  jobs: JobEstimate[];
  total: { activeSeries: number; samplesPerMinute: number; seriesBeforeAllowLists: number; jobsEstimated: number; jobsNotEstimated: number };
}

/** The payload file of a job: `<job_name>.prom`, a `/` in the name (integrations/kubernetes/kubelet) written as `_`. */
export function payloadFileName(job: string): string {
  return `${job.replaceAll('/', '_')}.prom`;
}

export class PayloadError extends Error {
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    /** What is wrong, as the parser says it (Prometheus' wording). */
    readonly reason: string,
  ) {
    super(line !== undefined ? `${source}:${line}: ${reason}` : `${source}: ${reason}`);
    this.name = 'PayloadError';
  }
}

const REPORT = REPORT_SERIES.length;

/** The scrape config of each job, the agent that reads it, and its interval. */
interface JobConfig {
  agent: AgentSpec;
  config: RuntimeScrapeConfig;
  interval: string;
}

function jobConfigs(agents: readonly AgentSpec[]): Map<string, JobConfig> {
  const out = new Map<string, JobConfig>();
  for (const agent of agents) {
    const { global, scrapeConfigs } = anyInstanceConfig(agent);
    for (const config of scrapeConfigs) if (!out.has(config.job_name)) out.set(config.job_name, { agent, config, interval: config.scrape_interval ?? global.scrape_interval });
  }
  return out;
}

/**
 * The target labels metric relabeling can tell apart: every name (a conflict
 * renames an exposed label to exported_…), and the values of those a rule
 * reads or writes. Targets alike in these keep the same number of series.
 */
function relabelKey(labels: Labels, read: ReadonlySet<string>): string {
  const names = Object.keys(labels).sort();
  return names.map((n) => (read.has(n) ? `${n}=${JSON.stringify(labels[n])}` : n)).join(',');
}

function labelsRead(config: RuntimeScrapeConfig): Set<string> {
  const read = new Set<string>();
  for (const r of config.metric_relabel_configs ?? []) {
    for (const l of r.source_labels ?? []) read.add(l);
    if (typeof r.target_label === 'string') read.add(r.target_label);
  }
  return read;
}

interface Counted {
  before: number;
  after: number;
  byName: Map<string, number>;
}

/** Distinct series of one payload for one target, before and after metric relabeling. */
export function countSeries(payload: JobPayload, target: Readonly<Labels>, honorLabels: boolean, rules: readonly CompiledRelabel[], semantics: AgentSpec['semantics']): Counted {
  const before = new Set<string>();
  const after = new Set<string>();
  const byName = new Map<string, number>();
  try {
    scanExposition(
      payload.body,
      (exposed) => {
        // No rules: the labels as scraped, never null.
        const labels = sampleLabels(exposed, target, honorLabels, [], semantics)!;
        before.add(seriesKey(labels));
        if (rules.length > 0 && relabelInPlace(labels, rules) !== -1) return;
        const key = seriesKey(labels);
        if (after.has(key)) return;
        after.add(key);
        const name = labels.__name__ ?? '';
        byName.set(name, (byName.get(name) ?? 0) + 1);
      },
      { format: payload.format ?? formatOf(payload.body), normalizeBucketLabels: semantics === 'prometheus-3' },
    );
  } catch (err) {
    if (err instanceof ExpositionError) throw new PayloadError(payload.source, err.line, err.reason);
    throw err;
  }
  return { before: before.size, after: after.size, byName };
}

/** OpenMetrics ends with `# EOF`; anything else is read as the Prometheus text format. */
function formatOf(body: string | Uint8Array): ExpositionFormat {
  const tail = typeof body === 'string' ? body.slice(-16) : Buffer.from(body.subarray(Math.max(0, body.length - 16))).toString('latin1');
  return /# EOF\s*$/.test(tail) ? 'openmetrics' : 'prometheus-text';
}

/** Targets of each job, in a stable order (agent, then URL). */
function targetsByJob(preview: Preview): Map<string, ActiveTarget[]> {
  const out = new Map<string, ActiveTarget[]>();
  for (const t of preview.targets) {
    const list = out.get(t.job);
    if (list === undefined) out.set(t.job, [t]);
    else list.push(t);
  }
  for (const list of out.values()) list.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  return out;
}

/** The target a job's sample payload is taken from (the first in URL order), for the scraping side. */
export function sampleTargets(preview: Preview): Map<string, ActiveTarget> {
  const out = new Map<string, ActiveTarget>();
  for (const [job, list] of targetsByJob(preview)) out.set(job, list[0]!);
  return out;
}

/** How targets of a job differ in what they expose: their (port, path) pairs. */
function endpointKinds(targets: readonly ActiveTarget[]): number {
  const kinds = new Set<string>();
  for (const t of targets) {
    try {
      const u = new URL(t.url);
      kinds.add(`${u.port}${u.pathname}`);
    } catch {
      kinds.add(t.url);
    }
  }
  return kinds.size;
}

/**
 * The shards of one exporter, when a job's targets are the pods of a
 * StatefulSet `<set>-<i>` behind its own headless Service `<set>` (how
 * kube-state-metrics' automated sharding is scraped): each serves a share of
 * the same objects. 0 otherwise.
 */
function shardsOf(targets: readonly ActiveTarget[]): number {
  if (targets.length < 2) return 0;
  const sets = new Set<string>();
  for (const t of targets) {
    let host: string;
    try {
      host = new URL(t.url).hostname;
    } catch {
      return 0;
    }
    const p = statefulSetPod(host);
    if (p === undefined || !new RegExp(`^${p.service}-[0-9]+$`).test(p.pod)) return 0;
    sets.add(`${p.ns}/${p.service}`);
  }
  return sets.size === 1 ? targets.length : 0;
}

/** The workload a pod name is of: a StatefulSet's ordinal, or a ReplicaSet's hash and the pod's suffix, taken off. */
function workloadOf(pod: string): string {
  return /-[0-9]+$/.test(pod) ? pod.replace(/-[0-9]+$/, '') : pod.replace(/-[a-z0-9]{5}$/, '').replace(/-[0-9a-f]{6,10}$/, '');
}

/**
 * How many applications a job's targets are, as far as their labels say:
 * by namespace and Service, else by namespace and the pod's workload (a
 * DaemonSet's pods on every node are one).
 */
function applications(targets: readonly ActiveTarget[]): number {
  const apps = new Set<string>();
  for (const t of targets) {
    const { namespace = '', service, pod } = t.labels;
    if (service !== undefined) apps.add(`${namespace}/service/${service}`);
    else if (pod !== undefined) apps.add(`${namespace}/pod/${workloadOf(pod)}`);
  }
  return apps.size;
}

export function estimate(input: EstimateInput): Estimate {
  const top = input.top ?? 10;
  const configs = jobConfigs(input.agents);
  const byJob = targetsByJob(input.preview);
  const jobs: JobEstimate[] = [];
  for (const job of input.preview.jobs) {
    const jc = configs.get(job);
    const targets = byJob.get(job) ?? [];
    const scrapes = targets.reduce((n, t) => n + (t.instances ?? 1), 0);
    const interval = jc?.interval ?? '1m';
    const base = { job, targets: targets.length, scrapes, scrapeInterval: interval, estimated: false };
    const payload = input.payloads.get(job);
    if (targets.length === 0) {
      jobs.push({ ...base, reason: input.preview.incomplete.includes(job) ? 'its targets are not all previewed (see the warnings)' : 'no targets in this cluster', ...(payload !== undefined ? { payload: { source: payload.source, from: payload.from } } : {}), notes: [] });
      continue;
    }
    if (payload === undefined || jc === undefined) {
      jobs.push({ ...base, reason: input.missing?.get(job) ?? `no payload (${payloadFileName(job)})`, notes: [] });
      continue;
    }
    let rules: CompiledRelabel[];
    try {
      rules = compileRelabelConfigs(jc.config.metric_relabel_configs ?? [], { semantics: jc.agent.semantics });
    } catch (err) {
      jobs.push({ ...base, reason: `metric_relabel_configs: ${(err as Error).message}`, notes: [] });
      continue;
    }
    const intervalMs = durationMs(interval);
    const read = labelsRead(jc.config);
    const honor = jc.config.honor_labels === true;
    // Targets the allow-list cannot tell apart keep as many series: counted once per kind.
    const groups = new Map<string, { counted: Counted; scrapes: number }>();
    try {
      for (const t of targets) {
        const key = relabelKey(t.labels, read);
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { counted: countSeries(payload, t.labels, honor, rules, jc.agent.semantics), scrapes: 0 }));
        g.scrapes += t.instances ?? 1;
      }
    } catch (err) {
      // A file is the user's to fix (the caller says where); what a target answered leaves only its job out.
      if (!(err instanceof PayloadError) || payload.from === 'file') throw err;
      jobs.push({ ...base, payload: { source: payload.source, from: payload.from }, reason: `its answer is not a metrics payload: ${err.message}`, notes: [] });
      continue;
    }
    const first = groups.get(relabelKey(targets[0]!.labels, read))!.counted;
    // A file for a sharded exporter is taken as the whole exporter's answer, shared among its shards (one scraped shard holds its share).
    const shards = shardsOf(targets);
    const wholeShared = shards > 1 && payload.from === 'file';
    let before = 0;
    let after = 0;
    const names = new Map<string, number>();
    for (const { counted, scrapes: n } of groups.values()) {
      const weight = wholeShared ? n / scrapes : n;
      before += counted.before * weight + REPORT * n;
      after += counted.after * weight + REPORT * n;
      for (const [name, c] of counted.byName) names.set(name, (names.get(name) ?? 0) + c * weight);
    }
    before = Math.round(before);
    after = Math.round(after);
    for (const [name, c] of names) names.set(name, Math.round(c));
    for (const name of REPORT_SERIES) names.set(name, (names.get(name) ?? 0) + scrapes);
    const topMetrics = [...names]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, top)
      .map(([name, series]) => ({ name, series }));
    const notes: string[] = [];
    if (scrapes === 1) {
      notes.push(payload.from === 'cluster' ? 'one target, scraped from this cluster: the numbers are its own' : `one target: the payload's series are those of the cluster ${payload.source} was taken from (an exporter like kube-state-metrics grows with the objects of its cluster)`);
    } else if (shards > 1) {
      notes.push(
        wholeShared
          ? `${shards} shards of one exporter, each serving a share of the objects: the payload is taken as the whole exporter's answer, shared among them; its series are those of the cluster ${payload.source} was taken from`
          : `${shards} shards of one exporter: one shard, scraped from this cluster, stands for each (the shards split the objects about evenly)`,
      );
    } else {
      notes.push(`one payload${payload.from === 'cluster' ? ' (one target, scraped from this cluster)' : ''} stands for each of ${scrapes} scrapes: extrapolated`);
      const apps = applications(targets);
      const kinds = endpointKinds(targets);
      const different = [...(apps > 1 ? [`${apps} different applications`] : []), ...(kinds > 1 ? [`${kinds} different endpoints (ports/paths)`] : [])];
      if (different.length > 0) notes.push(`its targets are ${different.join(' and ')}: one payload standing for all of them is a rough guess`);
    }
    if (groups.size > 1) notes.push(`the allow-list reads target labels: counted for ${groups.size} kinds of target`);
    if (intervalMs === null || intervalMs === 0) notes.push(`scrape interval ${interval} is not a duration: no samples per minute`);
    jobs.push({
      ...base,
      estimated: true,
      payload: { source: payload.source, from: payload.from },
      perTarget: { before: first.before, after: first.after, report: REPORT },
      projected: { before, after, samplesPerMinute: intervalMs === null || intervalMs === 0 ? 0 : Math.round((after * 60_000) / intervalMs) },
      topMetrics,
      notes,
    });
  }
  let activeSeries = 0;
  let samplesPerMinute = 0;
  let seriesBefore = 0;
  for (const j of jobs) {
    activeSeries += j.projected?.after ?? 0;
    seriesBefore += j.projected?.before ?? 0;
    samplesPerMinute += j.projected?.samplesPerMinute ?? 0;
  }
  const estimated = jobs.filter((j) => j.estimated).length;
  return { jobs, total: { activeSeries, samplesPerMinute, seriesBeforeAllowLists: seriesBefore, jobsEstimated: estimated, jobsNotEstimated: jobs.length - estimated } };
}
