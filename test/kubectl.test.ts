/** apply, diff and delete drive a fake kubectl first on PATH, which records its arguments and stdin. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderBundle } from '../src/pipeline.js';
import { runCli } from './support/cli.js';

const FAKE_DIR = fileURLToPath(new URL('./support/fake-kubectl', import.meta.url));

interface Call {
  args: string[];
  stdin: string;
}

function fakeEnv(mode = 'ok', extra: Record<string, string> = {}): { env: Record<string, string>; calls: () => Call[] } {
  const log = join(mkdtempSync(join(tmpdir(), 'k8smon-kubectl-')), 'calls.jsonl');
  return {
    env: { PATH: `${FAKE_DIR}${delimiter}${process.env.PATH}`, FAKE_KUBECTL_LOG: log, FAKE_KUBECTL_MODE: mode, ...extra },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call) : []),
  };
}

/** The apply of the render itself (apply also writes its inventory, the ApplySet parent). */
function renderApply(calls: Call[]): Call {
  const call = calls.find((c) => c.args.includes('apply') && !c.stdin.includes('applyset.kubernetes.io/id'));
  expect(call).toBeDefined();
  return call!;
}

function firstCall(calls: Call[], verb: string): Call {
  const call = calls.find((c) => c.args.includes(verb));
  expect(call).toBeDefined();
  return call!;
}

const PROFILE = 'preset: eks\ncluster: {name: prod}\nremoteWrite:\n  - url: https://m.example/push\n    basicAuth: {username: u, passwordFrom: {env: RW_PASSWORD}}\n';
const SECRET = 'hunter2-very-secret';

function profileFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'k8smon-prof-')), 'k8smon.yaml');
  writeFileSync(file, PROFILE);
  return file;
}

describe('k8smon apply', () => {
  it('pipes the render to kubectl apply --server-side --field-manager=k8smon, passing context and kubeconfig on', async () => {
    const fake = fakeEnv();
    const file = profileFile();
    const r = await runCli(['apply', '-f', file, '--context', 'prod-ctx', '--kubeconfig', '/tmp/kc'], { env: { ...fake.env, RW_PASSWORD: SECRET } });
    expect(r.exitCode).toBe(0);
    const call = renderApply(fake.calls());
    expect(call!.args).toEqual(['--kubeconfig=/tmp/kc', '--context=prod-ctx', 'apply', '--server-side', '--field-manager=k8smon', '-f', '-']);
    const sent = parseAllDocuments(call!.stdin).map((d) => d.toJS());
    const expected = renderBundle({ file, sets: [] }, { RW_PASSWORD: SECRET }).objects;
    expect(sent).toEqual(expected);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('passes --dry-run on (a client dry run without --server-side, which kubectl refuses with it)', async () => {
    const fake = fakeEnv();
    await runCli(['apply', '--profile', 'eks', '--dry-run=server'], { env: fake.env });
    await runCli(['apply', '--profile', 'eks', '--dry-run=client'], { env: fake.env });
    expect(fake.calls().filter((c) => c.args.includes('apply')).map((c) => c.args)).toEqual([
      ['apply', '--server-side', '--field-manager=k8smon', '--dry-run=server', '-f', '-'],
      ['apply', '--field-manager=k8smon', '--dry-run=client', '-f', '-'],
    ]);
  });

  it('shows kubectl\'s error, redacted, and exits 4', async () => {
    const fake = fakeEnv('fail', { FAKE_KUBECTL_ECHO: SECRET });
    const r = await runCli(['apply', '-f', profileFile()], { env: { ...fake.env, RW_PASSWORD: SECRET } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/kubectl apply failed \(exit 1\):\nerror: the server rejected apply: secret value <redacted>/);
    expect(r.stderr).not.toContain(SECRET);
  });

  it('calls no kubectl when rendering fails', async () => {
    const fake = fakeEnv();
    const r = await runCli(['apply', '-f', profileFile()], { env: fake.env }); // RW_PASSWORD unset
    expect(r.exitCode).toBe(2);
    expect(fake.calls()).toEqual([]);
  });

  it('says how to get kubectl when it is missing, with its own exit code', async () => {
    const r = await runCli(['apply', '--profile', 'eks'], { env: { PATH: '/nonexistent' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/kubectl was not found; install kubectl/);
  });

  it('--wait waits for every workload and says why one is not ready', async () => {
    const fake = fakeEnv('notready');
    const r = await runCli(['apply', '--profile', 'eks', '--wait', '--timeout', '30s'], { env: fake.env });
    expect(r.exitCode).toBe(1);
    const rollouts = fake.calls().filter((c) => c.args[0] === 'rollout');
    expect(rollouts.map((c) => c.args[2]).sort()).toEqual([
      'daemonset/k8smon-agent-node',
      'daemonset/k8smon-node-exporter',
      'deployment/k8smon-agent-cluster',
      'deployment/k8smon-blackbox-exporter',
      'deployment/k8smon-kube-state-metrics',
      'deployment/k8smon-prometheus',
    ]);
    expect(rollouts[0]!.args).toContain('--timeout=30s');
    expect(r.stderr).toMatch(/daemonset\/k8smon-node-exporter: not ready/);
    expect(r.stderr).toMatch(/k8smon-node-exporter-abcde\/node-exporter: ImagePullBackOff: Back-off pulling image \(is the registry reachable/);
  });

  it('reads a password from stdin with --password-stdin, and never prints it', async () => {
    const fake = fakeEnv();
    const r = await runCli(['apply', '--profile', 'eks', '--set', 'remoteWrite[0].url=https://m.example/push', '--set', 'remoteWrite[0].basicAuth.username=u', '--password-stdin'], {
      env: fake.env,
      input: `${SECRET}\n`,
    });
    expect(r.exitCode).toBe(0);
    const secret = parseAllDocuments(renderApply(fake.calls()).stdin).map((d) => d.toJS()).find((o) => o.kind === 'Secret');
    expect(Buffer.from(secret.data['remote-0-password'], 'base64').toString()).toBe(SECRET);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});

describe('k8smon diff', () => {
  it('exits 0 without differences and 1 with, redacting credentials', async () => {
    const same = fakeEnv('ok');
    expect((await runCli(['diff', '--profile', 'eks'], { env: same.env })).exitCode).toBe(0);
    expect(same.calls()[0]!.args).toEqual(['diff', '--server-side', '--field-manager=k8smon', '-f', '-']);
    const changed = fakeEnv('diff', { FAKE_KUBECTL_ECHO: SECRET });
    const r = await runCli(['diff', '-f', profileFile()], { env: { ...changed.env, RW_PASSWORD: SECRET } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('password: <redacted>');
  });
});

describe('k8smon delete', () => {
  it('deletes exactly the rendered objects, by reference only, keeping the namespace', async () => {
    const fake = fakeEnv();
    const r = await runCli(['delete', '-f', profileFile(), '--context', 'c'], { env: { ...fake.env, RW_PASSWORD: SECRET } });
    expect(r.exitCode).toBe(0);
    const call = firstCall(fake.calls(), 'delete');
    expect(call!.args).toEqual(['--context=c', 'delete', '--ignore-not-found', '-f', '-']);
    const sent = parseAllDocuments(call!.stdin).map((d) => d.toJS());
    const rendered = renderBundle({ file: profileFile(), sets: [] }, { RW_PASSWORD: SECRET }).objects.filter((o) => o.kind !== 'Namespace');
    const key = (o: any): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    expect(sent.map(key).sort()).toEqual(rendered.map(key).sort());
    expect(call!.stdin).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(call!.stdin).not.toContain('spec:');
  });

  it('deletes the namespace only with --include-namespace', async () => {
    const fake = fakeEnv();
    await runCli(['delete', '--profile', 'eks', '--include-namespace'], { env: fake.env });
    expect(firstCall(fake.calls(), 'delete').stdin).toMatch(/kind: Namespace/);
  });
});

describe('without a reachable cluster', () => {
  it.each([
    ['apply', ['apply', '--profile', 'eks']],
    ['diff', ['diff', '--profile', 'eks']],
    ['delete', ['delete', '--profile', 'eks']],
  ])('%s says it in one line, keeping kubectl\'s text for --verbose', async (_verb, args) => {
    const fake = fakeEnv('nocluster');
    const r = await runCli(args, { env: fake.env });
    expect(r.exitCode).not.toBe(0);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/kubectl has no current context; pass --context/);
    expect(r.stderr).not.toMatch(/dial tcp|memcache\.go/);
    const verbose = await runCli(['--verbose', ...args], { env: fake.env });
    expect(verbose.stderr).toMatch(/dial tcp 127\.0\.0\.1:8080/);
  });

  it('names a context that does not exist', async () => {
    const r = await runCli(['apply', '--profile', 'eks', '--context', 'prod'], { env: fakeEnv('nocontext').env });
    expect(r.stderr).toMatch(/error: kubectl (apply|get): kubectl has no context "prod"; pass one of `kubectl config get-contexts` to --context/);
  });

  it('check --context prod does not retry a context that does not exist', async () => {
    const fake = fakeEnv('nocontext');
    const r = await runCli(['check', '--profile', 'eks', '--context', 'prod'], { env: fake.env });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).not.toMatch(/retrying/);
    expect(r.stderr).toMatch(/kubectl has no context "prod"/);
    const raw = fake.calls().filter((c) => c.args.includes('--raw')).map((c) => c.args[c.args.indexOf('--raw') + 1]);
    expect(new Set(raw).size).toBe(raw.length);
  });
});
