/**
 * A small in-memory Kubernetes API server over HTTPS (a self-signed openssl
 * certificate), for tests of live discovery: list (with limit/continue) and
 * watch (resourceVersion, bookmarks, timeoutSeconds, 410 Gone for a compacted
 * history) of the resources discovery reads, label and field selectors,
 * bearer-token authentication, a request log, and faults: 410 on the next
 * watch, stop and restart on the same port.
 *
 *   const api = await FakeApiServer.start({ token: 't0' });
 *   api.add('pods', pod); api.remove('pods', 'ns', 'name');
 *   ... api.url, api.caFile ...; await api.close();
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldSelector, labelSelector } from '../../src/runtime/semantics/discovery/selectors.js';
import { requireTool } from './tools.js';

/** The resources served, by the path segment after the group/version. */
export const FAKE_RESOURCES: Record<string, { groupVersion: string; kind: string; namespaced: boolean }> = {
  pods: { groupVersion: 'v1', kind: 'Pod', namespaced: true },
  services: { groupVersion: 'v1', kind: 'Service', namespaced: true },
  endpoints: { groupVersion: 'v1', kind: 'Endpoints', namespaced: true },
  nodes: { groupVersion: 'v1', kind: 'Node', namespaced: false },
  namespaces: { groupVersion: 'v1', kind: 'Namespace', namespaced: false },
  endpointslices: { groupVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespaced: true },
  ingresses: { groupVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespaced: true },
  replicasets: { groupVersion: 'apps/v1', kind: 'ReplicaSet', namespaced: true },
  jobs: { groupVersion: 'batch/v1', kind: 'Job', namespaced: true },
};

export interface FakeObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface LoggedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  resource: string;
  namespace?: string;
  watch: boolean;
  query: Record<string, string>;
  authorization?: string;
  /** The status the server answered with. */
  status: number;
}

interface Change {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: FakeObject;
  /** The object before a MODIFIED (to send DELETED/ADDED when it leaves/enters a selector). */
  previous?: FakeObject;
}

interface OpenWatch {
  resource: string;
  namespace?: string;
  matches: (o: FakeObject) => boolean;
  bookmarks: boolean;
  res: ServerResponse;
}

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const keyOf = (o: FakeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

let shared: { key: Buffer; cert: Buffer } | undefined;

/** One self-signed certificate (openssl) per test process, shared by the servers it starts (each still writes its own ca.crt). */
function serverCertificate(own: boolean): { key: Buffer; cert: Buffer } {
  if (own) return newCertificate();
  if (shared === undefined) shared = newCertificate();
  return shared;
}

function newCertificate(): { key: Buffer; cert: Buffer } {
  requireTool('openssl', 'apt-get install openssl');
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-fake-apiserver-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=kubernetes', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FakeApiServerOptions {
  /** Bearer tokens accepted; none → no authentication. */
  tokens?: string[];
  /** A certificate of its own rather than the one shared by the process' servers (to test a wrong CA). */
  ownCertificate?: boolean;
  /** Require a client certificate (TLS client authentication): one is made, at clientCertFile / clientKeyFile. */
  clientCertificate?: boolean;
}

export class FakeApiServer {
  /** Every request, in order. */
  readonly requests: LoggedRequest[] = [];
  readonly caFile: string;
  /** With clientCertificate: the certificate and key the server accepts. */
  readonly clientCertFile: string | undefined;
  readonly clientKeyFile: string | undefined;
  private readonly clientCa: Buffer | undefined;
  url = '';
  port = 0;
  private rv = 100;
  private readonly store = new Map<string, Map<string, FakeObject>>(Object.keys(FAKE_RESOURCES).map((r) => [r, new Map()]));
  private history: Change[] = [];
  /** Watches from a resourceVersion older than this get 410 Gone. */
  private oldestRv = 0;
  private readonly watches = new Set<OpenWatch>();
  private failNext: { resource: string; code: number }[] = [];
  private goneNext: { mode: 'status' | 'event'; resource?: string }[] = [];
  private tokens: Set<string> | undefined;
  private server: Server | undefined;
  private readonly dir: string;
  private readonly tls: { key: Buffer; cert: Buffer };

  private constructor(options: FakeApiServerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'k8smon-fake-apiserver-'));
    this.tls = serverCertificate(options.ownCertificate === true);
    this.caFile = join(this.dir, 'ca.crt');
    writeFileSync(this.caFile, this.tls.cert);
    if (options.clientCertificate === true) {
      const client = newCertificate();
      this.clientCertFile = join(this.dir, 'client.crt');
      this.clientKeyFile = join(this.dir, 'client.key');
      writeFileSync(this.clientCertFile, client.cert);
      writeFileSync(this.clientKeyFile, client.key);
      this.clientCa = client.cert;
    }
    this.tokens = options.tokens === undefined ? undefined : new Set(options.tokens);
  }

  /** A server listening on 127.0.0.1 (a free port). */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(options);
    await s.listen(0);
    return s;
  }

  /** The CA certificate (the server's own, self-signed) as PEM. */
  get caPem(): Buffer {
    return this.tls.cert;
  }

  /**
   * Files for a client of this server, in `dir`: a kubeconfig (current-context
   * "fake", the CA inline, the token in a tokenFile) and a service account folder
   * (token, ca.crt, namespace) with the environment an in-cluster client reads.
   */
  clientFiles(dir: string, options: { token?: string; namespace?: string } = {}): { kubeconfig: string; tokenFile: string; serviceAccountDir: string; env: Record<string, string> } {
    const token = options.token ?? [...(this.tokens ?? [''])][0]!;
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${token}\n`);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'fake',
        clusters: [{ name: 'fake', cluster: { server: this.url, 'certificate-authority-data': this.tls.cert.toString('base64') } }],
        users: [{ name: 'fake', user: { tokenFile } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      }),
    );
    const serviceAccountDir = join(dir, 'serviceaccount');
    mkdirSync(serviceAccountDir, { recursive: true });
    writeFileSync(join(serviceAccountDir, 'token'), token);
    writeFileSync(join(serviceAccountDir, 'ca.crt'), this.tls.cert);
    writeFileSync(join(serviceAccountDir, 'namespace'), options.namespace ?? 'monitoring');
    return { kubeconfig, tokenFile, serviceAccountDir, env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(this.port) } };
  }

  /** The bearer tokens accepted from now on. */
  setTokens(tokens: string[]): void {
    this.tokens = new Set(tokens);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  // ---- objects --------------------------------------------------------------

  /** Creates or replaces an object (ADDED or MODIFIED); returns it with its new resourceVersion. */
  apply(resource: string, object: FakeObject): FakeObject {
    const objects = this.objectsOf(resource);
    const o = clone(object);
    o.metadata.resourceVersion = String(++this.rv);
    const previous = objects.get(keyOf(o));
    objects.set(keyOf(o), o);
    this.record({ rv: this.rv, type: previous === undefined ? 'ADDED' : 'MODIFIED', resource, object: o, ...(previous !== undefined ? { previous } : {}) });
    return clone(o);
  }

  add(resource: string, ...objects: FakeObject[]): void {
    for (const o of objects) this.apply(resource, o);
  }

  /** Deletes an object (DELETED); false when there was none. */
  remove(resource: string, namespace: string | undefined, name: string): boolean {
    const objects = this.objectsOf(resource);
    const k = `${namespace ?? ''}/${name}`;
    const o = objects.get(k);
    if (o === undefined) return false;
    objects.delete(k);
    const gone = clone(o);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type: 'DELETED', resource, object: gone });
    return true;
  }

  /** The objects stored, as a list would return them. */
  objects(resource: string): FakeObject[] {
    return [...this.objectsOf(resource).values()].map(clone);
  }

  // ---- faults ---------------------------------------------------------------

  /** The next watch (of `resource`, or any) fails with 410 Gone: as an HTTP status, or as a 200 stream whose first event is an ERROR with code 410. */
  goneOnNextWatch(mode: 'status' | 'event' = 'status', resource?: string): void {
    this.goneNext.push({ mode, ...(resource !== undefined ? { resource } : {}) });
  }

  /** The next `times` requests (list or watch) of `resource` fail with `code` (e.g. 403 as RBAC would, 500, 429). */
  failRequests(resource: string, code: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failNext.push({ resource, code });
  }

  /** Forgets the watch history: a watch from any resourceVersion before now gets 410 Gone (etcd compaction). */
  compact(): void {
    this.history = [];
    this.oldestRv = this.rv;
  }

  /** A BOOKMARK at the current resourceVersion on every open watch that asked for bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watches) {
      if (w.bookmarks) this.write(w, { type: 'BOOKMARK', object: { kind: FAKE_RESOURCES[w.resource]!.kind, apiVersion: FAKE_RESOURCES[w.resource]!.groupVersion, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Ends every open watch cleanly, as its timeoutSeconds would. */
  endWatches(): void {
    for (const w of this.watches) w.res.end();
    this.watches.clear();
  }

  openWatches(resource?: string): number {
    return [...this.watches].filter((w) => resource === undefined || w.resource === resource).length;
  }

  /** Stops listening and drops every connection (watches break mid-stream); the objects are kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.watches.clear();
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Requests of one resource (watches or lists). */
  requestsFor(resource: string, kind?: 'list' | 'watch'): LoggedRequest[] {
    return this.requests.filter((r) => r.resource === resource && (kind === undefined || r.watch === (kind === 'watch')));
  }

  // ---- serving --------------------------------------------------------------

  private objectsOf(resource: string): Map<string, FakeObject> {
    const m = this.store.get(resource);
    if (m === undefined) throw new Error(`the fake API server does not serve ${resource}`);
    return m;
  }

  private listen(port: number): Promise<void> {
    const clientAuth = this.clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: this.clientCa };
    const server = createServer({ key: this.tls.key, cert: this.tls.cert, ...clientAuth }, (req, res) => this.handle(req, res));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.server = server;
        this.port = (server.address() as AddressInfo).port;
        this.url = `https://127.0.0.1:${this.port}`;
        resolve();
      });
    });
  }

  private record(change: Change): void {
    this.history.push(change);
    for (const w of this.watches) this.deliver(w, change);
  }

  private deliver(w: OpenWatch, c: Change): void {
    if (c.resource !== w.resource) return;
    if (w.namespace !== undefined && c.object.metadata.namespace !== w.namespace) return;
    const now = w.matches(c.object);
    const before = c.previous !== undefined && w.matches(c.previous);
    let type: string | undefined;
    if (c.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (c.type === 'DELETED') type = now ? 'DELETED' : undefined;
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (type !== undefined) this.write(w, { type, object: { kind: FAKE_RESOURCES[w.resource]!.kind, apiVersion: FAKE_RESOURCES[w.resource]!.groupVersion, ...c.object } });
  }

  private write(w: OpenWatch, event: unknown): void {
    w.res.write(`${JSON.stringify(event)}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const query = Object.fromEntries(url.searchParams);
    const m = /^\/(?:api\/v1|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(url.pathname);
    const resource = m?.[3] ?? '';
    const namespace = m?.[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
    const watch = query.watch === '1' || query.watch === 'true';
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname, resource, watch, query, status: 200, ...(namespace !== undefined ? { namespace } : {}), ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}) };
    this.requests.push(entry);
    const fail = (code: number, reason: string, message: string): void => {
      entry.status = code;
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
    };
    if (this.tokens !== undefined) {
      const token = /^Bearer (.*)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || !this.tokens.has(token)) return fail(401, 'Unauthorized', 'Unauthorized');
    }
    const failure = this.failNext.findIndex((f) => f.resource === resource);
    if (failure >= 0) {
      const { code } = this.failNext.splice(failure, 1)[0]!;
      return fail(code, code === 403 ? 'Forbidden' : 'InternalError', code === 403 ? `${resource} is forbidden: User "system:serviceaccount:monitoring:agent" cannot list resource "${resource}"` : `injected failure ${code}`);
    }
    const served = FAKE_RESOURCES[resource];
    const groupVersion = m?.[1] ?? 'v1';
    if (m === null || served === undefined || served.groupVersion !== groupVersion || (namespace !== undefined && !served.namespaced)) return fail(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    let matches: (o: FakeObject) => boolean;
    try {
      const byLabel = query.labelSelector ? labelSelector(query.labelSelector) : () => true;
      const byField = query.fieldSelector ? fieldSelector(query.fieldSelector) : () => true;
      matches = (o) => byLabel(o.metadata.labels) && byField(o);
    } catch (e) {
      return fail(400, 'BadRequest', (e as Error).message);
    }
    const visible = (o: FakeObject): boolean => (namespace === undefined || o.metadata.namespace === namespace) && matches(o);
    if (!watch) {
      const all = [...this.objectsOf(resource).values()].filter(visible).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      const limit = query.limit !== undefined ? Number(query.limit) : 0;
      let start = 0;
      let rv = String(this.rv);
      if (query.continue !== undefined) {
        const token = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8')) as { rv: string; start: number };
        start = token.start;
        rv = token.rv;
      }
      const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
      const next = limit > 0 && start + limit < all.length ? Buffer.from(JSON.stringify({ rv, start: start + limit })).toString('base64') : undefined;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: `${served.kind}List`, apiVersion: served.groupVersion, metadata: { resourceVersion: rv, ...(next !== undefined ? { continue: next } : {}) }, items: page }));
      return;
    }
    const gone = this.goneNext.findIndex((g) => g.resource === undefined || g.resource === resource);
    const from = Number(query.resourceVersion ?? '0');
    const tooOld = query.resourceVersion !== undefined && query.resourceVersion !== '0' && query.resourceVersion !== '' && from < this.oldestRv;
    let goneMode: 'status' | 'event' | undefined = tooOld ? 'event' : undefined;
    if (gone >= 0) {
      goneMode = this.goneNext[gone]!.mode;
      this.goneNext.splice(gone, 1);
    }
    if (goneMode === 'status') return fail(410, 'Expired', `too old resource version: ${from} (${this.oldestRv})`);
    entry.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    if (goneMode === 'event') {
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `too old resource version: ${from} (${this.oldestRv})`, reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    const w: OpenWatch = { resource, matches, bookmarks: query.allowWatchBookmarks === 'true', res, ...(namespace !== undefined ? { namespace } : {}) };
    if (query.resourceVersion === undefined || query.resourceVersion === '' || query.resourceVersion === '0') {
      for (const o of this.objectsOf(resource).values()) if (visible(o)) this.write(w, { type: 'ADDED', object: o });
    } else {
      for (const c of this.history) if (c.rv > from) this.deliver(w, c);
    }
    this.watches.add(w);
    const timeout = query.timeoutSeconds !== undefined ? setTimeout(() => res.end(), Number(query.timeoutSeconds) * 1000) : undefined;
    res.on('close', () => {
      if (timeout !== undefined) clearTimeout(timeout);
      this.watches.delete(w);
    });
    res.on('finish', () => this.watches.delete(w));
  }
}
