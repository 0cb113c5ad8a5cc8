/**
 * agent.kind embedded: the agent bundle the build makes, the ConfigMap that
 * ships it (small enough for `kubectl apply`'s last-applied annotation), the
 * rendered container run as rendered (real node), the read-back that
 * `targets`/`check` use, and agent.wal.hostPath.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { agentsFromManifests } from '../src/agents/find.js';
import { ANNOTATIONS_LIMIT, NODE_AGENT_NODE_FLAGS } from '../src/agents/embedded/index.js';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { checkDeployment } from '../src/runtime/check/index.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { FakeApiServer } from './support/fake-apiserver.js';
import { freePort } from './support/prometheus.js';
import { findObject } from './support/render.js';

const AGENT_DIR = new URL('../dist/agent/', import.meta.url).pathname;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const render = (sets: string[] = [], preset = 'eks'): KubernetesObject[] => renderBundle({ preset, sets: ['agent.kind=embedded', ...sets] }, {}).objects;
const podOf = (o: KubernetesObject): any => (o.spec as any).template.spec;

/**
 * The annotations of `obj` once `kubectl apply` (client-side) has stored it:
 * kubectl encodes the object as given (its last-applied annotation left out)
 * with Go's JSON encoder — compact, `<`, `>`, `&`, U+2028 and U+2029
 * escaped, a newline at the end — and adds that as an annotation.
 */
function annotationsAfterApply(obj: KubernetesObject): Record<string, string> {
  const own = { ...(obj.metadata.annotations ?? {}) };
  delete own[LAST_APPLIED];
  const given = { ...obj, metadata: { ...obj.metadata, ...(Object.keys(own).length > 0 ? { annotations: own } : {}) } };
  if (Object.keys(own).length === 0) delete (given.metadata as any).annotations;
  const goJson = JSON.stringify(given).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return { ...own, [LAST_APPLIED]: `${goJson}\n` };
}

/** What the apiserver counts against the 256 KiB limit: every key and value, in bytes. */
const annotationsSize = (annotations: Record<string, string>): number =>
  Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

describe('the embedded agent bundle (npm run build, esbuild)', () => {
  it('is one ESM file that imports only Node built-ins, and its gzip holds the same bytes', () => {
    expect(readdirSync(AGENT_DIR).sort()).toEqual(['k8smon-agent.mjs', 'k8smon-agent.mjs.gz']);
    const code = readFileSync(join(AGENT_DIR, 'k8smon-agent.mjs'));
    expect(gunzipSync(readFileSync(join(AGENT_DIR, 'k8smon-agent.mjs.gz'))).equals(code)).toBe(true);
    const text = code.toString('utf8');
    // Minified: long lines (the few line breaks are inside template literals), no indentation.
    expect(text.length / text.split('\n').length).toBeGreaterThan(1000);
    expect(text).not.toMatch(/\n {2}\S/);
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:'))).toEqual([]);
    expect(text).not.toMatch(/\.node["']/);
  });
});

describe('agent.kind embedded: the ConfigMap that ships the agent', () => {
  // The largest configs k8smon renders: many nodes (8 shards, kube-state-metrics sharded) on every preset.
  const cases = ['eks', 'gke', 'kubeadm', 'k3s'].flatMap((preset) => [[preset, []], [preset, ['cluster.nodes=5000']]] as [string, string[]][]);
  const sizes: string[] = [];
  afterAll(() => console.log(`last-applied annotations of the embedded agent's ConfigMaps (limit ${ANNOTATIONS_LIMIT} bytes):\n${sizes.join('\n')}`));

  it.each(cases)('%s %j: under kubectl apply\'s annotation limit with room to spare (computed as kubectl stores it)', (preset, sets) => {
    for (const cm of render(sets, preset).filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('k8smon-agent-'))) {
      expect((cm as any).binaryData?.['k8smon-agent.mjs.gz']).toBeDefined();
      const size = annotationsSize(annotationsAfterApply(cm));
      sizes.push(`  ${preset} ${sets.join(' ')} ${cm.metadata.name}: ${size} bytes (${((100 * size) / ANNOTATIONS_LIMIT).toFixed(1)}%)`);
      expect(size).toBeLessThan(ANNOTATIONS_LIMIT * 0.8);
    }
  });

  it('a config too big to ride along is refused at render, naming the way out (server-side apply)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-embedded-big-'));
    const file = join(dir, 'k8smon.yaml');
    // ~180 KB of the user's own static targets on top of the ~160 KB the ConfigMap already is.
    const targets = Array.from({ length: 3000 }, (_, i) => `vm-${String(i).padStart(5, '0')}.a-long-datacenter-name.example.internal:9100`);
    writeFileSync(file, JSON.stringify({ preset: 'eks', agent: { kind: 'embedded' }, extraScrapeConfigs: [{ job_name: 'vms', static_configs: [{ targets }] }] }));
    try {
      expect(() => renderBundle({ file, sets: [] }, {})).toThrow(/agent\.kind: the ConfigMap k8smon-agent-cluster would be \d+ bytes, too big for kubectl apply's last-applied annotation.*--server-side/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the size computation counts what kubectl adds: an object over the limit is caught', () => {
    const cm = findObject(render(), 'ConfigMap', 'k8smon-agent-node');
    const big = { ...cm, data: { ...(cm as any).data, filler: 'x'.repeat(ANNOTATIONS_LIMIT) } } as KubernetesObject;
    expect(annotationsSize(annotationsAfterApply(big))).toBeGreaterThan(ANNOTATIONS_LIMIT);
    // Go escapes what JSON.stringify leaves: each `<` takes six bytes.
    const html = { ...cm, data: { x: '<'.repeat(1000) } } as KubernetesObject;
    expect(annotationsAfterApply(html)[LAST_APPLIED]).toContain('\\u003c');
  });
});

describe('agent.kind embedded: the Node.js image', () => {
  it('is the pinned official image, rewritten by imageRegistry like every other image', () => {
    const image = (objects: KubernetesObject[]) => podOf(findObject(objects, 'DaemonSet', 'k8smon-agent-node')).containers[0].image as string;
    expect(image(render())).toMatch(/^docker\.io\/library\/node:\d+\.\d+\.\d+-alpine$/);
    expect(image(render(['imageRegistry=registry.example.cn/mirror']))).toBe(image(render()).replace('docker.io/', 'registry.example.cn/mirror/'));
    expect(image(render(['images.node.tag=22.99.0-alpine']))).toBe('docker.io/library/node:22.99.0-alpine');
  });
});

describe("the agents' node options", () => {
  it('run the node agent with the memory-lean V8 settings before the loader, the cluster agent with V8 defaults, and the reader finds both', () => {
    const objects = render();
    const args = (kind: string, name: string): string[] => podOf(findObject(objects, kind, name)).containers[0].args as string[];
    const nodeArgs = args('DaemonSet', 'k8smon-agent-node');
    expect(nodeArgs.slice(0, NODE_AGENT_NODE_FLAGS.length)).toEqual([...NODE_AGENT_NODE_FLAGS]);
    expect(nodeArgs[NODE_AGENT_NODE_FLAGS.length]).toMatch(/\/k8smon-agent-loader\.mjs$/);
    expect(args('Deployment', 'k8smon-agent-cluster')[0]).toMatch(/\/k8smon-agent-loader\.mjs$/);
    expect(agentsFromManifests(objects).map((a) => `${a.kind} ${a.name}`).sort()).toEqual(['embedded daemonset/k8smon-agent-node', 'embedded deployment/k8smon-agent-cluster']);
  });
});

describe('agent.kind embedded: the rendered container, run as rendered (real node)', () => {
  const dirs: string[] = [];
  let api: FakeApiServer;
  let tokenFile: string;
  beforeAll(async () => {
    api = await FakeApiServer.start({ tokens: ['sd-token'] });
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-embedded-token-'));
    dirs.push(dir);
    tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'sd-token');
  });
  afterAll(async () => {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    await api?.close();
  });

  it.each(['DaemonSet', 'StatefulSet'])('the %s\'s command and args start the agent from its ConfigMap and /-/healthy and /-/ready answer', async (kind) => {
    const objects = render(['agent.cluster.shards=2']);
    const workload = objects.find((o) => o.kind === kind && o.metadata.name.startsWith('k8smon-agent-'))!;
    const pod = podOf(workload);
    const [container] = pod.containers;
    const root = mkdtempSync(join(tmpdir(), 'k8smon-embedded-'));
    dirs.push(root);
    // Each mount becomes a directory of the temp dir; a ConfigMap volume's keys become its files, as the kubelet writes them.
    const mounts = new Map<string, string>();
    for (const m of container.volumeMounts) {
      const dir = join(root, m.name);
      mkdirSync(dir, { recursive: true });
      mounts.set(m.mountPath, dir);
      const volume = pod.volumes.find((v: any) => v.name === m.name);
      if (volume.configMap === undefined) continue;
      const cm = findObject(objects, 'ConfigMap', volume.configMap.name) as any;
      for (const [k, v] of Object.entries(cm.data ?? {})) writeFileSync(join(dir, k), v as string);
      for (const [k, v] of Object.entries(cm.binaryData ?? {})) writeFileSync(join(dir, k), Buffer.from(v as string, 'base64'));
      // Outside a pod there is no service account: each discovery entry is pointed at a fake API server instead.
      for (const k of Object.keys(cm.data ?? {}).filter((k) => k.endsWith('.yaml'))) {
        const doc = parseYaml(readFileSync(join(dir, k), 'utf8')) as { scrape_configs?: { kubernetes_sd_configs?: Record<string, unknown>[] }[] };
        for (const sc of doc.scrape_configs ?? []) for (const sd of sc.kubernetes_sd_configs ?? []) Object.assign(sd, { api_server: api.url, tls_config: { ca_file: api.caFile }, authorization: { credentials_file: tokenFile } });
        writeFileSync(join(dir, k), stringifyYaml(doc));
      }
    }
    // The container's environment (downward API) and the kubelet's $(VAR) expansion of args.
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
      if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') env[e.name] = 'node-a';
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = `${workload.metadata.name}-1`;
    }
    const port = await freePort();
    const local = (arg: string): string => {
      let out = arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
      for (const [mountPath, dir] of mounts) out = out.replaceAll(mountPath, dir);
      return out.replace(/^--listen-address=.*$/, `--listen-address=127.0.0.1:${port}`);
    };
    const args = (container.args as string[]).map(local);
    expect(args).toContain(`--listen-address=127.0.0.1:${port}`);
    expect(container.command).toEqual(['node']);
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const deadline = Date.now() + 10_000;
      let healthy: Response | undefined;
      while (healthy === undefined && Date.now() < deadline && child.exitCode === null) {
        healthy = await fetch(`http://127.0.0.1:${port}/-/healthy`).catch(() => undefined);
        if (healthy === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(healthy?.status, stderr).toBe(200);
      // Ready once discovery has listed and the targets are synced: a moment after healthy on a loaded machine.
      let ready = 0;
      while (ready !== 200 && Date.now() < deadline + 10_000 && child.exitCode === null) {
        ready = (await fetch(`http://127.0.0.1:${port}/-/ready`)).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready, stderr).toBe(200);
    } finally {
      child.kill();
    }
  });
});

describe('agent.kind embedded: targets and check read it back as they read the prometheus kind', () => {
  it('the same targets on the same agents as the prometheus kind\'s render, and check finds no errors', () => {
    const sets = ['agent.cluster.shards=2'];
    const embedded = render(sets);
    const prometheus = renderBundle({ preset: 'eks', sets: ['agent.kind=prometheus', ...sets] }, {}).objects;
    const previewOf = (objects: KubernetesObject[]) => {
      const agents = agentsFromManifests(objects);
      const snapshot = syntheticCluster({ nodes: 4, podsPerNode: 4, workloads: objects as never });
      return { agents, snapshot, preview: previewCluster(agents, snapshot) };
    };
    const e = previewOf(embedded);
    const p = previewOf(prometheus);
    expect(e.agents.map((a) => [a.kind, a.name, a.semantics, a.perNode])).toEqual(p.agents.map((a) => ['embedded', a.name, a.semantics, a.perNode]));
    const key = (t: { agent: string; job: string; labels: Record<string, string> }) => `${t.agent} ${t.job} ${JSON.stringify(t.labels)}`;
    // The agents' own metrics differ by kind (one container here, Prometheus and its reloader there); every other target is the same.
    const own = (t: { job: string }) => t.job.startsWith('k8smon-agent-');
    const targets = e.preview.targets.filter((t) => !own(t)).map(key).sort();
    expect(targets.length).toBeGreaterThan(10);
    expect(targets).toEqual(p.preview.targets.filter((t) => !own(t)).map(key).sort());
    const selfScraped = e.preview.targets.filter(own);
    expect(selfScraped.length).toBe(p.preview.targets.filter(own).length / 2);
    expect(new Set(selfScraped.map((t) => `${t.labels.container} ${t.labels.instance!.split(':')[1]}`))).toEqual(new Set(['agent 9090']));
    // The node agent's jobs keep to their node: a DaemonSet's pod on node X scrapes X's kubelet only.
    expect(e.preview.targets.some((t) => t.agent.startsWith('daemonset/') && !t.agent.endsWith('/*'))).toBe(true);
    const problems = [...e.preview.problems, ...checkDeployment(embedded, e.agents, e.snapshot, e.preview.targets)];
    expect(problems.filter((x) => x.severity === 'error')).toEqual([]);
  });
});

describe('agent.wal.hostPath', () => {
  it('keeps the node agent\'s WAL on the node (a root chown of the directory first, the agent as uid 1000); the cluster agent keeps an emptyDir', () => {
    // Without node-exporter (which needs "privileged" itself), the namespace shows what the agent needs.
    const objects = render(['agent.wal.hostPath=/var/lib/k8smon-agent', 'components.nodeExporter.enabled=false']);
    const node = podOf(findObject(objects, 'DaemonSet', 'k8smon-agent-node'));
    expect(node.volumes.find((v: any) => v.name === 'wal')).toEqual({ name: 'wal', hostPath: { path: '/var/lib/k8smon-agent', type: 'DirectoryOrCreate' } });
    expect(node.initContainers.map((c: any) => [c.name, c.securityContext.capabilities.add])).toEqual([['wal-owner', ['CHOWN']]]);
    expect(node.containers[0].securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true });
    const cluster = podOf(findObject(objects, 'Deployment', 'k8smon-agent-cluster'));
    expect(cluster.volumes.find((v: any) => v.name === 'wal')).toEqual({ name: 'wal', emptyDir: {} });
    expect(cluster.initContainers).toBeUndefined();
    // hostPath is beyond "baseline": the namespace says so.
    expect(findObject(objects, 'Namespace', 'monitoring').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    // Without it: restricted.
    expect(findObject(render(['components.nodeExporter.enabled=false']), 'Namespace', 'monitoring').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it.each([
    [['agent.kind=prometheus', 'agent.wal.hostPath=/var/lib/x'], /agent\.wal\.hostPath.*agent\.kind prometheus keeps its write-ahead log in the pod/s],
    [['agent.kind=embedded', 'agent.wal.hostPath=/var/lib/../etc'], /agent\.wal\.hostPath.*"\.\."/s],
    [['agent.kind=embedded', 'agent.wal.hostPath=relative/dir'], /agent\.wal\.hostPath/],
  ])('refuses %j', (sets, message) => {
    expect(() => renderBundle({ preset: 'eks', sets }, {})).toThrow();
    try {
      renderBundle({ preset: 'eks', sets }, {});
    } catch (err) {
      const text = `${(err as Error).message} ${JSON.stringify((err as any).problems ?? (err as any).errors ?? '')}`;
      expect(text).toMatch(message);
    }
  });
});
