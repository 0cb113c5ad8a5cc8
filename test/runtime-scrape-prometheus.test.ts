/**
 * Scraping compared with a real Prometheus (Debian's 2.42, so the runtime
 * answers with prometheus-2 semantics): both scrape the same loopback
 * endpoint serving kube-state-metrics.prom plus lines whose labels clash
 * with the target's, once with honor_labels false (clashes kept as
 * exported_…) and once true, with metric_relabel_configs; every label set
 * Prometheus stored (read back from /api/v1/series) must be one the runtime
 * produced, and the other way round, synthetic series included. Three more
 * jobs fail (body_size_limit, sample_limit, a missing credentials file):
 * the runtime's error must be Prometheus' lastError word for word.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TargetScraper, type ScrapeTarget } from '../src/runtime/scrape/scrape.js';
import { seriesKey } from '../src/runtime/scrape/stale.js';
import { freePort } from './support/prometheus.js';
import { requireTool } from './support/tools.js';

const PAYLOAD = `${readFileSync(new URL('./fixtures/metrics/kube-state-metrics.prom', import.meta.url), 'utf8')}
# TYPE clash gauge
clash{job="exposed-job",instance="exposed-instance",exported_namespace="pre-existing",namespace="exposed-ns",empty=""} 1
clash_twice{namespace="n1",exported_namespace=""} 2
`;

const METRIC_RELABEL = [
  { source_labels: ['__name__'], regex: 'kube_pod_status_reason|kube_configmap_.*', action: 'drop' },
  { source_labels: ['namespace'], regex: 'kube-(.*)', target_label: 'ns_short', replacement: '$1' },
  { regex: 'uid', action: 'labeldrop' },
];

const JOBS = [
  { job_name: 'plain', honor_labels: false, env: 'oracle-plain' },
  { job_name: 'honor', honor_labels: true, env: 'oracle-honor' },
];

/** Jobs that fail, to compare the error each gives (Prometheus' lastError) with the runtime's. */
const MISSING_TOKEN = '/nonexistent/k8smon/token';
const FAILING: { job_name: string; extra: Record<string, unknown>; target: Partial<ScrapeTarget> }[] = [
  { job_name: 'body-limit', extra: { body_size_limit: '1KB' }, target: { bodySizeLimit: 1024 } },
  { job_name: 'sample-limit', extra: { sample_limit: 10 }, target: { sampleLimit: 10 } },
  { job_name: 'missing-token', extra: { authorization: { credentials_file: MISSING_TOKEN } }, target: { authorization: { credentials_file: MISSING_TOKEN } } },
];

describe('scraping compared with Debian\'s Prometheus 2.42', () => {
  let server: Server;
  let port = 0;
  let prom: ResultPromise;
  let promUrl = '';

  beforeAll(async () => {
    const bin = requireTool('prometheus', 'apt-get install prometheus');
    server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(PAYLOAD));
    port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-scrape-oracle-'));
    const config = {
      global: { scrape_interval: '2s', scrape_timeout: '1s' },
      scrape_configs: [
        ...JOBS.map((j) => ({
          job_name: j.job_name,
          honor_labels: j.honor_labels,
          metric_relabel_configs: METRIC_RELABEL,
          static_configs: [{ targets: [`127.0.0.1:${port}`], labels: { env: j.env, namespace: 'target-ns' } }],
        })),
        ...FAILING.map((j) => ({ job_name: j.job_name, ...j.extra, static_configs: [{ targets: [`127.0.0.1:${port}`] }] })),
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prom = execa(bin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { reject: false, stdout: 'ignore', stderr: 'pipe' });
  }, 30_000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    await prom;
    server?.close();
  });

  async function series(env: string): Promise<Record<string, string>[]> {
    const url = `${promUrl}/api/v1/series?match[]=${encodeURIComponent(`{env="${env}"}`)}&start=0&end=${Math.ceil(Date.now() / 1000) + 3600}`;
    for (let i = 0; i < 200; i++) {
      try {
        const body = (await (await fetch(url)).json()) as { data: Record<string, string>[] };
        if (body.data.some((s) => s.__name__ === 'scrape_series_added') && body.data.some((s) => s.__name__ === 'clash')) return body.data;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Prometheus stored nothing for ${env}: ${String((await (prom.kill(), prom)).stderr).slice(-2000)}`);
  }

  for (const j of JOBS) {
    it(`honor_labels ${j.honor_labels}, metric_relabel_configs: the runtime's label sets are the ones Prometheus stored`, { timeout: 90_000 }, async () => {
      const scraper = new TargetScraper(
        {
          url: `http://127.0.0.1:${port}/metrics`,
          labels: { env: j.env, instance: `127.0.0.1:${port}`, job: j.job_name, namespace: 'target-ns' },
          scrapeTimeoutMs: 1000,
          honorLabels: j.honor_labels,
          metricRelabelConfigs: METRIC_RELABEL,
        },
        { semantics: 'prometheus-2' },
      );
      const ours = (await scraper.scrape()).samples.filter((s) => s.stale !== true).map((s) => seriesKey(s.labels));
      const theirs = (await series(j.env)).map((s) => seriesKey(s));
      expect(ours.length).toBeGreaterThan(1000);
      expect(new Set(ours).size).toBe(ours.length);
      expect([...ours].sort()).toEqual([...theirs].sort());
    });
  }

  it('gives the errors Prometheus gives for body_size_limit, sample_limit and a missing credentials file', { timeout: 90_000 }, async () => {
    let errors: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      const body = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as { data: { activeTargets: { scrapePool: string; lastError: string; health: string }[] } };
      errors = Object.fromEntries(body.data.activeTargets.filter((t) => t.health === 'down').map((t) => [t.scrapePool, t.lastError]));
      if (FAILING.every((j) => errors[j.job_name])) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const j of FAILING) {
      const url = `http://127.0.0.1:${port}/metrics`;
      const r = await new TargetScraper({ url, labels: { job: j.job_name, instance: `127.0.0.1:${port}` }, scrapeTimeoutMs: 1000, ...j.target }, { semantics: 'prometheus-2' }).scrape();
      expect(r.up).toBe(false);
      expect(r.error).toBe(errors[j.job_name]);
    }
  });
});
