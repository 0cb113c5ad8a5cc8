/**
 * Discovery from a live API server: the live ClusterSource against the fake
 * API server (test/support/fake-apiserver.ts, HTTPS with an openssl
 * certificate): list + watch into the snapshot, namespaces and selectors sent
 * server-side, 410 Gone, an API server restart, bookmarks, token rotation, and
 * the in-cluster / kubeconfig / api_server connection settings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterSource, SdConfigEntry } from '../src/runtime/cluster-source.js';
import { discover, type DiscoveryRole } from '../src/runtime/semantics/discovery/discover.js';
import type { TargetGroup } from '../src/runtime/semantics/discovery/group.js';
import { SNAPSHOT_RESOURCES, type Snapshot } from '../src/runtime/semantics/snapshot.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { liveClusterSourceWith, type LiveSourceOptions } from '../src/runtime/kube-api/source.js';
import { FakeApiServer, type FakeObject } from './support/fake-apiserver.js';

let api: FakeApiServer;
let dir: string;
let tokenFile: string;
const sources: ClusterSource[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8smon-kube-api-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 't0\n');
  api = await FakeApiServer.start({ tokens: ['t0'] });
});

afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const FAST: LiveSourceOptions = { initialBackoffMs: 20, maxBackoffMs: 100, coalesceMs: 5, watchTimeoutSeconds: () => 60 };

/** A live source for `sd` on the fake API server (api_server, its CA, the token file). */
function open(sd: Partial<SdConfigEntry> & { role: DiscoveryRole }, options: LiveSourceOptions = {}, context: { ownNamespace?: string } = {}): ClusterSource {
  const entry = { api_server: api.url, tls_config: { ca_file: api.caFile }, bearer_token_file: tokenFile, ...sd } as SdConfigEntry;
  const source = liveClusterSourceWith({ ...FAST, ...options })(entry, context);
  sources.push(source);
  return source;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pod = (namespace: string, name: string, node: string, labels: Record<string, string> = {}, ip = '10.0.0.1'): FakeObject => ({
  metadata: { name, namespace, labels, uid: `uid-${namespace}-${name}`, managedFields: [{ manager: 'kubelet' }] },
  spec: { nodeName: node, containers: [{ name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'X', value: 'y' }] }] },
  status: { phase: 'Running', podIP: ip, hostIP: '192.168.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
});

const names = (s: Snapshot, resource: 'pods' | 'services' | 'nodes' = 'pods'): string[] => (s[resource] ?? []).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
const bySource = (groups: TargetGroup[]): TargetGroup[] => [...groups].sort((a, b) => a.source.localeCompare(b.source));

describe('live discovery (fake API server, openssl certificate)', () => {
  it('lists then watches: added, modified and deleted objects reach the snapshot, listeners are coalesced, objects are slimmed', async () => {
    api.add('pods', pod('default', 'a', 'n1'), pod('default', 'b', 'n1'), pod('kube-system', 'c', 'n2'), pod('default', 'd', 'n2'), pod('default', 'e', 'n2'));
    const listedAt = api.resourceVersion;
    // Listeners wait 150 ms after a change, so three events written at once reach them as one call however loaded the machine.
    const source = open({ role: 'pod' }, { pageSize: 2, coalesceMs: 150 });
    let calls = 0;
    source.onChange(() => calls++);
    await source.ready();
    expect(names(source.snapshot())).toEqual(['default/a', 'default/b', 'default/d', 'default/e', 'kube-system/c']);
    // Paged: three pages of two, each after the first with the continue token.
    const lists = api.requestsFor('pods', 'list');
    expect(lists.map((r) => [r.query.limit, r.query.continue !== undefined])).toEqual([['2', false], ['2', true], ['2', true]]);
    // Only what discovery reads is kept.
    const a = source.snapshot().pods!.find((p) => p.metadata.name === 'a')!;
    expect(JSON.stringify(a)).not.toContain('managedFields');
    expect(JSON.stringify(a)).not.toContain('env');
    expect(a.spec?.containers?.[0]?.ports?.[0]?.containerPort).toBe(8080);

    // The same object until something changes.
    const first = source.snapshot();
    expect(source.snapshot()).toBe(first);

    await waitFor('the watch', () => api.openWatches('pods') === 1);
    await waitFor('the call for the list', () => calls === 1);
    calls = 0;
    api.add('pods', pod('default', 'f', 'n1'));
    api.apply('pods', pod('default', 'a', 'n1', { version: '2' }));
    api.remove('pods', 'default', 'b');
    await waitFor('the events', () => names(source.snapshot()).join() === 'default/a,default/d,default/e,default/f,kube-system/c');
    expect(source.snapshot()).not.toBe(first);
    expect(source.snapshot().pods!.find((p) => p.metadata.name === 'a')!.metadata.labels).toEqual({ version: '2' });
    await waitFor('the listener', () => calls > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1); // three events written at once, one call
    const status = source.status();
    expect(status).toEqual([{ resource: 'pods', synced: true, lists: 1, events: 3, failures: 0 }]);
    // The watch starts from the list's resourceVersion, with bookmarks and a timeout.
    const watch = api.requestsFor('pods', 'watch')[0]!;
    expect(watch.query).toMatchObject({ resourceVersion: listedAt, allowWatchBookmarks: 'true', timeoutSeconds: '60', watch: '1' });
  });

  it('a re-list of 1,000 objects calls the listeners once', async () => {
    const source = open({ role: 'pod' });
    await source.ready();
    let calls = 0;
    source.onChange(() => calls++);
    await api.stop();
    for (let i = 0; i < 1000; i++) api.add('pods', pod('default', `p${i}`, 'n1'));
    api.compact();
    await api.restart();
    await waitFor('the re-list', () => (source.snapshot().pods ?? []).length === 1000);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1);
    expect(source.status()[0]!.lists).toBe(2);
  });

  for (const role of ['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'] as const) {
    it(`discovers on the live snapshot exactly what it discovers on the same objects as a static snapshot (${role})`, async () => {
      const cluster = syntheticCluster({ nodes: 3, podsPerNode: 4 });
      const namespaces = [...new Set((cluster.pods ?? []).map((p) => p.metadata.namespace!))].map((n, i) => ({ metadata: { name: n, labels: { team: `t${i}` } } }));
      const staticSnapshot: Snapshot = { ...cluster, namespaces, ingresses: [{ metadata: { name: 'web', namespace: 'default' }, spec: { rules: [{ host: 'a.example', http: { paths: [{ path: '/' }] } }] } }] };
      for (const r of SNAPSHOT_RESOURCES) for (const o of staticSnapshot[r] ?? []) api.add(r, o as FakeObject);
      const sd = { role, attach_metadata: role === 'node' ? {} : { namespace: true, ...(role === 'ingress' || role === 'service' ? {} : { node: true }) } } as SdConfigEntry;
      const source = open(sd);
      await source.ready();
      const live = bySource(discover(role, source.snapshot(), { attach_metadata: sd.attach_metadata }));
      expect(live.length).toBeGreaterThan(0);
      expect(live).toEqual(bySource(discover(role, staticSnapshot, { attach_metadata: sd.attach_metadata })));
    });
  }

  it('sends the namespaces and each role’s selectors server-side, cluster-scoped resources cluster-wide', async () => {
    api.add('pods', pod('a', 'on-n1', 'n1'), pod('a', 'on-n2', 'n2'), pod('c', 'other-ns', 'n1'));
    api.add('services', { metadata: { name: 'web', namespace: 'a', labels: { app: 'web' } } }, { metadata: { name: 'db', namespace: 'a', labels: { app: 'db' } } });
    api.add('nodes', { metadata: { name: 'n1' } }, { metadata: { name: 'n2' } });
    const source = open({
      role: 'endpoints',
      namespaces: { names: ['a', 'b'] },
      selectors: [
        { role: 'pod', field: 'spec.nodeName=n1' },
        { role: 'service', label: 'app=web' },
        { role: 'endpoints', label: 'tier in (front)' },
      ],
      attach_metadata: { node: true, namespace: true },
    });
    await source.ready();
    const lists = api.requests.filter((r) => !r.watch).map((r) => `${r.path}?${['labelSelector', 'fieldSelector'].filter((k) => r.query[k] !== undefined).map((k) => `${k}=${r.query[k]}`).join('&')}`);
    expect(lists.sort()).toEqual(
      [
        '/api/v1/namespaces/a/endpoints?labelSelector=tier in (front)',
        '/api/v1/namespaces/b/endpoints?labelSelector=tier in (front)',
        '/api/v1/namespaces/a/services?labelSelector=app=web',
        '/api/v1/namespaces/b/services?labelSelector=app=web',
        '/api/v1/namespaces/a/pods?fieldSelector=spec.nodeName=n1',
        '/api/v1/namespaces/b/pods?fieldSelector=spec.nodeName=n1',
        '/api/v1/nodes?',
        '/api/v1/namespaces?',
      ].sort(),
    );
    // The server filtered: only the matching objects were sent.
    expect(names(source.snapshot())).toEqual(['a/on-n1']);
    expect(names(source.snapshot(), 'services')).toEqual(['a/web']);
    expect(source.status().map((s) => `${s.resource}:${s.namespace ?? '*'}`)).toEqual(['endpoints:a', 'endpoints:b', 'services:a', 'services:b', 'pods:a', 'pods:b', 'nodes:*', 'namespaces:*']);
    // Watches carry the same selectors; an object modified out of the selector is deleted from the snapshot.
    await waitFor('the watches', () => api.openWatches('pods') === 2);
    expect(api.requestsFor('pods', 'watch').map((r) => r.query.fieldSelector)).toEqual(['spec.nodeName=n1', 'spec.nodeName=n1']);
    api.apply('pods', pod('a', 'on-n1', 'n2'));
    await waitFor('the pod to leave', () => names(source.snapshot()).length === 0);
  });

  it('own_namespace: the agent’s namespace is watched', async () => {
    api.add('pods', pod('monitoring', 'agent', 'n1'), pod('default', 'app', 'n1'));
    const connection = { server: api.url, origin: 'test', ca: api.caPem, authorization: { type: 'Bearer', credentials: { file: tokenFile } } };
    const source = liveClusterSourceWith({ ...FAST, connection })({ role: 'pod', namespaces: { own_namespace: true } }, { ownNamespace: 'monitoring' });
    sources.push(source);
    await source.ready();
    expect(api.requestsFor('pods', 'list').map((r) => r.path)).toEqual(['/api/v1/namespaces/monitoring/pods']);
    expect(names(source.snapshot())).toEqual(['monitoring/agent']);
  });

  for (const mode of ['status', 'event'] as const) {
    it(`410 Gone (${mode === 'status' ? 'as an HTTP status' : 'as a watch ERROR event'}) re-lists at once, without losing or keeping stale objects`, async () => {
      api.add('pods', pod('default', 'a', 'n1'), pod('default', 'b', 'n1'));
      const source = open({ role: 'pod' });
      await source.ready();
      await waitFor('the watch', () => api.openWatches('pods') === 1);
      const before = source.snapshot();
      api.goneOnNextWatch(mode);
      api.endWatches();
      await waitFor('the re-list', () => source.status()[0]!.lists === 2);
      await waitFor('the next watch', () => api.openWatches('pods') === 1);
      // Nothing changed: the re-list keeps the snapshot (callers cache on its identity).
      expect(source.snapshot()).toBe(before);
      expect(source.status()[0]).toMatchObject({ synced: true, lists: 2, failures: 0 });
      expect(source.status()[0]!.lastError).toBeUndefined();
      api.add('pods', pod('default', 'c', 'n1'));
      await waitFor('the new pod', () => names(source.snapshot()).length === 3);
      expect(names(source.snapshot())).toEqual(['default/a', 'default/b', 'default/c']);
      // The first list may be answered from the API server's cache (resourceVersion 0), the re-list must be the latest.
      expect(api.requestsFor('pods', 'list').map((r) => r.query.resourceVersion)).toEqual(['0', undefined]);
    });
  }

  for (const mode of ['status', 'event'] as const) {
    it(`410 Gone (${mode}) again and again right after each re-list: re-lists with a growing backoff, not in a busy loop`, async () => {
      api.add('pods', pod('default', 'a', 'n1'));
      const source = open({ role: 'pod' });
      await source.ready();
      await waitFor('the watch', () => api.openWatches('pods') === 1);
      for (let i = 0; i < 5; i++) api.goneOnNextWatch(mode, 'pods');
      const started = Date.now();
      api.endWatches();
      await waitFor('five re-lists', () => source.status()[0]!.lists === 6);
      await waitFor('the watch', () => api.openWatches('pods') === 1);
      // The first 410 re-lists at once; the next four wait 20, 40, 80 and 100 ms (FAST's backoff).
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      expect(source.status()[0]).toMatchObject({ failures: 0, lists: 6 });
      expect(names(source.snapshot())).toEqual(['default/a']);
    });
  }

  it('an object deleted while disconnected is gone after the re-list a compacted history forces', async () => {
    api.add('pods', pod('default', 'a', 'n1'), pod('default', 'b', 'n1'));
    const source = open({ role: 'pod' });
    await source.ready();
    await waitFor('the watch', () => api.openWatches('pods') === 1);
    await api.stop();
    api.remove('pods', 'default', 'a');
    api.apply('pods', pod('default', 'b', 'n1', { changed: 'yes' }));
    api.add('pods', pod('default', 'c', 'n1'));
    api.compact(); // the watch history no longer covers the client's resourceVersion
    await api.restart();
    await waitFor('the re-list', () => source.status()[0]!.lists === 2);
    expect(names(source.snapshot())).toEqual(['default/b', 'default/c']);
    expect(source.snapshot().pods!.find((p) => p.metadata.name === 'b')!.metadata.labels).toEqual({ changed: 'yes' });
  });

  it('API server stopped and restarted on the same port: failures while down, then the watch resumes where it was', async () => {
    api.add('pods', pod('default', 'a', 'n1'));
    const seen: string[] = [];
    const source = open({ role: 'pod' }, { onError: (s) => seen.push(s.lastError ?? '') });
    await source.ready();
    await waitFor('the watch', () => api.openWatches('pods') === 1);
    await api.stop();
    await waitFor('failures', () => source.status()[0]!.failures >= 2);
    const down = source.status()[0]!;
    expect(down.synced).toBe(true);
    expect(down.lastError).toMatch(/ECONNREFUSED|closed|ECONNRESET|aborted|socket hang up/);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    api.add('pods', pod('default', 'while-down', 'n1'));
    api.remove('pods', 'default', 'a');
    await api.restart();
    await waitFor('recovery', () => names(source.snapshot()).join() === 'default/while-down');
    await waitFor('the watch to reconnect', () => source.status()[0]!.lastError === undefined);
    // The history covered the outage: the watch resumed from its resourceVersion, no re-list.
    expect(source.status()[0]!.lists).toBe(1);
    // Backoff: retries spaced out, not a busy loop.
    expect(api.requestsFor('pods', 'watch').length).toBeLessThan(40);
  });

  it('bookmarks advance the resourceVersion a reconnecting watch starts from', async () => {
    api.add('pods', pod('default', 'a', 'n1'));
    const source = open({ role: 'pod' });
    await source.ready();
    await waitFor('the watch', () => api.openWatches('pods') === 1);
    const listed = api.requestsFor('pods', 'watch')[0]!.query.resourceVersion;
    api.add('services', { metadata: { name: 's1', namespace: 'default' } }, { metadata: { name: 's2', namespace: 'default' } });
    api.sendBookmarks();
    const bookmark = api.resourceVersion;
    expect(Number(bookmark)).toBeGreaterThan(Number(listed));
    api.endWatches(); // a watch timeout: the bookmark is read before the end
    await waitFor('the second watch', () => api.requestsFor('pods', 'watch').length === 2);
    expect(api.requestsFor('pods', 'watch')[1]!.query.resourceVersion).toBe(bookmark);
    expect(source.status()[0]).toMatchObject({ lists: 1, events: 0, failures: 0 });
  });

  it('a replaced token file is used for the next request', async () => {
    const source = open({ role: 'pod' });
    await source.ready();
    await waitFor('the watch', () => api.openWatches('pods') === 1);
    writeFileSync(tokenFile, 't1\n');
    api.setTokens(['t1']);
    api.endWatches();
    await waitFor('the second watch', () => api.requestsFor('pods', 'watch').length === 2);
    const second = api.requestsFor('pods', 'watch')[1]!;
    expect(second.authorization).toBe('Bearer t1');
    expect(second.status).toBe(200);
    expect(source.status()[0]!.failures).toBe(0);
  });

  it('ready() waits for every informer’s first list; status() tells which one fails and why', async () => {
    api.failRequests('pods', 403, 3);
    const source = open({ role: 'endpoints' });
    let ready = false;
    void source.ready().then(() => (ready = true));
    await waitFor('the pods failures', () => source.status().find((s) => s.resource === 'pods')!.failures >= 2);
    expect(ready).toBe(false);
    const byResource = Object.fromEntries(source.status().map((s) => [s.resource, s]));
    expect(byResource.endpoints).toMatchObject({ synced: true, lists: 1, failures: 0 });
    expect(byResource.services).toMatchObject({ synced: true, lists: 1, failures: 0 });
    expect(byResource.pods).toMatchObject({ synced: false, lists: 0 });
    expect(byResource.pods!.lastError).toMatch(/403 pods is forbidden/);
    await source.ready();
    expect(source.status().find((s) => s.resource === 'pods')).toMatchObject({ synced: true, lists: 1, failures: 3 });
    expect(source.status().find((s) => s.resource === 'pods')!.lastError).toBeUndefined();
  });

  it('stop() aborts the open watch', async () => {
    const source = open({ role: 'pod' });
    await source.ready();
    await waitFor('the watch', () => api.openWatches('pods') === 1);
    await source.stop();
    await waitFor('the watch to close', () => api.openWatches('pods') === 0);
    const requests = api.requests.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(api.requests.length).toBe(requests);
  });
});

describe('connection settings against the fake API server (openssl certificate)', () => {
  it('in-cluster: KUBERNETES_SERVICE_HOST/PORT, the service account token, CA and namespace (own_namespace)', async () => {
    const files = api.clientFiles(dir, { namespace: 'monitoring' });
    api.add('pods', pod('monitoring', 'agent', 'n1'), pod('default', 'app', 'n1'));
    const source = liveClusterSourceWith({ ...FAST, env: files.env, serviceAccountDir: files.serviceAccountDir })({ role: 'pod', namespaces: { own_namespace: true } }, {});
    sources.push(source);
    await source.ready();
    expect(names(source.snapshot())).toEqual(['monitoring/agent']);
    expect(api.requestsFor('pods', 'list')[0]).toMatchObject({ path: '/api/v1/namespaces/monitoring/pods', authorization: 'Bearer t0' });
  });

  it('kubeconfig_file written by the fake server’s clientFiles', async () => {
    const files = api.clientFiles(dir);
    const source = liveClusterSourceWith(FAST)({ role: 'service', kubeconfig_file: files.kubeconfig }, {});
    sources.push(source);
    await source.ready();
    expect(api.requestsFor('services', 'list')[0]!.authorization).toBe('Bearer t0');
  });

  it('kubeconfig_file: the current context’s server, CA data and token file', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(join(dir, 'kube-token'), 't0\n');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: fake',
        'clusters:',
        `- name: fake`,
        `  cluster: { server: "${api.url}", certificate-authority-data: ${api.caPem.toString('base64')} }`,
        'users:',
        '- name: me',
        '  user: { tokenFile: kube-token }',
        'contexts:',
        '- name: fake',
        '  context: { cluster: fake, user: me }',
      ].join('\n'),
    );
    api.add('nodes', { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.1.1.1' }] } });
    const source = liveClusterSourceWith(FAST)({ role: 'node', kubeconfig_file: kubeconfig }, {});
    sources.push(source);
    await source.ready();
    expect(names(source.snapshot(), 'nodes')).toEqual(['/n1']);
    expect(api.requestsFor('nodes', 'list')[0]!.authorization).toBe('Bearer t0');
  });

  it('tls_config cert_file / key_file: a client certificate the server requires (no token)', async () => {
    const mtls = await FakeApiServer.start({ clientCertificate: true });
    try {
      mtls.add('pods', pod('default', 'a', 'n1'));
      const entry = { role: 'pod', api_server: mtls.url, tls_config: { ca_file: mtls.caFile, cert_file: mtls.clientCertFile, key_file: mtls.clientKeyFile } } as SdConfigEntry;
      const source = liveClusterSourceWith(FAST)(entry, {});
      sources.push(source);
      await source.ready();
      expect(names(source.snapshot())).toEqual(['default/a']);
      // Without the certificate the handshake is refused.
      const without = liveClusterSourceWith(FAST)({ role: 'pod', api_server: mtls.url, tls_config: { ca_file: mtls.caFile } } as SdConfigEntry, {});
      sources.push(without);
      await waitFor('failures', () => without.status()[0]!.failures >= 1);
      expect(without.status()[0]!.synced).toBe(false);
    } finally {
      for (const s of sources.splice(0)) await s.stop();
      await mtls.close();
    }
  });

  it('a wrong CA fails the TLS handshake: failures counted, never synced', async () => {
    const other = await FakeApiServer.start({ ownCertificate: true });
    try {
      const source = open({ role: 'pod', tls_config: { ca_file: other.caFile } });
      await waitFor('failures', () => source.status()[0]!.failures >= 1);
      expect(source.status()[0]).toMatchObject({ synced: false, lists: 0 });
      expect(source.status()[0]!.lastError).toMatch(/certificate/i);
    } finally {
      await other.close();
    }
  });

  it('a refused token: 401 counted as a failure with the server’s message', async () => {
    writeFileSync(tokenFile, 'wrong');
    const source = open({ role: 'pod' });
    await waitFor('failures', () => source.status()[0]!.failures >= 1);
    expect(source.status()[0]!.lastError).toMatch(/401 Unauthorized/);
  });
});

describe('the watch stream (plain HTTP server writing odd chunks)', () => {
  it('reads newline-delimited events split anywhere, several to a chunk, a multi-byte character cut in two', async () => {
    const { createServer } = await import('node:http');
    const { KubeClient } = await import('../src/runtime/kube-api/client.js');
    const event = (name: string): string => JSON.stringify({ type: 'ADDED', object: { metadata: { name, namespace: 'ns', resourceVersion: '7', annotations: { note: 'café ☕' } } } });
    const bytes = Buffer.from(`${event('a')}\n${event('b')}\n\n${event('c')}\n${event('d')}`); // the last line has no newline
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // Cuts at every 7 bytes: inside JSON, between lines, and through the UTF-8 bytes of é and ☕.
      let i = 0;
      const next = (): void => {
        if (i >= bytes.length) return void res.end();
        res.write(bytes.subarray(i, (i += 7)));
        setImmediate(next);
      };
      next();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const client = new KubeClient({ server: `http://127.0.0.1:${port}`, origin: 'test' });
      const seen: string[] = [];
      await client.watch('/api/v1/pods', {}, new AbortController().signal, 5000, (e) => seen.push(`${e.object.metadata.name}:${(e.object.metadata.annotations as Record<string, string>).note}`));
      expect(seen).toEqual(['a:café ☕', 'b:café ☕', 'c:café ☕', 'd:café ☕']);
    } finally {
      server.close();
    }
  });
});
