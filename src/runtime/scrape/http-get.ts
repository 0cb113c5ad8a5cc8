/**
 * The scrape request: one GET over node:http or node:https with a deadline,
 * gzip undone as the body arrives, and the body held once, in one Buffer that
 * grows as needed, never beyond body_size_limit (scrape.go readResponse).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
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
}

export interface HttpGetResult {
  contentType: string | undefined;
  body: Buffer;
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
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new ScrapeError(`Get "${url}": context deadline exceeded`)), options.timeoutMs);
    const tls = options.tls;
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'GET',
        headers: options.headers,
        agent: false,
        ...(https && tls !== undefined ? { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized } : {}),
      },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(new ScrapeError(`server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd()));
          return;
        }
        const gzip = res.headers['content-encoding'] === 'gzip';
        const stream: Readable = gzip ? res.pipe(createGunzip()) : res;
        let body = Buffer.allocUnsafe(Math.min(Number(res.headers['content-length'] ?? 0) * (gzip ? 8 : 1) || 64 * 1024, 64 * 1024 * 1024, limit === Infinity ? Number.MAX_SAFE_INTEGER : limit + 1) || 1);
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          if (size + chunk.length >= limit) {
            fail(new ScrapeError('body size limit exceeded', true));
            return;
          }
          if (size + chunk.length > body.length) {
            const bigger = Buffer.allocUnsafe(Math.max(body.length * 2, size + chunk.length));
            body.copy(bigger, 0, 0, size);
            body = bigger;
          }
          chunk.copy(body, size);
          size += chunk.length;
        });
        stream.on('error', (e: Error) => fail(new ScrapeError(gzip ? `gzip: ${e.message}` : e.message)));
        stream.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ contentType: res.headers['content-type'], body: body.subarray(0, size) });
        });
      },
    );
    req.on('error', (e: Error) => fail(new ScrapeError(`Get "${url}": ${e.message}`)));
    req.end();
  });
}
