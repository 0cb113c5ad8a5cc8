#!/usr/bin/env node
// Exposition parsing speed: scanExposition over a payload file held as a
// Buffer (as a scrape receives it), samples handed to a callback that keeps
// nothing. Prints, per file, the median over the runs of MiB/s and samples/s,
// in wall time and in this process's CPU time: the VM is shared, and CPU time
// is what the parser costs when other processes take turns on the cores.
// Usage: npm run bench:exposition  [-- --runs 31] [-- files...]
import { median } from './args.mjs';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { scanExposition } from '../dist/runtime/index.js';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const runs = runsArg === -1 ? 31 : Number(args[runsArg + 1]);
const files = args.filter((a, i) => !a.startsWith('--') && i !== runsArg + 1);
const fixtures = files.length > 0 ? files : ['cadvisor.prom', 'kube-state-metrics.prom', 'node-exporter.prom', 'apiserver.prom'].map((f) => new URL(`../test/fixtures/metrics/${f}`, import.meta.url).pathname);

const MiB = 1024 * 1024;

console.log(`node ${process.version}, ${runs} runs per file after 5 warm-up runs, medians`);
console.log('file | size | samples | wall MiB/s | wall samples/s | CPU MiB/s | CPU samples/s');
for (const file of fixtures) {
  const buf = readFileSync(file);
  let samples = 0;
  const onSample = () => {};
  for (let i = 0; i < 5; i++) samples = scanExposition(buf, onSample).samples;
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    scanExposition(buf, onSample);
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const w = median(wall);
  const c = median(cpu);
  const name = file.split('/').pop();
  console.log(`${name} | ${(buf.length / MiB).toFixed(2)} MiB | ${samples} | ${(buf.length / MiB / w).toFixed(0)} | ${(samples / w / 1e6).toFixed(2)} M | ${(buf.length / MiB / c).toFixed(0)} | ${(samples / c / 1e6).toFixed(2)} M`);
}
