#!/usr/bin/env node
// Bundles the embedded agent (dist/runtime/agent/main.js and everything it
// imports, dependencies included) into ONE minified ESM file,
// dist/agent/k8smon-agent.mjs, plus its gzip (what `render` ships in the
// agent's ConfigMap for agent.kind: embedded). No chunks, no native addons:
// the pod runs it with the plain Node.js image. Run by `npm run build`, after tsc.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { build } from 'esbuild';

// The runtime loads re2js lazily through createRequire(import.meta.url) (src/runtime/semantics/relabel/regex.ts),
// which a bundler cannot follow: in the bundle, that require() gets the bundled re2js instead.
const BUNDLED_FOR_REQUIRE = ['re2js'];
const bundledRequire = {
  name: 'bundled-require',
  setup(b) {
    b.onResolve({ filter: /^node:module$/ }, (args) => (args.importer.includes('/dist/') ? { path: 'node:module', namespace: 'bundled-require' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'bundled-require' }, () => ({
      resolveDir: new URL('..', import.meta.url).pathname,
      contents: [
        ...BUNDLED_FOR_REQUIRE.map((name, i) => `import * as m${i} from ${JSON.stringify(name)};`),
        `const bundled = new Map([${BUNDLED_FOR_REQUIRE.map((name, i) => `[${JSON.stringify(name)}, m${i}]`).join(', ')}]);`,
        'export function createRequire() {',
        '  return (id) => { if (bundled.has(id)) return bundled.get(id); throw new Error(`${id} is not in the agent bundle`); };',
        '}',
      ].join('\n'),
    }));
  },
};

const outdir = new URL('../dist/agent/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: [new URL('../dist/runtime/agent/main.js', import.meta.url).pathname],
  bundle: true,
  write: false,
  format: 'esm',
  // Not 'node': that picks dependencies' CommonJS builds (yaml's), whose require() of built-ins an ESM file
  // cannot run. Neutral with the `import` condition takes their ESM builds; Node's built-ins stay imports.
  platform: 'neutral',
  conditions: ['import'],
  mainFields: ['module', 'main'],
  external: ['node:*'],
  plugins: [bundledRequire],
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
if (result.outputFiles.length !== 1) throw new Error(`the agent bundle is ${result.outputFiles.length} files, not one`);
const native = Object.keys(result.metafile.inputs).filter((f) => f.endsWith('.node'));
if (native.length > 0) throw new Error(`the agent bundle would need native addons: ${native.join(', ')}`);
const code = result.outputFiles[0].contents;
// A CommonJS dependency's require() cannot run in the pod's ESM module: refuse it here, not at start-up.
if (/__require\b|Dynamic require of/.test(result.outputFiles[0].text)) throw new Error('the agent bundle calls require(): a dependency is CommonJS');
writeFileSync(`${outdir}k8smon-agent.mjs`, code);
// Level 9 and no file name or time in the header: the same bundle always gives the same bytes (and the same render).
writeFileSync(`${outdir}k8smon-agent.mjs.gz`, gzipSync(code, { level: constants.Z_BEST_COMPRESSION }));
