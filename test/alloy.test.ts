/**
 * agent.kind alloy: the syntax (k8smon's parser of Alloy's grammar, held to
 * the cases of Alloy's own scanner and parser tests, with inputs written
 * here), the one escaper for string literals, the layout `alloy fmt` gives,
 * the components' documented arguments, and the equivalence with the
 * prometheus kind: the same jobs, destinations and targets.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alloyConfigText, componentNames } from '../src/agents/alloy/config.js';
import { alloyString, attr, block, printAlloy, str, AlloyTextError } from '../src/agents/alloy/syntax.js';
import { agentKind } from '../src/agents/registry.js';
import { agentFromConfigFile, agentsFromFile, agentsFromManifests } from '../src/agents/find.js';
import { renderBundle } from '../src/pipeline.js';
import type { AgentSpec, RuntimeScrapeConfig } from '../src/runtime/plan/plan.js';
import type { AgentModel, Model } from '../src/model/types.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { componentProblems, layoutProblems, parseAlloy, parseAlloyExpression, syntaxErrors, unquote } from './support/alloy-parser.js';
import { BASIC_DESTINATION_SETS, findObject, PRESETS, renderVariants } from './support/render.js';

const AGENTS = ['k8smon-agent-node', 'k8smon-agent-cluster'] as const;

function alloyText(objects: readonly { kind: string; metadata: { name: string }; data?: unknown }[], agent: string): string {
  return (findObject(objects as never, 'ConfigMap', agent).data as Record<string, string>)['config.alloy']!;
}

/** The errors of a text as [line, column, message]. */
function errorsOf(text: string): [number, number, string][] {
  return parseAlloy(text).errors.map((e) => [e.line, e.column, e.message]);
}

describe('the Alloy syntax as its scanner and parser read it', () => {
  it('reads every kind of literal, expression, block and comment', () => {
    const text = [
      '\ufeff// a line comment',
      '/* a block',
      '   comment */',
      'lit_int    = 42',
      'lit_float  = 2.50',
      'lit_dot    = .5',
      'lit_exp    = 6e-2',
      'lit_exp2   = 7E+3',
      'lit_str    = "tab\\there \\"quoted\\" \\\\ \\a\\b\\f\\n\\r\\v \\101 \\x41 \\u00e9 \\U0001F600"',
      'lit_raw    = `C:\\path\\n',
      'second line`',
      'lit_null   = null',
      'lit_bools  = [true, false]',
      'ident      = some_ident',
      'arr_empty  = []',
      'arr_one    = [0]',
      'arr_trail  = [0, 1, 2,]',
      'arr_lines  = [',
      '  0,',
      '  [1, [2]],',
      ']',
      'obj_empty  = {}',
      'obj_fields = { a = 1, "quoted key" = 2, }',
      'obj_lines  = {',
      '  a = { nested = true },',
      '  b = [],',
      '}',
      'unary      = !true && -5 < 3',
      'math       = 1 + 2 - 3 * 4 / 5 % 6 ^ 2 ^ 3',
      'compare    = 1 == 2 != (3 <= 4) || 5 >= 6 && 7 > 8',
      'access     = a.b.c[0]["k"]',
      'calls      = f() + g(1, 2,) + sys.env("X")',
      'call_lines = h(',
      '  1,',
      '  2,',
      ')',
      'empty_block { }',
      'labeled.block "label_1" {',
      '  attr = 1 // trailing comment ends the statement',
      '  nested { inner = /* inline */ 2 }',
      '  nested "also" {',
      '  }',
      '}',
    ].join('\n');
    const { body, errors } = parseAlloy(text);
    expect(errors).toEqual([]);
    expect(body.map((s) => (s.type === 'attribute' ? s.name : `${s.name.join('.')}${s.label !== undefined ? `:${s.label}` : ''}`))).toEqual([
      'lit_int', 'lit_float', 'lit_dot', 'lit_exp', 'lit_exp2', 'lit_str', 'lit_raw', 'lit_null', 'lit_bools', 'ident', 'arr_empty', 'arr_one', 'arr_trail', 'arr_lines',
      'obj_empty', 'obj_fields', 'obj_lines', 'unary', 'math', 'compare', 'access', 'calls', 'call_lines', 'empty_block', 'labeled.block:label_1',
    ]);
    const value = (name: string): any => body.find((s) => s.type === 'attribute' && s.name === name);
    expect(unquote(value('lit_str').value.raw)).toBe('tab\there "quoted" \\ \x07\b\f\n\r\v A A é 😀');
    expect(unquote(value('lit_raw').value.raw)).toBe('C:\\path\\n\nsecond line');
    expect(value('obj_fields').value.fields.map((f: any) => [f.name, f.quoted])).toEqual([['a', false], ['quoted key', true]]);
    // Precedence: ^ is right-associative and binds tightest, then * / %, then + -.
    const math = value('math').value;
    expect([math.type, math.op, math.right.type, math.right.op]).toEqual(['binary', '-', 'binary', '%']);
    expect(math.right.right.op).toBe('^');
    expect(math.right.right.right.op).toBe('^');
    const compare = value('compare').value;
    expect([compare.op, compare.right.op]).toEqual(['||', '&&']);
    const labeled = body[body.length - 1] as Extract<(typeof body)[number], { type: 'block' }>;
    expect(labeled.body.map((s) => (s.type === 'block' ? `${s.name.join('.')}:${s.label ?? ''}` : s.name))).toEqual(['attr', 'nested:', 'nested:also']);
  });

  it.each([
    ['a binary operator without its operand', 'attr = 1 + + 2', [[1, 12, 'expected expression, got +']]],
    ['a call without its argument', 'invalid_func_call = a(()', [[1, 24, 'expected expression, got )']]],
    ['a keyword after a dot', 'invalid_access = a.true', [[1, 20, 'expected IDENT, got BOOL']]],
    ['a multi-line array without its trailing comma', 'field = [\n  0,\n  1\n]', [[3, 4, "missing ',' in expression list"]]],
    ['a multi-line object without its trailing comma', 'obj = {\n  a = 0,\n  b = 1\n}', [[3, 8, "missing ',' in field list"]]],
    ['a block as an attribute value', 'rw = prometheus.remote_write "default" {\n  endpoint { url = "u" }\n}', [[1, 6, 'cannot use a block as an expression']]],
    ['two labels', 'other_block {\n  rw = prometheus.remote_write "a" "b" 12345\n}', [[2, 36, 'expected {, got STRING']]],
    ['a dotted attribute name', 'invalid.attr = 20', [[1, 1, 'attribute names may only consist of a single identifier with no "."']]],
    ['an attribute with a label', 'invalid "label" = 20', [[1, 9, 'attribute names may not have labels']]],
    ['an unquoted label', 'invalid_block bad_label_name {\n}', [[1, 15, 'expected block label, got IDENT']]],
    ['a label that is not an identifier', 'invalid_block "with space" {\n}', [[1, 15, 'expected block label to be a valid identifier, but got "with space"']]],
    ['a raw-string label', 'invalid_block `raw` {\n}', [[1, 15, 'expected block label to be a double quoted string, but got "`raw`"']]],
    ['a number as an object key', 'obj = {\n  1337 = "baz",\n}', [[2, 3, 'expected field name (string or identifier), got NUMBER']]],
    ['two statements on one line', 'a = 1 b = 2', [[1, 7, 'expected TERMINATOR, got IDENT']]],
    ['a statement that is not a name', '"x" = 1', [[1, 1, 'expected IDENT, got STRING']]],
    ['a name with neither = nor a body', 'lonely\n', [[1, 7, 'expected block label, got TERMINATOR'], [2, 1, 'expected attribute assignment or block body, got EOF']]],
    ['a single-quoted string', "a = 'x'", [[1, 5, 'illegal single-quoted string; use double quotes'], [1, 5, 'expected expression, got ILLEGAL']]],
    ['an unterminated string', 'a = "abc', [[1, 5, 'string literal not terminated']]],
    ['a string broken by a newline', 'a = "abc\n"', [[1, 5, 'string literal not terminated'], [2, 1, 'string literal not terminated'], [2, 1, 'expected IDENT, got STRING']]],
    ['an unknown escape', 'a = "\\q"', [[1, 7, 'unknown escape sequence']]],
    ['a short hex escape', 'a = "\\x4"', [[1, 7, "illegal character U+0022 '\"' in escape sequence"]]],
    ['a surrogate escape', 'a = "\\uD800"', [[1, 7, 'escape sequence is invalid Unicode code point']]],
    ['a code point beyond Unicode', 'a = "\\U00110000"', [[1, 7, 'escape sequence is invalid Unicode code point']]],
    ['an octal escape above 255', 'a = "\\400"', [[1, 7, 'escape sequence is invalid Unicode code point']]],
    ['a NUL', 'a = "x\u0000y"', [[1, 7, 'illegal character NUL']]],
    // Columns count UTF-16 units here (Alloy counts bytes: 9).
    ['a second byte order mark', '\ufeffa = "\ufeff"', [[1, 7, 'illegal byte order mark']]],
    ['an exponent without digits', 'a = 10E', [[1, 5, 'exponent has no digits']]],
    ['a control character', 'a = \u0007', [[1, 5, 'illegal character U+0007'], [1, 5, 'expected expression, got ILLEGAL']]],
    ['a character that is no token', 'a = …', [[1, 5, "illegal character U+2026 '…'"], [1, 5, 'expected expression, got ILLEGAL']]],
    ['a lone |', 'a = true | false', [[1, 11, 'missing second | in ||']]],
    ['a lone &', 'a = true & false', [[1, 11, 'missing second & in &&']]],
    // The comment first stands for the newline that ends the statement, then is scanned.
    ['an unterminated block comment', 'a = 1 /* open', [[1, 7, 'block comment not terminated']]],
    ['a block left open', 'b {\n  a = 1\n', [[3, 1, 'expected }, got EOF']]],
  ] as const)('reports %s as Alloy does', (_what, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });
});

/** Strings that look like Alloy syntax, escapes, other agents' references and awkward Unicode. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '\\', '\\"', '\\\\', '\n', '\r', '\t', '\u0000', '\u0007', '\u007f', '\u0085', '\u2028', '\ufeff', '${', '${1}', '$(NODE_NAME)', '$$', '}', '{', '`', '//', '/*', '*/', '#', 'é', '😀', '\u00a0', 'sys.env("X")', ' = ', '\\u00e9', '\\x41'),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      // Any code points; a lone surrogate (refused, tested below) is left out.
      fc.string({ unit: 'binary', maxLength: 4 }).map((s) => s.replace(/\p{Cs}/gu, '')),
    ),
    { minLength: 0, maxLength: 8 },
  )
  .map((parts) => parts.join(''));

describe('the one escaper of Alloy string literals', () => {
  it('writes every string as one ASCII literal that Alloy reads back exactly (property-based)', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const literal = alloyString(s);
        expect(literal).toMatch(/^"[\x20-\x7e]*"$/);
        const { expr, errors } = parseAlloyExpression(literal);
        expect(errors).toEqual([]);
        expect(expr.type === 'literal' && expr.kind === 'string' ? unquote(expr.raw) : undefined).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the structure of a file whatever the values (property-based)', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const text = printAlloy([block('local.file', 'x', [attr('filename', str(a)), attr('is_secret', str(b))]), block('other.thing', 'y', [attr('v', str(b))])]);
        const { body, errors } = parseAlloy(text);
        expect(errors).toEqual([]);
        expect(body.map((s) => s.type === 'block' && s.label)).toEqual(['x', 'y']);
        const values = (body[0] as any).body.map((s: any) => unquote(s.value.raw));
        expect(values).toEqual([a, b]);
        expect(layoutProblems(text)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a lone surrogate, which has no UTF-8 form', () => {
    expect(() => alloyString('a\ud800b')).toThrow(AlloyTextError);
  });

  it('writes Go escapes for ASCII and \\u/\\U for the rest', () => {
    expect(alloyString('a"b\\c\n\t\u0001\u007f é 😀 ${1}')).toBe('"a\\"b\\\\c\\n\\t\\x01\\x7f \\u00e9 \\U0001f600 ${1}"');
  });
});

describe('the layout alloy fmt gives', () => {
  it('aligns = in runs of attributes, sets blocks apart with one blank line, indents with tabs', () => {
    const text = printAlloy([
      block('prometheus.scrape', 'a', [attr('targets', str('t')), attr('job_name', str('j')), block('tls_config', undefined, [attr('ca_file', str('f'))]), attr('after', str('x'))]),
      block('local.file', 'b', []),
    ]);
    expect(text).toBe('prometheus.scrape "a" {\n\ttargets  = "t"\n\tjob_name = "j"\n\n\ttls_config {\n\t\tca_file = "f"\n\t}\n\n\tafter = "x"\n}\n\nlocal.file "b" { }\n');
    expect(layoutProblems(text)).toEqual([]);
  });

  it('the layout check finds what alloy fmt would change', () => {
    expect(layoutProblems('a {\n  x = 1\n}\n')).toContain('line 2: indented with spaces');
    expect(layoutProblems('a {\n\tx = 1\n\tlonger = 2\n}\n').join('\n')).toMatch(/line 2: expected it to start "\\tx      = "/);
    expect(layoutProblems('a {\n\tx = 1\n}\nb {\n\ty = 1\n}\n').join('\n')).toMatch(/1 blank line\(s\) expected between block a and block b, found 0/);
    expect(layoutProblems('a {\n\n\tx = 1\n}\n').join('\n')).toMatch(/at the start of a body/);
  });

  it('names components after their jobs: Alloy identifiers, unique, in job order', () => {
    expect(componentNames(['kubelet', 'kubelet-cadvisor', 'kubelet_cadvisor', '9lives', 'kube-state-metrics'])).toEqual(['kubelet', 'kubelet_cadvisor', 'kubelet_cadvisor_2', '_9lives', 'kube_state_metrics']);
  });
});

// And sharded (5,000 nodes: 8 replicas, each reading its pod's name with sys.env("POD_NAME"), and kube-state-metrics' shards dealt out).
const SHARDED_ALLOY = { name: 'alloy, eks, cluster.nodes=5000 (sharded)', preset: 'eks', sets: ['agent.kind=alloy', 'cluster.nodes=5000'], env: {} as Record<string, string> };
describe.each([...renderVariants(['alloy']), SHARDED_ALLOY])('the rendered Alloy config: $name', ({ preset, sets, env }) => {
  const { objects } = renderBundle({ preset, sets }, env);
  it.each(AGENTS)('%s parses, is laid out as alloy fmt lays it out, and uses only documented arguments and blocks', (agent) => {
    const text = alloyText(objects, agent);
    expect(syntaxErrors(text)).toEqual([]);
    expect(layoutProblems(text)).toEqual([]);
    expect(componentProblems(text)).toEqual([]);
  });
});

/** The parts of a scrape config both kinds must agree on, defaults written out. */
/**
 * A scrape config in the terms both kinds share. The one rule that differs by
 * kind is the self-monitoring job's keep of the agent's own metrics ports
 * (each kind names them), so that regex is compared as the kind's port list.
 */
function comparable(sc: RuntimeScrapeConfig, global: { scrape_interval: string; scrape_timeout: string }, kind: string): unknown {
  const ownPorts = agentKind(kind).metricsPorts.join('|');
  const relabelConfigs = (sc.relabel_configs ?? []).map((r) =>
    r.source_labels?.[0] === '__meta_kubernetes_pod_container_port_name' && r.regex === ownPorts ? { ...r, regex: "<the kind's own metrics ports>" } : r,
  );
  return {
    job_name: sc.job_name,
    scrape_interval: sc.scrape_interval ?? global.scrape_interval,
    scrape_timeout: sc.scrape_timeout ?? global.scrape_timeout,
    scheme: sc.scheme ?? 'http',
    metrics_path: sc.metrics_path ?? '/metrics',
    params: sc.params ?? {},
    honor_labels: sc.honor_labels ?? false,
    authorization: sc.authorization?.credentials_file,
    tls_config: sc.tls_config ?? {},
    kubernetes_sd_configs: sc.kubernetes_sd_configs ?? [],
    static_targets: (sc.static_configs ?? []).flatMap((s) => (s.targets ?? []).map((t) => ({ target: t, labels: s.labels ?? {} }))),
    relabel_configs: relabelConfigs,
    metric_relabel_configs: sc.metric_relabel_configs ?? [],
  };
}

function destinations(agent: AgentSpec): unknown[] {
  return agent
    .httpClients()
    .filter(([where]) => where.startsWith('remote_write') || where.startsWith('prometheus.remote_write.'))
    .map(([, c]: [string, any]) => ({
      name: c.name,
      url: c.url,
      headers: c.headers ?? {},
      basic_auth: c.basic_auth,
      bearer: c.authorization?.credentials_file,
      tls: c.tls_config,
    }));
}

const DESTINATION_SETS = BASIC_DESTINATION_SETS;
const SELF_AGENT_JOBS = ['k8smon-agent-node', 'k8smon-agent-cluster'];

describe.each(PRESETS)('alloy and prometheus describe the same deployment: %s', (preset) => {
  it.each(['direct', 'proxy'])('kubelet %s: the same jobs (discovery, relabel rules in order, allow-lists), destinations and targets', (access) => {
    const render = (kind: string) => renderBundle({ preset, sets: [`agent.kind=${kind}`, `kubelet.access=${access}`, ...DESTINATION_SETS] }, { RW_PASSWORD: 'pw' }).objects;
    const prom = render('prometheus');
    const alloy = render('alloy');
    const promAgents = agentsFromManifests(prom);
    const alloyAgents = agentsFromManifests(alloy);
    expect(alloyAgents.map((a) => [a.name, a.perNode, a.kind])).toEqual(promAgents.map((a) => [a.name, a.perNode, 'alloy']));
    promAgents.forEach((p, i) => {
      const a = alloyAgents[i]!;
      const node = p.perNode ? 'node-1' : undefined;
      const pr = p.read(node);
      const ar = a.read(node);
      expect(ar.scrapeConfigs.map((sc) => comparable(sc, ar.global, 'alloy'))).toEqual(pr.scrapeConfigs.map((sc) => comparable(sc, pr.global, 'prometheus')));
      expect(destinations(a)).toEqual(destinations(p));
    });
    // The same targets, labels and URLs, from the same agent instances, on a cluster that runs the render's own workloads.
    const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 4, workloads: prom as never });
    const targets = (agents: AgentSpec[]) => {
      const preview = previewCluster(agents, snapshot);
      expect(preview.problems.filter((p) => p.severity === 'error')).toEqual([]);
      // The agents' own pods serve on each kind's ports: the self-monitoring jobs of the agents differ by design.
      const shared = preview.targets.filter((t) => !SELF_AGENT_JOBS.includes(t.job));
      return { targets: shared.map((t) => ({ job: t.job, agent: t.agent, url: t.url, labels: t.labels })), dropped: Object.fromEntries(Object.entries(preview.droppedCounts).filter(([job]) => !SELF_AGENT_JOBS.includes(job))) };
    };
    const promTargets = targets(promAgents);
    expect(promTargets.targets.length).toBeGreaterThan(0);
    expect(targets(alloyAgents)).toEqual(promTargets);
  });
});

describe('job defaults that Prometheus sets before relabeling', () => {
  it('are set by a rule in front where a rule reads one before any rule sets it, so the labels come out as Prometheus gives them', () => {
    const job = {
      job_name: 'custom',
      metrics_path: '/m$1',
      params: { module: ['http_2xx'] },
      kubernetes_sd_configs: [{ role: 'node' as const }],
      relabel_configs: [
        { source_labels: ['__metrics_path__'], target_label: 'path' },
        { source_labels: ['__param_module', 'job'], separator: '/', target_label: 'probe' },
        { target_label: '__scheme__', replacement: 'https' },
        { source_labels: ['__scheme__'], target_label: 'scheme' },
      ],
    };
    const model = { scrapeInterval: '60s', scrapeTimeout: '10s', clusterName: 'c', externalLabels: {}, remoteWrite: [{ name: 'rw', url: 'https://rw.example/push' }] } as unknown as Model;
    const agent = { scope: 'cluster', name: 'a', jobs: [{ config: job }] } as unknown as AgentModel;
    const text = alloyConfigText(model, agent);
    expect(syntaxErrors(text)).toEqual([]);
    expect(layoutProblems(text)).toEqual([]);
    const [read] = agentFromConfigFile(text, 'a.alloy').read(undefined).scrapeConfigs;
    // In front: the path, the module and the job, in the order first read; not the scheme, which a rule sets before reading it.
    expect(read!.relabel_configs!.slice(0, 3)).toEqual([
      { target_label: '__metrics_path__', replacement: '/m$$1' },
      { target_label: '__param_module', replacement: 'http_2xx' },
      { target_label: 'job', replacement: 'custom' },
    ]);
    expect(read!.relabel_configs!.slice(3)).toEqual(job.relabel_configs);
    // Alloy relabels the discovered labels alone; Prometheus relabels them with the job's defaults set.
    const discovered = { __address__: '10.0.0.1:10250', __meta_kubernetes_node_name: 'n1' };
    const inAlloy = relabel(discovered, read!.relabel_configs!)!;
    const inPrometheus = relabel({ ...discovered, job: 'custom', __metrics_path__: '/m$1', __scheme__: 'http', __param_module: 'http_2xx' }, job.relabel_configs)!;
    for (const label of ['path', 'probe', 'scheme']) expect(inAlloy[label]).toBe(inPrometheus[label]);
    expect(inAlloy.path).toBe('/m$1');
  });
});

describe('agent.kind: alloy workload', () => {
  const { objects, notices } = renderBundle({ preset: 'eks', sets: ['agent.kind=alloy', ...DESTINATION_SETS] }, { RW_PASSWORD: 's3cret-pw' });
  const pod = (name: string, kind: string): any => (findObject(objects, kind, name).spec as any).template.spec;

  it('runs alloy run with its config from the ConfigMap, storage on an emptyDir, readiness on /-/ready, NODE_NAME from the downward API on the DaemonSet', () => {
    for (const [name, kind] of [['k8smon-agent-node', 'DaemonSet'], ['k8smon-agent-cluster', 'Deployment']] as const) {
      const spec = pod(name, kind);
      const [c] = spec.containers;
      expect(spec.containers).toHaveLength(1);
      expect(c.image).toBe('docker.io/grafana/alloy:v1.18.1');
      expect(c.args.slice(0, 2)).toEqual(['run', '/etc/alloy/config.alloy']);
      expect(c.args).toContain('--server.http.listen-addr=0.0.0.0:12345');
      expect(c.args).toContain('--storage.path=/var/lib/alloy/data');
      expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http-metrics' });
      expect(spec.volumes).toContainEqual({ name: 'storage', emptyDir: {} });
      expect(c.volumeMounts).toContainEqual({ name: 'storage', mountPath: '/var/lib/alloy/data' });
      expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/alloy', readOnly: true });
      const nodeEnv = (c.env ?? []).find((e: any) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath;
      expect(nodeEnv).toBe(kind === 'DaemonSet' ? 'spec.nodeName' : undefined);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
  });

  it('reads every credential with local.file (is_secret) from the mounted Secret; none is in a ConfigMap', () => {
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) expect(JSON.stringify(cm)).not.toContain('s3cret-pw');
    const text = alloyText(objects, 'k8smon-agent-cluster');
    expect(text).toMatch(/local\.file "[a-z0-9_]+" \{\n\tfilename  = "\/etc\/k8smon\/secrets\/k8smon-remote-write\/[^"]+"\n\tis_secret = true\n\}/);
    expect(text).toMatch(/password = local\.file\.[a-z0-9_]+\.content/);
    expect(text).toMatch(/credentials = local\.file\.[a-z0-9_]+\.content/);
    expect(text).toContain('external_labels = {"cluster" = "kubernetes"}');
    const node = alloyText(objects, 'k8smon-agent-node');
    expect(node).toContain('field = "metadata.name=" + sys.env("NODE_NAME")');
    expect(node).toContain('field = "spec.nodeName=" + sys.env("NODE_NAME")');
  });

  it('says nothing of end of life', () => {
    expect(notices.map((n) => n.message).join('\n')).not.toMatch(/end of life/);
  });

  it('keeps hostile profile values exact through render and read-back', () => {
    const regex = 'a"b\\\\c${1}$(NODE_NAME)é';
    const { objects: o } = renderBundle({ preset: 'eks', sets: ['agent.kind=alloy', `components.kubelet.metrics.keep[0]=${regex}`, 'remoteWrite[0].url=https://m.example/push', 'remoteWrite[0].headers.X-Tenant=t"${x}\\'] }, {});
    const [node] = agentsFromManifests(o);
    const kubelet = node!.read('node-a').scrapeConfigs.find((sc) => sc.job_name === 'kubelet')!;
    expect(JSON.stringify(kubelet.metric_relabel_configs)).toContain(JSON.stringify(regex).slice(1, -1));
    expect(kubelet.kubernetes_sd_configs![0]!.selectors).toEqual([{ role: 'node', field: 'metadata.name=node-a' }]);
    expect((destinations(node!)[0] as any).headers).toEqual({ 'X-Tenant': 't"${x}\\' });
  });
});

describe('Alloy configs made by hand', () => {
  const config = [
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    '  selectors {',
    '    role  = "pod"',
    '    field = "spec.nodeName=" + sys.env("NODE_NAME")',
    '  }',
    '}',
    'discovery.relabel "pods" {',
    '  targets = discovery.kubernetes.pods.targets',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]',
    '    regex         = "true"',
    '    action        = "keep"',
    '  }',
    '}',
    'discovery.relabel "more" {',
    '  targets = discovery.relabel.pods.output',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_name"]',
    '    target_label  = "pod"',
    '  }',
    '}',
    'discovery.file "extra" {',
    '  files = ["/etc/targets.json"]',
    '}',
    'prometheus.scrape "pods" {',
    '  targets    = array.concat(discovery.relabel.more.output, discovery.file.extra.targets, [{"__address__" = "10.0.0.1:9100", "team" = "a"}])',
    '  forward_to = [prometheus.relabel.filter.receiver]',
    '}',
    'prometheus.relabel "filter" {',
    '  forward_to = [prometheus.remote_write.default.receiver]',
    '  rule {',
    '    source_labels = ["__name__"]',
    '    regex         = "up"',
    '    action        = "keep"',
    '  }',
    '}',
    'prometheus.remote_write "default" {',
    '  endpoint {',
    '    url = "https://m.example/push"',
    '    basic_auth {',
    '      username = "u"',
    '      password = "inline-secret"',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  it('reads a .alloy file: relabel chains in order, literal targets, per node, and names what it does not preview', () => {
    const agent = agentFromConfigFile(config, 'agent.alloy');
    expect([agent.kind, agent.perNode, agent.semantics]).toEqual(['alloy', true, 'prometheus-3']);
    const scs = agent.read('n1').scrapeConfigs;
    expect(scs.map((sc) => [sc.job_name, sc.kubernetes_sd_configs?.[0]?.selectors, sc.static_configs, sc.relabel_configs?.map((r) => r.target_label ?? r.action), sc.metric_relabel_configs?.length, sc.notPreviewed])).toEqual([
      ['prometheus.scrape.pods', [{ role: 'pod', field: 'spec.nodeName=n1' }], undefined, ['keep', 'pod'], 1, ['discovery.file.extra.targets']],
      ['prometheus.scrape.pods', undefined, [{ targets: ['10.0.0.1:9100'], labels: { team: 'a' } }], [], 1, undefined],
    ]);
  });

  it('previews it with a not-previewed warning and finds the inline password', async () => {
    const { runCli } = await import('./support/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-alloy-'));
    writeFileSync(join(dir, 'agent.alloy'), config);
    const snapshot = syntheticCluster({ nodes: 2, podsPerNode: 3 });
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify(snapshot));
    const r = await runCli(['check', '--config', join(dir, 'agent.alloy'), '--snapshot', join(dir, 'cluster.json'), '-o', 'json']);
    const out = JSON.parse(r.stdout);
    const messages = out.problems.map((p: any) => `${p.rule}: ${p.message}`).join('\n');
    expect(messages).toMatch(/not-previewed: .*discovery\.file\.extra\.targets not previewed/);
    expect(messages).toMatch(/credentials-in-config: .*basic_auth\.password is written into the agent config/);
    expect(messages).not.toContain('inline-secret');
  });

  it('recognises a hand-made DaemonSet running alloy run <file> from a ConfigMap', () => {
    const manifests = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'alloy', namespace: 'mon' }, data: { 'main.alloy': config } },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'alloy', namespace: 'mon' },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'alloy',
                  image: 'grafana/alloy:v1.10.0',
                  args: ['run', '--server.http.listen-addr=0.0.0.0:12345', '--storage.path', '/tmp/alloy', '/etc/alloy/main.alloy'],
                  env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                  volumeMounts: [{ name: 'cfg', mountPath: '/etc/alloy' }],
                },
              ],
              volumes: [{ name: 'cfg', configMap: { name: 'alloy' } }],
            },
          },
        },
      },
    ];
    const text = manifests.map((m) => JSON.stringify(m)).join('\n---\n');
    const { agents } = agentsFromFile(text, 'hand-made.yaml');
    expect(agents.map((a) => [a.name, a.kind, a.perNode])).toEqual([['daemonset/alloy', 'alloy', true]]);
    expect(agents[0]!.read('node-9').scrapeConfigs[0]!.kubernetes_sd_configs![0]!.selectors).toEqual([{ role: 'pod', field: 'spec.nodeName=node-9' }]);
  });

  it('names a prometheus.operator component as a job it does not preview', () => {
    const agent = agentFromConfigFile('prometheus.operator.podmonitors "pm" {\n\tforward_to = []\n}\n', 'pm.alloy');
    expect(agent.read(undefined).scrapeConfigs).toEqual([{ job_name: 'prometheus.operator.podmonitors.pm', relabel_configs: [], notPreviewed: ['prometheus.operator.podmonitors.pm'] }]);
  });

  it('says where a broken config is broken', () => {
    expect(() => agentFromConfigFile('prometheus.scrape "x" {\n  targets = [\n', 'broken.alloy').read(undefined)).toThrow(/broken\.alloy: not Alloy syntax: 3:1: /);
  });
});

/** Whether the real Alloy binary is installed. */
const alloyBinary = spawnSync('alloy', ['--version'], { encoding: 'utf8' }).status === 0;

describe('the real alloy binary (runs only where `alloy` is on PATH: it cannot be installed here, the in-suite parser above is the check)', () => {
  it.skipIf(!alloyBinary)(`alloy fmt leaves every rendered config unchanged${alloyBinary ? '' : ' — SKIPPED: no alloy binary on PATH'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-alloy-fmt-'));
    for (const { name, preset, sets, env } of renderVariants(['alloy'])) {
      const { objects } = renderBundle({ preset, sets }, env);
      for (const agent of AGENTS) {
        const file = join(dir, `${agent}.alloy`);
        const text = alloyText(objects, agent);
        writeFileSync(file, text);
        expect(execFileSync('alloy', ['fmt', file], { encoding: 'utf8' }), `${name} ${agent}`).toBe(text);
      }
    }
  });
});
