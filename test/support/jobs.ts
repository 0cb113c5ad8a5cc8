/** Finding a job in a render and running its relabel rules the way the agent would. */
import { relabel, type Labels } from '../../src/runtime/semantics/relabel/relabel.js';
import type { KubernetesObject } from '../../src/render/templates.js';
import { agentConfigAsRead } from './render.js';

export interface RenderedJob {
  job_name: string;
  relabel_configs: Record<string, unknown>[];
  metric_relabel_configs?: Record<string, unknown>[];
  kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] }; selectors?: unknown[] }[];
  static_configs?: { targets: string[] }[];
  params?: Record<string, string[]>;
  [key: string]: unknown;
}

export function jobsOf(objects: readonly KubernetesObject[], agent: 'node' | 'cluster'): RenderedJob[] {
  return agentConfigAsRead(objects, `k8smon-agent-${agent}`).scrape_configs as RenderedJob[];
}

export function findJob(objects: readonly KubernetesObject[], jobName: string): RenderedJob & { agent: 'node' | 'cluster' } {
  for (const agent of ['node', 'cluster'] as const) {
    const job = jobsOf(objects, agent).find((j) => j.job_name === jobName);
    if (job !== undefined) return { ...job, agent };
  }
  throw new Error(`no job ${jobName} in the render`);
}

export function hasJob(objects: readonly KubernetesObject[], jobName: string): boolean {
  return (['node', 'cluster'] as const).some((a) => jobsOf(objects, a).some((j) => j.job_name === jobName));
}

/** Runs a job's relabel_configs on discovered labels (with the job's defaults, as Prometheus seeds them). */
export function relabelTarget(job: RenderedJob, discovered: Labels): Labels | null {
  const seeded: Labels = {
    job: job.job_name,
    __scheme__: (job.scheme as string | undefined) ?? 'http',
    __metrics_path__: (job.metrics_path as string | undefined) ?? '/metrics',
    ...Object.fromEntries(Object.entries(job.params ?? {}).map(([k, v]) => [`__param_${k}`, v[0]!])),
    ...discovered,
  };
  return relabel(seeded, job.relabel_configs as never);
}
