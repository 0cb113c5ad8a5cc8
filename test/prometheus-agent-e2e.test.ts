/**
 * The prometheus kind end to end with real parts (Debian's Prometheus 2.42):
 * the rendered node and cluster agent configs, as the config reloader writes
 * them for node-0, run in a real Prometheus in agent mode; their kubernetes_sd
 * is swapped for file_sd holding the labels the runtime discovered (Debian
 * builds Prometheus without Kubernetes SD), each address pointing at a
 * loopback server that serves test/fixtures/metrics (HTTPS with a
 * self-signed certificate for the kubelet, as a kubelet serves). They
 * remote-write to a second Prometheus started with
 * --web.enable-remote-write-receiver, and the test reads what arrived.
 *
 * What 2.42 cannot run as rendered: `--agent` is `--enable-feature=agent`
 * there, and the 60s interval is shortened to 2s so the test does not wait
 * a minute. Everything else — relabel and metric_relabel rules, TLS and
 * bearer-token files, remote_write with basic auth from a file, external
 * labels — is the rendered config.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { agentsFromManifests } from '../src/agents/find.js';
import { renderBundle } from '../src/pipeline.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { compileRelabelConfigs, relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { fixtureSamples } from './support/fixtures.js';
import { loopbackCertificate, listen, payloadServer, PromProcess } from './support/loopback-cluster.js';
import { freePort } from './support/prometheus.js';
import { referencedFiles } from './support/promtool.js';
import { agentConfigAsRead, type PrometheusView } from './support/render.js';

const CLUSTER = 'e2e-cluster';
const NODE = 'node-0';
/** The jobs this test runs, with the payload each target serves (path → fixture). */
const JOBS: Record<string, { scheme: 'http' | 'https'; fixture: Record<string, string> }> = {
  kubelet: { scheme: 'https', fixture: { '/metrics': 'kubelet.prom' } },
  'kubelet-cadvisor': { scheme: 'https', fixture: { '/metrics/cadvisor': 'cadvisor.prom' } },
  'kube-state-metrics': { scheme: 'http', fixture: { '/metrics': 'kube-state-metrics.prom' } },
};

describe('agent.kind prometheus: the rendered agents in a real Prometheus agent, remote-writing to a real receiver', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'k8smon-agent-e2e-'));
  const tokens: string[] = [];
  const servers: Server[] = [];
  const agents: PromProcess[] = [];
  let receiver: PromProcess;
  let configs: { name: string; config: PrometheusView }[] = [];

  beforeAll(async () => {
    const tls = loopbackCertificate(sandbox, 'kubelet');

    const receiverPort = await freePort();
    receiver = await PromProcess.start(['--web.enable-remote-write-receiver', `--storage.tsdb.path=${join(sandbox, 'receiver')}`, `--config.file=${writeFile('receiver.yml', 'scrape_configs: []\n')}`], receiverPort);

    const { objects } = renderBundle(
      {
        preset: 'eks',
        sets: [`cluster.name=${CLUSTER}`, `remoteWrite[0].url=${receiver.url}/api/v1/write`, 'remoteWrite[0].basicAuth.username=tenant', 'remoteWrite[0].basicAuth.passwordFrom.env=RW_PASSWORD'],
      },
      { RW_PASSWORD: 'pw' },
    );
    // What the runtime discovers on a generated cluster: the labels file_sd hands the real Prometheus.
    const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 2, workloads: objects as never });
    const preview = previewCluster(agentsFromManifests(objects), snapshot, { node: undefined });
    const ports: Record<string, number> = {};
    for (const [job, { scheme, fixture }] of Object.entries(JOBS)) {
      const server = payloadServer(scheme === 'https' ? tls : undefined, fixture, tokens);
      servers.push(server);
      ports[job] = await listen(server);
    }
    for (const name of ['k8smon-agent-node', 'k8smon-agent-cluster']) {
      const config = agentConfigAsRead(objects, name, NODE);
      const scrapeConfigs = config.scrape_configs
        .filter((sc) => JOBS[sc.job_name] !== undefined)
        .map(({ kubernetes_sd_configs: _sd, ...sc }) => {
          const targets = preview.targets.filter((t) => t.job === sc.job_name && (name === 'k8smon-agent-cluster' ? t.agent === 'deployment/k8smon-agent-cluster' : t.agent === `daemonset/k8smon-agent-node/${NODE}`));
          const groups = targets.map((t) => {
            const { __address__: _a, ...labels } = t.discoveredLabels!;
            return { targets: [`127.0.0.1:${ports[sc.job_name]}`], labels };
          });
          return { ...sc, file_sd_configs: [{ files: [writeFile(`${name}-${sc.job_name}.json`, JSON.stringify(groups))] }] };
        });
      configs.push({ name, config: { ...config, scrape_configs: scrapeConfigs } });
    }
    for (const { name, config } of configs) {
      for (const file of referencedFiles(config)) {
        mkdirSync(dirname(join(sandbox, file)), { recursive: true });
        writeFileSync(join(sandbox, file), file.endsWith('ca.crt') ? tls.cert : file.endsWith('token') ? 'agent-token' : 'pw');
      }
      const relocated = JSON.parse(JSON.stringify({ global: { ...config.global, scrape_interval: '2s', scrape_timeout: '2s' }, scrape_configs: config.scrape_configs, remote_write: config.remote_write }), (k, v) =>
        ['credentials_file', 'password_file', 'ca_file'].includes(k) && typeof v === 'string' ? join(sandbox, v) : v,
      );
      const file = writeFile(`${name}.yml`, stringify(relocated));
      agents.push(await PromProcess.start(['--enable-feature=agent', `--config.file=${file}`, `--storage.agent.path=${join(sandbox, `${name}-wal`)}`], await freePort()));
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await receiver?.stop();
    for (const s of servers) s.close();
  });

  function writeFile(name: string, text: string): string {
    const path = join(sandbox, name);
    writeFileSync(path, text);
    return path;
  }

  /**
   * Every series the receiver holds, at any time: cAdvisor's payload carries
   * its own timestamps (kept, as honor_timestamps is on), which an instant
   * query's five-minute look-back would miss.
   */
  async function query(match: string): Promise<{ metric: Record<string, string> }[]> {
    return (await receiver.series(match)).map((metric) => ({ metric }));
  }

  /** Polls the receiver until every job has sent its series. */
  async function arrived(): Promise<{ metric: Record<string, string> }[]> {
    for (let i = 0; i < 180; i++) {
      const result = await query('{job=~".+"}');
      const jobs = new Set(result.map((r) => `${r.metric.job}${r.metric.metrics_path ?? ''}`));
      if (jobs.has('kubelet/metrics') && jobs.has('kubelet/metrics/cadvisor') && jobs.has('kube-state-metrics')) return result;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`not every job arrived at the receiver; agents said: ${(await Promise.all(agents.map((a) => a.stop()))).join('\n').slice(-3000)}`);
  }

  it('delivers each job\'s series with the cluster, job, instance, node and metrics_path labels the render promises', { timeout: 150_000 }, async () => {
    const result = await arrived();
    const kubelet = result.filter((r) => r.metric.job === 'kubelet' && r.metric.metrics_path === '/metrics');
    const cadvisor = result.filter((r) => r.metric.job === 'kubelet' && r.metric.metrics_path === '/metrics/cadvisor');
    for (const series of [...kubelet, ...cadvisor]) {
      expect(series.metric).toMatchObject({ cluster: CLUSTER, instance: NODE, node: NODE });
    }
    const ksm = result.filter((r) => r.metric.job === 'kube-state-metrics');
    expect(ksm.length).toBeGreaterThan(0);
    for (const series of ksm) expect(series.metric.cluster).toBe(CLUSTER);
    // The node agent scraped only its own node's kubelet.
    expect(new Set([...kubelet, ...cadvisor].map((r) => r.metric.instance))).toEqual(new Set([NODE]));
    // Scrapes carried the ServiceAccount token from its file.
    expect(tokens).toContain('Bearer agent-token');
  });

  it('keeps exactly the metric names the runtime\'s relabeling keeps of the same payloads (metric_relabel_configs agree)', { timeout: 150_000 }, async () => {
    const node = configs.find((c) => c.name === 'k8smon-agent-node')!.config;
    const cluster = configs.find((c) => c.name === 'k8smon-agent-cluster')!.config;
    const expected = (config: PrometheusView, job: string, fixture: string): string[] => {
      const rules = compileRelabelConfigs(config.scrape_configs.find((sc) => sc.job_name === job)!.metric_relabel_configs ?? []);
      return [...new Set(fixtureSamples(fixture).map((s) => relabel(s.labels, rules)?.__name__).filter((n): n is string => n !== undefined))].sort();
    };
    const want = {
      kubelet: expected(node, 'kubelet', 'kubelet.prom'),
      cadvisor: expected(node, 'kubelet-cadvisor', 'cadvisor.prom'),
      ksm: expected(cluster, 'kube-state-metrics', 'kube-state-metrics.prom'),
    };
    // Less the series Prometheus adds for every scrape (up, scrape_duration_seconds, …), which no payload holds.
    const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
    let got = { kubelet: [] as string[], cadvisor: [] as string[], ksm: [] as string[] };
    // remote_write delivers in batches: read until everything sent has arrived (or the time is up, and the diff shows).
    for (let i = 0; i < 120; i++) {
      const result = await arrived();
      const names = (job: string, path: string | undefined): string[] =>
        [...new Set(result.filter((r) => r.metric.job === job && (path === undefined || r.metric.metrics_path === path)).map((r) => r.metric.__name__!))].filter((n) => !SYNTHETIC.has(n)).sort();
      got = { kubelet: names('kubelet', '/metrics'), cadvisor: names('kubelet', '/metrics/cadvisor'), ksm: names('kube-state-metrics', undefined) };
      if (JSON.stringify(got) === JSON.stringify(want)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) console.error((await Promise.all([...agents, receiver].map((a) => a.stop()))).join('\n---\n').slice(-6000));
    expect(got).toEqual(want);
  });
});
