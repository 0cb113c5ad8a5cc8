/**
 * keepsMetric (which rules and panels `render` warns about) answers by
 * native RegExps for plain allow-list regexes: it must answer as the
 * runtime's RE2 relabeling does, on every rendered job and every metric name
 * of the real payloads.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import { keepsMetric } from '../src/rules/coverage.js';
import { compileRelabelConfigs, relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { fixtureSamples } from './support/fixtures.js';
import { jobsOf } from './support/jobs.js';
import { PRESETS } from './support/render.js';

const NAMES = [
  ...new Set(
    readdirSync(new URL('./fixtures/metrics/', import.meta.url))
      .filter((f) => f.endsWith('.prom'))
      .flatMap((f) => fixtureSamples(f).map((s) => s.labels.__name__!)),
  ),
  // Near misses of the allow-lists' alternatives.
  'kubelet_volume_stats_', 'node_cpu_seconds_totalx', 'xnode_load1', 'go_goroutines_', 'container_memory_rss', 'prometheus_remote_storage_shards',
];

describe.each(AGENT_KIND_NAMES)('keepsMetric answers as the runtime relabeling does (agent.kind %s)', (kind) => {
  it.each(PRESETS)('%s: every job, every metric name of the payloads', (preset) => {
    const { objects } = renderBundle({ preset, sets: [`agent.kind=${kind}`, 'components.kubelet.metrics.keep[0]=rest_client_.+', 'components.cadvisor.metrics.drop[0]=container_fs_.*'] }, {});
    const jobs = [...jobsOf(objects, 'node'), ...jobsOf(objects, 'cluster')];
    let checked = 0;
    for (const job of jobs) {
      const byName = (job.metric_relabel_configs ?? []).filter((r: any) => (r.action === 'keep' || r.action === 'drop') && r.source_labels?.length === 1 && r.source_labels[0] === '__name__');
      const compiled = compileRelabelConfigs(byName as never);
      for (const name of NAMES) {
        expect(keepsMetric(job as never, name), `${job.job_name} ${name}`).toBe(relabel({ __name__: name }, compiled) !== null);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
