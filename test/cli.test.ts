/** The built CLI, run from a temp directory as a user would run it. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { profileSchema } from '../src/profile/schema.js';
import { presetNames } from '../src/profile/presets.js';
import { runCli } from './support/cli.js';

const ANSI = /\u001b\[/;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'k8smon-cli-'));
}

function writeProfile(dir: string, text: string): string {
  const file = join(dir, 'profile.yaml');
  writeFileSync(file, text);
  return file;
}

describe('k8smon render', () => {
  it('renders a preset with no other input', async () => {
    const r = await runCli(['render', '--profile', 'eks'], { cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toContain('DaemonSet');
    expect(r.stderr).toMatch(/note: remoteWrite: no destination configured/);
    expect(r.stderr).not.toMatch(ANSI);
  });

  it('takes a profile file, --set, and prints a JSON List', async () => {
    const dir = tempDir();
    const file = writeProfile(dir, 'preset: gke\nremoteWrite:\n  - url: https://m.example/push\n');
    const r = await runCli(['render', '-f', file, '--set', 'cluster.name=prod-1', '-o', 'json'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    const cm = list.items.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'k8smon-agent-node');
    expect(cm.data['prometheus.yaml']).toContain('cluster: prod-1');
  });

  it('writes one file per object plus kustomization.yaml, and replaces an earlier render', async () => {
    const dir = tempDir();
    const first = await runCli(['render', '--profile', 'kubeadm', '--output-dir', 'deploy'], { cwd: dir });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe('');
    const files = readdirSync(join(dir, 'deploy'));
    expect(files).toContain('kustomization.yaml');
    expect(files).toContain('daemonset-k8smon-agent-node.yaml');
    const again = await runCli(['render', '--profile', 'kubeadm', '--set', 'namespace=obs', '--output-dir', 'deploy'], { cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(readdirSync(join(dir, 'deploy'))).toContain('namespace-obs.yaml');
    expect(readdirSync(join(dir, 'deploy'))).not.toContain('namespace-monitoring.yaml');
  });

  it('refuses to overwrite a directory that is not an earlier render', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const r = await runCli(['render', '--profile', 'eks', '--output-dir', 'mine'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/not empty and is not an earlier k8smon render/);
    expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
  });

  it('is byte-identical across runs', async () => {
    const a = await runCli(['render', '--profile', 'aks']);
    const b = await runCli(['render', '--profile', 'aks']);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('bad input', () => {
  it('exits 2 with every problem as path: message, nothing on stdout and no output directory', async () => {
    const dir = tempDir();
    const file = writeProfile(dir, 'kubelet:\n  access: tunnel\nnamespace: Bad_NS\nremoteWrite:\n  - url: https://m.example/push\n    basicAuth: {username: u, password: hunter2-secret}\n');
    const r = await runCli(['render', '-f', file, '--output-dir', 'out'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/kubelet\.access: must be one of: direct, proxy/);
    expect(r.stderr).toMatch(/namespace: must be a DNS-1123 label/);
    expect(r.stderr).not.toContain('hunter2-secret');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('lists the valid presets for an unknown one', async () => {
    const r = await runCli(['render', '--profile', 'gcp']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`valid presets: ${presetNames().join(', ')}`);
  });

  it('names a missing environment variable, never a value', async () => {
    const dir = tempDir();
    const file = writeProfile(dir, 'remoteWrite:\n  - url: https://m.example/push\n    basicAuth: {username: u, passwordFrom: {env: K8SMON_TEST_PW}}\n');
    const r = await runCli(['render', '-f', file], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/remoteWrite\[0\]\.basicAuth\.passwordFrom\.env: environment variable K8SMON_TEST_PW is not set/);
  });

  it('never prints a credential on stderr, even when it renders', async () => {
    const dir = tempDir();
    const file = writeProfile(dir, 'remoteWrite:\n  - url: https://m.example/push\n    basicAuth: {username: u, passwordFrom: {env: K8SMON_TEST_PW}}\n    bearerToken: tok-in-file-123\n');
    const r = await runCli(['render', '-f', file, '--verbose'], { cwd: dir, env: { K8SMON_TEST_PW: 'pw-from-env-456' } });
    expect(r.exitCode).toBe(2); // basicAuth and bearer together
    expect(r.stderr).not.toContain('pw-from-env-456');
    expect(r.stderr).not.toContain('tok-in-file-123');
  });

  it('rejects an unknown output format and conflicting flags', async () => {
    expect((await runCli(['render', '-o', 'xml'])).stderr).toMatch(/--output: must be one of: yaml, json/);
    const r = await runCli(['render', '-o', 'json', '--output-dir', 'x'], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
  });

  it('exits 2 for a missing profile file and for unknown commands or flags', async () => {
    expect((await runCli(['render', '-f', 'nope.yaml'], { cwd: tempDir() })).exitCode).toBe(2);
    expect((await runCli(['rendr'])).exitCode).toBe(2);
    expect((await runCli(['render', '--colour'])).exitCode).toBe(2);
  });
});

describe('presets, schema, help', () => {
  it('lists presets with a description each', async () => {
    const r = await runCli(['presets']);
    expect(r.exitCode).toBe(0);
    for (const name of presetNames()) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\S`, 'm'));
  });

  it('shows one preset', async () => {
    const r = await runCli(['presets', 'show', 'eks']);
    expect(r.stdout).toContain('platform: eks');
    expect((await runCli(['presets', 'show', 'nope'])).exitCode).toBe(2);
  });

  it('prints the JSON Schema, identical to the shipped schema/k8smon.schema.json', async () => {
    const r = await runCli(['schema']);
    expect(JSON.parse(r.stdout)).toEqual(profileSchema);
    const shipped = readFileSync(new URL('../schema/k8smon.schema.json', import.meta.url), 'utf8');
    expect(shipped).toBe(r.stdout);
  });

  it('has examples in --help', async () => {
    const r = await runCli(['render', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ k8smon render --profile eks/);
    expect((await runCli(['--help'])).stdout).toMatch(/Exit codes/);
  });

  it('--quiet silences notes and warnings', async () => {
    const r = await runCli(['--quiet', 'render', '--profile', 'eks', '--set', 'kubelet.access=proxy']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('CLI finish', () => {
  const COMMANDS = ['render', 'apply', 'diff', 'delete', 'init', 'presets', 'schema', 'completion', 'snapshot', 'targets', 'check', 'estimate', 'agent'];

  it.each(COMMANDS)('%s --help shows examples', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ /);
  });

  it.each(['bash', 'zsh', 'fish'])('completion %s lists every command and the presets', async (shell) => {
    const r = await runCli(['completion', shell]);
    expect(r.exitCode).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('kubeadm');
    expect(r.stdout).toMatch(/(--|-l )output-dir/);
  });

  it('the bash completion script is valid bash', async () => {
    const r = await runCli(['completion', 'bash']);
    const { execFileSync } = await import('node:child_process');
    expect(() => execFileSync('bash', ['-n'], { input: r.stdout })).not.toThrow();
  });

  it('rejects an unknown shell', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/one of: bash, zsh, fish/);
  });

  it('colours stderr only when asked and not under NO_COLOR', async () => {
    const forced = await runCli(['render', '--profile', 'eks'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stderr).toMatch(ANSI);
    const off = await runCli(['render', '--profile', 'eks'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(off.stderr).not.toMatch(ANSI);
  });

  it('--verbose says more than the default', async () => {
    const dir = tempDir();
    const r = await runCli(['--verbose', 'render', '--profile', 'eks', '--output-dir', 'out'], { cwd: dir });
    expect(r.stderr).toMatch(/wrote \d+ files to out; apply with: kubectl apply -k out/);
  });
});
