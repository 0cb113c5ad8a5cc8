/**
 * Every metric a rule or a dashboard panel reads is kept by the default
 * allow-lists. The proof runs the real payloads of test/fixtures/metrics
 * through the rendered metric_relabel_configs (the runtime's relabeling, and
 * once in a real Prometheus that scrapes the payloads with those configs) and
 * compares the names kept with the names the expressions use.
 *
 * Two lists below say, in the open, what cannot be proven that way here.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { expressionsOf } from '../src/dashboards/build.js';
import { DASHBOARDS } from '../src/dashboards/catalogue.js';
import type { ScrapeConfig } from '../src/model/types.js';
import { isRecordedName, jobsOf, keepsMetric, renderedJobs, SYNTHETIC_METRICS, type RenderedJob } from '../src/rules/coverage.js';
import { allRuleGroups } from '../src/rules/index.js';
import { selectorsOf } from '../src/rules/promql.js';
import { compileRelabelConfigs, relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { fixtureSamples } from './support/fixtures.js';
import { freePort } from './support/prometheus.js';
import { renderPreset } from './support/render.js';
import { requireTool } from './support/tools.js';

/**
 * Rules and panels on jobs this branch does not scrape yet: the self-monitoring
 * jobs (the agents' own /metrics, kube-state-metrics' telemetry port,
 * blackbox-exporter's own metrics, the in-cluster Prometheus) land with their
 * own change. Entries are `<job>/<metric>`. Once a job is scraped, its
 * entries are checked like every other (the list only excuses a missing job).
 */
const NOT_SCRAPED_YET: string[] = [];

/**
 * Metrics of a job that has a fixture payload, but that payload does not
 * carry them (the fixture's source had no PVC, no pressure, another OS…).
 * For these, the rendered allow-list is checked by name only.
 */
const NOT_IN_FIXTURE_PAYLOADS = [
  // kubelet.prom is an EKS 1.21 node without PersistentVolumes and without client-certificate rotation.
  'kubelet/kubelet_volume_stats_available_bytes',
  'kubelet/kubelet_volume_stats_capacity_bytes',
  'kubelet/kubelet_certificate_manager_client_ttl_seconds',
  // node-exporter.prom comes from a host without these collectors' files.
  'node-exporter/node_filesystem_avail_bytes',
  'node-exporter/node_filesystem_size_bytes',
  'node-exporter/node_filesystem_readonly',
  'node-exporter/node_memory_MemAvailable_bytes',
  'node-exporter/node_timex_sync_status',
  'node-exporter/node_timex_maxerror_seconds',
  'node-exporter/node_network_receive_bytes_total',
  'node-exporter/node_network_transmit_bytes_total',
  // kube-state-metrics.prom has no container waiting in its payload.
  'kube-state-metrics/kube_pod_container_status_waiting_reason',
];

/** The payload each rendered job would scrape, where the fixtures have one. */
const FIXTURE_OF: { job: string; metricsPath?: string; file: string }[] = [
  { job: 'kubelet', metricsPath: '/metrics', file: 'kubelet.prom' },
  { job: 'kubelet', metricsPath: '/metrics/cadvisor', file: 'cadvisor.prom' },
  { job: 'kube-state-metrics', file: 'kube-state-metrics.prom' },
  { job: 'node-exporter', file: 'node-exporter.prom' },
  { job: 'apiserver', file: 'apiserver.prom' },
  { job: 'kubernetes-services', file: 'blackbox-probe.prom' },
  { job: 'kubernetes-ingresses', file: 'blackbox-probe.prom' },
  { job: 'kube-proxy', file: 'kube-proxy.prom' },
];

function fixtureOf(j: RenderedJob): string | undefined {
  return FIXTURE_OF.find((f) => f.job === j.job && (f.metricsPath === undefined || f.metricsPath === j.metricsPath))?.file;
}

/** The render under test: the defaults of a self-hosted cluster, with every rule and dashboard. */
const bundle = renderPreset('kubeadm', ['dashboards.enabled=true']);
const scrapeConfigs: ScrapeConfig[] = bundle.model.agents.flatMap((a) => a.jobs.map((j) => j.config));
const jobs = renderedJobs(scrapeConfigs);

const namesCache = new Map<string, Set<string>>();

/** Names in a payload, and names kept of it by the job's rendered metric_relabel_configs (runtime). */
function namesOf(file: string, config?: ScrapeConfig): Set<string> {
  const key = `${file}|${config === undefined ? '' : JSON.stringify(config.metric_relabel_configs ?? [])}`;
  const cached = namesCache.get(key);
  if (cached !== undefined) return cached;
  const rules = compileRelabelConfigs(config?.metric_relabel_configs ?? []);
  const names = new Set(fixtureSamples(file).map((s) => (config === undefined ? s.labels : relabel(s.labels, rules))?.__name__).filter((n): n is string => n !== undefined));
  namesCache.set(key, names);
  return names;
}

/** Every selector of every rule (all of the catalogue) and every panel and variable of every dashboard. */
function usages(): { user: string; key: string; metric: string; selector: ReturnType<typeof selectorsOf>[number] }[] {
  const exprs = [
    ...allRuleGroups('https://runbooks.example').flatMap((g) => g.rules.map((r) => ({ user: r.alert ?? r.record!, expr: r.expr }))),
    ...DASHBOARDS.flatMap((d) => expressionsOf(d).map((e) => ({ user: `${d.name} ${e.where}`, expr: e.expr }))),
  ];
  return exprs.flatMap(({ user, expr }) =>
    selectorsOf(expr)
      .filter((s) => !isRecordedName(s.metric))
      .map((selector) => ({ user, selector, metric: selector.metric, key: `${selector.matchers.find((m) => m.name === 'job')?.value ?? '*'}/${selector.metric}` })),
  );
}

describe('every metric a rule or panel reads is kept by the default allow-lists', () => {
  it('runtime relabeling of the fixture payloads keeps each one (or a list above says why it cannot be shown)', () => {
    const problems: string[] = [];
    const excusedMissingJob = new Set<string>();
    const excusedNoPayload = new Set<string>();
    for (const u of usages()) {
      const matching = jobsOf(u.selector, jobs);
      if (matching.length === 0) {
        if (NOT_SCRAPED_YET.includes(u.key)) excusedMissingJob.add(u.key);
        else problems.push(`${u.user}: no rendered job is ${u.key.split('/')[0]} (for ${u.metric})`);
        continue;
      }
      if (SYNTHETIC_METRICS.has(u.metric)) continue;
      const withPayload = matching.filter((j) => fixtureOf(j) !== undefined);
      if (withPayload.some((j) => namesOf(fixtureOf(j)!, j.config).has(u.metric))) continue;
      const inPayload = withPayload.some((j) => namesOf(fixtureOf(j)!).has(u.metric));
      if (inPayload) {
        problems.push(`${u.user}: ${u.metric} is in the ${u.key.split('/')[0]} payload, and the rendered metric_relabel_configs drop it`);
        continue;
      }
      if (withPayload.length > 0) {
        if (!NOT_IN_FIXTURE_PAYLOADS.includes(u.key)) problems.push(`${u.user}: ${u.key} is in no fixture payload; add it to NOT_IN_FIXTURE_PAYLOADS if that is right`);
        else excusedNoPayload.add(u.key);
      }
      // No payload to run: the allow-list must keep the name.
      if (!matching.some((j) => keepsMetric(j.config, u.metric))) problems.push(`${u.user}: the metric_relabel_configs of ${matching.map((j) => j.config.job_name).join(', ')} drop ${u.metric}`);
    }
    expect(problems).toEqual([]);
    // The lists hold nothing stale: an entry that no longer needs excusing is noise that hides the next one.
    expect(NOT_IN_FIXTURE_PAYLOADS.filter((k) => !excusedNoPayload.has(k))).toEqual([]);
    expect(NOT_SCRAPED_YET.filter((k) => !excusedMissingJob.has(k) && jobs.every((j) => j.job !== k.split('/')[0]))).toEqual([]);
  });

  it('the check can fail: an allow-list that drops a metric a rule needs is caught', () => {
    const dropped = renderPreset('kubeadm', ['components.kubeStateMetrics.metrics.drop[0]=kube_node_status_condition']);
    const ksm = renderedJobs(dropped.model.agents.flatMap((a) => a.jobs.map((j) => j.config))).find((j) => j.job === 'kube-state-metrics')!;
    expect(namesOf('kube-state-metrics.prom', ksm.config).has('kube_node_status_condition')).toBe(false);
    expect(keepsMetric(ksm.config, 'kube_node_status_condition')).toBe(false);
    expect(dropped.warnings.map((w) => w.message).join('\n')).toMatch(/alert NodeNotReady needs kube_node_status_condition, which the metric relabeling of job kube-state-metrics drops/);
  });
});

describe('a real Prometheus (Debian 2.42) scraping the payloads with the rendered metric_relabel_configs keeps the same names', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'k8smon-rules-metrics-'));
  let server: Server;
  let prometheus: ReturnType<typeof execa> | undefined;
  let url = '';
  const scraped = jobs.filter((j) => fixtureOf(j) !== undefined);

  beforeAll(async () => {
    const now = String(Date.now());
    server = createServer((req, res) => {
      const file = (req.url ?? '').slice(1);
      // Payloads that carry their own timestamps are re-stamped, or the TSDB refuses them as too old.
      const text = readFileSync(new URL(`./fixtures/metrics/${file}`, import.meta.url), 'utf8').replace(/^([^#\n].* \S+) \d{13}$/gm, `$1 ${now}`);
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(text);
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      scrape_configs: scraped.map((j) => ({
        job_name: j.config.job_name,
        metrics_path: `/${fixtureOf(j)!}`,
        honor_labels: j.config.honor_labels ?? false,
        static_configs: [{ targets: [`127.0.0.1:${port}`] }],
        metric_relabel_configs: j.config.metric_relabel_configs ?? [],
      })),
    };
    writeFileSync(join(sandbox, 'prometheus.yml'), stringify(config));
    const promPort = await freePort();
    url = `http://127.0.0.1:${promPort}`;
    prometheus = execa(requireTool('prometheus', 'apt-get install prometheus'), [`--config.file=${join(sandbox, 'prometheus.yml')}`, `--storage.tsdb.path=${join(sandbox, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { reject: false, stdout: 'ignore', stderr: 'pipe' });
  }, 30_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await prometheus;
    server?.close();
  });

  async function names(job: string): Promise<Set<string>> {
    const end = Math.ceil(Date.now() / 1000) + 3600;
    const r = await fetch(`${url}/api/v1/label/__name__/values?match[]=${encodeURIComponent(`{job="${job}"}`)}&start=0&end=${end}`);
    return new Set(((await r.json()) as { data: string[] }).data.filter((n) => !SYNTHETIC_METRICS.has(n)));
  }

  it('for every job with a payload, and so every name the rules and panels read of them', { timeout: 90_000 }, async () => {
    const want = Object.fromEntries(scraped.map((j) => [j.config.job_name, [...namesOf(fixtureOf(j)!, j.config)].sort()]));
    let got: Record<string, string[]> = {};
    for (let i = 0; i < 120; i++) {
      try {
        got = Object.fromEntries(await Promise.all(scraped.map(async (j) => [j.config.job_name, [...(await names(j.config.job_name))].sort()] as const)));
        if (JSON.stringify(got) === JSON.stringify(want)) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(got).toEqual(want);
    // And the names the expressions read from those jobs are among them (the first test, with the real tool's answer).
    for (const u of usages()) {
      for (const j of jobsOf(u.selector, scraped)) {
        if (namesOf(fixtureOf(j)!).has(u.metric)) expect(got[j.config.job_name], `${u.user}: ${u.metric}`).toContain(u.metric);
      }
    }
  });
});
