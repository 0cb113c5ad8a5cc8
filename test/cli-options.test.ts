/**
 * argv → the typed options each command receives, through the real parser and
 * main(), with every command implementation (commands/<name>.run.ts) mocked.
 * Also: `k8smon --help` imports none of those implementations.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi, type Mock } from 'vitest';
import { K8smonError } from '../src/errors.js';
import { main, type MainIo } from '../src/cli/main.js';

const fakes = vi.hoisted(() => {
  const loaded = new Set<string>();
  const runs: Record<string, Mock> = {};
  const implementation = (name: string) => {
    loaded.add(name);
    runs[name] = vi.fn(async () => undefined);
    return { run: runs[name] };
  };
  return { loaded, runs, implementation };
});

vi.mock('../src/cli/commands/render.run.js', () => fakes.implementation('render'));
vi.mock('../src/cli/commands/apply.run.js', () => fakes.implementation('apply'));
vi.mock('../src/cli/commands/diff.run.js', () => fakes.implementation('diff'));
vi.mock('../src/cli/commands/delete.run.js', () => fakes.implementation('delete'));
vi.mock('../src/cli/commands/init.run.js', () => fakes.implementation('init'));
vi.mock('../src/cli/commands/snapshot.run.js', () => fakes.implementation('snapshot'));
vi.mock('../src/cli/commands/targets.run.js', () => fakes.implementation('targets'));
vi.mock('../src/cli/commands/check.run.js', () => fakes.implementation('check'));
vi.mock('../src/cli/commands/estimate.run.js', () => fakes.implementation('estimate'));
vi.mock('../src/cli/commands/agent.run.js', () => fakes.implementation('agent'));
vi.mock('../src/cli/commands/presets.run.js', () => fakes.implementation('presets'));
vi.mock('../src/cli/commands/schema.run.js', () => fakes.implementation('schema'));
vi.mock('../src/cli/commands/completion.run.js', () => fakes.implementation('completion'));

const COMMANDS = ['render', 'apply', 'diff', 'delete', 'init', 'snapshot', 'targets', 'check', 'estimate', 'agent', 'presets', 'schema', 'completion'];

interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], options: { tty?: boolean } = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (c) => (stdout += String(c)));
  const err = new PassThrough().on('data', (c) => (stderr += String(c)));
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty === true });
  const io: MainIo = { stdin, stdout: out, stderr: err, env: { NO_COLOR: '1' } };
  const exitCode = await main(argv, io);
  return { exitCode, stdout, stderr };
}

/** The options the command's implementation was last called with. */
function received(command: string): unknown {
  const run = fakes.runs[command];
  expect(run, `${command} implementation not loaded`).toBeDefined();
  return run!.mock.calls.at(-1)?.[0];
}

describe('k8smon --help', () => {
  // First in this file: nothing has run yet, so any implementation loaded now was loaded by help.
  it('imports no command implementation', async () => {
    expect((await cli(['--help'])).exitCode).toBe(0);
    expect((await cli(['render', '--help'])).exitCode).toBe(0);
    expect((await cli(['presets', 'show', '--help'])).exitCode).toBe(0);
    expect((await cli(['--version'])).exitCode).toBe(0);
    expect((await cli(['render', '--colour'])).exitCode).toBe(2);
    expect([...fakes.loaded]).toEqual([]);
  });
});

const target = {};
const live = { target, live: true };

describe('argv → typed options', () => {
  it.each<[string, string[], unknown, { tty?: boolean }?]>([
    ['render: defaults', ['render'], { sets: [], output: 'yaml', passwordStdin: false }],
    ['render: file, repeatable --set, -o json', ['render', '-f', 'p.yaml', '--set', 'a=1', '--set', 'b.c[0]=x=y', '-o', 'json'], { file: 'p.yaml', sets: ['a=1', 'b.c[0]=x=y'], output: 'json', passwordStdin: false }],
    ['render: --output-dir, --password-stdin', ['render', '--profile', 'eks', '--output-dir', 'deploy/', '--password-stdin'], { preset: 'eks', sets: [], output: 'yaml', outputDir: 'deploy/', passwordStdin: true }],
    ['render: --preset is --profile', ['render', '--preset', 'kubeadm'], { preset: 'kubeadm', sets: [], output: 'yaml', passwordStdin: false }],
    ['render: --profile wins over --preset', ['render', '--preset', 'gke', '--profile', 'eks'], { preset: 'eks', sets: [], output: 'yaml', passwordStdin: false }],
    ['apply: defaults', ['apply'], { sets: [], target, wait: false, timeout: '5m', passwordStdin: false, prune: true }],
    ['apply: --prune=false', ['apply', '--prune=false'], { sets: [], target, wait: false, timeout: '5m', passwordStdin: false, prune: false }],
    [
      'apply: every flag',
      ['apply', '-f', 'k.yaml', '--context', 'prod', '--kubeconfig', 'kc', '--dry-run=server', '--wait', '--timeout', '2m', '--password-stdin', '--set', 'namespace=obs'],
      { file: 'k.yaml', sets: ['namespace=obs'], target: { context: 'prod', kubeconfig: 'kc' }, dryRun: 'server', wait: true, timeout: '2m', passwordStdin: true, prune: true },
    ],
    ['diff', ['diff', '-f', 'k.yaml', '--context', 'prod'], { file: 'k.yaml', sets: [], target: { context: 'prod' }, passwordStdin: false }],
    ['diff: --password-stdin', ['diff', '--profile', 'eks', '--password-stdin'], { preset: 'eks', sets: [], target, passwordStdin: true }],
    ['delete: defaults', ['delete', '--profile', 'eks'], { preset: 'eks', sets: [], target, includeNamespace: false }],
    ['delete: --include-namespace', ['delete', '--profile', 'eks', '--include-namespace', '--kubeconfig', 'kc'], { preset: 'eks', sets: [], target: { kubeconfig: 'kc' }, includeNamespace: true }],
    ['init: stdin not a terminal', ['init'], { output: 'k8smon.yaml', interactive: false, sets: [], force: false, target }],
    ['init: on a terminal', ['init'], { output: 'k8smon.yaml', interactive: true, sets: [], force: false, target }, { tty: true }],
    ['init: --yes on a terminal', ['init', '--yes'], { output: 'k8smon.yaml', interactive: false, sets: [], force: false, target }, { tty: true }],
    ['init: --no-interactive on a terminal', ['init', '--no-interactive'], { output: 'k8smon.yaml', interactive: false, sets: [], force: false, target }, { tty: true }],
    [
      'init: every flag',
      ['init', '-y', '--profile', 'gke', '--set', 'cluster.name=prod-1', '--set', 'namespace=obs', '-o', 'prod.yaml', '--force', '--context', 'c'],
      { output: 'prod.yaml', interactive: false, preset: 'gke', sets: ['cluster.name=prod-1', 'namespace=obs'], force: true, target: { context: 'c' } },
    ],
    ['snapshot', ['snapshot', '--context', 'prod', '--kubeconfig', 'kc'], { target: { context: 'prod', kubeconfig: 'kc' } }],
    ['snapshot: current context', ['snapshot'], { target }],
    ['targets: defaults (live)', ['targets'], { sets: [], ...live, output: 'table' }],
    ['targets: --snapshot', ['targets', '--profile', 'kubeadm', '--snapshot', 'cluster.json'], { preset: 'kubeadm', sets: [], target, live: false, snapshot: 'cluster.json', output: 'table' }],
    [
      'targets: --job, --node, --explain, -o json',
      ['targets', '-f', 'k.yaml', '--context', 'prod', '--job', 'kubelet', '--node', '10.0.0.7', '--explain', 'node-1', '-o', 'json'],
      { file: 'k.yaml', sets: [], target: { context: 'prod' }, live: true, job: 'kubelet', node: '10.0.0.7', explain: 'node-1', output: 'json' },
    ],
    [
      'targets: --config + --namespace',
      ['targets', '--config', 'agent.yaml', '--namespace', 'monitoring', '--snapshot', 'c.json'],
      { sets: [], target, live: false, config: 'agent.yaml', namespace: 'monitoring', snapshot: 'c.json', output: 'table' },
    ],
    ['check: defaults (live)', ['check'], { sets: [], ...live, output: 'table' }],
    [
      'check: --config + --namespace, -o json',
      ['check', '--config', 'current.yaml', '--namespace', 'monitoring', '--context', 'prod', '-o', 'json'],
      { sets: [], target: { context: 'prod' }, live: true, config: 'current.yaml', namespace: 'monitoring', output: 'json' },
    ],
    ['check: profile, --set, --snapshot', ['check', '--profile', 'eks', '--set', 'kubelet.access=proxy', '--snapshot', 'c.json'], { preset: 'eks', sets: ['kubelet.access=proxy'], target, live: false, snapshot: 'c.json', output: 'table' }],
    ['estimate: defaults (live)', ['estimate'], { sets: [], ...live, top: 10, output: 'table' }],
    [
      'estimate: --snapshot, --payloads, --top, -o json',
      ['estimate', '--profile', 'eks', '--snapshot', 'c.json', '--payloads', 'p', '--top', '3', '-o', 'json'],
      { preset: 'eks', sets: [], target, live: false, snapshot: 'c.json', top: 3, output: 'json', payloads: 'p' },
    ],
    ['agent: defaults', ['agent', '--config', 'p.yml'], { config: 'p.yml', walDir: './data/wal', listenAddress: '0.0.0.0:9090', logLevel: 'info', shutdownGrace: '25s' }],
    [
      'agent: every flag',
      ['agent', '--config', 'p.yml', '--snapshot', 'c.json', '--wal-dir', '/wal', '--listen-address', '127.0.0.1:9999', '--log-level', 'debug', '--shutdown-grace', '10s', '--node-name', 'n1', '--namespace', 'obs'],
      { config: 'p.yml', snapshot: 'c.json', walDir: '/wal', listenAddress: '127.0.0.1:9999', logLevel: 'debug', shutdownGrace: '10s', nodeName: 'n1', namespace: 'obs' },
    ],
    ['presets', ['presets'], {}],
    ['presets show', ['presets', 'show', 'eks'], { show: 'eks' }],
    ['schema', ['schema'], {}],
  ])('%s', async (_name, argv, expected, options) => {
    const command = argv[0]!;
    const r = await cli(argv, options);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(received(command)).toStrictEqual(expected);
  });

  it('completion: the shell and every command with its flags', async () => {
    expect((await cli(['completion', 'zsh'])).exitCode).toBe(0);
    const options = received('completion') as { shell: string; commands: { name: string; flags: string[] }[] };
    expect(options.shell).toBe('zsh');
    expect(options.commands.map((c) => c.name)).toEqual(COMMANDS);
    expect(options.commands.find((c) => c.name === 'targets')!.flags).toEqual(expect.arrayContaining(['--explain', '--node', '--job', '--config', '--namespace', '-o', '--output']));
  });

  it('hands the command the streams and environment main() was given, at the verbosity asked', async () => {
    const run = fakes.runs.schema!;
    run.mockImplementationOnce(async (_options, ctx) => {
      ctx.stdout.write('out');
      ctx.reporter.warn({ path: 'p', message: 'm' });
      ctx.reporter.info(`env ${ctx.env.NO_COLOR}`);
    });
    const r = await cli(['--verbose', 'schema']);
    expect(r).toEqual({ exitCode: 0, stdout: 'out', stderr: 'warning: p: m\nenv 1\n' });
    run.mockImplementationOnce(async (_options, ctx) => ctx.reporter.warn({ path: 'p', message: 'm' }));
    expect((await cli(['--quiet', 'schema'])).stderr).toBe('');
  });
});

describe('outcomes → exit codes (main.ts alone sets them)', () => {
  it('returns the code a command returns', async () => {
    fakes.runs.diff!.mockResolvedValueOnce(1);
    expect((await cli(['diff'])).exitCode).toBe(1);
  });

  it('prints a K8smonError without a stack and exits with its code', async () => {
    fakes.runs.apply!.mockRejectedValueOnce(new K8smonError('kubectl apply failed', 4));
    const r = await cli(['apply']);
    expect(r).toEqual({ exitCode: 4, stdout: '', stderr: 'error: kubectl apply failed\n' });
  });

  it('calls anything else a bug: exit 70', async () => {
    fakes.runs.render!.mockRejectedValueOnce(new TypeError('oops'));
    const r = await cli(['render']);
    expect(r.exitCode).toBe(70);
    expect(r.stderr).toBe('error: internal error in k8smon (a bug; please report it): oops\n');
  });

  it('exits 2 for a flag commander rejects, without running the command', async () => {
    const calls = fakes.runs.apply!.mock.calls.length;
    const r = await cli(['apply', '--dry-run=bogus']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are client, server/);
    expect(fakes.runs.apply!.mock.calls.length).toBe(calls);
    expect((await cli(['completion'])).exitCode).toBe(2);
  });

  it('loaded each implementation only once its command ran', () => {
    expect([...fakes.loaded].sort()).toEqual([...COMMANDS].sort());
  });
});
