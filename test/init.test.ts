/** `k8smon init`: non-interactive, and driven in a real pseudo-terminal. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { guessPlatform } from '../src/init/guess.js';
import { resolveProfile } from '../src/profile/resolve.js';
import { BIN, runCli } from './support/cli.js';
import { KEYS, PtySession } from './support/pty.js';

const FAKE_DIR = fileURLToPath(new URL('./support/fake-kubectl', import.meta.url));
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'k8smon-init-'));

describe('k8smon init --yes', () => {
  it('writes a valid profile from defaults and flags, with a $schema comment, and prints the next command', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--yes', '--profile', 'gke', '--set', 'cluster.name=prod-1', '--output', 'prod.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const text = readFileSync(join(dir, 'prod.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+k8smon\.schema\.json\n/);
    expect(existsSync(join(dir, text.split('\n')[0]!.split('$schema=')[1]!))).toBe(true);
    expect(parseYaml(text)).toEqual({ preset: 'gke', cluster: { name: 'prod-1' } });
    expect(resolveProfile({ file: join(dir, 'prod.yaml') }).profile.cluster.platform).toBe('gke');
    expect(r.stdout).toMatch(/^Next: k8smon apply -f prod.yaml/);
  });

  it('is non-interactive when stdin is not a terminal', async () => {
    const dir = tempDir();
    const r = await runCli(['init'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'k8smon.yaml'))).toBe(true);
  });

  it('refuses to overwrite without --force, and rejects invalid flags without writing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'k8smon.yaml'), 'mine: true\n');
    const r = await runCli(['init', '--yes'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(join(dir, 'k8smon.yaml'), 'utf8')).toBe('mine: true\n');
    expect((await runCli(['init', '--yes', '--force'], { cwd: dir })).exitCode).toBe(0);
    const bad = await runCli(['init', '--yes', '--output', 'x.yaml', '--set', 'kubelet.access=tunnel'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(existsSync(join(dir, 'x.yaml'))).toBe(false);
  });
});

describe('k8smon init in a terminal', () => {
  const env = (): Record<string, string> => ({ PATH: `${FAKE_DIR}${delimiter}${process.env.PATH}`, NO_COLOR: '1' });

  it('asks in order, offers the detected platform, and keeps the password out of the profile', async () => {
    const dir = tempDir();
    const pty = new PtySession([process.execPath, BIN, 'init'], env(), dir);
    await pty.answer(/Platform[\s\S]*eks \(detected: eks\.amazonaws\.com node labels\)/, KEYS.enter);
    await pty.answer(/Cluster name.*\(kind-test\)/, `prod-eu-1${KEYS.enter}`);
    await pty.answer(/Namespace/, KEYS.enter);
    await pty.answer(/Agent/, KEYS.enter);
    await pty.answer(/Kubelet access[\s\S]*direct[\s\S]*proxy/, KEYS.enter);
    await pty.answer(/remote_write URL/, `https://mimir.example.com/api/v1/push${KEYS.enter}`);
    await pty.answer(/Authentication/, KEYS.down + KEYS.enter);
    await pty.answer(/Username/, `tenant-1${KEYS.enter}`);
    await pty.answer(/Where does the password come from/, KEYS.enter);
    await pty.answer(/Environment variable/, KEYS.enter);
    await pty.answer(/Components/, KEYS.enter);
    await pty.waitFor(/Next: RW_PASSWORD=… k8smon apply -f k8smon\.yaml/);
    expect(await pty.exit()).toBe(0);
    const profile = parseYaml(readFileSync(join(dir, 'k8smon.yaml'), 'utf8'));
    expect(profile).toEqual({
      preset: 'eks',
      cluster: { name: 'prod-eu-1' },
      namespace: 'monitoring',
      agent: { kind: 'prometheus' },
      kubelet: { access: 'direct' },
      remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', basicAuth: { username: 'tenant-1', passwordFrom: { env: 'RW_PASSWORD' } } }],
    });
  }, 60_000);

  it('asks before overwriting, and keeps the file on "no"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'k8smon.yaml'), 'mine: true\n');
    const pty = new PtySession([process.execPath, BIN, 'init'], env(), dir);
    for (const prompt of [/Platform/, /Cluster name/, /Namespace/, /Agent/, /Kubelet access/, /remote_write URL/, /Components/]) await pty.answer(prompt, KEYS.enter);
    await pty.answer(/k8smon\.yaml exists\. Overwrite it\?/, `n${KEYS.enter}`);
    expect(await pty.exit()).toBe(1);
    expect(readFileSync(join(dir, 'k8smon.yaml'), 'utf8')).toBe('mine: true\n');
  }, 60_000);

  it('leaves no file behind and exits 130 on Ctrl-C', async () => {
    const dir = tempDir();
    const pty = new PtySession([process.execPath, BIN, 'init'], env(), dir);
    await pty.answer(/Platform/, KEYS.enter);
    await pty.answer(/Cluster name/, KEYS.ctrlC);
    expect(await pty.exit()).toBe(130);
    expect(existsSync(join(dir, 'k8smon.yaml'))).toBe(false);
  }, 60_000);
});

describe('platform guess', () => {
  it.each([
    [{ providerID: 'aws:///x/i-1', labels: { 'eks.amazonaws.com/nodegroup': 'a' } }, 'eks'],
    [{ providerID: 'gce://p/z/n', labels: { 'cloud.google.com/gke-nodepool': 'a' } }, 'gke'],
    [{ providerID: 'azure:///s/r', labels: { 'kubernetes.azure.com/cluster': 'a' } }, 'aks'],
    [{ labels: {}, kubeletVersion: 'v1.30.4+k3s1' }, 'k3s'],
    [{ labels: {}, kubeletVersion: 'v1.30.4+rke2r1' }, 'rke2'],
    [{ providerID: 'kind://docker/kind/kind-control-plane', labels: {} }, 'kind'],
    [{ labels: { 'node-role.kubernetes.io/control-plane': '' } }, 'kubeadm'],
  ])('%j → %s', (node, platform) => {
    expect(guessPlatform([node])?.platform).toBe(platform);
  });

  it('guesses nothing from nothing', () => {
    expect(guessPlatform([])).toBeUndefined();
    expect(guessPlatform([{ labels: {} }])).toBeUndefined();
  });
});
