/**
 * HTTP(S) requests with Prometheus' TLS and proxy settings, on node:http and
 * node:https (fetch has no proxy or per-request TLS settings without an
 * extra dispatcher package). Connections are kept alive per destination.
 *
 * proxy_url: an http:// proxy. A plain-http destination is requested through
 * it with the absolute URI as the request target; an https destination gets a
 * CONNECT tunnel, and TLS (with the destination's name and CA) runs inside it.
 * Credentials in the proxy URL become Proxy-Authorization (Basic).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface TlsSettings {
  ca?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text, cut at 64 KiB (enough for an error message). */
  body: string;
}

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly tlsSettings: TlsSettings,
    private readonly proxyUrl: URL | undefined,
  ) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const tlsOptions = this.tlsOptions();
    this.httpsAgent = proxyUrl !== undefined ? new TunnelAgent(proxyUrl, tlsOptions) : new https.Agent({ keepAlive: true, maxSockets: 64, ...tlsOptions });
  }

  private tlsOptions(): tls.ConnectionOptions {
    const t = this.tlsSettings;
    const out: tls.ConnectionOptions = { rejectUnauthorized: !t.insecureSkipVerify };
    if (t.ca !== undefined || t.caFile !== undefined) out.ca = t.ca ?? readFileSync(t.caFile!, 'utf8');
    if (t.certFile !== undefined) out.cert = readFileSync(t.certFile);
    if (t.keyFile !== undefined) out.key = readFileSync(t.keyFile);
    if (t.serverName !== undefined) out.servername = t.serverName;
    return out;
  }

  request(url: URL, method: string, headers: Record<string, string>, body: Uint8Array | string | undefined, timeoutMs: number): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      const allHeaders: Record<string, string> = { ...headers };
      if (body !== undefined) allHeaders['Content-Length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
      let options: http.RequestOptions;
      if (!isHttps && this.proxyUrl !== undefined) {
        const p = this.proxyUrl;
        if (p.username !== '') allHeaders['Proxy-Authorization'] = proxyBasic(p);
        allHeaders.Host = url.host;
        options = { host: p.hostname, port: p.port || 80, path: url.href, method, headers: allHeaders, agent: this.httpAgent };
      } else {
        options = { host: url.hostname, port: url.port || (isHttps ? 443 : 80), path: url.pathname + url.search, method, headers: allHeaders, agent: isHttps ? this.httpsAgent : this.httpAgent };
        if (isHttps && this.tlsSettings.serverName !== undefined) (options as https.RequestOptions).servername = this.tlsSettings.serverName;
      }
      const req = (isHttps ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 65536) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, 65536).toString('utf8') });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`request timed out after ${timeoutMs}ms`)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function proxyBasic(p: URL): string {
  return `Basic ${Buffer.from(`${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`).toString('base64')}`;
}

/** An https.Agent whose connections are TLS inside an HTTP CONNECT tunnel through the proxy. */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    private readonly tlsOptions: tls.ConnectionOptions,
  ) {
    super({ keepAlive: true, maxSockets: 64, ...tlsOptions });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const target = `${options.host ?? options.hostname}:${options.port}`;
    const headers: Record<string, string> = { Host: target };
    if (this.proxy.username !== '') headers['Proxy-Authorization'] = proxyBasic(this.proxy);
    const connect = http.request({ host: this.proxy.hostname, port: this.proxy.port || 80, method: 'CONNECT', path: target, headers, agent: false });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback?.(new Error(`proxy ${this.proxy.host} refused CONNECT ${target}: ${res.statusCode}`), socket);
        return;
      }
      const servername = (options as tls.ConnectionOptions).servername ?? this.tlsOptions.servername ?? String(options.host ?? options.hostname);
      const secure = tls.connect({ ...this.tlsOptions, socket, servername });
      secure.once('secureConnect', () => callback?.(null, secure));
      secure.once('error', (e) => callback?.(e, secure));
    });
    connect.once('error', (e) => callback?.(e, undefined as unknown as Duplex));
    connect.end();
    return undefined;
  }
}
