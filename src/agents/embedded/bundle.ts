/**
 * The embedded agent's program as the render ships it: the one-file bundle
 * `npm run build` writes (scripts/bundle-agent.mjs), gzip'd, and the loader
 * that the pod's `node` runs: it unpacks the bundle in memory (the root
 * filesystem is read-only) and imports it from a data: URL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { K8smonError } from '../../errors.js';

/** File names in the agent's ConfigMap. */
export const LOADER_KEY = 'k8smon-agent-loader.mjs';
export const BUNDLE_KEY = 'k8smon-agent.mjs.gz';

/** Where the build leaves the bundle, from the package's root. */
const BUNDLE_PATH = join('dist', 'agent', BUNDLE_KEY);

/** The loader: ESM, so top-level await; the bundle exports `main(argv)`. */
export const LOADER_TEXT = `// k8smon embedded agent: ${BUNDLE_KEY} beside this file is the agent, gzip'd; run it from memory.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
const code = gunzipSync(readFileSync(new URL('./${BUNDLE_KEY}', import.meta.url)));
const { main } = await import('data:text/javascript;base64,' + code.toString('base64'));
const status = await main(process.argv.slice(2));
if (typeof status === 'number') process.exitCode = status;
`;

/** The package's root: the nearest directory above this module with k8smon's package.json (sources, dist/ and the CLI bundle alike). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'k8smon') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the k8smon package around this module');
    dir = up;
  }
}

let cached: Buffer | undefined;

/** The gzip'd bundle; an error that says to build it when it is missing. */
export function agentBundleGzip(): Buffer {
  if (cached !== undefined) return cached;
  const file = join(packageRoot(), BUNDLE_PATH);
  if (!existsSync(file)) throw new K8smonError(`agent.kind embedded needs the agent bundle ${file}, which is missing: run \`npm run build\``);
  return (cached = readFileSync(file));
}
