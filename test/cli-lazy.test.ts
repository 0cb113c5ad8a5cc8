/**
 * The built binary under module hooks that record what it loads: help loads
 * the command definitions only, never an implementation or the layers below.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from './support/cli.js';

const HOOKS = fileURLToPath(new URL('./support/record-loads.mjs', import.meta.url));

/** The build's record of which compiled modules (under dist/) each bundle file holds. */
const META = JSON.parse(readFileSync(new URL('../dist/bundle-meta.json', import.meta.url), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };

/**
 * Runs `k8smon ...args`, expecting exit 0, and returns the modules under dist/
 * it loaded: the bundle files it read, each counted as the compiled modules it holds.
 */
function modulesLoaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', HOOKS, BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status, r.stderr).toBe(0);
  const prefix = 'k8smon-loaded ';
  const files = r.stderr.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
  expect(files[0]).toBe('bundle/main.js');
  const modules = files.flatMap((f) => Object.keys(META.outputs[`dist/${f}`]?.inputs ?? {}));
  return [...new Set(modules.filter((m) => m.startsWith('dist/')).map((m) => m.slice('dist/'.length)))].sort();
}

/** What help may load: the entry, the program, the definitions and the flag groups they share, the reporter, the error types, the package's root. */
const HELP_MODULES = /^(errors\.js|package-root\.js|cli\/(main|program|command|context|options|output)\.js|cli\/commands\/[a-z]+\.js)$/;

describe('k8smon --help', () => {
  it.each([[['--help']], [['render', '--help']], [['targets', '--help']], [['presets', 'show', '--help']], [['--version']]])('%j loads no command implementation', (args) => {
    const loaded = modulesLoaded(args);
    expect(loaded).toContain('cli/commands/targets.js');
    expect(loaded.filter((m) => !HELP_MODULES.test(m))).toEqual([]);
  });

  it('a command loads its own implementation when it runs, and no other', () => {
    const loaded = modulesLoaded(['schema']);
    expect(loaded.filter((m) => m.endsWith('.run.js'))).toEqual(['cli/commands/schema.run.js']);
  });
});
