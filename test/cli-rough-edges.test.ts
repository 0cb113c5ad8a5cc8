/** The rough edges a new user hit: --password-stdin everywhere it is offered, and saying what was assumed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from './support/cli.js';

const SECRET = 'piped-very-secret';
const dir = mkdtempSync(join(tmpdir(), 'k8smon-edges-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const secretOf = (stdout: string): Record<string, string> => {
  const s = parseAllDocuments(stdout).map((d) => d.toJS()).find((o) => o?.kind === 'Secret');
  return Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]));
};

describe('--password-stdin', () => {
  it('render: fills the basic-auth password without warning that it is kept in the profile', async () => {
    const r = await runCli(['render', '--profile', 'eks', '--set', 'remoteWrite[0].url=https://m.example/push', '--set', 'remoteWrite[0].basicAuth.username=u', '--password-stdin'], { input: `${SECRET}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('kept in the profile');
    expect(secretOf(r.stdout)['remote-0-password']).toBe(SECRET);
  });

  it('render: wins over passwordFrom in the profile, without a warning', async () => {
    const profile = file('from.yaml', 'remoteWrite:\n  - url: https://m.example/push\n    basicAuth: {username: u, passwordFrom: {env: RW_PASSWORD}}\n');
    const r = await runCli(['render', '-f', profile, '--password-stdin'], { input: `${SECRET}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/both password and passwordFrom|kept in the profile/);
    expect(secretOf(r.stdout)['remote-0-password']).toBe(SECRET);
  });

  it('render: fills the bearer token of a bearer-token destination', async () => {
    const profile = file('bearer.yaml', 'remoteWrite:\n  - url: https://m.example/push\n    bearerTokenFrom: {env: RW_TOKEN}\n');
    const r = await runCli(['render', '-f', profile, '--password-stdin'], { input: `${SECRET}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('basicAuth.username');
    expect(secretOf(r.stdout)['remote-0-bearer-token']).toBe(SECRET);
  });

  it('render: says what it fills when remoteWrite[0] has no credential', async () => {
    const r = await runCli(['render', '--profile', 'eks', '--set', 'remoteWrite[0].url=https://m.example/push', '--password-stdin'], { input: `${SECRET}\n` });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--password-stdin: fills the basic-auth password, bearer token or OAuth client secret of remoteWrite\[0\]/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('diff: accepts it, as its help recommends', async () => {
    const help = await runCli(['diff', '--help']);
    expect(help.stdout).toContain('--password-stdin');
    const r = await runCli(['diff', '--profile', 'eks', '--password-stdin'], { input: `${SECRET}\n`, env: { PATH: '/nonexistent' } });
    expect(r.stderr).not.toMatch(/unknown option/);
  });
});

describe('saying what was assumed', () => {
  it('render with no profile or preset says it renders a generic cluster, on stderr', async () => {
    const r = await runCli(['render']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no profile file or preset given: rendering for a generic cluster/);
    expect(r.stdout).not.toMatch(/generic cluster/);
  });

  it('render of an empty file says so', async () => {
    const r = await runCli(['render', '-f', file('empty.yaml', '')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/empty\.yaml: is empty: rendering for a generic cluster/);
  });

  it('render with a preset says nothing of the kind', async () => {
    const r = await runCli(['render', '--profile', 'eks']);
    expect(r.stderr).not.toMatch(/generic cluster/);
  });

  it('init without a terminal says what the profile holds', async () => {
    const out = join(dir, 'init.yaml');
    const r = await runCli(['init', '-o', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--profile: not given, and no questions asked.*eks by default/);
  });
});
