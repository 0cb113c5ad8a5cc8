/**
 * `k8smon estimate`: series before and after the allow-lists from real
 * payloads (test/fixtures/metrics), projected over the targets of a synthetic
 * cluster, checked against what other paths say: a line count of the payload
 * file, the allow-list regex read from the rendered config's YAML text, the
 * target counts of `k8smon targets -o json`; and the --context path through
 * the fake kubectl serving the same payloads as the API server proxy would.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentsFromFile } from '../src/agents/find.js';
import { estimate, type JobEstimate } from '../src/runtime/estimate/estimate.js';
import { proxyRoute } from '../src/runtime/estimate/proxy.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { durationMs } from '../src/util/duration.js';
import { runCli } from './support/cli.js';
import { findJob } from './support/jobs.js';
import { agentConfigAsRead, renderPreset } from './support/render.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/metrics/', import.meta.url));
const FAKE_DIR = fileURLToPath(new URL('./support/fake-kubectl', import.meta.url));

/** The fixture standing for each job of the eks preset. */
const PAYLOADS: Record<string, string> = {
  kubelet: 'kubelet.prom',
  'kubelet-cadvisor': 'cadvisor.prom',
  'node-exporter': 'node-exporter.prom',
  'kube-state-metrics': 'kube-state-metrics.prom',
  apiserver: 'apiserver.prom',
};

/** A job of `estimate -o json`: the library's own shape, as JSON. */
type JobRow = JobEstimate;

/**
 * Series of a payload file by its lines, as SOURCES.md counts them (each
 * sample line is one series: no file repeats one), and those whose metric
 * name the keep regex matches, with JavaScript's own RegExp anchored as
 * Prometheus anchors relabel regexes.
 */
function lineCount(file: string, keep: string): { before: number; after: number; names: Set<string> } {
  const re = new RegExp(`^(?:${keep})$`);
  const names = new Set<string>();
  let before = 0;
  let after = 0;
  for (const line of readFileSync(join(FIXTURES, file), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    before++;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0];
    if (re.test(name)) {
      after++;
      names.add(name);
    }
  }
  return { before, after, names };
}

let dir: string;
let clusterFile: string;
let payloadDir: string;
/** `estimate --snapshot --payloads -o json --top 1000`, read by several tests. */
let offline: Promise<{ exitCode: number; stdout: string; stderr: string }>;
const objects = renderPreset('eks').objects;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8smon-estimate-'));
  clusterFile = join(dir, 'cluster.json');
  // The render's own workloads run in it, so node-exporter and kube-state-metrics have targets.
  writeFileSync(clusterFile, JSON.stringify(syntheticCluster({ nodes: 5, podsPerNode: 3, workloads: objects as never })));
  payloadDir = mkdtempSync(join(dir, 'payloads-'));
  for (const [job, file] of Object.entries(PAYLOADS)) copyFileSync(join(FIXTURES, file), join(payloadDir, `${job}.prom`));
  // A payload no job of the render is named after.
  copyFileSync(join(FIXTURES, 'kube-proxy.prom'), join(payloadDir, 'kube-proxy.prom'));
  offline = runCli(['estimate', '--profile', 'eks', '--snapshot', clusterFile, '--payloads', payloadDir, '--top', '1000', '-o', 'json']);
});

describe('k8smon estimate --snapshot --payloads', () => {
  it('counts each payload before and after the rendered allow-list (line count and JS RegExp on the YAML text) and projects it over the targets of `k8smon targets -o json`', async () => {
    const [r, t] = await Promise.all([offline, runCli(['targets', '--profile', 'eks', '--snapshot', clusterFile, '-o', 'json'])]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { jobs: JobRow[]; total: Record<string, number> };
    const targets = (JSON.parse(t.stdout) as { targets: { job: string; instances?: number }[] }).targets;
    for (const [job, file] of Object.entries(PAYLOADS)) {
      const row = out.jobs.find((j) => j.job === job)!;
      const rendered = findJob(objects, job);
      const rules = (rendered.metric_relabel_configs ?? []) as { source_labels?: string[]; action?: string; regex?: string }[];
      // Each preset allow-list starts with a keep on the metric name; some jobs drop more by other labels after it.
      expect(rules[0], job).toMatchObject({ source_labels: ['__name__'], action: 'keep' });
      const expected = lineCount(file, rules[0]!.regex!);
      expect(row.estimated, job).toBe(true);
      expect(row.payload).toEqual({ source: join(payloadDir, `${job}.prom`), from: 'file' });
      expect(row.perTarget!.before, job).toBe(expected.before);
      expect(row.perTarget!.report).toBe(5);
      if (rules.length === 1) expect(row.perTarget!.after, job).toBe(expected.after);
      else {
        expect(row.perTarget!.after, job).toBeLessThanOrEqual(expected.after);
        expect(row.perTarget!.after, job).toBeGreaterThan(0);
      }
      expect(expected.after).toBeLessThan(expected.before);
      const scrapes = targets.filter((x) => x.job === job).reduce((n, x) => n + (x.instances ?? 1), 0);
      expect(scrapes, job).toBeGreaterThan(0);
      expect(row.scrapes).toBe(scrapes);
      expect(row.projected, job).toMatchObject({ before: (expected.before + 5) * scrapes, after: (row.perTarget!.after + 5) * scrapes });
      // Every metric name kept is one the allow-list keeps, or a series Prometheus writes for each scrape.
      const report = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];
      for (const m of row.topMetrics!) expect(expected.names.has(m.name) || report.includes(m.name), `${job} ${m.name}`).toBe(true);
      expect(row.topMetrics!.reduce((n, m) => n + m.series, 0)).toBe(row.projected!.after);
      // Samples per minute at the job's interval, as the rendered config text gives it.
      const global = agentConfigAsRead(objects, `k8smon-agent-${rendered.agent}`).global;
      const interval = (rendered.scrape_interval as string | undefined) ?? global.scrape_interval;
      expect(row.scrapeInterval).toBe(interval);
      expect(row.projected!.samplesPerMinute).toBe(Math.round((row.projected!.after * 60_000) / durationMs(interval)!));
    }
    const estimated = out.jobs.filter((j) => j.estimated);
    expect(out.total.activeSeries).toBe(estimated.reduce((n, j) => n + j.projected!.after, 0));
    expect(out.total.samplesPerMinute).toBe(estimated.reduce((n, j) => n + j.projected!.samplesPerMinute, 0));
    expect(out.total.jobsEstimated).toBe(Object.keys(PAYLOADS).length);
    // kube-state-metrics is one target whose series are those of the cluster the payload came from.
    expect(out.jobs.find((j) => j.job === 'kube-state-metrics')!.notes.join(' ')).toMatch(/cluster .*kube-state-metrics\.prom was taken from/);
    expect(out.jobs.find((j) => j.job === 'kubelet')!.notes.join(' ')).toMatch(/stands for each of 5 scrapes: extrapolated/);
  });

  it('says which jobs are not estimated and why, warns of a payload no job is named after, and keeps -o json in its documented shape', async () => {
    const [r, table] = await Promise.all([offline, runCli(['estimate', '--profile', 'eks', '--snapshot', clusterFile, '--payloads', payloadDir])]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kube-proxy\.prom: no job "kube-proxy": not used/);
    const out = JSON.parse(r.stdout) as { jobs: JobRow[]; total: Record<string, number>; problems: unknown[] };
    expect(Object.keys(out)).toEqual(['jobs', 'total', 'problems']);
    expect(Object.keys(out.total)).toEqual(['activeSeries', 'samplesPerMinute', 'seriesBeforeAllowLists', 'jobsEstimated', 'jobsNotEstimated']);
    const pods = out.jobs.find((j) => j.job === 'kubernetes-pods')!;
    expect(pods).toMatchObject({ estimated: false, reason: 'no payload (kubernetes-pods.prom)' });
    expect(pods.targets).toBeGreaterThan(0);
    expect(pods.projected).toBeUndefined();
    const kubelet = out.jobs.find((j) => j.job === 'kubelet')!;
    expect(Object.keys(kubelet)).toEqual(['job', 'targets', 'scrapes', 'scrapeInterval', 'estimated', 'payload', 'perTarget', 'projected', 'topMetrics', 'notes']);
    // Largest first, then by name: a stable order.
    const order = kubelet.topMetrics!.map((m) => [-m.series, m.name] as const);
    expect([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))).toEqual(order);
    // The table says the same, without colour when not on a terminal, and lists 10 metric names per job by default.
    expect(table.exitCode).toBe(0);
    const kubeletSection = table.stdout.slice(table.stdout.indexOf('\nkubelet (payload:')).split('\n\n')[0]!.split('\n');
    expect(kubeletSection.filter((l) => /^\s+[0-9,]+\s{2}[a-z_]+$/.test(l))).toHaveLength(10);
    expect(table.stdout).not.toMatch(/\x1b\[/);
    expect(table.stdout).toMatch(new RegExp(`TOTAL\\s+${out.total.seriesBeforeAllowLists!.toLocaleString('en-US')}\\s+${out.total.activeSeries!.toLocaleString('en-US')}\\s+${out.total.samplesPerMinute!.toLocaleString('en-US')}\\n`));
    expect(table.stdout).toMatch(/not estimated\n(.*\n)*  kubernetes-pods: no payload \(kubernetes-pods\.prom\)\n/);
  });

  it('projects the same series whether kube-state-metrics and the cluster agent are sharded or not: only the report series of each shard add up', async () => {
    const [whole, sharded] = await Promise.all([offline, runCli(['estimate', '--profile', 'eks', '--set', 'cluster.nodes=1000', '--snapshot', clusterFile, '--payloads', payloadDir, '--top', '1000', '-o', 'json'])]);
    expect(sharded.exitCode, sharded.stderr).toBe(0);
    const before = new Map((JSON.parse(whole.stdout) as { jobs: JobRow[] }).jobs.map((j) => [j.job, j]));
    const after = new Map((JSON.parse(sharded.stdout) as { jobs: JobRow[] }).jobs.map((j) => [j.job, j]));
    const ksm = after.get('kube-state-metrics')!;
    expect(ksm.scrapes).toBeGreaterThan(1);
    expect(ksm.notes.join(' ')).toMatch(/shards of one exporter.*taken as the whole exporter's answer/);
    expect(ksm.projected!.after).toBe(before.get('kube-state-metrics')!.projected!.after + 5 * (ksm.scrapes - 1));
    // The cluster agent's shards split its targets: every other job projects what it did unsharded.
    for (const job of ['kubelet', 'kubelet-cadvisor', 'node-exporter', 'apiserver']) expect(after.get(job)!.projected, job).toEqual(before.get(job)!.projected);
  });

  it('fails with the file and line of a payload that does not parse, and on a missing payload directory or snapshot without payloads', async () => {
    const bad = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(bad, 'kubelet.prom'), '# TYPE up gauge\nup 1\nup{job="x" 2\n');
    const [parse, missing, none] = await Promise.all([
      runCli(['estimate', '--profile', 'eks', '--snapshot', clusterFile, '--payloads', bad]),
      runCli(['estimate', '--profile', 'eks', '--snapshot', clusterFile, '--payloads', join(dir, 'nowhere')]),
      runCli(['estimate', '--profile', 'eks', '--snapshot', clusterFile]),
    ]);
    expect(parse.exitCode).not.toBe(0);
    expect(parse.stderr).toContain(`${join(bad, 'kubelet.prom')}:3:`);
    expect(parse.stdout).toBe('');
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/nowhere: no such directory/);
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toMatch(/--payloads: a snapshot holds no metrics/);
  });
});

describe('README', () => {
  it('shows the table estimate prints for the fixture payloads on a 4-node cluster', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const shown = /On the payloads of `test\/fixtures\/metrics` and a 4-node cluster, `--profile eks`:\n\n```\n([\s\S]*?)…\n```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    const cluster = join(dir, 'readme-cluster.json');
    writeFileSync(cluster, JSON.stringify(syntheticCluster({ nodes: 4, podsPerNode: 3, workloads: objects as never })));
    const r = await runCli(['estimate', '--profile', 'eks', '--snapshot', cluster, '--payloads', payloadDir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.startsWith(shown!)).toBe(true);
  });
});

describe('k8smon estimate --config', () => {
  it('reads an agent config made by hand, a job named with slashes from <name with _>.prom', async () => {
    const payloads = mkdtempSync(join(dir, 'config-'));
    copyFileSync(join(FIXTURES, 'kubelet.prom'), join(payloads, 'integrations_kubernetes_kubelet.prom'));
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = await runCli(['estimate', '--config', 'examples/hand-made-agent.yaml', '--namespace', 'monitoring', '--snapshot', 'examples/cluster.json', '--payloads', payloads, '-o', 'json'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    const jobs = (JSON.parse(r.stdout) as { jobs: JobRow[] }).jobs;
    const kubelet = jobs.find((j) => j.job === 'integrations/kubernetes/kubelet')!;
    // That config keeps every series (no allow-list), on each scrape of each kubelet.
    expect(kubelet.perTarget).toEqual({ before: lineCount('kubelet.prom', '.*').before, after: lineCount('kubelet.prom', '.*').before, report: 5 });
    expect(kubelet.projected!.after).toBe((kubelet.perTarget!.after + 5) * kubelet.scrapes);
    expect(jobs.find((j) => j.job === 'kubernetes-services')).toMatchObject({ estimated: false, reason: 'no payload (kubernetes-services.prom)' });
  });
});

describe('k8smon estimate --context (fake kubectl as the API server proxy)', () => {
  it('scrapes one target per job through the API server proxy, and says why a probe or an unanswered target is not estimated', async () => {
    const snapshot = JSON.parse(readFileSync(clusterFile, 'utf8')) as { nodes: { metadata: { name: string }; status: { addresses: { address: string }[] } }[] };
    // The first kubelet target by URL is the node with the lowest address.
    const node = snapshot.nodes.find((n) => n.status.addresses.some((a) => a.address === '10.0.0.0'))!.metadata.name;
    const raw = join(dir, 'raw.json');
    writeFileSync(
      raw,
      JSON.stringify({
        [`/api/v1/nodes/${node}/proxy/metrics`]: join(FIXTURES, 'kubelet.prom'),
        [`/api/v1/nodes/${node}/proxy/metrics/cadvisor`]: join(FIXTURES, 'cadvisor.prom'),
        '/api/v1/namespaces/monitoring/services/k8smon-kube-state-metrics:8080/proxy/metrics': join(FIXTURES, 'kube-state-metrics.prom'),
        '/metrics': join(FIXTURES, 'apiserver.prom'),
        // What a pod that is no exporter answers.
        '/api/v1/namespaces/kube-system/pods/coredns-0:9153/proxy/metrics': join(FIXTURES, 'SOURCES.md'),
      }),
    );
    const log = join(dir, 'kubectl.log');
    const env = { PATH: `${FAKE_DIR}${delimiter}${process.env.PATH}`, FAKE_KUBECTL_MODE: 'cluster', FAKE_KUBECTL_CLUSTER: clusterFile, FAKE_KUBECTL_RAW: raw, FAKE_KUBECTL_LOG: log };
    const [live, files] = await Promise.all([runCli(['estimate', '--profile', 'eks', '--context', 'prod', '-o', 'json'], { env }), offline]);
    expect(live.exitCode, live.stderr).toBe(0);
    const jobs = new Map((JSON.parse(live.stdout) as { jobs: JobRow[] }).jobs.map((j) => [j.job, j]));
    const fromFiles = new Map((JSON.parse(files.stdout) as { jobs: JobRow[] }).jobs.map((j) => [j.job, j]));
    // The same payload read through the proxy counts as the file does.
    for (const job of ['kubelet', 'kubelet-cadvisor', 'kube-state-metrics', 'apiserver']) {
      const row = jobs.get(job)!;
      expect(row.estimated, `${job}: ${row.reason}`).toBe(true);
      expect(row.payload!.from).toBe('cluster');
      expect(row.payload!.source).toMatch(/^kubectl get --raw \//);
      expect(row.perTarget).toEqual(fromFiles.get(job)!.perTarget);
      expect(row.projected).toEqual(fromFiles.get(job)!.projected);
    }
    expect(jobs.get('kubelet')!.payload!.source).toBe(`kubectl get --raw /api/v1/nodes/${node}/proxy/metrics`);
    expect(jobs.get('kube-state-metrics')!.notes.join(' ')).toMatch(/scraped from this cluster: the numbers are its own/);
    expect(jobs.get('kubernetes-ingresses')).toMatchObject({ estimated: false, reason: expect.stringMatching(/a probe .*not read from outside the cluster/) });
    expect(jobs.get('node-exporter')).toMatchObject({ estimated: false, reason: expect.stringMatching(/kubectl get --raw \/api\/v1\/namespaces\/monitoring\/pods\/.*:9100\/proxy\/metrics failed: Error from server \(NotFound\)/) });
    expect(jobs.get('coredns')).toMatchObject({ estimated: false, reason: expect.stringMatching(/not a metrics payload: kubectl get --raw \/api\/v1\/namespaces\/kube-system\/pods\/coredns-0:9153\/proxy\/metrics:3: /) });
    // One request per job with targets: no target is scraped twice.
    const proxied = readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { args: string[] }).args).filter((a) => a.includes('--raw') && !a.at(-1)!.includes('?limit='));
    expect(new Set(proxied.map((a) => a.at(-1))).size).toBe(proxied.length);
    expect(proxied.every((a) => a.includes('--context=prod'))).toBe(true);
  });
});

describe('estimate (in process)', () => {
  it('counts a payload once per kind of target the allow-list tells apart, and samples per minute at each job\'s interval', () => {
    const config = `
global: {scrape_interval: 30s}
scrape_configs:
  - job_name: app
    static_configs:
      - {targets: ['a:80', 'b:80'], labels: {team: keep}}
      - {targets: ['c:80'], labels: {team: lean}}
    metric_relabel_configs:
      - {source_labels: [team, __name__], regex: 'lean;debug_.*', action: drop}
  - job_name: slow
    scrape_interval: 2m
    static_configs: [{targets: ['d:80']}]
  - job_name: apps
    static_configs:
      - {targets: ['e:80'], labels: {namespace: shop, pod: web-7d9c5f8b4-x2x7q}}
      - {targets: ['f:80'], labels: {namespace: shop, pod: web-7d9c5f8b4-k8p2z}}
      - {targets: ['g:80'], labels: {namespace: shop, pod: cart-0}}
`;
    const { agents } = agentsFromFile(config, 'prometheus.yml');
    const preview = previewCluster(agents, {});
    // Three series, two of them debug_; one repeated sample is one series.
    const body = 'work_total 1\ndebug_a{x="1"} 1\ndebug_a{x="2"} 1\ndebug_a{x="2"} 1\n';
    const payloads = new Map([
      ['app', { source: 'app.prom', from: 'file' as const, body }],
      ['slow', { source: 'slow.prom', from: 'file' as const, body }],
    ]);
    const out = estimate({ agents, preview, payloads, top: 2 });
    const app = out.jobs.find((j) => j.job === 'app')!;
    // a and b keep all 3, c (team lean) keeps 1; each scrape adds 5 report series.
    expect(app.projected).toEqual({ before: 3 * (3 + 5), after: 2 * (3 + 5) + (1 + 5), samplesPerMinute: (2 * 8 + 6) * 2 });
    expect(app.notes).toContain('the allow-list reads target labels: counted for 2 kinds of target');
    expect(app.topMetrics).toEqual([{ name: 'debug_a', series: 4 }, { name: 'scrape_duration_seconds', series: 3 }]);
    const slow = out.jobs.find((j) => j.job === 'slow')!;
    expect(slow.projected).toEqual({ before: 8, after: 8, samplesPerMinute: 4 });
    expect(out.total).toEqual({ activeSeries: 22 + 8, samplesPerMinute: 44 + 4, seriesBeforeAllowLists: 24 + 8, jobsEstimated: 2, jobsNotEstimated: 1 });
    // Two pods of one Deployment and a StatefulSet's pod: two applications, said to be a rough guess.
    const apps = out.jobs.find((j) => j.job === 'apps')!;
    expect(apps).toMatchObject({ estimated: false, reason: 'no payload (apps.prom)', targets: 3 });
    const withApps = estimate({ agents, preview, payloads: new Map([['apps', { source: 'apps.prom', from: 'file' as const, body }]]) });
    expect(withApps.jobs.find((j) => j.job === 'apps')!.notes).toContain('its targets are 2 different applications: one payload standing for all of them is a rough guess');
    expect(app.notes.join(' ')).not.toMatch(/rough guess/);
  });
});

describe('proxyRoute (in process)', () => {
  const snapshot = syntheticCluster({ nodes: 2, podsPerNode: 2 });
  const node = snapshot.nodes![1]!;
  const nodeIp = node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
  const pod = snapshot.pods!.find((p) => p.spec?.hostNetwork !== true && p.status?.phase === 'Running' && p.status.podIP !== undefined)!;
  const route = (url: string) => proxyRoute({ job: 'j', agent: 'a', url, labels: {} }, snapshot);
  it.each([
    [`https://${nodeIp}:10250/metrics/cadvisor`, { path: `/api/v1/nodes/${node.metadata.name}/proxy/metrics/cadvisor` }],
    ['http://ksm.monitoring.svc:8080/metrics', { path: '/api/v1/namespaces/monitoring/services/ksm:8080/proxy/metrics' }],
    ['https://kubernetes.default.svc:443/api/v1/nodes/n1/proxy/metrics', { path: '/api/v1/nodes/n1/proxy/metrics' }],
    ['http://ksm-1.ksm.monitoring.svc:8080/metrics', { path: '/api/v1/namespaces/monitoring/pods/ksm-1:8080/proxy/metrics' }],
    [`https://${pod.status!.podIP}:8443/stats?x=1`, { path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/https:${pod.metadata.name}:8443/proxy/stats?x=1` }],
  ])('%s is read through the API server proxy', (url, expected) => {
    expect(route(url)).toMatchObject(expected);
  });
  it.each([
    ['http://127.0.0.1:10249/metrics', /loopback/],
    ['http://bb.monitoring.svc:9115/probe?module=http_2xx&target=x', /a probe/],
    ['http://192.0.2.1:9100/metrics', /no node, pod or Service of the snapshot has the address 192\.0\.2\.1:9100/],
    [`http://${nodeIp}:9999/metrics`, /is node .*no pod of the snapshot serves port 9999/],
  ])('%s is not', (url, reason) => {
    expect((route(url) as { reason: string }).reason).toMatch(reason);
  });
});
