#!/usr/bin/env node
// The embedded agent against Debian's Prometheus in agent mode (issue 14's
// goal: CPU at most 1.5× Prometheus' per million samples, peak RSS under
// 100 MiB for a 110-pod node's load).
//
// One node's load, served from loopback by this process: the kubelet, its
// cAdvisor with the recorded payload's pods multiplied up to ~110, the
// node-exporter, and 110 application pods each serving a small exporter's
// payload (test/fixtures/metrics). Both agents read the same Prometheus config
// (static targets, so no API server is needed) and remote-write to a sink
// here that answers 204. They run in turn — A B A B … — each for a warm-up
// and then a measured window: CPU seconds (user + system, from /proc) per
// million samples scraped in the window (counted here, from the payloads
// served), and the process's peak RSS (VmHWM). Prints medians and the
// per-round ratios.
//
// Usage: npm run bench:agent [-- --rounds 3 --window 40 --interval 5 --node-flags '--cpu-prof' --only k8smon --rss-every 5 --churn-every 30]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { arg, median } from './args.mjs';

const rounds = Number(arg('rounds', 3));
const windowSeconds = Number(arg('window', 40));
const warmupSeconds = Number(arg('warmup', 15));
const intervalSeconds = Number(arg('interval', 5));
// The node flags the k8smon agent runs with: by default those of the rendered node agent (NODE_AGENT_NODE_FLAGS);
// --node-flags replaces them, e.g. --node-flags '' for Node's defaults, or add '--cpu-prof --cpu-prof-dir=/tmp/prof'
// to see where its time goes.
const { NODE_AGENT_NODE_FLAGS } = await import('../dist/agents/embedded/index.js');
const nodeFlags = String(arg('node-flags', NODE_AGENT_NODE_FLAGS.join(' '))).split(' ').filter((f) => f !== '');
// Only the agents whose name contains this (e.g. --only k8smon), to look at one agent's memory alone.
const only = String(arg('only', ''));
// Print the agent's RSS every this many seconds (0: never), to see when the peak is reached.
const rssEvery = Number(arg('rss-every', 0));
// Pod churn: every this many seconds (0: never) cAdvisor's pods are new ones (every pod label gets a new
// suffix), as if the node's pods were all replaced; with --rss-every, shows whether memory stays flat.
const churnEvery = Number(arg('churn-every', 0));
const PODS = 110;

const fixture = (name) =>
  readFileSync(new URL(`../test/fixtures/metrics/${name}`, import.meta.url), 'utf8')
    // No recorded timestamps: both agents stamp samples with the scrape time.
    .replace(/^([^#\n].* \S+) \d{13}$/gm, '$1');

/** The cAdvisor payload with its pods' series repeated under new pod names until ~PODS pods. */
function scaledCadvisor() {
  const text = fixture('cadvisor.prom');
  const pods = new Set(text.match(/pod="[^"]*"/g) ?? []);
  const copies = Math.max(1, Math.round(PODS / pods.size));
  const out = [];
  for (const line of text.split('\n')) {
    out.push(line);
    if (line.startsWith('#') || !line.includes('pod="') || /pod=""/.test(line)) continue;
    for (let c = 1; c < copies; c++) out.push(line.replace(/pod="([^"]*)"/, `pod="$1-copy${c}"`));
  }
  return out.join('\n');
}

const sampleCount = (text) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

/** The payload, with every pod label renamed for the current churn generation (see --churn-every). */
function churned(payload) {
  if (churnEvery <= 0) return () => payload;
  let generation = -1;
  let text = payload;
  return () => {
    const g = Math.floor(Date.now() / (churnEvery * 1000));
    if (g !== generation) {
      generation = g;
      text = payload.replace(/pod="([^"]+)"/g, `pod="$1-g${g}"`);
    }
    return text;
  };
}

/** One loopback HTTP server per target (its own port: its own instance label). */
async function serve(payload, counter) {
  const samples = sampleCount(payload) + 5; // + up, scrape_duration_seconds, … as each agent writes them
  const current = churned(payload);
  const server = createServer((req, res) => {
    counter.samples += samples;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(current());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${server.address().port}` };
}

function config(targets, sinkUrl) {
  const job = (name, addresses) => `  - job_name: ${name}\n    static_configs:\n      - targets: [${addresses.map((a) => `"${a}"`).join(', ')}]\n`;
  return (
    `global:\n  scrape_interval: ${intervalSeconds}s\n  scrape_timeout: ${Math.min(intervalSeconds, 4)}s\n  external_labels:\n    cluster: bench\n` +
    `scrape_configs:\n${Object.entries(targets).map(([name, addresses]) => job(name, addresses)).join('')}` +
    `remote_write:\n  - url: ${sinkUrl}\n`
  );
}

/** user + system seconds of a process so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function peakRssMiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const counter = { samples: 0 };
const servers = [];
const targets = { kubelet: [], cadvisor: [], 'node-exporter': [], pods: [] };
for (const [job, payload] of [
  ['kubelet', fixture('kubelet.prom')],
  ['cadvisor', scaledCadvisor()],
  ['node-exporter', fixture('node-exporter.prom')],
]) {
  const s = await serve(payload, counter);
  servers.push(s.server);
  targets[job].push(s.address);
}
const podPayload = fixture('blackbox-exporter.prom');
for (let i = 0; i < PODS; i++) {
  const s = await serve(podPayload, counter);
  servers.push(s.server);
  targets.pods.push(s.address);
}
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${sink.address().port}/api/v1/write`;

const dir = mkdtempSync(join(tmpdir(), 'k8smon-bench-agent-'));
const configFile = join(dir, 'agent.yaml');
writeFileSync(configFile, config(targets, sinkUrl));
const perCycle = Object.values(targets).flat().length;

// The bundle the pod runs (npm run build); the unbundled build when there is none.
const bundled = new URL('../dist/agent/k8smon-agent.mjs', import.meta.url).pathname;
const agentBundle = existsSync(bundled) ? bundled : new URL('../dist/runtime/agent/main.js', import.meta.url).pathname;
const AGENTS = {
  'prometheus agent (Debian 2.42)': (data, port) => [
    'prometheus',
    ['--enable-feature=agent', `--config.file=${configFile}`, `--storage.agent.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
  ],
  // The bundle exports main(argv); the pod's loader imports it the same way (src/agents/embedded/bundle.ts).
  'k8smon agent (the bundle)': (data, port) => [
    process.execPath,
    [...nodeFlags, '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(agentBundle)}); process.exitCode = await main(process.argv.slice(1));`, '--', '--config', configFile, '--wal-dir', data, '--listen-address', `127.0.0.1:${port}`, '--log-level', 'warn'],
  ],
};

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function measure(name, round) {
  const data = join(dir, `${name.split(' ')[0]}-${round}`);
  // A port the kernel just handed out (a random one could be one of the loopback targets').
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address();
      probe.close(() => resolve(p));
    });
  });
  const [cmd, args] = AGENTS[name](data, port);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const started = Date.now();
  const trace = rssEvery > 0 ? setInterval(() => console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: RSS ${rssMiB(child.pid).toFixed(0)} MiB, peak ${peakRssMiB(child.pid).toFixed(0)} MiB`), rssEvery * 1000) : undefined;
  try {
    await sleep(warmupSeconds * 1000);
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
    const cpu0 = cpuSeconds(child.pid);
    const samples0 = counter.samples;
    await sleep(windowSeconds * 1000);
    const cpu = cpuSeconds(child.pid) - cpu0;
    const samples = counter.samples - samples0;
    return { cpuPerMillion: cpu / (samples / 1e6), cpu, samples, peak: peakRssMiB(child.pid) };
  } finally {
    clearInterval(trace);
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    rmSync(data, { recursive: true, force: true });
  }
}

console.log(
  `load: ${perCycle} targets, ${(sampleCount(scaledCadvisor()) + sampleCount(fixture('kubelet.prom')) + sampleCount(fixture('node-exporter.prom')) + PODS * sampleCount(podPayload) + perCycle * 5)} samples per ${intervalSeconds}s cycle; ${rounds} rounds of ${warmupSeconds}s warm-up + ${windowSeconds}s measured, agents in turn`,
);
for (const name of Object.keys(AGENTS)) if (!name.includes(only)) delete AGENTS[name];
const results = Object.fromEntries(Object.keys(AGENTS).map((n) => [n, []]));
const ratios = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? Object.keys(AGENTS) : Object.keys(AGENTS).reverse();
  const r = {};
  for (const name of order) {
    r[name] = await measure(name, round);
    results[name].push(r[name]);
    console.log(`round ${round + 1} ${name}: ${r[name].cpu.toFixed(2)} CPU s for ${(r[name].samples / 1e6).toFixed(2)} M samples = ${r[name].cpuPerMillion.toFixed(2)} s/M; peak RSS ${r[name].peak.toFixed(0)} MiB`);
  }
  const [prom, k8smon] = Object.keys(AGENTS);
  if (k8smon) ratios.push(r[k8smon].cpuPerMillion / r[prom].cpuPerMillion);
}
console.log('\n| agent | CPU s per million samples (median) | peak RSS MiB (median) |\n|---|---:|---:|');
for (const [name, rs] of Object.entries(results)) console.log(`| ${name} | ${median(rs.map((x) => x.cpuPerMillion)).toFixed(2)} | ${median(rs.map((x) => x.peak)).toFixed(0)} |`);
if (ratios.length > 0) console.log(`\nk8smon / prometheus CPU per sample, per round: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`);
for (const s of [...servers, sink]) s.close();
rmSync(dir, { recursive: true, force: true });
