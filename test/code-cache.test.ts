/**
 * The files the build generates beside the bundle (profile validator,
 * precompiled templates) load through V8's code cache (src/util/code-cache.ts,
 * scripts/build-code-cache.mjs): the cache is there after `npm run build`,
 * V8 takes it in a plain `node` (as the bin runs), and a cache that does not
 * fit — another Node.js, other V8 flags, an edited file — is refused without
 * changing what the file does.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../src/package-root.js';

const bundled = (file: string): string => packagePath('dist', 'bundle', file);

/** Loads `files` through the built code-cache loader in a fresh `node` (no test runner flags); each one's status and a probe's answer. */
function loadInNode(files: string[], extraFlags: string[] = []): { status: Record<string, boolean | null>; valid: boolean[] } {
  const script = `
    import { codeCacheStatus, requireWithCodeCache } from ${JSON.stringify(pathToFileURL(packagePath('dist', 'util', 'code-cache.js')).href)};
    const files = ${JSON.stringify(files)};
    const loaded = files.map((f) => requireWithCodeCache(f));
    const validate = loaded.find((m) => typeof m === 'function');
    const valid = validate === undefined ? [] : [validate({ cluster: { platform: 'eks' } }), validate({ cluster: { platform: 'nope' } })];
    const status = Object.fromEntries([...codeCacheStatus()].map(([k, v]) => [k, v ?? null]));
    console.log(JSON.stringify({ status, valid }));`;
  return JSON.parse(execFileSync(process.execPath, [...extraFlags, '--input-type=module', '-e', script], { encoding: 'utf8' })) as ReturnType<typeof loadInNode>;
}

describe('code cache of the generated files (V8, npm run build)', () => {
  it('is taken by V8 for the profile validator and the templates, which still work', () => {
    const { status, valid } = loadInNode([bundled('schema-validator.cjs'), bundled('templates-compiled.cjs')]);
    expect(status).toEqual({ [bundled('schema-validator.cjs')]: true, [bundled('templates-compiled.cjs')]: true });
    expect(valid).toEqual([true, false]);
  });

  it('is refused, and the source compiled instead, under other V8 flags or when it is not the file\'s', () => {
    expect(loadInNode([bundled('schema-validator.cjs')], ['--max-lazy']).status[bundled('schema-validator.cjs')]).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-code-cache-'));
    const file = join(dir, 'schema-validator.cjs');
    copyFileSync(bundled('schema-validator.cjs'), file);
    writeFileSync(`${file}.v8cache`, Buffer.alloc(4096, 7));
    const { status, valid } = loadInNode([file]);
    expect(status[file]).toBe(false);
    expect(valid).toEqual([true, false]);
  });
});
