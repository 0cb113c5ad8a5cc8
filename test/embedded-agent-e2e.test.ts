/**
 * agent.kind embedded end to end, with real parts on loopback:
 * - the agent as the pod runs it: the rendered ConfigMap's files (the loader
 *   and the gzip'd bundle `npm run build` made) run by `node` with the
 *   rendered container's arguments;
 * - discovery from a fake API server (list + watch over HTTPS with a bearer
 *   token; test/support/fake-apiserver.ts) holding a generated cluster whose
 *   every IP address is mapped to its own loopback address, so that each
 *   discovered target — kubelets on :10250, node-exporters on :9100,
 *   annotated pods and Services on their own ports — has an exporter behind
 *   it serving recorded payloads (test/fixtures/metrics; HTTPS where a kubelet
 *   would be);
 * - Debian's Prometheus 2.42 with --web.enable-remote-write-receiver as the
 *   receiver.
 * The same rendered configs run in Debian's Prometheus in agent mode on the
 * same exporters, writing to a second receiver (Debian builds it without
 * Kubernetes SD: it gets file_sd with what the runtime discovers on the same
 * objects), and every series with every label must agree. Then the faults of
 * issue 14: the API server restarted, the receiver stopped for 60 s, and the
 * node agent killed with SIGKILL during the outage and started again.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { agentsFromManifests } from '../src/agents/find.js';
import { renderBundle } from '../src/pipeline.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { formatOpenMetricsFloat } from '../src/runtime/scrape/go-format.js';
import { SNAPSHOT_RESOURCES, type Snapshot } from '../src/runtime/semantics/snapshot.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { FakeApiServer, type FakeObject } from './support/fake-apiserver.js';
import { loopbackCertificate, payloadServer, PromProcess } from './support/loopback-cluster.js';
import { freePort } from './support/prometheus.js';
import { PrometheusReceiver } from './support/remote-write.js';
import { agentConfigAsRead } from './support/render.js';

const CLUSTER = 'e2e-embedded';
const NODE = 'node-0';
const NODE_AGENT = 'k8smon-agent-node';
const CLUSTER_AGENT = 'k8smon-agent-cluster';
/** The jobs run here, each with the payload its exporters serve; discovery by node, pod and endpoints roles, and a static target. */
const PAYLOADS: Record<string, string> = {
  kubelet: 'kubelet.prom',
  'kubelet-cadvisor': 'cadvisor.prom',
  'node-exporter': 'node-exporter.prom',
  'kubernetes-pods': 'blackbox-exporter.prom',
  'kube-state-metrics': 'kube-state-metrics.prom',
  'kubernetes-service-endpoints': 'blackbox-exporter.prom',
};
const INTERVAL_SECONDS = 2;

/**
 * The cluster with each IPv4 address replaced by a loopback address of its
 * own (127.<p>.x.y, p from the process id, so parallel test files do not
 * meet): relationships between objects stay as they were.
 */
function loopbackSnapshot(snapshot: Snapshot): { snapshot: Snapshot; next: () => string } {
  const prefix = `127.${20 + (process.pid % 200)}`;
  let n = 0;
  const next = (): string => {
    n++;
    return `${prefix}.${n >> 8}.${(n & 255) + 1}`;
  };
  const mapped = new Map<string, string>();
  const rewritten = JSON.parse(JSON.stringify(snapshot), (_key, value: unknown) => {
    if (typeof value !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.startsWith('127.')) return value;
    if (!mapped.has(value)) mapped.set(value, next());
    return mapped.get(value);
  }) as Snapshot;
  return { snapshot: rewritten, next };
}

/** A config file's scrape configs limited to `jobs`, with its file references moved into `dir`. */
function configFor(text: string, jobs: readonly string[], dir: string, files: Record<string, string>): Record<string, any> {
  const doc = parse(text) as Record<string, any>;
  doc.global = { ...doc.global, scrape_interval: `${INTERVAL_SECONDS}s`, scrape_timeout: `${INTERVAL_SECONDS}s` };
  doc.scrape_configs = (doc.scrape_configs as Record<string, any>[]).filter((sc) => jobs.includes(sc.job_name));
  return JSON.parse(JSON.stringify(doc), (key, value: unknown) => {
    if (!['credentials_file', 'password_file', 'ca_file'].includes(key) || typeof value !== 'string') return value;
    const local = join(dir, value.replace(/[^A-Za-z0-9.]+/g, '_'));
    writeFileSync(local, files[key]!);
    return local;
  }) as Record<string, any>;
}

/** A series' labels as one comparable string. */
const seriesKey = (labels: Record<string, string>): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');

/**
 * What Prometheus 3 (the embedded agent's semantics) makes of a series that
 * Prometheus 2.42 (the reference) stored: 3.0 writes a classic histogram's
 * `le` and a summary's `quantile` as floats (le="1" is stored as le="1.0"),
 * in the text format as in OpenMetrics. The only difference expected.
 */
function asPrometheus3(labels: Record<string, string>): Record<string, string> {
  const out = { ...labels };
  for (const name of ['le', 'quantile']) {
    const value = out[name];
    if (value !== undefined && value.trim() !== '' && !Number.isNaN(Number(value))) out[name] = formatOpenMetricsFloat(Number(value));
  }
  return out;
}

describe('agent.kind embedded: the bundle as built, discovering from a fake API server, against a real Prometheus agent on the same exporters', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'k8smon-embedded-e2e-'));
  const servers: Server[] = [];
  const tokens: string[] = [];
  const reference: PromProcess[] = [];
  const embedded = new Map<string, { start: () => Promise<void>; child?: ResultPromise; stderr: () => string }>();
  let api: FakeApiServer;
  let refReceiver: PrometheusReceiver;
  let embReceiver: PrometheusReceiver;

  beforeAll(async () => {
    const tls = loopbackCertificate(sandbox, 'kubelet');
    [refReceiver, embReceiver] = await Promise.all([PrometheusReceiver.start(), PrometheusReceiver.start()]);
    const { objects } = renderBundle(
      {
        preset: 'eks',
        sets: [`cluster.name=${CLUSTER}`, 'agent.kind=embedded', 'remoteWrite[0].url=http://receiver.invalid/api/v1/write', 'remoteWrite[0].basicAuth.username=tenant', 'remoteWrite[0].basicAuth.passwordFrom.env=RW_PASSWORD'],
      },
      { RW_PASSWORD: 'pw' },
    );
    const { snapshot, next } = loopbackSnapshot(syntheticCluster({ nodes: 3, podsPerNode: 4, annotateEvery: 2, serviceEvery: 2, workloads: objects as never }));

    // An exporter behind every target the two agents will scrape, as the runtime discovers them.
    const preview = previewCluster(agentsFromManifests(objects as never), snapshot, { node: undefined });
    const mine = preview.targets.filter(
      // kube-state-metrics is a static target (its Service's DNS name): pointed at a loopback exporter below.
      (t) => PAYLOADS[t.job] !== undefined && t.job !== 'kube-state-metrics' && (t.agent === `daemonset/${NODE_AGENT}/${NODE}` || t.agent === `deployment/${CLUSTER_AGENT}`),
    );
    const ksmAddress = `${next()}:8080`;
    const exporters = new Map<string, { https: boolean; routes: Record<string, string> }>();
    for (const t of [...mine.map((t) => ({ url: new URL(t.url), job: t.job })), { url: new URL(`http://${ksmAddress}/metrics`), job: 'kube-state-metrics' }]) {
      const e = exporters.get(t.url.host) ?? { https: t.url.protocol === 'https:', routes: {} };
      e.routes[t.url.pathname] ??= PAYLOADS[t.job]!;
      exporters.set(t.url.host, e);
    }
    for (const [host, e] of exporters) {
      const server = payloadServer(e.https ? tls : undefined, e.routes, tokens);
      servers.push(server);
      const url = new URL(`http://${host}`);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(Number(url.port), url.hostname, resolve));
    }
    expect(new Set(mine.map((t) => t.job))).toEqual(new Set(Object.keys(PAYLOADS).filter((j) => j !== 'kube-state-metrics')));

    api = await FakeApiServer.start({ tokens: ['sd-token'] });
    for (const resource of SNAPSHOT_RESOURCES) for (const o of (snapshot[resource] ?? []) as unknown as FakeObject[]) api.add(resource, o);
    const sdToken = join(sandbox, 'sd-token');
    writeFileSync(sdToken, 'sd-token');

    const files = { credentials_file: 'agent-token', password_file: 'pw', ca_file: tls.cert };
    for (const [name, jobs] of [
      [NODE_AGENT, ['kubelet', 'kubelet-cadvisor', 'node-exporter', 'kubernetes-pods']],
      [CLUSTER_AGENT, ['kube-state-metrics', 'kubernetes-service-endpoints']],
    ] as const) {
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as unknown as { data: Record<string, string>; binaryData?: Record<string, string> };
      const workload = objects.find((o) => (o.kind === 'DaemonSet' || o.kind === 'Deployment') && o.metadata.name === name) as any;
      const container = workload.spec.template.spec.containers.find((c: any) => c.name === 'agent');
      const configFile = (container.args as string[]).find((a) => a.startsWith('--config='))!.slice('--config='.length);
      const withKsm = (doc: Record<string, any>): Record<string, any> => {
        for (const sc of doc.scrape_configs) if (sc.job_name === 'kube-state-metrics') sc.static_configs = [{ targets: [ksmAddress] }];
        return doc;
      };

      // The embedded agent: the ConfigMap's files as mounted, its config pointed at the fake API server and the receiver.
      const mount = join(sandbox, `${name}-mount`);
      mkdirSync(mount);
      for (const [file, text] of Object.entries(configMap.binaryData ?? {})) writeFileSync(join(mount, file), Buffer.from(text, 'base64'));
      for (const [file, text] of Object.entries(configMap.data)) writeFileSync(join(mount, file), text);
      const own = withKsm(configFor(configMap.data[configFile.slice(configFile.lastIndexOf('/') + 1)]!, jobs, sandbox, files));
      for (const sc of own.scrape_configs) for (const sd of sc.kubernetes_sd_configs ?? []) Object.assign(sd, { api_server: api.url, tls_config: { ca_file: api.caFile }, authorization: { credentials_file: sdToken } });
      own.remote_write[0].url = embReceiver.writeUrl;
      writeFileSync(join(mount, configFile.slice(configFile.lastIndexOf('/') + 1)), stringify(own));
      const port = await freePort();
      const mountDir = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.name === 'config')!.mountPath;
      const walDir = join(sandbox, `${name}-wal`);
      // The container's arguments as Kubernetes would pass them, the mounts and address moved to this sandbox.
      const args = (container.args as string[]).map((a) =>
        a
          .replace(mountDir, mount)
          .replace('$(NODE_NAME)', NODE)
          .replace(/^--wal-dir=.*/, `--wal-dir=${walDir}`)
          .replace(/^--listen-address=.*/, `--listen-address=127.0.0.1:${port}`),
      );
      let stderr = '';
      const agent: { start: () => Promise<void>; child?: ResultPromise; stderr: () => string } = {
        stderr: () => stderr,
        start: async () => {
          const child = execa(container.command[0], args, { reject: false, stdout: 'ignore', stderr: 'pipe', env: { POD_NAMESPACE: 'monitoring' } });
          child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
          agent.child = child;
          for (let i = 0; i < 200; i++) {
            try {
              if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return;
            } catch {
              // not up yet
            }
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`${name} did not become ready: ${stderr.slice(-3000)}`);
        },
      };
      embedded.set(name, agent);
      await agent.start();

      // The reference: Debian's Prometheus agent, the same config with file_sd holding what the runtime discovered.
      const expanded = stringify(agentConfigAsRead(objects, name, NODE));
      const ref = withKsm(configFor(expanded, jobs, sandbox, files));
      ref.scrape_configs = ref.scrape_configs.map(({ kubernetes_sd_configs: sd, ...sc }: Record<string, any>) => {
        if (sd === undefined) return sc;
        const groups = mine
          .filter((t) => t.job === sc.job_name && t.agent.startsWith(name === NODE_AGENT ? `daemonset/${NODE_AGENT}` : `deployment/${CLUSTER_AGENT}`))
          .map((t) => {
            const { __address__: address, ...labels } = t.discoveredLabels!;
            return { targets: [address], labels };
          });
        const file = join(sandbox, `${name}-${sc.job_name}.json`);
        writeFileSync(file, JSON.stringify(groups));
        return { ...sc, file_sd_configs: [{ files: [file] }] };
      });
      ref.remote_write[0].url = refReceiver.writeUrl;
      const refFile = join(sandbox, `${name}-reference.yml`);
      writeFileSync(refFile, stringify(ref));
      reference.push(await PromProcess.start(['--enable-feature=agent', `--config.file=${refFile}`, `--storage.agent.path=${join(sandbox, `${name}-reference-wal`)}`], await freePort()));
    }
  }, 120_000);

  afterAll(async () => {
    for (const a of embedded.values()) {
      a.child?.kill('SIGTERM');
      await a.child;
    }
    for (const p of reference) await p.stop();
    await refReceiver?.stop();
    await embReceiver?.stop();
    await api?.close();
    for (const s of servers) s.close();
  });

  async function labelSets(receiver: PrometheusReceiver, normalize: (l: Record<string, string>) => Record<string, string> = (l) => l): Promise<Set<string>> {
    return new Set((await receiver.series('{job=~".+"}')).map((l) => seriesKey(normalize(l))));
  }

  it('sends every series, with every label, that the same config sends through a real Prometheus agent', { timeout: 150_000 }, async () => {
    let ref = new Set<string>();
    let emb = new Set<string>();
    for (let i = 0; i < 120; i++) {
      [ref, emb] = await Promise.all([labelSets(refReceiver, asPrometheus3), labelSets(embReceiver)]);
      const jobs = new Set([...ref].map((k) => /(?:^|,)job="([^"]*)"/.exec(k)?.[1]));
      if (ref.size > 0 && jobs.size >= 4 && ref.size === emb.size && [...ref].every((k) => emb.has(k))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const onlyRef = [...ref].filter((k) => !emb.has(k));
    const onlyEmb = [...emb].filter((k) => !ref.has(k));
    if (onlyRef.length + onlyEmb.length > 0) {
      console.error(`only through Prometheus (${onlyRef.length}):\n${onlyRef.slice(0, 15).join('\n')}\nonly through the embedded agent (${onlyEmb.length}):\n${onlyEmb.slice(0, 15).join('\n')}`);
      for (const [name, a] of embedded) console.error(`${name}:\n${a.stderr().slice(-3000)}`);
    }
    expect({ onlyRef: onlyRef.length, onlyEmb: onlyEmb.length }).toEqual({ onlyRef: 0, onlyEmb: 0 });
    // Real volume: thousands of series across the jobs, with the kubelet's token on each kubelet scrape.
    expect(ref.size).toBeGreaterThan(1000);
    expect(tokens).toContain('Bearer agent-token');
    // The node agent asked the API server for its own node's objects only.
    const nodeLists = api.requests.filter((r) => r.resource === 'nodes' && r.authorization === 'Bearer sd-token');
    expect(nodeLists.length).toBeGreaterThan(0);
    expect(nodeLists.some((r) => r.query.fieldSelector === `metadata.name=${NODE}`)).toBe(true);
  });

  it('recovers when the API server restarts: a change made after the restart reaches the receiver', { timeout: 90_000 }, async () => {
    await api.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await api.restart();
    const node = api.objects('nodes').find((n) => n.metadata.name === NODE)!;
    api.apply('nodes', { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, 'k8smon.test/after-restart': 'yes' } } });
    let found = false;
    for (let i = 0; i < 120 && !found; i++) {
      found = (await embReceiver.series('{job="kubelet",k8smon_test_after_restart="yes"}')).length > 0;
      if (!found) await new Promise((r) => setTimeout(r, 500));
    }
    expect(found).toBe(true);
  });

  it(
    'loses nothing when the receiver is down for 60 s and the node agent is killed with SIGKILL during the outage',
    { timeout: 240_000 },
    async () => {
      const outageStart = Date.now();
      await embReceiver.stop();
      await new Promise((r) => setTimeout(r, 25_000));
      const node = embedded.get(NODE_AGENT)!;
      node.child!.kill('SIGKILL');
      await node.child;
      const killedAt = Date.now();
      await node.start();
      const restartedAt = Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, outageStart + 60_000 - Date.now())));
      await embReceiver.resume();
      const outageEnd = Date.now();

      /** Sample timestamps (ms) of `selector` between the outage's start and its end, once everything has arrived. */
      const timestamps = async (selector: string): Promise<number[]> => {
        let ts: number[] = [];
        for (let i = 0; i < 90; i++) {
          const series = await embReceiver.rawSamples(selector, '5m');
          ts = series.flatMap((s) => s.values.map(([t]) => Math.round(t * 1000))).sort((a, b) => a - b);
          if (ts.some((t) => t > outageEnd + 3000)) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        return ts.filter((t) => t >= outageStart - 5000 && t <= outageEnd);
      };
      const maxGap = (ts: number[]): number => ts.slice(1).reduce((m, t, i) => Math.max(m, t - ts[i]!), 0);

      // The cluster agent ran throughout: every scrape of the outage arrived afterwards, in order, without a gap.
      const cluster = await timestamps('up{job="kube-state-metrics"}');
      expect(cluster.length).toBeGreaterThanOrEqual(Math.floor((outageEnd - outageStart) / (INTERVAL_SECONDS * 1000)) - 1);
      expect(maxGap(cluster)).toBeLessThanOrEqual(INTERVAL_SECONDS * 1000 * 2 + 500);

      // The node agent's scrapes before the SIGKILL were only in its WAL when it died: they arrived too.
      const node0 = await timestamps('up{job="kubelet",metrics_path="/metrics"}');
      const beforeKill = node0.filter((t) => t >= outageStart && t < killedAt);
      expect(beforeKill.length).toBeGreaterThanOrEqual(Math.floor((killedAt - outageStart) / (INTERVAL_SECONDS * 1000)) - 1);
      // No gap but the time it was down.
      expect(maxGap(node0)).toBeLessThanOrEqual(restartedAt - killedAt + INTERVAL_SECONDS * 1000 * 2 + 500);
    },
  );
});
