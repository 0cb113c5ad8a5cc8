/**
 * The agent's config file: Prometheus' own format (global, scrape_configs,
 * remote_write), read as Prometheus 3 reads it, after `$(NAME)` references
 * are expanded from the environment as prometheus-config-reloader does
 * (the config the embedded agent mounts is the one k8smon renders for that
 * reloader). Every check is made here, once, before anything runs: a bad
 * field is an AgentConfigFileError that names it.
 */
import { parse as parseYaml } from 'yaml';
import { reloaderEnvsubst } from '../../agents/prometheus/envsubst.js';
import { durationMs } from '../../util/duration.js';
import { RemoteWriteConfigError, senderSettings, type SenderSettings } from '../remote-write/config.js';
import type { RemoteWriteYaml } from '../remote-write/types.js';
import { ScrapeConfigError, scrapeTargetFromConfig } from '../scrape/scrape-config.js';
import { DISCOVERY_ROLES, DiscoveryError, discoverGroups } from '../semantics/discovery/discover.js';
import { SelectorError } from '../semantics/discovery/selectors.js';
import { compileRelabelConfigs, RelabelConfigError } from '../semantics/relabel/relabel.js';
import type { RuntimeScrapeConfig } from '../plan/plan.js';
import type { SdConfigEntry } from '../cluster-source.js';
import type { PromSemantics } from '../semantics/version.js';

/** The agent follows Prometheus 3 (discovery, relabeling, scraping). */
export const AGENT_SEMANTICS: PromSemantics = 'prometheus-3';

export class AgentConfigFileError extends Error {
  constructor(
    /** Where in the config: `scrape_configs[2].scrape_timeout`. */
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'AgentConfigFileError';
  }
}

export interface AgentGlobal {
  scrape_interval: string;
  scrape_timeout: string;
  external_labels: Record<string, string>;
}

/** One scrape config, checked; its durations in milliseconds. */
export interface AgentJob {
  name: string;
  config: RuntimeScrapeConfig & Record<string, unknown>;
  intervalMs: number;
  timeoutMs: number;
  /** One per kubernetes_sd_configs entry, in order. */
  sd: SdConfigEntry[];
}

export interface AgentConfig {
  global: AgentGlobal;
  jobs: AgentJob[];
  remoteWrite: SenderSettings[];
}

const TOP_FIELDS = new Set(['global', 'scrape_configs', 'remote_write']);
const GLOBAL_FIELDS = new Set(['scrape_interval', 'scrape_timeout', 'external_labels', 'evaluation_interval', 'scrape_protocols']);
/** What a scrape config may hold: what the agent runs, and what only shapes discovered labels. */
const JOB_FIELDS = new Set([
  'job_name',
  'scrape_interval',
  'scrape_timeout',
  'metrics_path',
  'scheme',
  'params',
  'honor_labels',
  'honor_timestamps',
  'sample_limit',
  'body_size_limit',
  'relabel_configs',
  'metric_relabel_configs',
  'kubernetes_sd_configs',
  'static_configs',
  'authorization',
  'bearer_token',
  'bearer_token_file',
  'basic_auth',
  'tls_config',
  'fallback_scrape_protocol',
  'scrape_protocols',
  'follow_redirects',
  'enable_http2',
  'scrape_native_histograms',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
]);

/** The directory (under --wal-dir) of a remote_write entry's write-ahead log: its name, made safe for a path. */
export function walDirName(remoteName: string): string {
  const safe = remoteName.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '.' || safe === '..' ? `_${safe}` : safe;
}

/** The expanded text: `$(NAME)` replaced where NAME is set, as the reloader does. */
export function expandConfig(text: string, env: NodeJS.ProcessEnv): string {
  return reloaderEnvsubst(text, (name) => env[name]);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a field the agent does not take is refused. */
function refusal(key: string): string {
  if (key.endsWith('_sd_configs')) return 'not supported by the k8smon agent (it runs kubernetes_sd_configs and static_configs)';
  if (key === 'rule_files' || key === 'alerting' || key === 'remote_read') return 'not supported by an agent (as in Prometheus agent mode: no rules, alerts or queries)';
  return 'unknown or unsupported field';
}

function checkFields(where: string, value: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const k of Object.keys(value)) if (!known.has(k)) throw new AgentConfigFileError(where === '' ? k : `${where}.${k}`, refusal(k));
}

function duration(field: string, value: unknown): number {
  const ms = typeof value === 'string' ? durationMs(value) : null;
  if (ms === null || ms <= 0) throw new AgentConfigFileError(field, `not a duration: ${JSON.stringify(value)} (e.g. 30s, 1m)`);
  return ms;
}

/** Reads and checks a config text (after expansion). */
export function parseAgentConfig(text: string, context: { ownNamespace?: string } = {}): AgentConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AgentConfigFileError('config', `not YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isMapping(doc)) throw new AgentConfigFileError('config', 'must be a mapping (global, scrape_configs, remote_write)');
  checkFields('', doc, TOP_FIELDS);
  const g = doc.global ?? {};
  if (!isMapping(g)) throw new AgentConfigFileError('global', 'must be a mapping');
  checkFields('global', g, GLOBAL_FIELDS);
  const global: AgentGlobal = {
    scrape_interval: (g.scrape_interval as string | undefined) ?? '1m',
    scrape_timeout: (g.scrape_timeout as string | undefined) ?? '10s',
    external_labels: {},
  };
  const globalInterval = duration('global.scrape_interval', global.scrape_interval);
  const globalTimeout = duration('global.scrape_timeout', global.scrape_timeout);
  if (globalTimeout > globalInterval) throw new AgentConfigFileError('global.scrape_timeout', 'greater than scrape_interval');
  if (g.external_labels !== undefined) {
    if (!isMapping(g.external_labels)) throw new AgentConfigFileError('global.external_labels', 'must be a mapping of label names to values');
    for (const [k, v] of Object.entries(g.external_labels)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || k.startsWith('__')) throw new AgentConfigFileError(`global.external_labels.${k}`, 'not a valid label name');
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new AgentConfigFileError(`global.external_labels.${k}`, 'must be a string');
      if (String(v) !== '') global.external_labels[k] = String(v);
    }
  }

  const scrapeConfigs = doc.scrape_configs ?? [];
  if (!Array.isArray(scrapeConfigs)) throw new AgentConfigFileError('scrape_configs', 'must be a list');
  const jobs: AgentJob[] = [];
  const names = new Set<string>();
  scrapeConfigs.forEach((sc: unknown, i) => {
    const where = `scrape_configs[${i}]`;
    if (!isMapping(sc)) throw new AgentConfigFileError(where, 'must be a mapping');
    checkFields(where, sc, JOB_FIELDS);
    if (typeof sc.job_name !== 'string' || sc.job_name === '') throw new AgentConfigFileError(`${where}.job_name`, 'is required');
    const name = sc.job_name;
    const at = `scrape_configs[${name}]`;
    if (names.has(name)) throw new AgentConfigFileError(`${at}.job_name`, `found multiple scrape configs with job name ${JSON.stringify(name)}`);
    names.add(name);
    const intervalMs = sc.scrape_interval === undefined ? globalInterval : duration(`${at}.scrape_interval`, sc.scrape_interval);
    // Prometheus: a job's timeout defaults to the global one, capped at the job's interval.
    const timeoutMs = sc.scrape_timeout === undefined ? Math.min(globalTimeout, intervalMs) : duration(`${at}.scrape_timeout`, sc.scrape_timeout);
    if (timeoutMs > intervalMs) throw new AgentConfigFileError(`${at}.scrape_timeout`, `greater than scrape_interval (${String(sc.scrape_timeout)} > ${String(sc.scrape_interval ?? global.scrape_interval)})`);
    if (sc.scheme !== undefined && sc.scheme !== 'http' && sc.scheme !== 'https') throw new AgentConfigFileError(`${at}.scheme`, `must be http or https, not ${JSON.stringify(sc.scheme)}`);
    if (sc.metrics_path !== undefined && typeof sc.metrics_path !== 'string') throw new AgentConfigFileError(`${at}.metrics_path`, 'must be a string');
    if (sc.params !== undefined && (!isMapping(sc.params) || !Object.values(sc.params).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string')))) {
      throw new AgentConfigFileError(`${at}.params`, 'must map names to lists of strings');
    }
    if (sc.sample_limit !== undefined && (!Number.isInteger(sc.sample_limit) || (sc.sample_limit as number) < 0)) throw new AgentConfigFileError(`${at}.sample_limit`, 'must be a non-negative integer');
    for (const field of ['relabel_configs', 'metric_relabel_configs'] as const) {
      const rules = sc[field];
      if (rules === undefined) continue;
      if (!Array.isArray(rules)) throw new AgentConfigFileError(`${at}.${field}`, 'must be a list');
      try {
        compileRelabelConfigs(rules, { semantics: AGENT_SEMANTICS });
      } catch (err) {
        if (err instanceof RelabelConfigError || (err instanceof Error && err.name === 'RelabelRegexError')) throw new AgentConfigFileError(`${at}.${field}`, err.message);
        throw err;
      }
    }
    const config = { ...sc, job_name: name } as AgentJob['config'];
    // Everything about how a target is scraped, checked once with a stand-in target.
    try {
      scrapeTargetFromConfig(config as Parameters<typeof scrapeTargetFromConfig>[0], { url: 'http://check/metrics', labels: {} }, `${timeoutMs}ms`);
    } catch (err) {
      if (err instanceof ScrapeConfigError) throw new AgentConfigFileError(at, err.message);
      throw err;
    }
    const sds = sc.kubernetes_sd_configs ?? [];
    if (!Array.isArray(sds)) throw new AgentConfigFileError(`${at}.kubernetes_sd_configs`, 'must be a list');
    const sd: SdConfigEntry[] = sds.map((entry: unknown, k) => {
      const w = `${at}.kubernetes_sd_configs[${k}]`;
      if (!isMapping(entry)) throw new AgentConfigFileError(w, 'must be a mapping');
      if (!(DISCOVERY_ROLES as readonly unknown[]).includes(entry.role)) throw new AgentConfigFileError(`${w}.role`, `must be one of ${DISCOVERY_ROLES.join(', ')}; got ${JSON.stringify(entry.role)}`);
      const e = entry as SdConfigEntry;
      // The options are checked as discovery checks them, on an empty cluster.
      try {
        discoverGroups(e.role, {}, e, { semantics: AGENT_SEMANTICS, ...(context.ownNamespace !== undefined ? { ownNamespace: context.ownNamespace } : {}) });
      } catch (err) {
        if (err instanceof DiscoveryError || err instanceof SelectorError) throw new AgentConfigFileError(w, err.message.replace(/^kubernetes_sd_configs: /, ''));
        throw err;
      }
      return e;
    });
    const statics = sc.static_configs ?? [];
    if (!Array.isArray(statics)) throw new AgentConfigFileError(`${at}.static_configs`, 'must be a list');
    statics.forEach((s: unknown, k) => {
      const w = `${at}.static_configs[${k}]`;
      if (!isMapping(s)) throw new AgentConfigFileError(w, 'must be a mapping');
      checkFields(w, s, new Set(['targets', 'labels']));
      if (s.targets !== undefined && !(Array.isArray(s.targets) && s.targets.every((t) => typeof t === 'string'))) throw new AgentConfigFileError(`${w}.targets`, 'must be a list of host:port strings');
      if (s.labels !== undefined && !(isMapping(s.labels) && Object.values(s.labels).every((v) => typeof v === 'string'))) throw new AgentConfigFileError(`${w}.labels`, 'must map label names to strings');
    });
    jobs.push({ name, config, intervalMs, timeoutMs, sd });
  });

  const rw = doc.remote_write ?? [];
  if (!Array.isArray(rw)) throw new AgentConfigFileError('remote_write', 'must be a list');
  const remoteWrite = rw.map((entry: unknown, i) => {
    if (!isMapping(entry)) throw new AgentConfigFileError(`remote_write[${i}]`, 'must be a mapping');
    try {
      return senderSettings(entry as unknown as RemoteWriteYaml, i);
    } catch (err) {
      if (err instanceof RemoteWriteConfigError) throw new AgentConfigFileError(`remote_write[${i}]`, err.message.replace(/^remote_write\[\d+\]: /, ''));
      if (err instanceof RelabelConfigError || (err instanceof Error && err.name === 'RelabelRegexError')) throw new AgentConfigFileError(`remote_write[${i}].write_relabel_configs`, err.message);
      throw err;
    }
  });
  const walDirs = new Map<string, string>();
  for (const s of remoteWrite) {
    const dir = walDirName(s.name);
    const other = walDirs.get(dir);
    if (other !== undefined) throw new AgentConfigFileError('remote_write', `entries named ${JSON.stringify(other)} and ${JSON.stringify(s.name)} would share a write-ahead log directory (${dir}): give each its own name`);
    walDirs.set(dir, s.name);
  }
  return { global, jobs, remoteWrite };
}
