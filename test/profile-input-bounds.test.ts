/**
 * Rough edges of profile input: every problem at once (schema and cross-field
 * rules together), a clear word on multi-document files and on
 * `components.X: false`, and hostile sizes failing fast with a screenful.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, MAX_PROBLEMS_SHOWN } from '../src/errors.js';
import { resolveProfile, resolveProfileDocument } from '../src/profile/resolve.js';

const dir = mkdtempSync(join(tmpdir(), 'k8smon-input-'));
function fileWith(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function failure(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('expected the profile to be refused');
}
const lines = (err: InvalidInputError): string[] => err.problems.map((p) => `${p.path}: ${p.message}`);

describe('every problem at once', () => {
  it('reports cross-field rules next to schema errors', () => {
    const err = failure(() => resolveProfileDocument({ kubelet: { access: 'tunnel' }, agent: { scrapeInterval: '30s', scrapeTimeout: '1m' } }, {}));
    expect(lines(err)).toEqual([
      'kubelet.access: must be one of: direct, proxy (got "tunnel")',
      'agent.scrapeTimeout: 1m is longer than agent.scrapeInterval (30s); set it to at most the interval',
    ]);
  });

  it('does not repeat a refused value as a cross-field problem', () => {
    const err = failure(() => resolveProfileDocument({ agent: { scrapeTimeout: 'soon', scrapeInterval: '30s' }, remoteWrite: [{ url: 'https://u:p@x.example/push', basicAuth: {} }] }, {}));
    const out = lines(err);
    expect(out.filter((l) => l.startsWith('agent.scrapeTimeout'))).toHaveLength(1);
    expect(out.some((l) => l.startsWith('remoteWrite[0].basicAuth.username: is required'))).toBe(true);
  });
});

describe('messages that say what k8smon expects', () => {
  it('asks for one YAML document', () => {
    const err = failure(() => resolveProfile({ file: fileWith('multi.yaml', 'cluster:\n  name: a\n---\ncluster:\n  name: b\n') }));
    expect(err.message).not.toContain('parseAllDocuments');
    expect(err.message).toContain('holds 2 YAML documents');
    expect(lines(err).join('\n')).toContain('k8smon expects one profile, a single YAML document');
  });

  it('suggests {enabled: false} for components.X: false', () => {
    const err = failure(() => resolveProfileDocument({ components: { nodeExporter: false } }, {}));
    expect(lines(err)).toEqual(['components.nodeExporter: must be an object (got a boolean); write components.nodeExporter: {enabled: false}']);
  });

  it('still reports a key given twice, with its line', () => {
    const err = failure(() => resolveProfile({ file: fileWith('dup.yaml', 'cluster:\n  name: a\n  name: b\n') }));
    expect(lines(err)).toEqual([`${join(dir, 'dup.yaml')}:3:3: duplicate key "name" in one mapping; keep one`]);
  });
});

describe('hostile input sizes', () => {
  const keys = (n: number): string => Array.from({ length: n }, (_, i) => `key${i}: ${i}\n`).join('');

  it.each([
    ['200,000 top-level keys (4 MB)', () => keys(200_000)],
    ['90,000 unknown keys under agent (under 1 MiB)', () => `agent:\n${keys(90_000).replace(/^/gm, '  ')}`],
    ['4,900 unknown top-level keys (under the key limit)', () => keys(4_900)],
  ])('%s: fails in well under a second with at most a screenful', (_name, text) => {
    const file = fileWith('big.yaml', text());
    const started = performance.now();
    const err = failure(() => resolveProfile({ file }));
    const elapsed = performance.now() - started;
    // Generous for a slow, shared machine; the quadratic parser took 8 s for 20,000 keys.
    expect(elapsed).toBeLessThan(2000);
    expect(err.message.split('\n').length).toBeLessThanOrEqual(MAX_PROBLEMS_SHOWN + 2);
  });

  it('says how many problems were not shown', () => {
    const err = failure(() => resolveProfile({ file: fileWith('many.yaml', keys(100)) }));
    expect(err.message).toContain('… and 80 more problems (100 in all)');
  });

  it('names the limit when a file is too large', () => {
    const err = failure(() => resolveProfile({ file: fileWith('huge.yaml', keys(200_000)) }));
    expect(lines(err)[0]).toMatch(/is \d+ bytes; a profile may be at most 1048576 bytes/);
  });
});
