#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js and what it imports, dependencies
// included) into dist/bundle/: one entry file plus one chunk per command
// implementation, which the entry still imports only when that command runs.
// Loading one file instead of ~150 modules is most of what a command's
// start-up cost was. Run by `npm run build`, after tsc and the validator.
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: new URL('../dist/cli/main.js', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // CommonJS dependencies (handlebars, ajv) call require(): give the ESM bundle a real one.
  banner: { js: "import { createRequire as __k8smonCreateRequire } from 'node:module'; const require = __k8smonCreateRequire(import.meta.url);" },
});
// Which modules each output file holds: what test/cli-lazy.test.ts reads to see what a command loads.
writeFileSync(new URL('../dist/bundle-meta.json', import.meta.url), JSON.stringify(result.metafile));
// validate.ts and templates.ts load the files generated at build time (the
// profile validator, the precompiled templates) from beside themselves. Each is
// bundled with what it requires (ajv's runtime helpers, Handlebars' runtime),
// so loading one is reading one file, which src/util/code-cache.ts can then
// compile from V8's code cache.
for (const generated of ['profile/schema-validator.cjs', 'render/templates-compiled.cjs']) {
  await build({
    entryPoints: [new URL(`../dist/${generated}`, import.meta.url).pathname],
    outfile: `${outdir}${generated.slice(generated.indexOf('/') + 1)}`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}
