/**
 * `k8smon agent`'s entry, standalone: flags, config, the agent, its HTTP
 * endpoints and signals. It imports nothing of the CLI (the in-cluster agent
 * bundles this module alone), so it parses its own few flags.
 *
 *   --config F            Prometheus-format config (global, scrape_configs, remote_write); `$(VAR)` expanded from the environment
 *   --snapshot F          discover from a snapshot file instead of the API server (tests, dry runs); re-read when it changes
 *   --wal-dir D           write-ahead logs, one directory per remote_write entry (default ./data/wal)
 *   --listen-address A    /metrics, /-/healthy, /-/ready (default 0.0.0.0:9090)
 *   --log-level L         debug, info, warn, error (default info); JSON lines on stderr
 *   --shutdown-grace T    on SIGTERM/SIGINT, how long to go on sending (default 25s)
 *   --node-name N         sets NODE_NAME for the config's $(NODE_NAME)
 *   --namespace NS        the agent's namespace (namespaces.own_namespace); default $POD_NAMESPACE or the service account's
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { durationMs } from '../../util/duration.js';
import type { ClusterSourceFactory } from '../cluster-source.js';
import { Agent } from './agent.js';
import { AgentConfigFileError, expandConfig, parseAgentConfig, type AgentConfig } from './config.js';
import { jsonLogger, LOG_LEVELS, type Logger, type LogLevel } from './log.js';
import { agentMetrics } from './metrics.js';
import { DiscoveryUnavailableError, liveSources, SnapshotFileError, snapshotFileSources } from './sources.js';

export const AGENT_DEFAULTS = { walDir: './data/wal', listenAddress: '0.0.0.0:9090', logLevel: 'info' as LogLevel, shutdownGrace: '25s' } as const;

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface AgentRunOptions {
  config: string;
  snapshot?: string;
  walDir?: string;
  listenAddress?: string;
  logLevel?: string;
  shutdownGrace?: string;
  nodeName?: string;
  namespace?: string;
}

export interface AgentIo {
  stderr?: { write(s: string): unknown };
  env?: NodeJS.ProcessEnv;
  version?: string;
  /** Resolves when the agent should stop (default: SIGTERM or SIGINT). */
  stopSignal?: Promise<string>;
  /** Called once the agent runs, with its HTTP address (for tests). */
  onStarted?: (agent: Agent, address: { host: string; port: number }) => void;
}

/** A flag's value is wrong, or the config is: the agent does not start. */
export class AgentUsageError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'AgentUsageError';
  }
}

function listenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(text);
  if (m === null || Number(m[3]) > 65535) throw new AgentUsageError('--listen-address', `not host:port: ${JSON.stringify(text)}`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port: Number(m[3]) };
}

function ownNamespace(options: AgentRunOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.namespace !== undefined) return options.namespace;
  if (env.POD_NAMESPACE !== undefined && env.POD_NAMESPACE !== '') return env.POD_NAMESPACE;
  return existsSync(SERVICE_ACCOUNT_NAMESPACE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() : undefined;
}

/** The config file read, expanded and checked; the environment with NODE_NAME set by --node-name. */
export function loadAgentConfig(options: AgentRunOptions, env: NodeJS.ProcessEnv): AgentConfig {
  let text: string;
  try {
    text = readFileSync(options.config, 'utf8');
  } catch (err) {
    throw new AgentUsageError('--config', `cannot read ${options.config}: ${(err as Error).message}`);
  }
  const vars = options.nodeName !== undefined ? { ...env, NODE_NAME: options.nodeName } : env;
  const namespace = ownNamespace(options, env);
  try {
    return parseAgentConfig(expandConfig(text, vars), namespace !== undefined ? { ownNamespace: namespace } : {});
  } catch (err) {
    if (err instanceof AgentConfigFileError) throw new AgentUsageError(`${options.config}: ${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
}

/** The first SIGTERM or SIGINT; a second one during shutdown is only logged (the grace period bounds the wait) until dispose(). */
function waitForSignal(log: Logger): { signal: Promise<string>; dispose: () => void } {
  const again = (s: string): void => log('warn', 'already shutting down', { signal: s });
  let first: (s: string) => void = () => {};
  const signal = new Promise<string>((resolve) => {
    first = (s: string): void => {
      process.off('SIGTERM', first);
      process.off('SIGINT', first);
      process.on('SIGTERM', again);
      process.on('SIGINT', again);
      resolve(s);
    };
    process.on('SIGTERM', first);
    process.on('SIGINT', first);
  });
  const dispose = (): void => {
    for (const l of [first, again]) {
      process.off('SIGTERM', l);
      process.off('SIGINT', l);
    }
  };
  return { signal, dispose };
}

/**
 * Runs the agent until the stop signal; returns the exit code. Throws
 * AgentUsageError (bad flag or config) before anything starts.
 */
export async function runAgentWith(options: AgentRunOptions, io: AgentIo = {}, sources?: ClusterSourceFactory): Promise<number> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const level = (options.logLevel ?? AGENT_DEFAULTS.logLevel) as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new AgentUsageError('--log-level', `one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(options.logLevel)}`);
  const log = jsonLogger(stderr, level);
  const graceText = options.shutdownGrace ?? AGENT_DEFAULTS.shutdownGrace;
  const graceMs = durationMs(graceText);
  if (graceMs === null) throw new AgentUsageError('--shutdown-grace', `not a duration: ${JSON.stringify(graceText)} (e.g. 25s)`);
  const address = listenAddress(options.listenAddress ?? AGENT_DEFAULTS.listenAddress);
  const config = loadAgentConfig(options, env);
  const namespace = ownNamespace(options, env);
  let factory = sources;
  let closeFactory = (): void => {};
  if (factory === undefined && options.snapshot !== undefined) {
    try {
      const files = snapshotFileSources(options.snapshot, { log: (l, msg, fields) => log(l, msg, fields) });
      factory = files;
      closeFactory = () => files.close();
    } catch (err) {
      if (err instanceof SnapshotFileError) throw new AgentUsageError('--snapshot', err.message.replace(/^--snapshot /, ''));
      throw err;
    }
  }
  factory ??= liveSources();
  const version = io.version ?? env.K8SMON_VERSION ?? 'unknown';
  const agent = new Agent(config, { sources: factory, walDir: options.walDir ?? AGENT_DEFAULTS.walDir, log, ...(namespace !== undefined ? { ownNamespace: namespace } : {}), userAgent: `k8smon-agent/${version}` });

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(agentMetrics(agent, version));
    } else if (path === '/-/healthy') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('k8smon agent is Healthy.\n');
    } else if (path === '/-/ready') {
      if (agent.ready) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('k8smon agent is Ready.\n');
      else res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new AgentUsageError('--listen-address', `cannot listen on ${address.host}:${address.port}: ${err.message}`)));
    server.listen(address.port, address.host, resolve);
  });
  const signals = io.stopSignal === undefined ? waitForSignal(log) : undefined;
  const stop = io.stopSignal ?? signals!.signal;
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  log('info', 'k8smon agent starting', { version, listen: `${address.host}:${port}`, jobs: config.jobs.length, remote_write: config.remoteWrite.length, discovery: options.snapshot !== undefined ? `snapshot ${options.snapshot}` : 'api-server' });
  try {
    agent.start();
  } catch (err) {
    await agent.stop(0);
    server.close();
    closeFactory();
    signals?.dispose();
    if (err instanceof DiscoveryUnavailableError) throw new AgentUsageError('kubernetes_sd_configs', err.message);
    throw err;
  }
  io.onStarted?.(agent, { host: address.host, port });

  const signal = await stop;
  log('info', 'shutting down: stopping scrapes, sending what is queued', { signal, grace: graceText });
  const sent = await agent.stop(graceMs);
  closeFactory();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  signals?.dispose();
  const left = agent.senders.reduce((n, s) => n + s.counters().queueLength, 0);
  if (sent) log('info', 'stopped: everything sent');
  else log('warn', 'stopped: samples left in the write-ahead log are sent after the restart', { samples: left });
  return 0;
}

/** `main(argv)`: the flags above; bad usage or config → a JSON error line and exit code 2. */
export async function runAgent(argv: readonly string[], io: AgentIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  let options: AgentRunOptions;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        snapshot: { type: 'string' },
        'wal-dir': { type: 'string' },
        'listen-address': { type: 'string' },
        'log-level': { type: 'string' },
        'shutdown-grace': { type: 'string' },
        'node-name': { type: 'string' },
        namespace: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.config === undefined) throw new AgentUsageError('--config', 'is required (a Prometheus-format config file)');
    options = {
      config: values.config,
      ...(values.snapshot !== undefined ? { snapshot: values.snapshot } : {}),
      ...(values['wal-dir'] !== undefined ? { walDir: values['wal-dir'] } : {}),
      ...(values['listen-address'] !== undefined ? { listenAddress: values['listen-address'] } : {}),
      ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
      ...(values['shutdown-grace'] !== undefined ? { shutdownGrace: values['shutdown-grace'] } : {}),
      ...(values['node-name'] !== undefined ? { nodeName: values['node-name'] } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    };
    return await runAgentWith(options, io);
  } catch (err) {
    const usage = err instanceof AgentUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    jsonLogger(stderr, 'error')('error', usage ? `cannot start: ${(err as Error).message}` : `agent failed: ${(err as Error).message}`, usage && err instanceof AgentUsageError ? { field: err.field } : {});
    return usage ? 2 : 1;
  }
}

export { runAgent as main };
