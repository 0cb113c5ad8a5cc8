/**
 * Capturing a cluster (`k8smon snapshot`, `targets --context`): listed a page at a
 * time through a fake kubectl that answers like an API server, and slimmed to the
 * fields discovery reads, without changing what discovery finds.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discover, DISCOVERY_ROLES, SELECTOR_ROLES, type DiscoveryRole, type KubernetesSdOptions } from '../src/runtime/semantics/discovery/discover.js';
import { SNAPSHOT_RESOURCES, slimObject, type Snapshot } from '../src/runtime/semantics/snapshot.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { BIN, runCli } from './support/cli.js';
import { PtySession } from './support/pty.js';
import { requireTool } from './support/tools.js';

const FAKE_DIR = fileURLToPath(new URL('./support/fake-kubectl', import.meta.url));

function slim(snapshot: Snapshot): Snapshot {
  const out: Record<string, unknown> = {};
  for (const r of SNAPSHOT_RESOURCES) if (snapshot[r] !== undefined) out[r] = (snapshot[r] as never[]).map((o) => slimObject(r, o));
  return out as Snapshot;
}

/** The snapshot's objects with what real API objects also carry, at every level discovery looks into. */
function fattened(snapshot: Snapshot): Snapshot {
  const junk = { managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:x': {} } }], resourceVersion: '123', creationTimestamp: '2026-01-01T00:00:00Z' };
  const out = structuredClone(snapshot) as any;
  for (const r of SNAPSHOT_RESOURCES) {
    for (const o of out[r] ?? []) {
      Object.assign(o.metadata, junk);
      o.apiVersion = 'v1';
      if (r === 'pods') {
        Object.assign(o.spec, { volumes: [{ name: 'data', emptyDir: {} }], restartPolicy: 'Always', schedulerName: o.metadata.name.endsWith('1') ? 'custom' : 'default-scheduler', serviceAccountName: 'default', hostNetwork: false, tolerations: [{ operator: 'Exists' }] });
        for (const c of o.spec.containers ?? []) Object.assign(c, { env: [{ name: 'A', value: 'b' }], resources: { limits: { cpu: '1' } }, imagePullPolicy: 'IfNotPresent' });
        for (const c of o.status.containerStatuses ?? []) Object.assign(c, { ready: true, restartCount: 0, state: { running: {} }, image: 'x' });
        Object.assign(o.status, { qosClass: 'Burstable', startTime: '2026-01-01T00:00:00Z', podIPs: [{ ip: o.status.podIP }] });
      }
      if (r === 'nodes') Object.assign(o.status, { capacity: { cpu: '4' }, images: [{ names: ['a'] }], nodeInfo: { kubeletVersion: 'v1.31.0' } });
      if (r === 'services') Object.assign(o.spec, { sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
      if (r === 'endpointslices') for (const e of o.endpoints ?? []) e.conditions = { ...e.conditions, extra: true };
    }
  }
  return out as Snapshot;
}

describe('slimming a snapshot to the fields discovery reads', () => {
  const cluster = syntheticCluster({ nodes: 4, podsPerNode: 6 });

  it('keeps every field of the generated cluster (all of them are fields discovery reads)', () => {
    const { apiVersions: _notAnObjectList, ...objects } = cluster;
    expect(slim(cluster)).toEqual(objects);
  });

  it('drops what real objects carry besides', () => {
    const fat = fattened(cluster);
    expect(JSON.stringify(slim(fat)).length).toBeLessThan(JSON.stringify(fat).length * 0.7);
    expect(JSON.stringify(slim(fat))).not.toMatch(/managedFields|volumes|"env"|qosClass|nodeInfo/);
  });

  const OPTIONS: KubernetesSdOptions[] = [
    {},
    { attach_metadata: { node: true } },
    { namespaces: { names: ['team-0', 'team-1', 'default'] } },
    { selectors: [{ role: 'pod', field: 'spec.schedulerName=custom,spec.restartPolicy=Always,status.phase=Running' }] },
    { selectors: [{ role: 'pod', field: 'spec.hostNetwork=false,spec.serviceAccountName=default' }, { role: 'node', field: 'spec.unschedulable!=true' }] },
    { selectors: [{ role: 'service', field: 'spec.type!=ExternalName' }, { role: 'ingress', field: 'metadata.namespace!=kube-system' }] },
  ];
  // Each role with the selectors Prometheus lets it take (a node selector on role pod is refused when the config loads).
  const casesOf = (role: DiscoveryRole): (readonly [DiscoveryRole, KubernetesSdOptions])[] =>
    OPTIONS.flatMap((o) => {
      if (o.selectors === undefined) return [[role, o] as const];
      const allowed = o.selectors.filter((sel) => SELECTOR_ROLES[role].includes(sel.role));
      return allowed.length === 0 ? [] : [[role, { ...o, selectors: allowed }] as const];
    });
  it.each(DISCOVERY_ROLES.flatMap(casesOf))('does not change what discovery finds: role %s, options %j', (role, options) => {
    const fat = fattened(cluster);
    const found = discover(role, fat, options);
    expect(found.length).toBeGreaterThan(0);
    expect(discover(role, slim(fat), options)).toEqual(found);
  });
});

describe('k8smon snapshot against a fake API server (paged kubectl get --raw)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-capture-'));
  const clusterWith = (snapshot: Snapshot, name: string): string => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(snapshot));
    return file;
  };
  const env = (clusterFile: string, extra: Record<string, string> = {}) => ({
    PATH: `${FAKE_DIR}${delimiter}${process.env.PATH}`,
    FAKE_KUBECTL_MODE: 'cluster',
    FAKE_KUBECTL_CLUSTER: clusterFile,
    FAKE_KUBECTL_LOG: join(dir, `${Math.random()}.log`),
    ...extra,
  });

  it('lists every resource page by page and writes the slimmed objects as one JSON document', async () => {
    const cluster = syntheticCluster({ nodes: 80, podsPerNode: 30 }); // 2,402 pods: three pages
    const e = env(clusterWith(fattened(cluster), 'fat.json'));
    const r = await runCli(['snapshot', '--context', 'prod'], { env: e });
    expect(r.exitCode).toBe(0);
    const snap = JSON.parse(r.stdout);
    expect(r.stdout).toBe(`${JSON.stringify(snap)}\n`);
    expect(snap.pods).toHaveLength(cluster.pods!.length);
    expect(snap).toEqual({ ...slim(fattened(cluster)), apiVersions: ['apps/v1', 'discovery.k8s.io/v1', 'v1'] });
    const calls = readFileSync(e.FAKE_KUBECTL_LOG, 'utf8').trim().split('\n').map((l: string) => JSON.parse(l).args as string[]);
    expect(calls.filter((a: string[]) => a.includes('/api/v1/pods?limit=1000') || a.some((x) => x.startsWith('/api/v1/pods?'))).map((a: string[]) => a.at(-1))).toEqual([
      '/api/v1/pods?limit=1000',
      '/api/v1/pods?limit=1000&continue=1000',
      '/api/v1/pods?limit=1000&continue=2000',
    ]);
    expect(calls.every((a: string[]) => a.includes('--context=prod'))).toBe(true);
    expect(r.stderr).toMatch(new RegExp(`pods: ${cluster.pods!.length}\\n`));
  });

  it('captures a cluster whose object lists add up to more than kubectl output execa keeps (100 MB)', async () => {
    // Over 12,000 pods of ~10 KB each, as real pods are: 120 MB in one `kubectl get pods -o json`.
    const cluster = syntheticCluster({ nodes: 400, podsPerNode: 30 });
    const r = await runCli(['snapshot'], { env: env(clusterWith(cluster, 'big.json'), { FAKE_KUBECTL_PAD: '10000' }) });
    expect(r.stderr).toMatch(/^.*reading the cluster of kubectl context kind-fake\n/);
    expect(r.stderr).not.toMatch(/maxBuffer|failed/);
    expect(r.exitCode).toBe(0);
    const snap = JSON.parse(r.stdout);
    expect(snap.pods).toHaveLength(cluster.pods!.length);
    expect(r.stdout.length).toBeLessThan(20e6);
    expect(cluster.pods!.length).toBeGreaterThan(12_000);
    expect(r.stderr).toMatch(new RegExp(`pods: 10000 so far\\n(.*\\n)*pods: ${cluster.pods!.length}\\n`));
  }, 60_000);

  it('leaves out, with a warning, a resource whose API the cluster does not serve', async () => {
    const { ingresses: _gone, ...cluster } = syntheticCluster({ nodes: 2, podsPerNode: 2 });
    const r = await runCli(['snapshot'], { env: env(clusterWith(cluster, 'no-ingress.json')) });
    expect(r.exitCode).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'apiVersions']);
    expect(r.stderr).toMatch(/does not serve \/apis\/networking\.k8s\.io\/v1\/ingresses: no ingresses in the snapshot/);
  });

  it('tries a page again when the API server fails it for a passing reason, and says so', async () => {
    const cluster = syntheticCluster({ nodes: 40, podsPerNode: 30 }); // two pages of pods
    const e = env(clusterWith(cluster, 'flaky.json'), { FAKE_KUBECTL_FLAKY: '/api/v1/pods' });
    const r = await runCli(['snapshot'], { env: e });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).pods).toHaveLength(cluster.pods!.length);
    expect(r.stderr).toMatch(/retrying \/api\/v1\/pods\?limit=1000 \(Error from server \(InternalError\)/);
    const pageCalls = readFileSync(e.FAKE_KUBECTL_LOG, 'utf8').trim().split('\n').filter((l) => l.includes('/api/v1/pods?'));
    expect(pageCalls).toHaveLength(4);
  });

  it('does not retry what asking again cannot change (Forbidden), and names the request', async () => {
    const e = env(clusterWith(syntheticCluster({ nodes: 2, podsPerNode: 2 }), 'forbidden.json'), { FAKE_KUBECTL_FORBIDDEN: '/api/v1/pods' });
    const r = await runCli(['snapshot'], { env: e });
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/kubectl get --raw \/api\/v1\/pods\?limit=1000 failed \(exit 1\):\nError from server \(Forbidden\): pods is forbidden/);
    expect(readFileSync(e.FAKE_KUBECTL_LOG, 'utf8').trim().split('\n').filter((l) => l.includes('/api/v1/pods?'))).toHaveLength(1);
  });

  it('without --context says which context it reads, and asks for one when kubectl has none', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'k8smon-nocontext-'));
    writeFileSync(join(bare, 'kubectl'), '#!/bin/sh\necho "error: current-context is not set" >&2\nexit 1\n', { mode: 0o755 });
    const r = await runCli(['snapshot'], { env: { PATH: `${bare}${delimiter}${process.env.PATH}` } });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--context: not given, and kubectl has no current context; pass --context/);
  });

  it('refuses to write a snapshot to a terminal, before reading the cluster', async () => {
    const e = env(clusterWith(syntheticCluster({ nodes: 2, podsPerNode: 2 }), 'tty.json'));
    const pty = new PtySession([process.execPath, BIN, 'snapshot', '--context', 'prod'], e, dir);
    await pty.waitFor(/redirect it: k8smon snapshot --context prod > cluster\.json/);
    expect(await pty.exit()).toBe(2);
    expect(pty.text()).toMatch(/Not writing a snapshot to a terminal/);
    expect(existsSync(e.FAKE_KUBECTL_LOG)).toBe(false);
  });

  it('targets --context previews the cluster read the same way', async () => {
    const cluster = syntheticCluster({ nodes: 3, podsPerNode: 4 });
    const file = clusterWith(fattened(cluster), 'live.json');
    const live = await runCli(['targets', '--profile', 'kubeadm', '--context', 'prod', '-o', 'json'], { env: env(file) });
    const snapFile = clusterWith(cluster, 'offline.json');
    const offline = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapFile, '-o', 'json']);
    expect(live.exitCode).toBe(0);
    expect(JSON.parse(live.stdout).targets).toEqual(JSON.parse(offline.stdout).targets);
    expect(JSON.parse(live.stdout).targets.length).toBeGreaterThan(0);
  });

  it('targets --context --job lists only what that job discovers (and the nodes its DaemonSet runs on)', async () => {
    const cluster = syntheticCluster({ nodes: 3, podsPerNode: 4 });
    const e = env(clusterWith(cluster, 'live-job.json'));
    const live = await runCli(['targets', '--profile', 'kubeadm', '--context', 'prod', '--job', 'kubelet', '-o', 'json'], { env: e });
    expect(live.exitCode).toBe(0);
    expect(live.stderr).toMatch(/listing only what these jobs read: nodes\n/);
    const paths = readFileSync(e.FAKE_KUBECTL_LOG, 'utf8').trim().split('\n').map((l) => (JSON.parse(l).args as string[]).at(-1)!).filter((a) => a.startsWith('/'));
    expect(paths).toEqual(['/api/v1/nodes?limit=1000']);
    const offline = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', clusterWith(cluster, 'offline-job.json'), '--job', 'kubelet', '-o', 'json']);
    expect(JSON.parse(live.stdout).targets).toEqual(JSON.parse(offline.stdout).targets);
    expect(JSON.parse(live.stdout).targets).toHaveLength(3);
    // A job that discovers pods reads the pods (and its DaemonSet's nodes), still not Services or Ingresses.
    const pods = env(clusterWith(cluster, 'live-pods.json'));
    expect((await runCli(['targets', '--profile', 'kubeadm', '--context', 'prod', '--job', 'kubernetes-pods'], { env: pods })).exitCode).toBe(0);
    const podPaths = readFileSync(pods.FAKE_KUBECTL_LOG, 'utf8').trim().split('\n').map((l) => (JSON.parse(l).args as string[]).at(-1)!).filter((a) => a.startsWith('/'));
    expect(podPaths).toEqual(['/api/v1/nodes?limit=1000', '/api/v1/pods?limit=1000']);
  });
});

describe('k8smon snapshot with the real kubectl against an HTTP API server', () => {
  // What the fake kubectl cannot show: that kubectl get --raw passes our query strings and
  // continue tokens through, and reports a missing API in the words capture looks for.
  it('pages with opaque continue tokens, follows --kubeconfig/--context, leaves out an API that answers 404', async () => {
    requireTool('kubectl', 'install kubectl (Debian: apt-get install kubernetes-client)');
    const cluster = syntheticCluster({ nodes: 40, podsPerNode: 30 }); // 1,202 pods: two pages
    const resources: Record<string, keyof Snapshot> = { '/api/v1/nodes': 'nodes', '/api/v1/pods': 'pods', '/api/v1/services': 'services', '/api/v1/endpoints': 'endpoints', '/apis/discovery.k8s.io/v1/endpointslices': 'endpointslices' };
    const requests: string[] = [];
    const server: Server = createServer((req, res) => {
      requests.push(req.url!);
      const url = new URL(req.url!, 'http://apiserver');
      const resource = resources[url.pathname];
      res.setHeader('content-type', 'application/json');
      if (resource === undefined) {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 }));
        return;
      }
      const items = cluster[resource] as unknown[];
      // A token with characters that must be escaped in a query string, as real tokens (base64) have.
      const start = url.searchParams.has('continue') ? Number(Buffer.from(url.searchParams.get('continue')!, 'base64').toString().split('/')[1]) : 0;
      const end = start + Number(url.searchParams.get('limit'));
      const token = end < items.length ? Buffer.from(`rv:1/${end}/+=`).toString('base64') : undefined;
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: token ? { continue: token } : {}, items: items.slice(start, end) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'k8smon-apiserver-'));
      const kubeconfig = join(dir, 'config');
      const { port } = server.address() as AddressInfo;
      writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\ncontexts: [{name: fake, context: {cluster: c, user: u}}, {name: other, context: {cluster: nowhere, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: other\n`);
      const r = await runCli(['snapshot', '--kubeconfig', kubeconfig, '--context', 'fake']);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.exitCode).toBe(0);
      const snap = JSON.parse(r.stdout);
      expect(snap.pods.map((p: any) => p.metadata.name)).toEqual(cluster.pods!.map((p) => p.metadata.name));
      expect(snap.nodes).toEqual(cluster.nodes);
      expect(snap.ingresses).toBeUndefined();
      expect(r.stderr).toMatch(/does not serve \/apis\/networking\.k8s\.io\/v1\/ingresses/);
      expect(requests.filter((u) => u.startsWith('/api/v1/pods'))).toHaveLength(2);
    } finally {
      server.close();
    }
  });
});
