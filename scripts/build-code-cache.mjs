#!/usr/bin/env node
// Saves V8's compiled code for the generated files the bundle loads (the
// profile validator, the precompiled templates) beside them, as
// <file>.v8cache: src/util/code-cache.ts hands it to V8 on every later run.
// Renders every preset once, in this process, so the cache also holds the
// functions those renders compiled on first call. Run by `npm run build`,
// after the bundle.
import { readdirSync } from 'node:fs';

process.env.K8SMON_BUILD_CODE_CACHE = '1';
const { main } = await import('../dist/bundle/main.js');
const presets = readdirSync(new URL('../presets/', import.meta.url)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length));
// The renders' output is not wanted, only what they compiled.
const write = process.stdout.write;
const writeErr = process.stderr.write;
process.stdout.write = process.stderr.write = () => true;
let failed = 0;
try {
  for (const preset of presets.sort()) if ((await main(['render', '--profile', preset])) !== 0) failed++;
} finally {
  process.stdout.write = write;
  process.stderr.write = writeErr;
}
if (failed > 0) {
  console.error(`build-code-cache: ${failed} preset render(s) failed`);
  process.exit(1);
}
// The caches are written as this process exits (code-cache.ts).
