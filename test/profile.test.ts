import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInDefaults } from '../src/profile/defaults.js';
import { parsePath, parseSetFlags } from '../src/profile/merge.js';
import { loadPreset, presetNames } from '../src/profile/presets.js';
import { resolveProfile } from '../src/profile/resolve.js';
import { validateSchema } from '../src/profile/validate.js';
import { problemsOf } from './support/problems.js';

function profileFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-profile-'));
  const file = join(dir, 'profile.yaml');
  writeFileSync(file, text);
  return file;
}


describe('profile schema', () => {
  it('accepts the built-in defaults', () => {
    expect(validateSchema(builtInDefaults())).toEqual([]);
  });

  it.each(presetNames())('accepts preset %s merged over the defaults', (name) => {
    const { profile } = resolveProfile({ preset: name });
    expect(profile.preset).toBe(name);
    expect(validateSchema(profile)).toEqual([]);
  });

  it('has at least the presets the docs promise', () => {
    expect(presetNames()).toEqual(expect.arrayContaining(['eks', 'gke', 'aks', 'kubeadm', 'k3s']));
  });
});

describe('precedence: defaults < preset < file < --set', () => {
  it('takes the default when nothing overrides it', () => {
    expect(resolveProfile({}).profile.namespace).toBe('monitoring');
  });

  it('lets the preset override a default', () => {
    expect(resolveProfile({ preset: 'eks' }).profile.cluster.platform).toBe('eks');
  });

  it('lets the file override the preset', () => {
    const file = profileFile('preset: eks\ncluster:\n  platform: generic\n');
    expect(resolveProfile({ file }).profile.cluster.platform).toBe('generic');
  });

  it('lets --set override the file', () => {
    const file = profileFile('preset: eks\nkubelet:\n  access: direct\n');
    expect(resolveProfile({ file, sets: ['kubelet.access=proxy'] }).profile.kubelet.access).toBe('proxy');
  });

  it('uses the command-line preset over the file preset', () => {
    const file = profileFile('preset: eks\n');
    expect(resolveProfile({ file, preset: 'k3s' }).profile.cluster.platform).toBe('k3s');
  });

  it('replaces lists whole instead of appending', () => {
    const file = profileFile('remoteWrite:\n  - url: https://a.example/push\n  - url: https://b.example/push\n');
    const { profile } = resolveProfile({ file, sets: ['remoteWrite[0].url=https://c.example/push'] });
    expect(profile.remoteWrite?.map((r) => r.url)).toEqual(['https://c.example/push', 'https://b.example/push']);
  });
});

describe('--set', () => {
  it('parses dotted paths with indexes', () => {
    expect(parsePath('remoteWrite[0].basicAuth.username')).toEqual(['remoteWrite', 0, 'basicAuth', 'username']);
    expect(parsePath('a..b')).toBeNull();
    expect(parsePath('[0]')).toBeNull();
    expect(parsePath('a.')).toBeNull();
  });

  it('keeps a numeric-looking value a string where the schema wants a string', () => {
    expect(resolveProfile({ sets: ['cluster.name=123'] }).profile.cluster.name).toBe('123');
  });

  it('converts booleans where the schema wants a boolean', () => {
    expect(resolveProfile({ sets: ['kubelet.insecureSkipVerify=false'] }).profile.kubelet.insecureSkipVerify).toBe(false);
  });

  it('keeps everything after the first = in the value', () => {
    expect(resolveProfile({ sets: ['cluster.name=a=b'] }).profile.cluster.name).toBe('a=b');
  });

  it('rejects a flag without =', () => {
    expect(parseSetFlags(['kubelet.access']).problems[0]?.message).toMatch(/path=value/);
  });
});

describe('validation messages', () => {
  it('reports every problem at once, each with its path and the fix', () => {
    const file = profileFile(
      [
        'namespace: Monitoring',
        'kubelet:',
        '  access: tunnel',
        'agent:',
        '  scrapeInterval: soon',
        '  colour: blue',
        'remoteWrite:',
        '  - url: ftp://x.example/',
        '    basicAuth: {username: u}',
      ].join('\n'),
    );
    const problems = problemsOf(() => resolveProfile({ file }));
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['namespace']).toMatch(/DNS-1123 label/);
    expect(byPath['kubelet.access']).toMatch(/must be one of: direct, proxy \(got "tunnel"\)/);
    expect(byPath['agent.scrapeInterval']).toMatch(/Prometheus duration such as 30s/);
    expect(byPath['agent.colour']).toMatch(/unknown field; allowed here: kind, scrapeInterval, scrapeTimeout, resources/);
  });

  it('runs cross-field rules on a schema-valid profile', () => {
    const file = profileFile(
      [
        'agent:',
        '  scrapeInterval: 30s',
        '  scrapeTimeout: 1m',
        'remoteWrite:',
        '  - url: ftp://x.example/',
        '    basicAuth: {username: u}',
        '  - url: https://user:hunter2@y.example/push',
        '    headers: {Authorization: Bearer x}',
      ].join('\n'),
    );
    const problems = problemsOf(() => resolveProfile({ file }));
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['agent.scrapeTimeout']).toMatch(/longer than agent.scrapeInterval/);
    expect(byPath['remoteWrite[0].url']).toMatch(/http or https/);
    expect(byPath['remoteWrite[0].basicAuth']).toMatch(/needs password or passwordFrom/);
    expect(byPath['remoteWrite[1].url']).toMatch(/carries credentials/);
    expect(byPath['remoteWrite[1].headers.Authorization']).toMatch(/cannot be overridden/);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('suggests the nearest field for a typo', () => {
    const problems = problemsOf(() => resolveProfile({ sets: ['kubelet.acess=proxy'] }));
    expect(problems[0]).toEqual({ path: 'kubelet.acess', message: expect.stringContaining('did you mean "access"') });
  });

  it('lists the valid presets for an unknown one', () => {
    const problems = problemsOf(() => resolveProfile({ preset: 'ekss' }));
    expect(problems[0]?.message).toMatch(/did you mean "eks"/);
    expect(problems[0]?.message).toContain(`valid presets: ${presetNames().join(', ')}`);
  });

  it('rejects an empty remoteWrite list with the way out', () => {
    const problems = problemsOf(() => resolveProfile({ file: profileFile('remoteWrite: []\n') }));
    expect(problems).toEqual([{ path: 'remoteWrite', message: expect.stringMatching(/remove remoteWrite to get the in-cluster Prometheus/) }]);
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const file = profileFile('cluster:\n  name: a\n   bad: [\n');
    const problems = problemsOf(() => resolveProfile({ file }));
    expect(problems[0]?.path).toMatch(/profile\.yaml:\d+:\d+$/);
  });

  it('rejects a profile that is not a mapping', () => {
    const problems = problemsOf(() => resolveProfile({ file: profileFile('- a\n- b\n') }));
    expect(problems[0]?.message).toMatch(/YAML mapping/);
  });

  it('rejects duplicate keys instead of silently keeping one', () => {
    expect(problemsOf(() => resolveProfile({ file: profileFile('namespace: a\nnamespace: b\n') }))[0]?.message).toMatch(/unique|duplicate/i);
  });
});

describe('presets', () => {
  it('start from other presets and refuse cycles', () => {
    // Every built-in preset loads (no cycles, all parents exist).
    for (const name of presetNames()) expect(() => loadPreset(name)).not.toThrow();
  });
});
