/**
 * The Alloy configuration of one agent (node-local or cluster-scope), written
 * from the same jobs every kind renders. Per job, in job order:
 *
 *   discovery.kubernetes "<job>"   each kubernetes_sd_configs entry (static targets need none)
 *   discovery.relabel "<job>"      the job's relabel_configs, as `rule` blocks
 *   prometheus.scrape "<job>"      interval, timeout, scheme, path, params, auth, TLS, honor_labels
 *   prometheus.relabel "<job>"     the metric allow-list (metric_relabel_configs), when it has one
 *
 * then `prometheus.remote_write` per destination, its credentials read by
 * `local.file` (is_secret) from the Secrets the pod mounts. A node-local
 * agent selects its own Node and pods with field selectors on
 * `sys.env("NODE_NAME")`, which the DaemonSet sets from spec.nodeName.
 *
 * Prometheus sets a target's `job`, `__scheme__`, `__metrics_path__`,
 * `__scrape_interval__`, `__scrape_timeout__` and `__param_<name>` before its
 * relabel_configs run; Alloy's discovery.relabel runs before
 * prometheus.scrape adds them (only where a label is absent). A rule that
 * reads one of them before any rule sets it would see nothing in Alloy, so
 * the value Prometheus would give it is set by a rule in front.
 */
import type { AgentModel, Model, RelabelConfig, RemoteWriteTarget, ScrapeConfig } from '../../model/types.js';
import { selectingOwnNode } from '../shared/node-selectors.js';
import { POD_NAME_ENV, sharded } from '../shared/sharding.js';
import { globalConfig, remoteWriteConfig } from '../shared/prometheus-config.js';
import { attr, attrs, block, bool, call, concat, int, isAlloyIdentifier, list, object, printAlloy, ref, str, strings, type Block, type Expr, type Statement } from './syntax.js';

export const CONFIG_KEY = 'config.alloy';
export const CONFIG_DIR = '/etc/alloy';
export const STORAGE_DIR = '/var/lib/alloy/data';
export const HTTP_PORT = 12345;
/** The variable the DaemonSet sets from spec.nodeName; the config reads it with sys.env. */
export const NODE_NAME_ENV = 'NODE_NAME';

/** A component label from a job or destination name: an Alloy identifier, unique in its file. */
export function componentNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let base = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!isAlloyIdentifier(base)) base = `_${base}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    return id;
  });
}

export function alloyConfigText(model: Model, agent: AgentModel): string {
  const nodeLocal = agent.scope === 'node';
  const ids = componentNames(agent.jobs.map((j) => j.config.job_name));
  const destinations = componentNames(model.remoteWrite.map((rw) => rw.name));
  const receivers = list(destinations.map((d) => ref('prometheus', 'remote_write', d, 'receiver')));
  const statements: Statement[] = [];
  agent.jobs.forEach((job, i) => {
    // A sharded cluster agent: the same hashmod rules as the other kinds, first in each job, the pod's
    // name read with sys.env("POD_NAME") (each replica of the StatefulSet keeps its ordinal's share).
    // Not Alloy's own clustering: its hash ring cannot be predicted, so the preview could not say
    // which replica keeps what, and a target's owner would change whenever a replica restarts.
    const config = nodeLocal ? selectingOwnNode(job.config, NODE_PLACEHOLDER, ['node', 'pod']) : sharded(job.config, agent.shards, POD_PLACEHOLDER);
    statements.push(...jobComponents(model, config, ids[i]!, receivers));
  });
  const files = new Map<string, string>();
  const writers = model.remoteWrite.map((rw, i) => remoteWrite(model, rw, destinations[i]!, files));
  for (const [path, id] of files) statements.push(block('local.file', id, [attr('filename', str(path)), attr('is_secret', bool(true))]));
  statements.push(...writers);
  return printAlloy(statements);
}

/** Stands for the node's name in field selectors; written as sys.env("NODE_NAME"). */
const NODE_PLACEHOLDER = '\u0000NODE\u0000';
/** Stands for the pod's name in the sharding rules; written as sys.env("POD_NAME"). */
const POD_PLACEHOLDER = '\u0000POD\u0000';

/** A rule's replacement, the pod's name read from the environment where the placeholder stands. */
function replacementValue(value: string): Expr {
  if (!value.includes(POD_PLACEHOLDER)) return str(value);
  const parts = value.split(POD_PLACEHOLDER);
  const exprs: Expr[] = [];
  parts.forEach((p, i) => {
    if (p !== '') exprs.push(str(p));
    if (i < parts.length - 1) exprs.push(call(['sys', 'env'], str(POD_NAME_ENV)));
  });
  return exprs.length === 1 ? exprs[0]! : concat(...exprs);
}

/** A field selector's value, the node's name read from the environment where the placeholder stands. */
function selectorValue(value: string): Expr {
  const parts = value.split(NODE_PLACEHOLDER);
  const exprs: Expr[] = [];
  parts.forEach((p, i) => {
    if (p !== '') exprs.push(str(p));
    if (i < parts.length - 1) exprs.push(call(['sys', 'env'], str(NODE_NAME_ENV)));
  });
  return exprs.length === 0 ? str('') : concat(...exprs);
}

/** The labels Prometheus gives a target before relabeling, from its job. */
function jobDefaults(model: Model, config: ScrapeConfig): Map<string, string> {
  const defaults = new Map<string, string>([
    ['job', config.job_name],
    ['__scrape_interval__', config.scrape_interval ?? model.scrapeInterval],
    ['__scrape_timeout__', config.scrape_timeout ?? model.scrapeTimeout],
    ['__metrics_path__', config.metrics_path ?? '/metrics'],
    ['__scheme__', config.scheme ?? 'http'],
  ]);
  for (const [k, v] of Object.entries(config.params ?? {})) if (v.length > 0) defaults.set(`__param_${k}`, v[0]!);
  return defaults;
}

/** Rules that give a job-default label its Prometheus value where a rule reads it before any rule sets it. */
function defaultsReadBeforeSet(defaults: Map<string, string>, rules: readonly RelabelConfig[]): RelabelConfig[] {
  const set = new Set<string>();
  const needed: RelabelConfig[] = [];
  for (const rule of rules) {
    for (const l of rule.source_labels ?? []) {
      const value = defaults.get(l);
      if (value !== undefined && !set.has(l) && !needed.some((r) => r.target_label === l)) needed.push({ target_label: l, replacement: value.replaceAll('$', '$$$$') });
    }
    if ((rule.action ?? 'replace') === 'replace' && rule.target_label !== undefined && rule.target_label !== null) set.add(rule.target_label);
  }
  return needed;
}

function ruleBlock(rule: RelabelConfig, name = 'rule'): Block {
  return block(
    name,
    undefined,
    attrs([
      ['source_labels', rule.source_labels != null ? strings(rule.source_labels) : undefined],
      ['separator', rule.separator != null ? str(rule.separator) : undefined],
      ['regex', rule.regex != null ? str(rule.regex) : undefined],
      ['modulus', rule.modulus != null ? int(rule.modulus) : undefined],
      ['target_label', rule.target_label != null ? str(rule.target_label) : undefined],
      ['replacement', rule.replacement != null ? replacementValue(rule.replacement) : undefined],
      ['action', rule.action != null ? str(rule.action) : undefined],
    ]),
  );
}

function jobComponents(model: Model, config: ScrapeConfig, id: string, receivers: Expr): Statement[] {
  const out: Statement[] = [];
  const sources: Expr[] = [];
  (config.kubernetes_sd_configs ?? []).forEach((sd, i) => {
    const sdId = i === 0 ? id : `${id}_${i + 1}`;
    const body: Statement[] = [attr('role', str(sd.role))];
    const namespaces = sd.namespaces as { names?: string[]; own_namespace?: boolean } | undefined;
    if (namespaces !== undefined) {
      body.push(block('namespaces', undefined, attrs([['own_namespace', namespaces.own_namespace !== undefined ? bool(namespaces.own_namespace) : undefined], ['names', namespaces.names !== undefined ? strings(namespaces.names) : undefined]])));
    }
    for (const s of sd.selectors ?? []) {
      body.push(block('selectors', undefined, attrs([['role', str(s.role)], ['label', s.label !== undefined ? str(s.label) : undefined], ['field', s.field !== undefined ? selectorValue(s.field) : undefined]])));
    }
    if (sd.attach_metadata?.node !== undefined) body.push(block('attach_metadata', undefined, [attr('node', bool(sd.attach_metadata.node))]));
    out.push(block('discovery.kubernetes', sdId, body));
    sources.push(ref('discovery', 'kubernetes', sdId, 'targets'));
  });
  for (const sc of config.static_configs ?? []) {
    const labels = Object.entries(sc.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    sources.push(list(sc.targets.map((t) => object([['__address__', str(t)], ...labels.map(([k, v]): [string, Expr] => [k, str(v)])]))));
  }
  const targets = sources.length === 1 ? sources[0]! : call(['array', 'concat'], ...sources);
  const rules = [...defaultsReadBeforeSet(jobDefaults(model, config), config.relabel_configs), ...config.relabel_configs];
  out.push(block('discovery.relabel', id, [attr('targets', targets), ...rules.map((r) => ruleBlock(r))]));

  const metricRules = config.metric_relabel_configs ?? [];
  const forwardTo = metricRules.length > 0 ? list([ref('prometheus', 'relabel', id, 'receiver')]) : receivers;
  const scrape: Statement[] = attrs([
    ['targets', ref('discovery', 'relabel', id, 'output')],
    ['forward_to', forwardTo],
    ['job_name', str(config.job_name)],
    ['honor_labels', config.honor_labels !== undefined ? bool(config.honor_labels) : undefined],
    ['params', config.params !== undefined ? object(Object.entries(config.params).map(([k, v]): [string, Expr] => [k, strings(v)])) : undefined],
    ['scrape_interval', str(config.scrape_interval ?? model.scrapeInterval)],
    ['scrape_timeout', str(config.scrape_timeout ?? model.scrapeTimeout)],
    ['metrics_path', str(config.metrics_path ?? '/metrics')],
    ['scheme', str(config.scheme ?? 'http')],
  ]);
  if (config.authorization !== undefined) {
    scrape.push(block('authorization', undefined, attrs([['type', str(config.authorization.type ?? 'Bearer')], ['credentials_file', config.authorization.credentials_file !== undefined ? str(config.authorization.credentials_file) : undefined]])));
  }
  if (config.tls_config !== undefined) scrape.push(tlsBlock(config.tls_config));
  out.push(block('prometheus.scrape', id, scrape));
  if (metricRules.length > 0) out.push(block('prometheus.relabel', id, [attr('forward_to', receivers), ...metricRules.map((r) => ruleBlock(r))]));
  return out;
}

function tlsBlock(tls: { ca_file?: string; server_name?: string; insecure_skip_verify?: boolean }): Block {
  return block(
    'tls_config',
    undefined,
    attrs([
      ['ca_file', tls.ca_file !== undefined ? str(tls.ca_file) : undefined],
      ['server_name', tls.server_name !== undefined ? str(tls.server_name) : undefined],
      ['insecure_skip_verify', tls.insecure_skip_verify !== undefined ? bool(tls.insecure_skip_verify) : undefined],
    ]),
  );
}

/** A credential file's local.file component: named after the file, one per file. */
function secretFile(files: Map<string, string>, path: string): Expr {
  let id = files.get(path);
  if (id === undefined) {
    const taken = new Set(files.values());
    [id] = componentNames([`secret_${path.split('/').slice(-2).join('_')}`]);
    for (let n = 2; taken.has(id!); n++) id = `${componentNames([`secret_${path.split('/').slice(-2).join('_')}`])[0]}_${n}`;
    files.set(path, id!);
  }
  return ref('local', 'file', id!, 'content');
}

function remoteWrite(model: Model, rw: RemoteWriteTarget, id: string, files: Map<string, string>): Block {
  const endpoint: Statement[] = attrs([
    ['name', str(rw.name)],
    ['url', str(rw.url)],
    ['headers', rw.headers !== undefined ? object(Object.entries(rw.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]): [string, Expr] => [k, str(v)])) : undefined],
  ]);
  if (rw.basicAuth !== undefined) {
    endpoint.push(block('basic_auth', undefined, [attr('username', str(rw.basicAuth.username)), attr('password', secretFile(files, rw.basicAuth.passwordFile.path))]));
  }
  if (rw.bearerTokenFile !== undefined) {
    endpoint.push(block('authorization', undefined, [attr('type', str('Bearer')), attr('credentials', secretFile(files, rw.bearerTokenFile.path))]));
  }
  if (rw.proxyUrl !== undefined) endpoint.push(attr('proxy_url', str(rw.proxyUrl)));
  if (rw.sigv4 !== undefined) {
    // No keys: the pod's identity (IRSA) signs.
    endpoint.push(block('sigv4', undefined, attrs([['region', str(rw.sigv4.region)], ['role_arn', rw.sigv4.roleArn !== undefined ? str(rw.sigv4.roleArn) : undefined]])));
  }
  if (rw.oauth2 !== undefined) {
    endpoint.push(
      block(
        'oauth2',
        undefined,
        attrs([
          ['client_id', str(rw.oauth2.clientId)],
          ['client_secret', secretFile(files, rw.oauth2.clientSecretFile.path)],
          ['token_url', str(rw.oauth2.tokenUrl)],
          ['scopes', rw.oauth2.scopes !== undefined ? strings(rw.oauth2.scopes) : undefined],
        ]),
      ),
    );
  }
  const queue = remoteWriteConfig(rw).queue_config;
  if (queue !== undefined) {
    // Alloy's queue_config takes Prometheus' names; durations are strings.
    endpoint.push(block('queue_config', undefined, Object.entries(queue).map(([k, v]) => attr(k, typeof v === 'number' ? int(v) : str(v)))));
  }
  for (const rule of rw.writeRelabelConfigs ?? []) endpoint.push(ruleBlock(rule, 'write_relabel_config'));
  if (rw.tls !== undefined) {
    endpoint.push(tlsBlock({ ...(rw.tls.caFile !== undefined ? { ca_file: rw.tls.caFile.path } : {}), ...(rw.tls.serverName !== undefined ? { server_name: rw.tls.serverName } : {}), ...(rw.tls.insecureSkipVerify !== undefined ? { insecure_skip_verify: rw.tls.insecureSkipVerify } : {}) }));
  }
  return block('prometheus.remote_write', id, [attr('external_labels', object(Object.entries(globalConfig(model).external_labels).map(([k, v]) => [k, str(v)]))), block('endpoint', undefined, endpoint)]);
}
