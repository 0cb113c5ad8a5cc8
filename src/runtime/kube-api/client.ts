/**
 * The two requests discovery makes of a Kubernetes API server, on node:http(s)
 * alone: a paged list, and a watch read as newline-delimited JSON one event at
 * a time (the stream is never held whole).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { authorizationHeader, type KubeConnection } from './config.js';

/** A request the API server answered with an error status (or a watch ERROR event): its code and Status message. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string; reason?: string };
}

export interface ListResult<T = KubeObject> {
  items: T[];
  resourceVersion: string;
}

export interface KubeClientOptions {
  userAgent?: string;
  /** Items per list page (default 500, as client-go's pager). */
  pageSize?: number;
  /** Abort a list that takes longer (default 60 s). */
  listTimeoutMs?: number;
}

export class KubeClient {
  private readonly userAgent: string;
  private readonly pageSize: number;
  private readonly listTimeoutMs: number;

  constructor(
    readonly connection: KubeConnection,
    options: KubeClientOptions = {},
  ) {
    this.userAgent = options.userAgent ?? 'k8smon-agent';
    this.pageSize = options.pageSize ?? 500;
    this.listTimeoutMs = options.listTimeoutMs ?? 60_000;
  }

  /**
   * Every object of `path` (following continue tokens), each passed through
   * `keep` as its page arrives (so a page's full objects can be dropped before
   * the next is read), and the resourceVersion to watch from.
   */
  async list<T = KubeObject>(path: string, query: Record<string, string>, signal: AbortSignal, keep: (o: KubeObject) => T = (o) => o as T): Promise<ListResult<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const q: Record<string, string> = { ...query, limit: String(this.pageSize) };
      if (continueToken !== undefined) q.continue = continueToken;
      const res = await this.open(path, q, signal, this.listTimeoutMs);
      const body = await readBody(res);
      let doc: { items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } };
      try {
        doc = JSON.parse(body) as typeof doc;
      } catch {
        throw new Error(`list ${path}: the response is not JSON`);
      }
      for (const item of doc.items ?? []) items.push(keep(item));
      resourceVersion = doc.metadata?.resourceVersion ?? resourceVersion;
      continueToken = doc.metadata?.continue || undefined;
    } while (continueToken !== undefined);
    return { items, resourceVersion };
  }

  /**
   * Watches `path` from `query.resourceVersion`, calling onEvent for each event
   * as it arrives. Resolves when the server ends the stream (its timeoutSeconds),
   * rejects on an error status, a broken stream or an abort.
   */
  async watch(path: string, query: Record<string, string>, signal: AbortSignal, idleTimeoutMs: number, onEvent: (e: WatchEvent) => void, onOpen?: () => void): Promise<void> {
    const res = await this.open(path, { ...query, watch: '1' }, signal, idleTimeoutMs);
    onOpen?.();
    await new Promise<void>((resolvePromise, reject) => {
      let pending = '';
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        if (error !== undefined) {
          res.destroy();
          reject(error);
        } else resolvePromise();
      };
      const line = (text: string): void => {
        if (text.trim() === '') return;
        let event: WatchEvent;
        try {
          event = JSON.parse(text) as WatchEvent;
        } catch {
          throw new Error(`watch ${path}: an event is not JSON`);
        }
        onEvent(event);
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (done) return;
        // Lines are cut out of the chunk by position; only the unfinished last line is carried to the next chunk.
        const text = pending === '' ? chunk : pending + chunk;
        let start = 0;
        let nl: number;
        try {
          while ((nl = text.indexOf('\n', start)) >= 0) {
            line(text.slice(start, nl));
            start = nl + 1;
            if (done) return;
          }
        } catch (e) {
          finish(e as Error);
          return;
        }
        pending = start === 0 ? text : text.slice(start);
      });
      res.on('end', () => {
        try {
          line(pending);
          finish();
        } catch (e) {
          finish(e as Error);
        }
      });
      res.on('error', (e) => finish(e));
      res.on('close', () => finish(new Error(`watch ${path}: the stream was closed before its end`)));
    });
  }

  /** Sends a GET and resolves with a 2xx response; any other status rejects with its Status message. */
  private open(path: string, query: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<IncomingMessage> {
    const c = this.connection;
    const base = new URL(c.server);
    const url = new URL(base.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.userAgent };
    const authorization = authorizationHeader(c);
    if (authorization !== undefined) headers.Authorization = authorization;
    const https = url.protocol === 'https:';
    const options: RequestOptions & Record<string, unknown> = { method: 'GET', headers, signal };
    if (https) {
      options.rejectUnauthorized = c.insecureSkipVerify !== true;
      if (c.ca !== undefined) options.ca = c.ca;
      if (c.cert !== undefined) options.cert = c.cert;
      if (c.key !== undefined) options.key = c.key;
      if (c.serverName !== undefined) options.servername = c.serverName;
      if (c.minVersion !== undefined) options.minVersion = c.minVersion;
      if (c.maxVersion !== undefined) options.maxVersion = c.maxVersion;
    }
    return new Promise<IncomingMessage>((resolvePromise, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolvePromise(res);
          return;
        }
        readBody(res).then(
          (body) => reject(statusError(status, body, path)),
          (e: unknown) => reject(e),
        );
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no data for ${Math.round(timeoutMs / 1000)}s`)));
      req.on('error', (e) => reject(e));
      req.end();
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function statusError(code: number, body: string, path: string): KubeApiError {
  let message = body.trim().slice(0, 300);
  let reason: string | undefined;
  try {
    const status = JSON.parse(body) as { message?: string; reason?: string };
    if (typeof status.message === 'string') message = status.message;
    if (typeof status.reason === 'string') reason = status.reason;
  } catch {
    // not a Status: keep the text
  }
  return new KubeApiError(code, `GET ${path}: ${code}${message !== '' ? ` ${message}` : ''}`, reason);
}
