/**
 * Receivers for the remote_write tests: Debian's Prometheus 2.42 started with
 * --web.enable-remote-write-receiver (stoppable and restartable on the same
 * port and data directory), and a scripted HTTP receiver that decodes every
 * request with the test's own snappy and protobuf decoders.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { decodeWriteRequest, snappyDecode, type DecodedSeries } from './protobuf-decode.js';
import { freePort } from './prometheus.js';
import { requireTool } from './tools.js';

export class PrometheusReceiver {
  private child: ResultPromise | undefined;
  readonly url: string;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrometheusReceiver> {
    requireTool('prometheus', 'apt-get install prometheus');
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-rw-'));
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
    const r = new PrometheusReceiver(await freePort(), dir);
    await r.resume();
    return r;
  }

  get writeUrl(): string {
    return `${this.url}/api/v1/write`;
  }

  /** Starts (again) on the same port and data directory. */
  async resume(): Promise<void> {
    this.child = execa('prometheus', [`--config.file=${join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(this.dir, 'data')}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver'], { reject: false, stdout: 'ignore', stderr: 'pipe' });
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.child.kill();
    throw new Error(`Prometheus did not become ready: ${String((await this.child).stderr).slice(-2000)}`);
  }

  async stop(): Promise<void> {
    if (this.child === undefined) return;
    this.child.kill('SIGTERM');
    await this.child;
    this.child = undefined;
  }

  /** Every series `match` selects, with its labels, at any time (an instant query's look-back would miss old timestamps). */
  async series(match: string): Promise<Record<string, string>[]> {
    const url = `${this.url}/api/v1/series?match[]=${encodeURIComponent(match)}&start=0&end=${Math.ceil(Date.now() / 1000) + 3600}`;
    return ((await (await fetch(url)).json()) as { data: Record<string, string>[] }).data;
  }

  /** Every raw sample of the series `selector` matches, within the last `range`. */
  async rawSamples(selector: string, range = '1h'): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
    const q = new URLSearchParams({ query: `${selector}[${range}]`, time: String(Date.now() / 1000 + 1) });
    const body = (await (await fetch(`${this.url}/api/v1/query?${q}`)).json()) as { status: string; data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data.result;
  }
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  series: DecodedSeries[];
  at: number;
}

/** A receiver whose answers a test scripts: `respond` returns the status (and headers) for each request. */
export class ScriptedReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: (req: ReceivedRequest, n: number) => { status: number; headers?: Record<string, string>; body?: string } = () => ({ status: 204 });
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handler?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<ScriptedReceiver> {
    let self!: ScriptedReceiver;
    const server = createServer((req, res) => {
      if (handler?.(req, res) === true) return;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let series: DecodedSeries[] = [];
        try {
          series = decodeWriteRequest(snappyDecode(Buffer.concat(chunks)));
        } catch (e) {
          res.writeHead(400).end(`cannot decode: ${(e as Error).message}`);
          return;
        }
        const received = { headers: req.headers, series, at: Date.now() };
        self.requests.push(received);
        const answer = self.respond(received, self.requests.length);
        res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    self = new ScriptedReceiver(server, `http://127.0.0.1:${port}/api/v1/write`);
    return self;
  }

  /** Samples received, as "labels@timestamp=value" strings, in arrival order. */
  samples(): string[] {
    return this.requests.flatMap((r) => r.series.flatMap((s) => s.samples.map((x) => `${s.labels.map(([k, v]) => `${k}=${v}`).join(',')}@${x.timestamp}=${x.value}`)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
