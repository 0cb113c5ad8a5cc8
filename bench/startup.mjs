#!/usr/bin/env node
// Start-up cost of the CLI: `k8smon render --profile eks` against `node -e 0`
// (what any Node program pays), run in turn — A B A B … — so that the ratio
// of each pair holds while this VM's speed drifts. Also `k8smon --help`, and
// the unbundled build (dist/cli/main.js loaded module by module, what the bin
// ran before the bundle) for comparison.
// Prints the median wall time of each command and the median of the pairwise ratios.
// Usage: npm run bench:startup  [-- --runs 21]
import { arg, median } from './args.mjs';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const runs = Number(arg('runs', 21));
const bin = new URL('../bin/k8smon.js', import.meta.url).pathname;
const unbundled = new URL('../dist/cli/main.js', import.meta.url).href;

const commands = {
  'node -e 0': [process.execPath, '-e', '0'],
  'k8smon render --profile eks': [process.execPath, bin, 'render', '--profile', 'eks'],
  'k8smon --help': [process.execPath, bin, '--help'],
  'render, unbundled build': [process.execPath, '--input-type=module', '-e', `import { main } from '${unbundled}'; process.exitCode = await main(['render', '--profile', 'eks']);`],
};

function time([cmd, ...args]) {
  const start = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return performance.now() - start;
}

const names = Object.keys(commands);
const wall = Object.fromEntries(names.map((n) => [n, []]));
for (const n of names) time(commands[n]); // warm-up: the file cache
for (let i = 0; i < runs; i++) for (const n of names) wall[n].push(time(commands[n]));

const base = wall['node -e 0'];
console.log(`${runs} interleaved runs each; median wall time, and the median of the per-round ratios to node -e 0`);
for (const n of names) {
  const ratios = wall[n].map((t, i) => t / base[i]);
  console.log(`${n.padEnd(30)} ${median(wall[n]).toFixed(0).padStart(5)} ms   ×${median(ratios).toFixed(2)}`);
}
