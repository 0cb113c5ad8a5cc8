/**
 * PLACEHOLDER — replaced at merge by the real agent program.
 *
 * Stands in for the embedded agent (agent.kind: embedded) so that the build
 * can bundle it and the render/tests of the kind can run: it takes the real
 * agent's command line (`--config FILE [--node-name N] [--wal-dir D]
 * [--listen-address A]`), reads the config as the real one will, and serves
 * /-/healthy, /-/ready and /metrics. It imports the runtime modules the real
 * agent is built on, so the bundle's size is close to the real one's. It
 * scrapes and sends nothing.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { RemoteWriteSender } from '../remote-write/sender.js';
import { WriteAheadLog } from '../remote-write/wal.js';
import { TargetScraper } from '../scrape/scrape.js';
import { discover } from '../semantics/discovery/discover.js';
import { compileRelabelConfigs } from '../semantics/relabel/relabel.js';

/** Kept so the bundle holds what the real agent imports (the placeholder does not call them all). */
export const RUNTIME = { RemoteWriteSender, WriteAheadLog, TargetScraper, discover };

interface Options {
  config: string;
  nodeName?: string;
  walDir?: string;
  listenAddress: string;
}

function parseArgs(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (m === null) throw new Error(`unexpected argument ${argv[i]}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    values.set(m[1]!, value);
  }
  const config = values.get('config');
  if (config === undefined) throw new Error('--config FILE is required');
  return {
    config,
    ...(values.has('node-name') ? { nodeName: values.get('node-name')! } : {}),
    ...(values.has('wal-dir') ? { walDir: values.get('wal-dir')! } : {}),
    listenAddress: values.get('listen-address') ?? ':9090',
  };
}

/** `$(NAME)` → the environment variable, as prometheus-config-reloader expands it. */
function expand(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\(([a-zA-Z_0-9]+)\)/g, (whole, name: string) => env[name] ?? whole);
}

function hostPort(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  return { host: host === '' ? undefined : host.replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

export async function main(argv: readonly string[]): Promise<Server> {
  const options = parseArgs(argv);
  const env = options.nodeName !== undefined ? { ...process.env, NODE_NAME: options.nodeName } : process.env;
  const doc = parseYaml(expand(readFileSync(options.config, 'utf8'), env)) as { scrape_configs?: { relabel_configs?: never[] }[] } | null;
  for (const job of doc?.scrape_configs ?? []) compileRelabelConfigs(job.relabel_configs ?? [], { semantics: 'prometheus-3' });
  if (options.walDir !== undefined) mkdirSync(options.walDir, { recursive: true });
  const server = createServer((req, res) => {
    if (req.url === '/-/healthy' || req.url === '/-/ready') res.end('OK\n');
    else if (req.url === '/metrics') res.end('# placeholder agent\n');
    else res.writeHead(404).end();
  });
  const { host, port } = hostPort(options.listenAddress);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
