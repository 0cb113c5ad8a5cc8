/**
 * An Alloy configuration read back into the neutral plan: each
 * `prometheus.scrape` with the pipeline that feeds it — `discovery.kubernetes`
 * entries and literal targets, through any chain of `discovery.relabel` rules
 * — and the `prometheus.relabel` rules on the way to its receivers (its
 * metric_relabel_configs). `sys.env(...)` is the environment of the container
 * on the node. A source of targets of another kind (`discovery.file`, an
 * exporter, …) is named as not previewed, and so is a prometheus.operator.*
 * component (it scrapes what it finds itself); components that feed no
 * scrape are not read.
 */
import { AgentConfigError, type AgentInstanceConfig, type AgentSpec, type RuntimeScrapeConfig } from '../../runtime/plan/plan.js';
import type { RelabelConfig } from '../../runtime/semantics/relabel/relabel.js';
import { commandLine, configMapFile, containerEnv, placement, type ContainerFiles } from '../shared/manifests.js';
import { NODE_NAME_ENV } from './config.js';
import { parseAlloy, unquote, type Expr, type Stmt } from './parse.js';

const KIND = 'alloy';
/** Alloy v1.18 is built on Prometheus 3.12 (its go.mod), whose discovery and relabeling it runs. */
const SEMANTICS = 'prometheus-3';

type Block = Extract<Stmt, { type: 'block' }>;

/** A component reference (`discovery.relabel.x.output`), kept as the path it names. */
class Reference {
  constructor(readonly path: string[]) {}
  toString(): string {
    return this.path.join('.');
  }
}

type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | Reference;

class Evaluator {
  constructor(
    private readonly env: Map<string, string>,
    private readonly where: string,
  ) {}

  fail(message: string): never {
    throw new AgentConfigError(`${this.where}: ${message}`);
  }

  value(e: Expr): Value {
    switch (e.type) {
      case 'literal':
        if (e.kind === 'string') {
          try {
            return unquote(e.raw);
          } catch (err) {
            return this.fail((err as Error).message);
          }
        }
        if (e.kind === 'number' || e.kind === 'float') return Number(e.raw);
        if (e.kind === 'bool') return e.raw === 'true';
        return null;
      case 'array':
        return e.elements.map((x) => this.value(x));
      case 'object':
        return Object.fromEntries(e.fields.map((f) => [f.name, this.value(f.value)]));
      case 'paren':
        return this.value(e.inner);
      case 'ident':
      case 'access': {
        const path = this.path(e);
        if (path === undefined) return this.fail('an expression k8smon does not evaluate');
        return new Reference(path);
      }
      case 'call': {
        const fn = this.path(e.value)?.join('.');
        const args = e.args.map((a) => this.value(a));
        if (fn === 'sys.env' || fn === 'env') {
          if (typeof args[0] !== 'string') return this.fail(`${fn}() takes a string`);
          return this.env.get(args[0]) ?? '';
        }
        if (fn === 'array.concat' || fn === 'concat') return args.flatMap((a) => (Array.isArray(a) ? a : a instanceof Reference ? [a] : this.fail(`${fn}() takes arrays`)));
        return this.fail(`the function ${fn ?? '(expression)'}() is not previewed`);
      }
      case 'binary':
        if (e.op === '+') {
          const l = this.value(e.left);
          const r = this.value(e.right);
          if (typeof l === 'string' && typeof r === 'string') return l + r;
          if (typeof l === 'number' && typeof r === 'number') return l + r;
        }
        return this.fail(`the operator ${e.op} is not previewed here`);
      default:
        return this.fail(`an expression k8smon does not evaluate (${e.type})`);
    }
  }

  private path(e: Expr): string[] | undefined {
    if (e.type === 'ident') return [e.name];
    if (e.type === 'access') {
      const base = this.path(e.value);
      return base === undefined ? undefined : [...base, e.name];
    }
    return undefined;
  }
}

/** The attributes and blocks of a block body, evaluated on demand. */
class Body {
  constructor(
    readonly block: Block,
    private readonly ev: Evaluator,
  ) {}
  attr(name: string): Value | undefined {
    const a = this.block.body.find((s): s is Extract<Stmt, { type: 'attribute' }> => s.type === 'attribute' && s.name === name);
    return a === undefined ? undefined : this.ev.value(a.value);
  }
  string(name: string): string | undefined {
    const v = this.attr(name);
    return typeof v === 'string' ? v : undefined;
  }
  blocks(name: string): Body[] {
    return this.block.body.filter((s): s is Block => s.type === 'block' && s.name.join('.') === name).map((b) => new Body(b, this.ev));
  }
  /** The names of the block's attributes, in order. */
  names(): string[] {
    return this.block.body.filter((s): s is Extract<Stmt, { type: 'attribute' }> => s.type === 'attribute').map((a) => a.name);
  }
}

/** The components of a file, by `<name>.<label>`. */
function components(text: string, where: string): Map<string, Block> {
  const { body, errors } = parseAlloy(text);
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new AgentConfigError(`${where}: not Alloy syntax: ${e.line}:${e.column}: ${e.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }
  const out = new Map<string, Block>();
  for (const s of body) if (s.type === 'block') out.set([...s.name, ...(s.label !== undefined ? [s.label] : [])].join('.'), s);
  return out;
}

function relabelRules(b: Body, blockName = 'rule'): RelabelConfig[] {
  return b.blocks(blockName).map((r) => {
    const rule: RelabelConfig = {};
    const sl = r.attr('source_labels');
    if (Array.isArray(sl)) rule.source_labels = sl.filter((x): x is string => typeof x === 'string');
    for (const k of ['separator', 'regex', 'target_label', 'replacement', 'action'] as const) {
      const v = r.string(k);
      if (v !== undefined) rule[k] = v;
    }
    const mod = r.attr('modulus');
    if (typeof mod === 'number') rule.modulus = mod;
    return rule;
  });
}

/** One way targets reach a scrape: a discovery (or literal targets) and the relabel rules on the way. */
interface Branch {
  sd?: NonNullable<RuntimeScrapeConfig['kubernetes_sd_configs']>[number];
  static?: { targets: string[]; labels: Record<string, string> }[];
  notPreviewed?: string;
  rules: RelabelConfig[];
}

function kubernetesSd(b: Body): NonNullable<Branch['sd']> {
  const sd: any = { role: b.string('role') };
  for (const key of ['api_server', 'kubeconfig_file']) if (b.attr(key) !== undefined) sd[key] = b.attr(key);
  const ns = b.blocks('namespaces')[0];
  if (ns !== undefined) {
    sd.namespaces = {};
    const names = ns.attr('names');
    if (Array.isArray(names)) sd.namespaces.names = names;
    const own = ns.attr('own_namespace');
    if (typeof own === 'boolean') sd.namespaces.own_namespace = own;
  }
  const selectors = b.blocks('selectors').map((s) => ({ role: s.string('role'), ...(s.string('label') !== undefined ? { label: s.string('label') } : {}), ...(s.string('field') !== undefined ? { field: s.string('field') } : {}) }));
  if (selectors.length > 0) sd.selectors = selectors;
  const am = b.blocks('attach_metadata')[0];
  if (am !== undefined) {
    sd.attach_metadata = {};
    for (const k of ['node', 'namespace']) if (typeof am.attr(k) === 'boolean') sd.attach_metadata[k] = am.attr(k);
  }
  return sd;
}

class Reader {
  private readonly ev: Evaluator;
  constructor(
    private readonly all: Map<string, Block>,
    env: Map<string, string>,
    where: string,
  ) {
    this.ev = new Evaluator(env, where);
  }

  body(id: string): Body | undefined {
    const b = this.all.get(id);
    return b === undefined ? undefined : new Body(b, this.ev);
  }

  /** Where a `targets` value comes from, each way with its rules. */
  branches(value: Value | undefined, seen: Set<string> = new Set()): Branch[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) {
      // In order: each component's targets, and each run of literal targets as one static group list.
      const out: Branch[] = [];
      for (const v of value) {
        if (v instanceof Reference) out.push(...this.branches(v, seen));
        else if (isRecord(v)) {
          const { __address__, ...labels } = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
          const group = { targets: __address__ !== undefined ? [__address__] : [], labels };
          const last = out[out.length - 1];
          if (last?.static !== undefined && last.rules.length === 0) last.static.push(group);
          else out.push({ static: [group], rules: [] });
        } else this.ev.fail(`a target must be an object of labels (got ${JSON.stringify(v)})`);
      }
      return out;
    }
    if (!(value instanceof Reference)) return this.ev.fail(`targets must be a list of targets or a component's export (got ${JSON.stringify(value)})`);
    const path = value.path;
    const id = path.slice(0, -1).join('.');
    const exported = path[path.length - 1];
    if (seen.has(id)) return this.ev.fail(`${id} feeds itself`);
    const component = this.body(id);
    if (component === undefined) return [{ notPreviewed: value.toString(), rules: [] }];
    const kind = path.slice(0, 2).join('.');
    if (kind === 'discovery.kubernetes' && exported === 'targets') return [{ sd: kubernetesSd(component), rules: [] }];
    if (kind === 'discovery.relabel' && exported === 'output') {
      const rules = relabelRules(component);
      return this.branches(component.attr('targets'), new Set([...seen, id])).map((b) => ({ ...b, rules: [...b.rules, ...rules] }));
    }
    return [{ notPreviewed: value.toString(), rules: [] }];
  }

  /** The metric relabel rules on the way from a scrape to its first remote_write. */
  metricRules(forwardTo: Value | undefined, seen: Set<string> = new Set()): RelabelConfig[] {
    const first = Array.isArray(forwardTo) ? forwardTo.find((v) => v instanceof Reference) : undefined;
    if (!(first instanceof Reference) || first.path[0] !== 'prometheus' || first.path[1] !== 'relabel') return [];
    const id = first.path.slice(0, -1).join('.');
    const component = this.body(id);
    if (component === undefined || seen.has(id)) return [];
    return [...relabelRules(component), ...this.metricRules(component.attr('forward_to'), new Set([...seen, id]))];
  }

  scrapeConfigs(): RuntimeScrapeConfig[] {
    const out: RuntimeScrapeConfig[] = [];
    for (const [id, block] of this.all) {
      // Components that find and scrape targets by themselves (PodMonitors, ServiceMonitors, …): a job the preview names, not runs.
      if (block.name.join('.').startsWith('prometheus.operator.')) {
        out.push({ job_name: id, relabel_configs: [], notPreviewed: [id] });
        continue;
      }
      if (block.name.join('.') !== 'prometheus.scrape') continue;
      const scrape = new Body(block, this.ev);
      const base: RuntimeScrapeConfig = { job_name: scrape.string('job_name') ?? id };
      for (const key of ['scheme', 'metrics_path', 'scrape_interval', 'scrape_timeout'] as const) {
        const v = scrape.string(key);
        if (v !== undefined) base[key] = v;
      }
      if (base.scrape_interval === undefined) base.scrape_interval = '1m';
      if (base.scrape_timeout === undefined) base.scrape_timeout = '10s';
      const honor = scrape.attr('honor_labels');
      if (typeof honor === 'boolean') base.honor_labels = honor;
      const params = scrape.attr('params');
      if (typeof params === 'object' && params !== null && !Array.isArray(params) && !(params instanceof Reference)) base.params = params as Record<string, string[]>;
      const auth = scrape.blocks('authorization')[0];
      if (auth?.string('credentials_file') !== undefined) base.authorization = { type: auth.string('type') ?? 'Bearer', credentials_file: auth.string('credentials_file')! };
      const tls = scrape.blocks('tls_config')[0];
      if (tls !== undefined) base.tls_config = tlsOf(tls);
      if (scrape.string('bearer_token_file') !== undefined) base.bearer_token_file = scrape.string('bearer_token_file')!;
      const metric = this.metricRules(scrape.attr('forward_to'));
      if (metric.length > 0) base.metric_relabel_configs = metric;
      const branches = this.branches(scrape.attr('targets'));
      const notPreviewed = branches.flatMap((b) => (b.notPreviewed !== undefined ? [b.notPreviewed] : []));
      const previewed = branches.filter((b) => b.notPreviewed === undefined);
      // One scrape config per way in; a scrape whose every source is not previewed still says so.
      if (previewed.length === 0) out.push({ ...base, relabel_configs: [], ...(notPreviewed.length > 0 ? { notPreviewed } : {}) });
      previewed.forEach((b, i) =>
        out.push({
          ...base,
          ...(b.sd !== undefined ? { kubernetes_sd_configs: [b.sd] } : {}),
          ...(b.static !== undefined ? { static_configs: b.static } : {}),
          relabel_configs: b.rules,
          ...(i === 0 && notPreviewed.length > 0 ? { notPreviewed } : {}),
        }),
      );
    }
    return out;
  }

  /** Every HTTP client, in Prometheus' field names: a credential from local.file becomes its file. */
  httpClients(): [string, unknown][] {
    const out: [string, unknown][] = [];
    const secretOf = (b: Body, field: string, fileField: string): Record<string, unknown> => {
      const v = b.attr(field);
      if (typeof v === 'string') return { [field]: v };
      if (v instanceof Reference && v.path[0] === 'local' && v.path[1] === 'file') {
        const file = this.body(v.path.slice(0, 3).join('.'))?.string('filename');
        return file !== undefined ? { [fileField]: file } : {};
      }
      return {};
    };
    const client = (b: Body): Record<string, unknown> => {
      const c: Record<string, unknown> = {};
      const basic = b.blocks('basic_auth')[0];
      if (basic !== undefined) c.basic_auth = { username: basic.string('username'), ...secretOf(basic, 'password', 'password_file') };
      const auth = b.blocks('authorization')[0];
      if (auth !== undefined) c.authorization = { type: auth.string('type') ?? 'Bearer', ...secretOf(auth, 'credentials', 'credentials_file') };
      if (typeof b.attr('bearer_token') === 'string') c.bearer_token = b.attr('bearer_token');
      const tls = b.blocks('tls_config')[0];
      if (tls !== undefined) c.tls_config = tlsOf(tls);
      return c;
    };
    /** What only a remote_write endpoint says: proxy, sigv4, oauth2, queue and write relabeling. */
    const remoteWriteOnly = (e: Body): Record<string, unknown> => {
      const c: Record<string, unknown> = {};
      if (e.string('proxy_url') !== undefined) c.proxy_url = e.string('proxy_url');
      const sigv4 = e.blocks('sigv4')[0];
      if (sigv4 !== undefined) c.sigv4 = { region: sigv4.string('region'), ...(sigv4.string('role_arn') !== undefined ? { role_arn: sigv4.string('role_arn') } : {}) };
      const oauth2 = e.blocks('oauth2')[0];
      if (oauth2 !== undefined) {
        const scopes = oauth2.attr('scopes');
        c.oauth2 = { client_id: oauth2.string('client_id'), ...secretOf(oauth2, 'client_secret', 'client_secret_file'), token_url: oauth2.string('token_url'), ...(Array.isArray(scopes) ? { scopes } : {}) };
      }
      const queue = e.blocks('queue_config')[0];
      if (queue !== undefined) c.queue_config = Object.fromEntries(queue.names().map((k) => [k, queue.attr(k)]));
      const rules = relabelRules(e, 'write_relabel_config');
      if (rules.length > 0) c.write_relabel_configs = rules;
      return c;
    };
    for (const [id, block] of this.all) {
      const name = block.name.join('.');
      if (name === 'prometheus.remote_write') {
        new Body(block, this.ev).blocks('endpoint').forEach((e, i) => {
          const headers = e.attr('headers');
          out.push([`${id}.endpoint[${i}]`, { name: e.string('name'), url: e.string('url'), ...(isRecord(headers) ? { headers } : {}), ...client(e), ...remoteWriteOnly(e) }]);
        });
      } else if (name === 'prometheus.scrape') out.push([id, client(new Body(block, this.ev))]);
    }
    return out;
  }
}

function isRecord(v: Value | undefined): v is { [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Reference);
}

function tlsOf(b: Body): NonNullable<RuntimeScrapeConfig['tls_config']> {
  const tls: NonNullable<RuntimeScrapeConfig['tls_config']> = {};
  if (b.string('ca_file') !== undefined) tls.ca_file = b.string('ca_file')!;
  if (b.string('server_name') !== undefined) tls.server_name = b.string('server_name')!;
  const skip = b.attr('insecure_skip_verify');
  if (typeof skip === 'boolean') tls.insecure_skip_verify = skip;
  return tls;
}

function agentSpec(source: { name: string; text: string; perNode: boolean; env: (node: string | undefined, pod?: string) => Map<string, string> }, where: Partial<AgentSpec>): AgentSpec {
  const read = (node: string | undefined, pod?: string): AgentInstanceConfig => {
    const reader = new Reader(components(source.text, source.name), source.env(node, pod), source.name);
    return { global: { scrape_interval: '1m', scrape_timeout: '10s' }, scrapeConfigs: reader.scrapeConfigs() };
  };
  const httpClients = (): [string, unknown][] => new Reader(components(source.text, source.name), source.env(undefined), source.name).httpClients();
  return { name: source.name, kind: KIND, semantics: SEMANTICS, perNode: source.perNode, text: source.text, read, httpClients, ...where };
}

/** The config file of an Alloy container: `alloy run [flags] <path>` (the first argument after `run` that is not a flag). */
function runFile(args: readonly string[]): string | undefined {
  const run = args.indexOf('run');
  if (run === -1) return undefined;
  for (let i = run + 1; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) return a;
    // A flag given as `--name value`: Alloy's boolean flags are the only ones without a value.
    if (!a.includes('=') && !BOOLEAN_FLAGS.has(a.replace(/^--?/, '')) && i + 1 < args.length) i++;
  }
  return undefined;
}

const BOOLEAN_FLAGS = new Set(['disable-reporting', 'cluster.enabled', 'server.http.enable-pprof', 'disable-support-bundle', 'config.bypass-conversion-errors', 'feature.community-components.enabled']);

/** A container running `alloy run <file>` with the file from a ConfigMap it mounts. */
export function recogniseAlloy(found: ContainerFiles): AgentSpec | undefined {
  const args = commandLine(found.container);
  const image = String(found.container.image ?? '');
  if (!/(^|\/)alloy([:@]|$)/.test(image) && !(args[0] ?? '').endsWith('alloy')) return undefined;
  const path = runFile(args);
  if (path === undefined) return undefined;
  const text = configMapFile(found, path);
  if (text === undefined) return undefined;
  const where = placement(found);
  const { name, perNode, ...rest } = where;
  return agentSpec({ name, text, perNode, env: (node, pod) => containerEnv(found.container, node, pod) }, rest);
}

/** An Alloy config file (.alloy): one that reads sys.env("NODE_NAME") is meant for a DaemonSet, whose NODE_NAME is the node. */
export function readAlloyFile(file: { text: string; doc: unknown; name: string; namespace?: string }): AgentSpec | undefined {
  if (!looksLikeAlloy(file.text, file.name)) return undefined;
  const perNode = /\b(sys\.)?env\(\s*"NODE_NAME"\s*\)/.test(file.text);
  const env = (node: string | undefined): Map<string, string> => new Map(node === undefined ? [] : [[NODE_NAME_ENV, node], ['HOSTNAME', node]]);
  return agentSpec({ name: file.name, text: file.text, perNode, env }, file.namespace !== undefined ? { namespace: file.namespace } : {});
}

/** A file named *.alloy, or text that parses as Alloy and holds a component block. */
export function looksLikeAlloy(text: string, name: string): boolean {
  if (name.endsWith('.alloy')) return true;
  const { body, errors } = parseAlloy(text);
  return errors.length === 0 && body.some((s) => s.type === 'block' && s.name.length >= 2);
}
