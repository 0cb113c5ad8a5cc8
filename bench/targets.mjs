#!/usr/bin/env node
// Benchmark of `k8smon targets` on a synthetic 5,000-node cluster: 150,000 application pods, plus the
// pods of the rendered preset itself (node-exporter and the node agent on every node).
// Prints: snapshot load time, discovery time, relabel rule applications per
// second (measured in-process on the same render and snapshot), then the real
// CLI run end to end (wall time and peak RSS read from /proc while it runs;
// the table run five times, median and best), and what fresh memory costs on
// this machine (on a VM, first-touch page faults dominate a run this size).
// Usage: npm run bench  [-- --nodes 5000 --pods-per-node 30 --preset kubeadm --runs 5]
import { arg } from './args.mjs';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderBundle } from '../dist/index.js';
import { agentsFromManifests, compileRelabelConfigs, discover, discoveredLabels, finalizeTarget, previewCluster, readJsonFile } from '../dist/runtime/index.js';

const nodes = Number(arg('nodes', 5000));
const podsPerNode = Number(arg('pods-per-node', 30));
const preset = arg('preset', 'kubeadm');
const runs = Number(arg('runs', 5));
const bin = new URL('../bin/k8smon.js', import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'k8smon-bench-'));
const snapshotFile = join(dir, 'cluster.json');
// Generated in a child process, so that this one stays small and idle while the CLI runs: a
// parent holding the 110 MB string's garbage, or collecting the CLI's output into a string,
// competes with the CLI for this 2-vCPU machine and added 0.4-2 s to every run.
// The cluster runs the render's own workloads too (node-exporter and the node agent on every node),
// so that every job of the preset has the targets it has after install.
const runtimeModule = new URL('../dist/runtime/index.js', import.meta.url).href;
const renderModule = new URL('../dist/index.js', import.meta.url).href;
execFileSync(process.execPath, ['--input-type=module', '-e', `
  import { closeSync, fsyncSync, openSync, writeFileSync } from 'node:fs';
  import { syntheticCluster } from ${JSON.stringify(runtimeModule)};
  import { renderBundle } from ${JSON.stringify(renderModule)};
  const workloads = renderBundle({ preset: ${JSON.stringify(preset)}, sets: [] }, {}).objects;
  const fd = openSync(${JSON.stringify(snapshotFile)}, 'w');
  writeFileSync(fd, JSON.stringify(syntheticCluster({ nodes: ${nodes}, podsPerNode: ${podsPerNode}, workloads })));
  fsyncSync(fd); // on disk before the runs, so no run shares the machine with its write-back
  closeSync(fd);
`]);
const ms = (t) => `${t.toFixed(0)} ms`;

// 1. The real CLI, end to end, in its own process (first, while this one is small): the table a
// person reads, and -o json. Its output goes through a pipe that is drained and counted, as when a
// user pipes it to less or grep. Timed runs are left alone; peak RSS comes from one more run of
// each, watched through /proc/<pid>/status every 20 ms (reading it takes the child's memory-map
// lock, which its page faults need too; one comparison showed watched runs 0.5-1.4 s slower, a
// later one no difference, so the timed runs are simply not watched).
const cli = (format, { watchMemory = false } = {}) => new Promise((resolve, reject) => {
  const start = performance.now();
  let peakKb = 0;
  let bytes = 0;
  let stderr = '';
  const child = spawn(process.execPath, [bin, 'targets', '--profile', preset, '--snapshot', snapshotFile, '-o', format], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => {
    bytes += chunk.length;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.on('error', reject);
  const timer = watchMemory
    ? setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peakKb = Math.max(peakKb, Number(m[1]));
        } catch {
          // exited
        }
      }, 20)
    : undefined;
  child.on('close', (code) => {
    clearInterval(timer);
    if (code !== 0) return reject(new Error(`k8smon targets exited ${code}: ${stderr}`));
    resolve({ wallMs: performance.now() - start, peakKb, bytes });
  });
});
const tables = [];
for (let i = 0; i < runs; i++) tables.push(await cli('table'));
const inOrder = tables.map((t) => (t.wallMs / 1000).toFixed(2)).join(', ');
tables.sort((a, b) => a.wallMs - b.wallMs);
const table = tables[Math.floor(tables.length / 2)];
const tablePeakKb = (await cli('table', { watchMemory: true })).peakKb;
const json = await cli('json');
const jsonPeakKb = (await cli('json', { watchMemory: true })).peakKb;

// 2. Load: read and parse the snapshot file, as the CLI does (in chunks).
let t0 = performance.now();
const snapshot = readJsonFile(snapshotFile);
const loadMs = performance.now() - t0;

// 3. The whole preview in-process (every agent instance: one per node), as `k8smon targets` runs it,
// on a heap that holds only the snapshot.
const agents = agentsFromManifests(renderBundle({ preset, sets: [] }, {}).objects);
t0 = performance.now();
const preview = previewCluster(agents, snapshot, { discoveredLabels: false });
const previewMs = performance.now() - t0;

// 4. Discovery: every kubernetes_sd_configs entry of the render, once (as one agent instance would).
t0 = performance.now();
let groups = 0;
let targets = 0;
const discovered = [];
for (const agent of agents) {
  for (const sc of agent.read(undefined).scrapeConfigs) {
    for (const sd of sc.kubernetes_sd_configs ?? []) {
      const { selectors: _perNode, ...options } = sd;
      for (const g of discover(sd.role, snapshot, options)) {
        groups++;
        targets += g.targets.length;
        discovered.push([sc, g]);
      }
    }
  }
}
const discoveryMs = performance.now() - t0;

// 5. Relabeling: every discovered target through its job's rules, counting rule applications.
t0 = performance.now();
let applications = 0;
const compiledRules = new Map();
for (const [sc, g] of discovered) {
  if (!compiledRules.has(sc)) compiledRules.set(sc, compileRelabelConfigs(sc.relabel_configs ?? []));
  const rules = compiledRules.get(sc);
  for (const t of g.targets) {
    const outcome = finalizeTarget(discoveredLabels(sc, t, g.labels, { scrape_interval: '60s', scrape_timeout: '10s' }), rules, false);
    applications += outcome.kind === 'active' ? rules.length : outcome.steps[0].index + 1;
  }
}
const relabelMs = performance.now() - t0;

// 6. What touching fresh memory costs here (a child process writes 256 MiB once).
const touch = await new Promise((resolve, reject) => {
  execFile(process.execPath, ['-e', 'const b = Buffer.allocUnsafeSlow(256 << 20); const t = performance.now(); for (let i = 0; i < b.length; i += 4096) b[i] = 1; console.log(performance.now() - t)'], (err, out) => (err ? reject(err) : resolve(Number(out))));
});

console.log(`k8smon targets benchmark: preset ${preset}, ${nodes} nodes, ${snapshot.pods.length} pods, ${snapshot.services.length} services, ${snapshot.ingresses.length} ingresses`);
console.log(`  snapshot load (chunked read + JSON.parse, ${(readFileSync(snapshotFile).length / 1e6).toFixed(0)} MB): ${ms(loadMs)}`);
console.log(`  discovery (${groups} groups, ${targets} targets, once per sd config, every label set built):  ${ms(discoveryMs)}`);
console.log(`  relabeling: ${applications} rule applications in ${ms(relabelMs)} = ${((applications / relabelMs) * 1000 / 1e6).toFixed(2)} M/s`);
console.log(`  preview, every agent instance in-process: ${ms(previewMs)} (${preview.targets.length} active targets)`);
console.log(`  CLI end to end, k8smon targets (table), ${runs} runs: median ${ms(table.wallMs)}, best ${ms(tables[0].wallMs)}, peak RSS ${(tablePeakKb / 1024).toFixed(0)} MiB (runs in order: ${inOrder} s)`);
console.log(`  CLI end to end, k8smon targets -o json: ${ms(json.wallMs)}, peak RSS ${(jsonPeakKb / 1024).toFixed(0)} MiB, ${(json.bytes / 1e6).toFixed(0)} MB of JSON`);
console.log(`  this machine: first touch of fresh memory costs ${((touch / 256) * 100).toFixed(0)} ms per 100 MiB`);
rmSync(dir, { recursive: true, force: true });
