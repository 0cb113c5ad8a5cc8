/**
 * The scrape request: one GET over node:http or node:https with a deadline,
 * gzip undone as the body arrives, never read beyond body_size_limit
 * (scrape.go readResponse). The body is handed, chunk by chunk, to a
 * consumer (`onBody`: the scraper parses it as it arrives), never held whole.
 *
 * With an `agent` the connection is kept alive between scrapes, as
 * Prometheus' HTTP client keeps it per target; a kept-alive connection the
 * target closed while idle fails the request before any response, and the
 * GET is then sent once more on a new connection (as Go's transport retries
 * an idempotent request on a reused connection).
 */
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface HttpGetOptions {
  headers: Record<string, string>;
  /** The whole request, body included, must finish within this. */
  timeoutMs: number;
  /** Bytes after gunzip; 0 or absent: no limit. A body of exactly this size fails too, as in Prometheus. */
  bodySizeLimit?: number;
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; servername?: string; rejectUnauthorized: boolean };
  /** A keep-alive agent (an https.Agent for https URLs); absent: a new connection per request. */
  agent?: Agent;
  /**
   * Called once the response is a 200, with its Content-Type: returns the
   * consumer of the body's chunks (gunzipped). An error the consumer (or
   * this call) throws fails the request with it.
   */
  onBody: (contentType: string | undefined) => (chunk: Buffer) => void;
}

export interface HttpGetResult {
  contentType: string | undefined;
  /** The body's size in bytes (after gunzip). */
  size: number;
}

export class ScrapeError extends Error {
  constructor(
    message: string,
    /** The body went over body_size_limit (Prometheus reports scrape_body_size_bytes -1 then). */
    readonly bodyTooLarge = false,
  ) {
    super(message);
    this.name = 'ScrapeError';
  }
}

export function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const limit = options.bodySizeLimit !== undefined && options.bodySizeLimit > 0 ? options.bodySizeLimit : Infinity;
  const https = url.startsWith('https:');
  return new Promise<HttpGetResult>((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new ScrapeError(`Get "${url}": context deadline exceeded`)), options.timeoutMs);
    const tls = options.tls;
    const send = (agent: Agent | false): void => {
      let responded = false;
      const r = (https ? httpsRequest : httpRequest)(
        url,
        {
          method: 'GET',
          headers: options.headers,
          agent,
          ...(https && tls !== undefined ? { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized } : {}),
        },
        (res: IncomingMessage) => {
          responded = true;
          if (res.statusCode !== 200) {
            res.resume();
            fail(new ScrapeError(`server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd()));
            return;
          }
          const gzip = res.headers['content-encoding'] === 'gzip';
          let consume: (chunk: Buffer) => void;
          try {
            consume = options.onBody(res.headers['content-type']);
          } catch (e) {
            res.resume();
            fail(e as Error);
            return;
          }
          const stream: Readable = gzip ? res.pipe(createGunzip()) : res;
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            if (settled) return;
            if (size + chunk.length >= limit) {
              fail(new ScrapeError('body size limit exceeded', true));
              return;
            }
            size += chunk.length;
            try {
              consume(chunk);
            } catch (e) {
              fail(e as Error);
            }
          });
          stream.on('error', (e: Error) => fail(new ScrapeError(gzip ? `gzip: ${e.message}` : e.message)));
          stream.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ contentType: res.headers['content-type'], size });
          });
        },
      );
      req = r;
      r.on('error', (e: Error) => {
        // The target closed the idle kept-alive connection as this request went out: once more, on a new one.
        if (!responded && !settled && r.reusedSocket && agent !== false) {
          send(false);
          return;
        }
        fail(new ScrapeError(`Get "${url}": ${e.message}`));
      });
      r.end();
    };
    send(options.agent ?? false);
  });
}
