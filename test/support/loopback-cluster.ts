/**
 * Real parts on loopback for the agents' end-to-end tests: exporters serving
 * test/fixtures/metrics payloads (HTTPS with a self-signed openssl
 * certificate where a kubelet would be), and Debian's Prometheus processes
 * (an agent, or a remote_write receiver) started and stopped around a test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from './prometheus.js';
import { requireTool } from './tools.js';

/**
 * A fixture as a live exporter would serve it now: cAdvisor stamps its
 * samples with the time it collected them, and the recorded stamps are too
 * old for the receiver's TSDB to accept ("out of bounds").
 */
export function fixtureText(file: string): string {
  const now = String(Date.now());
  return readFileSync(new URL(`../fixtures/metrics/${file}`, import.meta.url), 'utf8').replace(/^([^#\n].* \S+) \d{13}$/gm, `$1 ${now}`);
}

/** A key and self-signed certificate for 127.0.0.1, made with openssl in `dir`. */
export function loopbackCertificate(dir: string, commonName: string): { key: string; cert: string } {
  requireTool('openssl', 'apt-get install openssl');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

export async function listen(server: Server): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

/** An exporter: each path serves a fixture; every request's Authorization header is recorded in `seenTokens`. */
export function payloadServer(https: { key: string; cert: string } | undefined, routes: Record<string, string>, seenTokens: string[]): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    seenTokens.push(String(req.headers.authorization ?? ''));
    const file = routes[(req.url ?? '').split('?')[0]!];
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(fixtureText(file));
  };
  return https !== undefined ? createHttpsServer(https, handler) : createHttpServer(handler);
}

/** A Debian Prometheus process (2.42: agent mode is --enable-feature=agent), ready when start() resolves. */
export class PromProcess {
  constructor(
    readonly child: ResultPromise,
    readonly url: string,
  ) {}

  static async start(args: string[], port: number): Promise<PromProcess> {
    const bin = requireTool('prometheus', 'apt-get install prometheus');
    const child = execa(bin, [...args, `--web.listen-address=127.0.0.1:${port}`], { reject: false, stdout: 'ignore', stderr: 'pipe' });
    const p = new PromProcess(child, `http://127.0.0.1:${port}`);
    for (let i = 0; i < 150; i++) {
      try {
        if ((await fetch(`${p.url}/-/ready`)).ok) return p;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill();
    throw new Error(`Prometheus did not become ready: ${String((await child).stderr).slice(-2000)}`);
  }

  async stop(): Promise<string> {
    this.child.kill('SIGTERM');
    return String((await this.child).stderr);
  }

  /** Every series a receiver holds, at any time (an instant query's look-back would miss old timestamps). */
  async series(match: string): Promise<Record<string, string>[]> {
    const url = `${this.url}/api/v1/series?match[]=${encodeURIComponent(match)}&start=0&end=${Math.ceil(Date.now() / 1000) + 3600}`;
    return ((await (await fetch(url)).json()) as { data: Record<string, string>[] }).data;
  }
}
