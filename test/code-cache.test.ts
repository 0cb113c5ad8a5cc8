/**
 * The files the build generates beside the bundle (profile validator,
 * precompiled templates) load through V8's code cache (src/util/code-cache.ts,
 * scripts/build-code-cache.mjs): the cache is there after `npm run build`,
 * V8 takes it in a plain `node` (as the bin runs), and a cache that does not
 * fit — another Node.js, other V8 flags, an edited file — is refused without
 * changing what the file does.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packagePath } from '../src/package-root.js';
import { renderBundle } from '../src/pipeline.js';
import { toYamlStream } from '../src/render/serialize.js';
import { runCli } from './support/cli.js';
import { PRESETS } from './support/render.js';

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

describe('parsed template texts saved by the build (src/util/code-cache.ts buildMemo)', () => {
  it('holds, for each text, exactly what the yaml package parses it to', () => {
    const saved = JSON.parse(readFileSync(bundled('template-texts.json'), 'utf8')) as [string, string][];
    expect(saved.length).toBeGreaterThan(5);
    for (const [text, answer] of saved) expect(JSON.parse(answer)).toStrictEqual(parse(text, { uniqueKeys: true, strict: true }));
  });

  it.each(PRESETS)('the built CLI (which reads it) renders %s byte for byte as the sources do (which do not)', async (preset) => {
    const cli = await runCli(['render', '--profile', preset]);
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toBe(toYamlStream(renderBundle({ preset, sets: [] }, {}).objects));
  });
});
