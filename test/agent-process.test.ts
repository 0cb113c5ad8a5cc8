/**
 * `k8smon agent` as its own process (the built CLI, bin/k8smon.js): SIGKILL
 * while the remote_write receiver is down, then a restart on the same
 * write-ahead log, loses no sample; SIGTERM sends what is queued and exits 0.
 * The receiver is the tests' scripted one; the target a loopback HTTP server.
 * Also: the standalone entry (src/runtime/agent/main.ts) bundles without the CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './support/cli.js';
import { freePort } from './support/prometheus.js';
import { ScriptedReceiver } from './support/remote-write.js';

const sandbox = mkdtempSync(join(tmpdir(), 'k8smon-agent-proc-'));
let target: Server;
let targetPort = 0;
let receiver: ScriptedReceiver;
const children: ResultPromise[] = [];

beforeAll(async () => {
  target = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end('# TYPE jobs_done counter\njobs_done_total{queue="a"} 7\njobs_done_total{queue="b"} 9\n'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as { port: number }).port;
  receiver = await ScriptedReceiver.start();
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  target.closeAllConnections();
  target.close();
  await receiver.close();
});

function writeConfig(name: string, batchDeadline: string): string {
  const path = join(sandbox, `${name}.yml`);
  writeFileSync(
    path,
    `global:
  scrape_interval: 300ms
  scrape_timeout: 250ms
  external_labels: {replica: $(NODE_NAME)}
scrape_configs:
  - job_name: app
    static_configs: [{targets: ['127.0.0.1:${targetPort}']}]
remote_write:
  - url: ${receiver.url}
    name: rw
    queue_config: {batch_send_deadline: ${batchDeadline}, min_backoff: 50ms, max_backoff: 300ms}
`,
  );
  return path;
}

async function startAgent(config: string, walDir: string, grace = '10s'): Promise<{ child: ResultPromise; port: number; stderr: () => string }> {
  const port = await freePort();
  const child = execa(process.execPath, [BIN, 'agent', '--config', config, '--wal-dir', walDir, '--listen-address', `127.0.0.1:${port}`, '--node-name', 'node-x', '--shutdown-grace', grace], { reject: false, stdout: 'ignore', stderr: 'pipe', env: { NO_COLOR: '1' } });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200) return { child, port, stderr: () => err };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`agent did not become ready: ${err}`);
}

async function metric(port: number, line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = line.exec(text);
  if (m === null) throw new Error(`no ${line} in\n${text}`);
  return Number(m[1]);
}

/** Timestamps of the `up` samples the receiver accepted (2xx), sorted, each once. */
function upTimestamps(): number[] {
  const out = new Set<number>();
  for (const r of receiver.requests) {
    const status = (r as { status?: number }).status;
    if (status !== undefined && status >= 300) continue;
    for (const s of r.series) if (s.labels.some(([k, v]) => k === '__name__' && v === 'up')) for (const x of s.samples) out.add(x.timestamp);
  }
  return [...out].sort((a, b) => a - b);
}

describe('k8smon agent as a process (built CLI, scripted remote_write receiver)', () => {
  it('SIGKILL during a receiver outage, then a restart: the write-ahead log sends every scrape of the first run', async () => {
    const config = writeConfig('kill', '100ms');
    const walDir = join(sandbox, 'wal-kill');
    receiver.requests.length = 0;
    receiver.respond = (req) => {
      (req as { status?: number }).status = 503;
      return { status: 503, body: 'down' };
    };
    const first = await startAgent(config, walDir);
    await new Promise((r) => setTimeout(r, 1500));
    const scraped = await metric(first.port, /^k8smon_agent_scrapes_total\{job="app"\} (\d+)$/m);
    expect(await metric(first.port, /^prometheus_remote_storage_samples_pending\{[^}]*\} (\d+)$/m)).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await first.child;
    const killedAt = Date.now();
    expect(scraped).toBeGreaterThanOrEqual(3);
    expect(upTimestamps()).toEqual([]);

    receiver.respond = (req) => {
      (req as { status?: number }).status = 204;
      return { status: 204 };
    };
    const second = await startAgent(config, walDir);
    await new Promise((r) => setTimeout(r, 600));
    const before = upTimestamps().filter((t) => t < killedAt);
    expect(before.length).toBeGreaterThanOrEqual(scraped);
    // One scrape every 300 ms, none missing: a lost one leaves a gap of two intervals (timer lateness of up to one tolerated).
    for (let i = 1; i < before.length; i++) expect(before[i]! - before[i - 1]!).toBeLessThan(600);
    const labels = receiver.requests.flatMap((r) => r.series).find((s) => s.labels.some(([k, v]) => k === '__name__' && v === 'jobs_done_total'))!.labels;
    expect(Object.fromEntries(labels)).toMatchObject({ job: 'app', instance: `127.0.0.1:${targetPort}`, replica: 'node-x', queue: expect.any(String) });
    second.child.kill('SIGTERM');
    expect((await second.child).exitCode).toBe(0);
  });

  it('SIGTERM sends what is queued (a long batch deadline notwithstanding) and exits 0', async () => {
    const config = writeConfig('term', '1m');
    receiver.requests.length = 0;
    receiver.respond = () => ({ status: 204 });
    const agent = await startAgent(config, join(sandbox, 'wal-term'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.requests).toHaveLength(0); // held for the batch deadline
    const scraped = await metric(agent.port, /^k8smon_agent_scrapes_total\{job="app"\} (\d+)$/m);
    agent.child.kill('SIGTERM');
    const r = await agent.child;
    expect(r.exitCode).toBe(0);
    expect(upTimestamps().length).toBeGreaterThanOrEqual(scraped);
    const lines = agent.stderr().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; ts: string });
    expect(lines.every((l) => typeof l.ts === 'string' && typeof l.level === 'string')).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('stopped: everything sent');
  });

  it('a bad config: exit 2, the field named', async () => {
    const path = join(sandbox, 'bad.yml');
    writeFileSync(path, 'scrape_configs:\n  - job_name: a\n    scheme: gopher\n');
    const r = await execa(process.execPath, [BIN, 'agent', '--config', path, '--listen-address', '127.0.0.1:0'], { reject: false, env: { NO_COLOR: '1' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('scrape_configs[a].scheme');
    expect(r.stderr).toContain('must be http or https');
  });

  it('the standalone entry bundles alone: no CLI, no commander, chalk, handlebars or ajv (esbuild)', async () => {
    const result = await build({ entryPoints: [new URL('../src/runtime/agent/main.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => /src\/(cli|render|profile|model|init)\/|node_modules\/(commander|chalk|handlebars|ajv|@inquirer|execa)\//.test(p))).toEqual([]);
    expect(inputs).toContain('src/runtime/agent/main.ts');
  });
});
