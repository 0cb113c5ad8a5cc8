/**
 * Which series an expression needs, and whether the rendered scrape configs
 * deliver them: each vector selector names a job (by its final `job` label,
 * and `metrics_path` for the kubelet's endpoints) and a metric; the metric is
 * delivered when a scrape config ending with those labels keeps its name
 * through metric_relabel_configs. Works on any Prometheus-shaped scrape
 * config, so `render` asks it of the model and `check` of configs read back
 * from manifests.
 */
import { compileRelabelConfigs, relabel, type RelabelConfig } from '../runtime/semantics/relabel/relabel.js';
import { selectorsOf, type Matcher, type Selector } from './promql.js';

export interface ScrapeConfigLike {
  job_name: string;
  relabel_configs?: readonly RelabelConfig[];
  metric_relabel_configs?: readonly RelabelConfig[];
}

/** A scrape config with the constant labels its targets end with. */
export interface RenderedJob<C extends ScrapeConfigLike = ScrapeConfigLike> {
  config: C;
  /** The final `job` label: a constant set by relabeling, else job_name. */
  job: string;
  /** The final `metrics_path` label, when relabeling sets one. */
  metricsPath?: string;
}

/** Series Prometheus writes for every target itself: metric relabeling never touches them. */
export const SYNTHETIC_METRICS = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);

/** Recorded series follow the level:metric:operations convention; they are not scraped. */
export function isRecordedName(metric: string): boolean {
  return metric.includes(':');
}

function constantLabel(config: ScrapeConfigLike, label: string): string | undefined {
  let value: string | undefined;
  for (const r of config.relabel_configs ?? []) {
    const action = r.action ?? 'replace';
    if (action === 'replace' && r.target_label === label && (r.source_labels ?? []).length === 0 && typeof r.replacement === 'string') {
      value = r.replacement;
    }
  }
  return value;
}

export function renderedJobs<C extends ScrapeConfigLike>(configs: readonly C[]): RenderedJob<C>[] {
  return configs.map((config) => {
    const metricsPath = constantLabel(config, 'metrics_path');
    return { config, job: constantLabel(config, 'job') ?? config.job_name, ...(metricsPath !== undefined ? { metricsPath } : {}) };
  });
}

function matches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

/** The jobs whose targets a selector can match, by its `job` and `metrics_path` matchers. */
export function jobsOf<C extends ScrapeConfigLike>(selector: Selector, jobs: readonly RenderedJob<C>[]): RenderedJob<C>[] {
  return jobs.filter((j) =>
    selector.matchers.every((m) => {
      if (m.name === 'job') return matches(m, j.job);
      if (m.name === 'metrics_path') return matches(m, j.metricsPath ?? '');
      return true;
    }),
  );
}

/** Whether a selector names its job by a positive matcher (equality or regex), as every k8smon expression must. */
export function namesJob(selector: Selector): boolean {
  return selector.matchers.some((m) => m.name === 'job' && (m.op === '=' || m.op === '=~') && m.value !== '' && m.value !== '.*' && m.value !== '.+');
}

const keepCache = new WeakMap<ScrapeConfigLike, (name: string) => boolean>();

/**
 * Whether the job's metric relabeling keeps a series of this name. Only rules
 * that read `__name__` alone decide by name (allow-lists, keep, drop); rules
 * that also read other labels drop some series of a name, never a whole name.
 */
export function keepsMetric(config: ScrapeConfigLike, metric: string): boolean {
  if (SYNTHETIC_METRICS.has(metric)) return true;
  let keeps = keepCache.get(config);
  if (keeps === undefined) {
    const byName = (config.metric_relabel_configs ?? []).filter(
      (r) => (r.action === 'keep' || r.action === 'drop') && r.source_labels?.length === 1 && r.source_labels[0] === '__name__',
    );
    const compiled = compileRelabelConfigs(byName);
    keeps = (name) => relabel({ __name__: name }, compiled) !== null;
    keepCache.set(config, keeps);
  }
  return keeps(metric);
}

export interface MissingMetric {
  metric: string;
  /** The job label the selector asks for (its matcher's text). */
  job: string;
  /** Scrape configs of that job that exist but drop the metric; empty when no such job is scraped at all. */
  droppedBy: string[];
}

/** The series an expression needs that the jobs do not deliver. Recorded series are the caller's to resolve. */
export function missingMetrics(expr: string, jobs: readonly RenderedJob[]): MissingMetric[] {
  const out: MissingMetric[] = [];
  for (const s of selectorsOf(expr)) {
    if (isRecordedName(s.metric)) continue;
    const matching = jobsOf(s, jobs);
    const jobText = s.matchers.filter((m) => m.name === 'job' || m.name === 'metrics_path').map((m) => `${m.name}${m.op}"${m.value}"`).join(',') || 'any job';
    if (matching.length === 0) {
      out.push({ metric: s.metric, job: jobText, droppedBy: [] });
      continue;
    }
    if (!matching.some((j) => keepsMetric(j.config, s.metric))) out.push({ metric: s.metric, job: jobText, droppedBy: matching.map((j) => j.config.job_name) });
  }
  return dedupe(out);
}

function dedupe(items: MissingMetric[]): MissingMetric[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = `${i.metric}|${i.job}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
