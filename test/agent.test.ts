/**
 * The agent in this process, on loopback: pods of a snapshot file pointing
 * at HTTP and HTTPS servers that serve the metrics fixtures (the HTTPS one
 * with an openssl certificate and a bearer token), a target that times out
 * and one that serves garbage, a static target, and a scripted remote_write
 * receiver that decodes every request. Also: its targets against the
 * preview's for the rendered configs and example cluster, and config errors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrometheusFile } from '../src/agents/prometheus/read.js';
import { allowlistRegex } from '../src/model/components/allowlists.js';
import { agentSeed, scrapeOffsetMs, type Agent } from '../src/runtime/agent/agent.js';
import { expandConfig, parseAgentConfig } from '../src/runtime/agent/config.js';
import { runAgent, runAgentWith } from '../src/runtime/agent/main.js';
import { snapshotFileSources } from '../src/runtime/agent/sources.js';
import { jobTargets } from '../src/runtime/agent/targets.js';
import { previewAgent } from '../src/runtime/preview/preview.js';
import { STALE_NAN_BITS } from '../src/runtime/scrape/stale.js';
import type { PodObject, Snapshot } from '../src/runtime/semantics/snapshot.js';
import { ScriptedReceiver } from './support/remote-write.js';
import { requireTool } from './support/tools.js';

const sandbox = mkdtempSync(join(tmpdir(), 'k8smon-agent-'));
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/metrics/${name}`, import.meta.url), 'utf8');
const servers: Server[] = [];
const logLines: string[] = [];
const seenTokens: string[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

function serve(body: string, options: { delayMs?: number; contentType?: string } = {}) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const send = (): void => {
      if (!res.destroyed) res.writeHead(200, { 'Content-Type': options.contentType ?? 'text/plain; version=0.0.4' }).end(body);
    };
    if (options.delayMs !== undefined) setTimeout(send, options.delayMs).unref();
    else send();
  };
}

export function pod(name: string, namespace: string, port: number, labels: Record<string, string>): PodObject {
  return {
    metadata: { name, namespace, labels, uid: `uid-${name}` },
    spec: { nodeName: 'node-a', containers: [{ name: 'main', ports: [{ name: 'metrics', containerPort: port, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** Replaces a file in one step, as a kubelet updates a projected token (the reader never sees half of it). */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const labelsOf = (pairs: [string, string][]): Record<string, string> => Object.fromEntries(pairs);

describe('k8smon agent, in process (openssl certificate, scripted remote_write receiver)', () => {
  let receiver: ScriptedReceiver;
  let agent!: Agent;
  let port = 0;
  let stop!: (s: string) => void;
  let exit: Promise<number>;
  const ports: Record<string, number> = {};
  const snapshotPath = join(sandbox, 'cluster.json');
  const tokenPath = join(sandbox, 'token');
  let snapshot: Snapshot;

  beforeAll(async () => {
    requireTool('openssl', 'apt-get install openssl');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(sandbox, 'key.pem'), '-out', join(sandbox, 'cert.pem')], { stdio: 'ignore' });
    ports.web = await listen(createHttpServer(serve(fixture('blackbox-exporter.prom'))));
    ports.slow = await listen(createHttpServer(serve('slow_metric 1\n', { delayMs: 3000 })));
    ports.junk = await listen(createHttpServer(serve('this is { not metrics\n')));
    ports.static = await listen(createHttpServer(serve('static_metric{a="1"} 5\n')));
    const secure = serve(fixture('kube-proxy.prom'));
    ports.secure = await listen(
      createHttpsServer({ key: readFileSync(join(sandbox, 'key.pem')), cert: readFileSync(join(sandbox, 'cert.pem')) }, (req, res) => {
        seenTokens.push(String(req.headers.authorization));
        if (req.headers.authorization !== `Bearer ${readFileSync(tokenPath, 'utf8').trim()}`) {
          res.writeHead(401).end('unauthorized');
          return;
        }
        secure(req, res);
      }),
    );
    writeFileSync(tokenPath, 'token-one\n');
    snapshot = {
      pods: [
        pod('web-a', 'default', ports.web, { app: 'web' }),
        pod('slow-b', 'default', ports.slow, { app: 'web' }),
        pod('junk-c', 'default', ports.junk, { app: 'web' }),
        pod('other', 'default', 1, { app: 'other' }),
        pod('sec-a', 'secure', ports.secure, { app: 'api' }),
      ],
    };
    writeFileSync(snapshotPath, JSON.stringify(snapshot));
    receiver = await ScriptedReceiver.start();
    const config = `
global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
  external_labels: {cluster: test, node: $(NODE_NAME)}
scrape_configs:
  - job_name: pods
    kubernetes_sd_configs: [{role: pod, namespaces: {names: [default]}}]
    relabel_configs:
      - {source_labels: [__meta_kubernetes_pod_label_app], regex: web, action: keep}
      - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
      - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
  - job_name: secure
    scheme: https
    authorization: {credentials_file: ${tokenPath}}
    tls_config: {ca_file: ${join(sandbox, 'cert.pem')}}
    kubernetes_sd_configs: [{role: pod, namespaces: {names: [secure]}}]
    relabel_configs:
      - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
    metric_relabel_configs:
      - {source_labels: [__name__], regex: 'kubeproxy_.*|process_.*', action: keep}
  - job_name: static
    static_configs: [{targets: ['127.0.0.1:${ports.static}'], labels: {tier: static}}]
remote_write:
  - url: ${receiver.url}
    name: main
    queue_config: {batch_send_deadline: 100ms, min_backoff: 50ms, max_backoff: 200ms, max_samples_per_send: 500}
`;
    writeFileSync(join(sandbox, 'agent.yml'), config);
    const started = new Promise<void>((resolve) => {
      exit = runAgentWith(
        { config: join(sandbox, 'agent.yml'), walDir: join(sandbox, 'wal'), listenAddress: '127.0.0.1:0', nodeName: 'node-a', logLevel: 'warn' },
        {
          stderr: { write: (line: string) => logLines.push(line) },
          stopSignal: new Promise((r) => (stop = r)),
          onStarted: (a, address) => {
            agent = a;
            port = address.port;
            resolve();
          },
        },
        snapshotFileSources(snapshotPath, { pollMs: 100 }),
      );
      exit.catch(() => resolve());
    });
    await started;
  }, 20_000);

  afterAll(async () => {
    stop?.('test');
    await exit?.catch(() => undefined);
    await receiver?.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  const series = () => receiver.requests.flatMap((r) => r.series.map((s) => ({ labels: labelsOf(s.labels), samples: s.samples })));
  const upOf = (job: string, pod?: string) => series().filter((s) => s.labels.__name__ === 'up' && s.labels.job === job && (pod === undefined || s.labels.pod === pod));

  it('is ready once discovery listed and targets synced, and scrapes what the preview shows for the same config and snapshot', async () => {
    await until('/-/ready', async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200);
    expect((await fetch(`http://127.0.0.1:${port}/-/healthy`)).status).toBe(200);
    const spec = readPrometheusFile({ text: readFileSync(join(sandbox, 'agent.yml'), 'utf8'), doc: parseYaml(readFileSync(join(sandbox, 'agent.yml'), 'utf8')), name: 'agent.yml' })!;
    const preview = previewAgent(spec, snapshot, 'node-a');
    const key = (t: { job: string; url: string; labels: Record<string, string> }) => JSON.stringify([t.job, t.url, t.labels]);
    expect(agent.activeTargets().map(key).sort()).toEqual(preview.targets.map(key).sort());
    expect(agent.activeTargets()).toHaveLength(5);
  });

  it('sends samples with the target, relabeled and external labels; a target that times out or serves garbage is up 0 and the others are not affected', async () => {
    await until('up of every target', () => upOf('pods').length >= 3 && upOf('secure').length > 0 && upOf('static').length > 0);
    const up = (job: string, pod?: string) => upOf(job, pod)[0]!;
    expect(up('pods', 'web-a').labels).toEqual({ __name__: 'up', job: 'pods', instance: `127.0.0.1:${ports.web}`, pod: 'web-a', namespace: 'default', cluster: 'test', node: 'node-a' });
    await until('values', () => upOf('pods', 'slow-b').some((s) => s.samples.length > 0));
    // (A good target may time out once on a loaded machine: its samples are 1 but for such a scrape.)
    const values = (job: string, pod?: string) => upOf(job, pod).flatMap((s) => s.samples.map((x) => x.value));
    for (const [job, pod] of [['pods', 'web-a'], ['secure'], ['static']] as const) await until(`${job} up 1`, () => values(job, pod).includes(1));
    expect(new Set(values('pods', 'slow-b'))).toEqual(new Set([0]));
    expect(new Set(values('pods', 'junk-c'))).toEqual(new Set([0]));
    // Logged once each as JSON lines, with why.
    const failures = () => logLines.map((l) => JSON.parse(l) as { ts: string; level: string; msg: string; target?: string; err?: string }).filter((l) => l.msg === 'scrape failed');
    const warned = failures();
    expect(warned.find((l) => l.target?.includes(`:${ports.slow}/`))).toMatchObject({ level: 'warn', err: expect.stringContaining('context deadline exceeded') });
    // Logged when the reason changes, not at every scrape (a loaded machine may add a timeout in between).
    const junk = warned.filter((l) => l.target?.includes(`:${ports.junk}/`)).map((l) => l.err!);
    expect(junk.some((e) => !e.includes('deadline'))).toBe(true);
    for (let i = 1; i < junk.length; i++) expect(junk[i]).not.toBe(junk[i - 1]);
    await until('a few scrapes of junk-c', () => values('pods', 'junk-c').length >= 4);
    expect(failures().filter((l) => l.target?.includes(`:${ports.junk}/`)).length).toBeLessThan(values('pods', 'junk-c').length);
    expect(up('static').labels).toMatchObject({ tier: 'static', instance: `127.0.0.1:${ports.static}` });
    const probe = series().find((s) => s.labels.__name__ === 'blackbox_exporter_build_info' || s.labels.__name__?.startsWith('blackbox_'));
    expect(probe?.labels).toMatchObject({ job: 'pods', pod: 'web-a', namespace: 'default', cluster: 'test' });
    // metric_relabel_configs kept only what they keep.
    const secureNames = new Set(series().filter((s) => s.labels.job === 'secure').map((s) => s.labels.__name__!));
    expect([...secureNames].filter((n) => !/^(kubeproxy_|process_|up$|scrape_)/.test(n))).toEqual([]);
    expect([...secureNames].some((n) => n.startsWith('kubeproxy_'))).toBe(true);
    expect(series().some((s) => s.labels.__name__ === 'slow_metric')).toBe(false);
  });

  it('reads the bearer token file again for every scrape: a replaced token is used by the next scrape', async () => {
    expect(seenTokens).toContain('Bearer token-one');
    replaceFile(tokenPath, 'token-two\n');
    const at = seenTokens.length;
    await until('the new token', () => seenTokens.slice(at).includes('Bearer token-two'));
    const after = receiver.requests.length;
    await until('secure up after the rotation', () => receiver.requests.slice(after).some((r) => r.series.some((s) => labelsOf(s.labels).job === 'secure' && labelsOf(s.labels).__name__ === 'up' && s.samples.some((x) => x.value === 1))));
  });

  it('loses nothing while the receiver is down for a while, and reports it on /metrics', async () => {
    const before = Date.now();
    receiver.respond = () => ({ status: 503, body: 'down for maintenance' });
    await new Promise((r) => setTimeout(r, 2500));
    const metricsDuring = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    receiver.respond = () => ({ status: 204 });
    const upAt = Date.now();
    // Every scrape of web-a from before the outage until well after it arrives, once the queue drains.
    await new Promise((r) => setTimeout(r, 1500));
    await until('the backlog', async () => /prometheus_remote_storage_samples_pending\{[^}]*\} 0\n/.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()));
    const accepted = receiver.requests;
    const stamps = [...new Set(accepted.flatMap((r) => r.series.filter((s) => { const l = labelsOf(s.labels); return l.__name__ === 'up' && l.pod === 'web-a'; }).flatMap((s) => s.samples.map((x) => x.timestamp))))].sort((a, b) => a - b);
    const window = stamps.filter((t) => t >= before - 1000 && t <= upAt + 1000);
    expect(window.length).toBeGreaterThanOrEqual(8);
    // One sample every 500 ms (timer jitter aside): a lost scrape would leave a gap of a whole interval more.
    for (let i = 1; i < window.length; i++) expect(window[i]! - window[i - 1]!).toBeLessThan(750);
    expect(metricsDuring).toMatch(/prometheus_remote_storage_samples_retried_total\{remote_name="main",url="[^"]+"\} [1-9]/);
    expect(metricsDuring).toMatch(/prometheus_remote_storage_samples_pending\{remote_name="main",url="[^"]+"\} [1-9]/);
  });

  it('a removed target gets staleness markers (the exact StaleNaN) for its series', async () => {
    const at = receiver.requests.length;
    replaceFile(snapshotPath, JSON.stringify({ pods: snapshot.pods!.filter((p) => p.metadata.name !== 'web-a') }));
    const isStale = (pod: string, name: string) => receiver.requests.slice(at).some((r) => r.series.some((s) => { const l = labelsOf(s.labels); return l.pod === pod && l.__name__ === name && s.samples.some((x) => x.valueBits === STALE_NAN_BITS); }));
    await until('staleness markers', () => isStale('web-a', 'up') && isStale('web-a', 'blackbox_exporter_build_info'));
    expect(agent.activeTargets().some((t) => t.labels.pod === 'web-a')).toBe(false);
    // The others go on.
    const after = receiver.requests.length;
    await until('junk-c still scraped', () => receiver.requests.slice(after).some((r) => r.series.some((s) => labelsOf(s.labels).pod === 'junk-c')));
  });

  it('/metrics shows scrapes, targets, discovery and remote_write with the Prometheus agent names', async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^prometheus_target_scrape_pool_targets\{scrape_job="pods"\} 2$/m);
    expect(text).toMatch(/^prometheus_target_scrape_pool_targets\{scrape_job="secure"\} 1$/m);
    expect(text).toMatch(/^k8smon_agent_scrapes_failed_total\{job="pods"\} [1-9]\d*$/m);
    expect(text).toMatch(/^k8smon_agent_scrapes_total\{job="static"\} [1-9]\d*$/m);
    expect(text).toMatch(/^k8smon_agent_samples_scraped_total\{job="secure"\} [1-9]\d*$/m);
    expect(text).toMatch(/^prometheus_remote_storage_samples_total\{remote_name="main",url="[^"]+"\} [1-9]\d*$/m);
    expect(text).toMatch(/^prometheus_remote_storage_bytes_total\{remote_name="main",url="[^"]+"\} [1-9]\d*$/m);
    expect(text).toMatch(/^prometheus_remote_storage_highest_timestamp_in_seconds \d/m);
    expect(text).toMatch(/^prometheus_remote_storage_queue_highest_sent_timestamp_seconds\{remote_name="main",url="[^"]+"\} \d/m);
    expect(text).toMatch(/^k8smon_agent_wal_bytes\{remote_name="main",url="[^"]+"\} [1-9]\d*$/m);
    expect(text).toMatch(/^k8smon_agent_discovery_synced\{job="pods",sd="0",resource="pods"\} 1$/m);
    expect(text).toMatch(/^prometheus_ready 1$/m);
    expect(text).toMatch(/^prometheus_sd_discovered_targets\{config="pods",name="scrape"\} 3$/m); // web-a is gone; "other" is dropped by relabeling
    expect(text).toMatch(/^prometheus_target_interval_length_seconds_count\{scrape_job="static"\} [1-9]\d*$/m);
    // The self-monitoring allow-list for agents keeps every name with a Prometheus counterpart (so the agent alerts
    // see them) and the k8smon_agent_* health series; it drops the volume counters (events, scrapes and samples per job).
    const allowed = new RegExp(`^(?:${allowlistRegex('agent')})$`);
    const names = [...new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[^{ ]+/.exec(l)![0]))];
    expect(names.filter((n) => !allowed.test(n)).sort()).toEqual(['k8smon_agent_discovery_events_total', 'k8smon_agent_label_sets_forgotten_total', 'k8smon_agent_samples_scraped_total', 'k8smon_agent_scrapes_total']);
    expect(text).toMatch(/^prometheus_agent_active_series [1-9]\d*$/m);
    // Every line is a comment or a sample: the text format, parsed by the runtime's own parser elsewhere.
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \S+ .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+)$/);
  });

  it('on the stop signal, sends what is queued and exits 0', async () => {
    receiver.respond = () => ({ status: 204 });
    stop('SIGTERM');
    expect(await exit).toBe(0);
    expect(agent.senders[0]!.counters().queueLength).toBe(0);
  });
});

describe('the agent\'s targets are the preview\'s (rendered configs, example cluster)', () => {
  const cluster = JSON.parse(readFileSync(new URL('../examples/cluster.json', import.meta.url), 'utf8')) as Snapshot;
  const configs = ['kubeadm', 'eks'].flatMap((profile) =>
    ['cluster', 'node'].map((agentName) => {
      const cm = parseYaml(readFileSync(new URL(`../examples/rendered/${profile}/configmap-k8smon-agent-${agentName}.yaml`, import.meta.url), 'utf8')) as { data: Record<string, string> };
      return [`${profile} ${agentName}`, Object.values(cm.data)[0]!] as const;
    }),
  );
  it.each(configs)('%s', (_name, text) => {
    const node = cluster.nodes![0]!.metadata.name;
    const spec = readPrometheusFile({ text, doc: parseYaml(text), name: 'agent', namespace: 'monitoring' })!;
    const preview = previewAgent(spec, cluster, spec.perNode ? node : undefined);
    const config = parseAgentConfig(expandConfig(text, { NODE_NAME: node }), { ownNamespace: 'monitoring' });
    const mine = config.jobs.flatMap((job) => jobTargets(job, config.global, job.sd.map(() => cluster), 'monitoring').targets.map((t) => ({ job: job.name, ...t })));
    const key = (t: { job: string; url: string; labels: Record<string, string> }) => JSON.stringify([t.job, t.url, t.labels]);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map(key).sort()).toEqual(preview.targets.map(key).sort());
  });
});

describe('a bad config or flag stops the agent before it starts, naming the field', () => {
  const run = async (config: string, extra: string[] = []) => {
    const path = join(sandbox, `bad-${Math.random()}.yml`);
    writeFileSync(path, config);
    let err = '';
    const code = await runAgent(['--config', path, '--listen-address', '127.0.0.1:0', '--wal-dir', join(sandbox, 'bad-wal'), ...extra], { stderr: { write: (s: string) => (err += s) }, stopSignal: Promise.resolve('test') });
    return { code, err: JSON.parse(err.trim().split('\n').pop()!) as { level: string; msg: string; field?: string } };
  };
  it.each([
    ['scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 20s\n    static_configs: [{targets: [x:1]}]\n', 'scrape_configs[a].scrape_timeout', 'greater than scrape_interval'],
    ['scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [x]}]\n', 'scrape_configs[0].file_sd_configs', 'not supported'],
    ['scrape_configs:\n  - job_name: a\n    relabel_configs: [{action: keep, regex: "(", source_labels: [x]}]\n', 'scrape_configs[a].relabel_configs', ''],
    ['scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pods}]\n', 'scrape_configs[a].kubernetes_sd_configs[0].role', 'must be one of'],
    ['remote_write:\n  - url: ftp://x\n', 'remote_write[0]', 'http or https'],
    ['global:\n  scrape_interval: soon\n', 'global.scrape_interval', 'not a duration'],
    ['remote_write:\n  - {url: "http://x", name: a/b}\n  - {url: "http://y", name: a_b}\n', 'remote_write', 'share a write-ahead log directory'],
    ['rule_files: [r.yml]\n', 'rule_files', 'Prometheus agent mode'],
    ['scrape_configs: [\n', 'config', 'not YAML'],
  ])('%j', async (config, field, words) => {
    const { code, err } = await run(config);
    expect(code).toBe(2);
    expect(err.level).toBe('error');
    expect(err.field).toContain(field);
    expect(err.msg).toContain(words);
  });

  it('kubernetes_sd_configs with no API server to reach (not in a pod, no api_server or kubeconfig_file): says so and how to go on', async () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_PORT;
    try {
      const { code, err } = await run('scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod}]\n');
      expect(code).toBe(2);
      expect(err).toMatchObject({ field: 'kubernetes_sd_configs', msg: expect.stringContaining('KUBERNETES_SERVICE_HOST') });
      expect(err.msg).toContain('--snapshot');
      const missing = await run('scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod, kubeconfig_file: /nonexistent/kubeconfig}]\n');
      expect(missing.code).toBe(2);
      expect(missing.err.msg).toContain('/nonexistent/kubeconfig');
    } finally {
      if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port !== undefined) process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });

  it('an unknown flag, a missing --config, a bad --shutdown-grace', async () => {
    let err = '';
    expect(await runAgent(['--bogus'], { stderr: { write: (s: string) => (err += s) } })).toBe(2);
    expect(err).toContain('--bogus');
    expect(await runAgent([], { stderr: { write: (s: string) => (err += s) } })).toBe(2);
    expect(err).toContain('--config');
    const { code, err: e } = await run('{}', ['--shutdown-grace', 'later']);
    expect(code).toBe(2);
    expect(e.field).toBe('--shutdown-grace');
  });
});

describe('scrape offsets', () => {
  it('spread targets over the interval, stay put for a target, and differ between agents with other external labels', () => {
    const seed = agentSeed({ cluster: 'a' });
    const keys = Array.from({ length: 2000 }, (_, i) => `http://10.0.${i >> 8}.${i & 255}:9100/metrics`);
    const buckets = new Array<number>(10).fill(0);
    for (const k of keys) buckets[Math.floor(scrapeOffsetMs(k, seed, 30_000) / 3000)]!++;
    for (const b of buckets) expect(b).toBeGreaterThan(120); // 200 each if even
    expect(scrapeOffsetMs(keys[0]!, seed, 30_000)).toBe(scrapeOffsetMs(keys[0]!, agentSeed({ cluster: 'a' }), 30_000));
    const other = agentSeed({ cluster: 'b' });
    expect(keys.filter((k) => scrapeOffsetMs(k, seed, 30_000) === scrapeOffsetMs(k, other, 30_000)).length).toBeLessThan(10);
  });
});
