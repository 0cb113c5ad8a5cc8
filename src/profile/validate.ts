/**
 * Validation of a merged profile: the JSON Schema first (every error at once),
 * then cross-field rules that a schema cannot say. Pure functions returning
 * problems; the caller decides what to do with them.
 */
import { AGENT_KINDS, agentKind } from '../agents/registry.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, Options as AjvOptions, ValidateFunction } from 'ajv';
import type { InputProblem } from '../errors.js';
import { didYouMean } from '../util/text.js';
import { durationMs } from '../util/duration.js';
import { requireWithCodeCache } from '../util/code-cache.js';
import { formatPath, isPlainObject, type PathSegment } from './merge.js';
import { profileSchema } from './schema.js';
import { PromRegex } from '../runtime/semantics/relabel/regex.js';
import { compileRelabelConfigs, type RelabelConfig as RuntimeRelabelConfig } from '../runtime/semantics/relabel/relabel.js';
import { discoverGroups, DiscoveryError } from '../runtime/semantics/discovery/discover.js';
import { SelectorError } from '../runtime/semantics/discovery/selectors.js';
import type { PodSettings, Profile, RemoteWriteProfile } from './types.js';

export interface RuleResult {
  errors: InputProblem[];
  warnings: InputProblem[];
}

type SchemaNode = Record<string, unknown>;

/** The options the profile schema is compiled with: at build time (scripts/build-validator.mjs) and, failing that, here. */
export const AJV_OPTIONS: AjvOptions = { allErrors: true, strict: true, allowUnionTypes: true };

const require = createRequire(import.meta.url);
let compiled: ValidateFunction | undefined;

/**
 * The schema validator. The build compiles it ahead of time next to this
 * module (importing ajv and compiling the schema cost ~0.2 s per command);
 * run from the sources (tests), it is compiled here.
 */
function schemaValidator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  try {
    compiled = requireWithCodeCache(fileURLToPath(new URL('./schema-validator.cjs', import.meta.url))) as ValidateFunction;
  } catch {
    const { Ajv } = require('ajv') as typeof import('ajv');
    compiled = new Ajv(AJV_OPTIONS).compile(profileSchema);
  }
  return compiled;
}

/** Validates against the JSON Schema; each problem names its path and the fix. */
export function validateSchema(doc: unknown): InputProblem[] {
  return schemaErrors(doc).problems;
}

/**
 * The schema's problems, and where in the document each one is: the value to
 * set aside (the missing key's object for "is required") so that the
 * cross-field rules can still look at the rest.
 */
export function schemaErrors(doc: unknown, options: { describe?: boolean } = {}): { problems: InputProblem[]; at: PathSegment[][] } {
  const validate = schemaValidator();
  if (validate(doc)) return { problems: [], at: [] };
  const problems: InputProblem[] = [];
  const at: PathSegment[][] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const segments = pointerToSegments(err.instancePath);
    if (err.keyword === 'additionalProperties') segments.push(String((err.params as Record<string, unknown>).additionalProperty));
    else if (err.propertyName !== undefined) segments.push(err.propertyName);
    at.push(segments);
    if (options.describe === false) continue;
    const problem = describeAjvError(err, valueAt(doc, pointerToSegments(err.instancePath)));
    if (problem === null) continue;
    const key = `${problem.path}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return { problems: problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), at };
}

function pointerToSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(doc: unknown, segments: readonly PathSegment[]): unknown {
  let node: unknown = doc;
  for (const seg of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The schema node an ajv error refers to (for descriptions and allowed keys). */
function schemaNodeAt(schemaPath: string): SchemaNode | undefined {
  const parts = schemaPath.replace(/^#\//, '').split('/');
  parts.pop(); // the keyword itself
  let node: unknown = profileSchema;
  for (const part of parts) {
    if (!isPlainObject(node)) return undefined;
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isPlainObject(node) ? node : undefined;
}

function describeAjvError(err: ErrorObject, value: unknown): InputProblem | null {
  // An error about a key (propertyNames) names the key itself.
  const segments = [...pointerToSegments(err.instancePath), ...(err.propertyName !== undefined ? [err.propertyName] : [])];
  const path = formatPath(segments);
  const node = schemaNodeAt(err.schemaPath);
  const hint = typeof node?.description === 'string' ? node.description : undefined;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return { path: formatPath([...segments, String(params.missingProperty)]), message: 'is required' };
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((node?.properties as SchemaNode | undefined) ?? {});
      return {
        path: formatPath([...segments, extra]),
        message: `unknown field${didYouMean(extra, allowed)}; allowed here: ${allowed.join(', ')}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      const got = value;
      const gotText = typeof got === 'string' ? `"${got}"${didYouMean(got, allowed)}` : describeValue(got);
      return { path, message: `must be one of: ${allowed.join(', ')} (got ${gotText})` };
    }
    case 'type':
      if (params.type === 'object' && typeof value === 'boolean' && segments.length === 2 && segments[0] === 'components') {
        return { path, message: `must be an object (got a boolean); write ${path}: {enabled: ${String(value)}}` };
      }
      return { path, message: `must be ${article(String(params.type))} (got ${describeValue(value)})` };
    case 'pattern':
      return { path, message: `must be ${hint ?? `a string matching ${String(params.pattern)}`}` };
    case 'minLength':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters` };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters${hint ? `: ${hint}` : ''}` };
    case 'minItems':
      if (path === 'remoteWrite') {
        return { path, message: 'lists no destination; add one ({url: https://…}) or remove remoteWrite to get the in-cluster Prometheus' };
      }
      return { path, message: `must have at least ${String(params.limit)} item(s)` };
    case 'minimum':
    case 'maximum':
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minProperties':
    case 'maxProperties':
      return { path, message: `must set exactly one of: ${Object.keys((node?.properties as SchemaNode | undefined) ?? {}).join(', ')}` };
    case 'propertyNames':
      return null; // reported by the nested pattern error
    default:
      return { path, message: err.message ?? `fails ${err.keyword}` };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The JSON types the schema allows at a path (used to convert --set values). */
export function schemaTypesAt(path: readonly PathSegment[]): string[] {
  let node: SchemaNode | undefined = profileSchema as unknown as SchemaNode;
  for (const seg of path) {
    if (node === undefined) return [];
    if (typeof seg === 'number') {
      node = isPlainObject(node.items) ? node.items : undefined;
    } else {
      const props: SchemaNode | undefined = isPlainObject(node.properties) ? node.properties : undefined;
      const next: unknown = props?.[seg] ?? node.additionalProperties;
      node = isPlainObject(next) ? next : undefined;
    }
  }
  if (node === undefined) return [];
  if (typeof node.type === 'string') return [node.type];
  if (Array.isArray(node.enum)) return [...new Set(node.enum.map((v) => typeof v))];
  return [];
}

/** HTTP headers Prometheus' remote_write refuses to take from `headers`. */
const RESERVED_HEADERS = ['authorization', 'content-encoding', 'content-type', 'user-agent', 'x-prometheus-remote-write-version'];

/** Rules across fields. Runs only on a profile that passed the schema. */
export function crossFieldRules(profile: Profile): RuleResult {
  const errors: InputProblem[] = [];
  const warnings: InputProblem[] = [];

  const interval = durationMs(profile.agent.scrapeInterval);
  const timeout = durationMs(profile.agent.scrapeTimeout);
  if (interval !== null && timeout !== null && timeout > interval) {
    errors.push({
      path: 'agent.scrapeTimeout',
      message: `${profile.agent.scrapeTimeout} is longer than agent.scrapeInterval (${profile.agent.scrapeInterval}); set it to at most the interval`,
    });
  }
  if (interval === 0) errors.push({ path: 'agent.scrapeInterval', message: 'must be longer than 0s' });
  if (timeout === 0) errors.push({ path: 'agent.scrapeTimeout', message: 'must be longer than 0s' });

  if (profile.kubelet.access === 'proxy') {
    warnings.push({
      path: 'kubelet.access',
      message:
        'proxy mode grants the node agent "get nodes/proxy", which also reaches every kubelet API through the apiserver (exec, logs, pod listing). Use direct mode unless pods cannot reach nodes on :10250',
    });
  }

  componentRules(profile, errors, warnings);
  podSettingsRules(profile, errors);
  for (const name of Object.keys(profile.externalLabels ?? {})) {
    if (name === 'cluster') {
      errors.push({ path: 'externalLabels.cluster', message: 'cannot be set here: the cluster label is always cluster.name; set cluster.name instead' });
    } else if (name.startsWith('__')) {
      errors.push({ path: `externalLabels.${name}`, message: 'label names starting with "__" are reserved for Prometheus' });
    }
  }

  urlRule(profile.rules.runbookBaseUrl, 'rules.runbookBaseUrl', ['http:', 'https:'], errors);
  alertmanagerRules(profile, errors, warnings);
  if (profile.rules.prometheusRule && !profile.rules.enabled) {
    warnings.push({ path: 'rules.prometheusRule', message: 'has no effect while rules.enabled is false: no PrometheusRule is rendered' });
  }

  const shards = profile.agent.cluster?.shards;
  if (shards !== undefined && shards > 1 && !agentKind(profile.agent.kind).shardable) {
    errors.push({
      path: 'agent.cluster.shards',
      message: `agent.kind ${profile.agent.kind} does not run sharded yet; set agent.cluster.shards to 1 (one cluster-scope replica), or agent.kind to ${AGENT_KINDS.filter((k) => k.shardable).map((k) => k.name).join(' or ')} to shard`,
    });
  }

  const walHostPath = profile.agent.wal?.hostPath;
  if (walHostPath !== undefined && agentKind(profile.agent.kind).walOnHost !== true) {
    errors.push({
      path: 'agent.wal.hostPath',
      message: `agent.kind ${profile.agent.kind} keeps its write-ahead log in the pod (an emptyDir); remove agent.wal.hostPath, or set agent.kind to ${AGENT_KINDS.filter((k) => k.walOnHost === true).map((k) => k.name).join(' or ')} to keep it on the node`,
    });
  } else if (walHostPath !== undefined && walHostPath.split('/').some((part) => part === '..' || part === '.')) {
    errors.push({ path: 'agent.wal.hostPath', message: `${walHostPath} has a "." or ".." part; give the directory's plain absolute path` });
  }

  extraScrapeConfigRules(profile, interval, errors);

  const names = new Map<string, number>();
  (profile.remoteWrite ?? []).forEach((rw, i) => {
    remoteWriteRules(rw, `remoteWrite[${i}]`, errors, warnings);
    relabelRules(rw.writeRelabelConfigs ?? [], `remoteWrite[${i}].writeRelabelConfigs`, profile, errors);
    if (rw.name !== undefined) {
      const first = names.get(rw.name);
      if (first !== undefined) {
        errors.push({ path: `remoteWrite[${i}].name`, message: `"${rw.name}" is already the name of remoteWrite[${first}]; names must be unique` });
      } else names.set(rw.name, i);
    }
  });
  return { errors, warnings };
}

function remoteWriteRules(rw: RemoteWriteProfile, at: string, errors: InputProblem[], warnings: InputProblem[]): void {
  let url: URL | undefined;
  try {
    url = new URL(rw.url);
  } catch {
    // The URL is not echoed: it may carry credentials.
    errors.push({ path: `${at}.url`, message: 'is not a valid URL; expected http://host[:port]/path or https://host[:port]/path' });
  }
  if (url !== undefined) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      errors.push({ path: `${at}.url`, message: `must use http or https (got ${url.protocol.replace(/:$/, '')})` });
    } else if (url.hostname === '') {
      errors.push({ path: `${at}.url`, message: 'has no host' });
    }
    if (url.username !== '' || url.password !== '') {
      errors.push({
        path: `${at}.url`,
        message: 'carries credentials (user:password@); move them to basicAuth with passwordFrom, so they land in a Secret instead of the agent config',
      });
    }
  }
  const basic = rw.basicAuth;
  if (basic !== undefined) {
    if (basic.password === undefined && basic.passwordFrom === undefined) {
      errors.push({ path: `${at}.basicAuth`, message: 'needs password or passwordFrom ({env: VAR} or {secret: {name, key}})' });
    }
    if (basic.password !== undefined && basic.passwordFrom !== undefined) {
      errors.push({ path: `${at}.basicAuth`, message: 'sets both password and passwordFrom; keep one' });
    }
    if (basic.password !== undefined) {
      warnings.push({ path: `${at}.basicAuth.password`, message: 'the password is kept in the profile file; prefer passwordFrom: {env: VAR} or {secret: {name, key}}' });
    }
  }
  if (rw.bearerToken !== undefined && rw.bearerTokenFrom !== undefined) {
    errors.push({ path: at, message: 'sets both bearerToken and bearerTokenFrom; keep one' });
  }
  const hasBearer = rw.bearerToken !== undefined || rw.bearerTokenFrom !== undefined;
  const kinds = [basic !== undefined ? 'basicAuth' : '', hasBearer ? 'a bearer token' : '', rw.sigv4 !== undefined ? 'sigv4' : '', rw.oauth2 !== undefined ? 'oauth2' : ''].filter((k) => k !== '');
  if (kinds.length > 1) {
    errors.push({ path: at, message: `sets ${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)!}; a destination takes one kind of authentication` });
  }
  const oauth2 = rw.oauth2;
  if (oauth2 !== undefined) {
    if (oauth2.clientSecret === undefined && oauth2.clientSecretFrom === undefined) {
      errors.push({ path: `${at}.oauth2`, message: 'needs clientSecret or clientSecretFrom ({env: VAR} or {secret: {name, key}})' });
    }
    if (oauth2.clientSecret !== undefined && oauth2.clientSecretFrom !== undefined) {
      errors.push({ path: `${at}.oauth2`, message: 'sets both clientSecret and clientSecretFrom; keep one' });
    }
    if (oauth2.clientSecret !== undefined) {
      warnings.push({ path: `${at}.oauth2.clientSecret`, message: 'the client secret is kept in the profile file; prefer clientSecretFrom: {env: VAR} or {secret: {name, key}}' });
    }
    urlRule(oauth2.tokenUrl, `${at}.oauth2.tokenUrl`, ['http:', 'https:'], errors);
  }
  if (rw.proxyUrl !== undefined) urlRule(rw.proxyUrl, `${at}.proxyUrl`, ['http:', 'https:', 'socks5:'], errors);
  const q = rw.queue;
  if (q?.minShards !== undefined && q.maxShards !== undefined && q.minShards > q.maxShards) {
    errors.push({ path: `${at}.queue.minShards`, message: `${q.minShards} is more than queue.maxShards (${q.maxShards})` });
  }
  if (q?.minBackoff !== undefined && q.maxBackoff !== undefined && (durationMs(q.minBackoff) ?? 0) > (durationMs(q.maxBackoff) ?? 0)) {
    errors.push({ path: `${at}.queue.minBackoff`, message: `${q.minBackoff} is longer than queue.maxBackoff (${q.maxBackoff})` });
  }
  if (rw.bearerToken !== undefined) {
    warnings.push({ path: `${at}.bearerToken`, message: 'the token is kept in the profile file; prefer bearerTokenFrom: {env: VAR} or {secret: {name, key}}' });
  }
  for (const header of Object.keys(rw.headers ?? {})) {
    if (RESERVED_HEADERS.includes(header.toLowerCase())) {
      errors.push({
        path: `${at}.headers.${header}`,
        message: 'is set by the agent itself and cannot be overridden; for credentials use basicAuth or bearerTokenFrom',
      });
    }
  }
  if (rw.tls?.insecureSkipVerify === true) {
    warnings.push({ path: `${at}.tls.insecureSkipVerify`, message: 'the destination certificate is not verified; provide tls.ca instead where you can' });
  }
}

/** A URL the agent connects to, given in the ConfigMap: so no credentials in it. */
function urlRule(text: string, at: string, protocols: readonly string[], errors: InputProblem[]): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    errors.push({ path: at, message: `is not a valid URL; expected ${protocols.map((p) => `${p}//host[:port]`).join(' or ')}` });
    return;
  }
  if (!protocols.includes(url.protocol)) errors.push({ path: at, message: `must use ${protocols.map((p) => p.replace(/:$/, '')).join(', ')} (got ${url.protocol.replace(/:$/, '')})` });
  if (url.username !== '' || url.password !== '') errors.push({ path: at, message: 'carries credentials (user:password@), which would land in the agent ConfigMap; remove them' });
}

/** Relabel configs as the agent's Prometheus reads them: its own defaults and checks. */
/**
 * The user's own jobs, checked by the runtime that previews them: relabel
 * rules compiled with the kind's Prometheus semantics, every
 * kubernetes_sd_configs entry run through discovery (selectors parsed), the
 * timeout within the interval, job names unique among them. A clash with a
 * job k8smon renders is found where the jobs are known (model/build.ts).
 */
function extraScrapeConfigRules(profile: Profile, agentInterval: number | null, errors: InputProblem[]): void {
  const semantics = agentKind(profile.agent.kind).semantics;
  const jobNames = new Map<string, number>();
  (profile.extraScrapeConfigs ?? []).forEach((sc, i) => {
    const at = `extraScrapeConfigs[${i}]`;
    const first = jobNames.get(sc.job_name);
    if (first !== undefined) errors.push({ path: `${at}.job_name`, message: `"${sc.job_name}" is already the job_name of extraScrapeConfigs[${first}]; job names must be unique` });
    else jobNames.set(sc.job_name, i);
    if (sc.kubernetes_sd_configs === undefined && sc.static_configs === undefined) {
      errors.push({ path: at, message: 'finds no targets: give kubernetes_sd_configs or static_configs (the discovery k8smon renders and previews)' });
    }
    relabelRules(sc.relabel_configs ?? [], `${at}.relabel_configs`, profile, errors);
    relabelRules(sc.metric_relabel_configs ?? [], `${at}.metric_relabel_configs`, profile, errors);
    (sc.kubernetes_sd_configs ?? []).forEach(({ role, ...options }, j) => {
      try {
        discoverGroups(role, {}, options, { semantics, ownNamespace: profile.namespace });
      } catch (err) {
        if (!(err instanceof DiscoveryError || err instanceof SelectorError)) throw err;
        errors.push({ path: `${at}.kubernetes_sd_configs[${j}]`, message: err.message.replace(/^kubernetes_sd_configs: /, '') });
      }
    });
    const interval = sc.scrape_interval !== undefined ? durationMs(sc.scrape_interval) : agentInterval;
    const timeout = durationMs(sc.scrape_timeout ?? profile.agent.scrapeTimeout);
    if (interval !== null && timeout !== null && timeout > interval) {
      errors.push({
        path: `${at}.scrape_timeout`,
        message: `${sc.scrape_timeout ?? profile.agent.scrapeTimeout}${sc.scrape_timeout === undefined ? ' (agent.scrapeTimeout)' : ''} is longer than the job's scrape interval (${sc.scrape_interval ?? profile.agent.scrapeInterval}); set scrape_timeout to at most the interval`,
      });
    }
  });
}

/** An enabled Alertmanager needs receivers and the in-cluster Prometheus that sends it alerts. */
function alertmanagerRules(profile: Profile, errors: InputProblem[], warnings: InputProblem[]): void {
  const am = profile.alertmanager;
  if (am === undefined || !am.enabled) return;
  if (am.receivers.length === 0) {
    errors.push({ path: 'alertmanager.receivers', message: 'an enabled Alertmanager needs at least one receiver (slack, email or webhook); add one, or set alertmanager.enabled to false' });
  }
  const seen = new Set<string>();
  am.receivers.forEach((r, i) => {
    if (r.slack === undefined && r.email === undefined && r.webhook === undefined) {
      errors.push({ path: `alertmanager.receivers[${i}]`, message: 'sends nowhere: give slack, email or webhook' });
    }
    if (seen.has(r.name)) errors.push({ path: `alertmanager.receivers[${i}].name`, message: `"${r.name}" is already a receiver's name; names must be unique` });
    seen.add(r.name);
  });
  if ((profile.remoteWrite ?? []).length > 0) {
    errors.push({
      path: 'alertmanager.enabled',
      message: "the alerts are evaluated by the in-cluster Prometheus, which is only rendered without remoteWrite; with a remote destination, load rules/k8smon.rules.yaml (render --output-dir) into its ruler and Alertmanager instead, and set alertmanager.enabled to false",
    });
  }
  if (!profile.rules.enabled) warnings.push({ path: 'alertmanager.enabled', message: 'rules.enabled is false: no alert will ever reach the Alertmanager' });
}

function relabelRules(configs: readonly RuntimeRelabelConfig[], at: string, profile: Profile, errors: InputProblem[]): void {
  const semantics = agentKind(profile.agent.kind).semantics;
  configs.forEach((config, i) => {
    try {
      compileRelabelConfigs([config], { semantics });
    } catch (err) {
      errors.push({ path: `${at}[${i}]`, message: (err as Error).message });
    }
  });
}

/** Pod labels k8smon sets itself (the selector and the component): a user's label may not replace them. */
const RESERVED_LABEL_PREFIX = 'app.kubernetes.io/';
const RESERVED_ANNOTATION = 'k8smon.dev/config-sha256';

function podSettingsRules(profile: Profile, errors: InputProblem[]): void {
  const places: [string, PodSettings | undefined][] = [
    ['podDefaults', profile.podDefaults],
    ['agent.pod', profile.agent.pod],
    ['components.kubeStateMetrics.pod', profile.components.kubeStateMetrics.pod],
    ['components.nodeExporter.pod', profile.components.nodeExporter.pod],
    ['components.blackboxExporter.pod', profile.components.blackboxExporter.pod],
    ['localPrometheus.pod', profile.localPrometheus.pod],
    ['alertmanager.pod', profile.alertmanager?.pod],
  ];
  for (const [at, settings] of places) {
    for (const key of Object.keys(settings?.labels ?? {})) {
      if (key.startsWith(RESERVED_LABEL_PREFIX)) {
        errors.push({ path: `${at}.labels.${key}`, message: `${RESERVED_LABEL_PREFIX}* labels are k8smon's own (its selectors use them); use another key` });
      }
    }
    if (settings?.annotations?.[RESERVED_ANNOTATION] !== undefined) {
      errors.push({ path: `${at}.annotations.${RESERVED_ANNOTATION}`, message: 'is set by k8smon (it rolls the pods when their config changes); use another key' });
    }
    (settings?.tolerations ?? []).forEach((t, i) => {
      if (t.operator === 'Exists' && t.value !== undefined) errors.push({ path: `${at}.tolerations[${i}].value`, message: 'must be empty with operator Exists' });
      if (t.key === undefined && t.operator !== 'Exists') errors.push({ path: `${at}.tolerations[${i}].operator`, message: 'must be Exists when key is empty (a toleration of every taint)' });
    });
  }
}

/** Components that exist only where the control plane runs on the cluster's own nodes. */
const SELF_HOSTED_ONLY = ['kubeScheduler', 'kubeControllerManager', 'etcd'] as const;
/** Components that need hostNetwork, hostPID or hostPath, which GKE Autopilot rejects. */
const HOST_ACCESS = ['nodeExporter', 'kubeProxy', 'kubeScheduler', 'kubeControllerManager', 'etcd'] as const;

function componentRules(profile: Profile, errors: InputProblem[], warnings: InputProblem[]): void {
  const c = profile.components;
  const { platform, controlPlane } = profile.cluster;
  if (controlPlane === 'managed') {
    for (const name of SELF_HOSTED_ONLY) {
      if (c[name].enabled) {
        errors.push({
          path: `components.${name}.enabled`,
          message: `cannot be scraped on a managed control plane (cluster.controlPlane: managed, platform ${platform}); set it to false${platform === 'eks' && name !== 'etcd' ? ', or enable components.eksControlPlane for the scheduler and controller-manager through the apiserver' : ''}`,
        });
      }
    }
  }
  if (c.eksControlPlane.enabled && platform !== 'eks') {
    errors.push({ path: 'components.eksControlPlane.enabled', message: `exists only on EKS (cluster.platform is ${platform}); set it to false` });
  }
  if (platform === 'gke-autopilot') {
    for (const name of HOST_ACCESS) {
      if (c[name].enabled) {
        errors.push({ path: `components.${name}.enabled`, message: 'needs host access (hostNetwork, hostPID or hostPath), which GKE Autopilot rejects; set it to false' });
      }
    }
  }
  if (c.kubeStateMetrics.enabled && c.kubeStateMetrics.collectors.includes('secrets')) {
    warnings.push({
      path: 'components.kubeStateMetrics.collectors',
      message: 'includes "secrets": kube-state-metrics gets list/watch on every Secret in the cluster (their contents included, as far as RBAC goes)',
    });
  }
  if (c.kubeStateMetrics.enabled && c.kubeStateMetrics.collectors.length === 0) {
    errors.push({ path: 'components.kubeStateMetrics.collectors', message: 'lists no collector; list some, or set components.kubeStateMetrics.enabled to false' });
  }
  for (const name of ['kubelet', 'cadvisor', 'apiserver', 'kubeStateMetrics', 'nodeExporter'] as const) {
    const filter = c[name].metrics;
    for (const list of ['keep', 'drop'] as const) {
      filter[list].forEach((pattern, i) => {
        try {
          new PromRegex(pattern);
        } catch (err) {
          errors.push({ path: `components.${name}.metrics.${list}[${i}]`, message: `${(err as Error).message} (RE2 syntax: no look-arounds or backreferences)` });
        }
      });
    }
  }
}
