#!/usr/bin/env node
// Preview time per cluster-agent shard count on a synthetic 5,000-node, 150,000-pod cluster.
// Each replica of a sharded cluster agent is an instance the preview runs (discovery, then its share
// of the targets kept by hashmod), so the preview grows with the shard count; this prints by how much.
// For each count (1, 2, 4, 8): the cluster agent's preview alone (every replica), and the whole preview as
// `k8smon targets` runs it in-process (the 5,000 node-agent instances too). Runs are interleaved
// (1 2 4 8 1 2 4 8 …) so the machine's drift spreads over every count; medians are printed.
// Usage: npm run bench:shards  [-- --nodes 5000 --pods-per-node 30 --runs 5 --preset eks]
import { arg, median } from './args.mjs';
import { performance } from 'node:perf_hooks';
import { renderBundle } from '../dist/index.js';
import { agentsFromManifests, previewCluster, syntheticCluster } from '../dist/runtime/index.js';

const nodes = Number(arg('nodes', 5000));
const podsPerNode = Number(arg('pods-per-node', 30));
const runs = Number(arg('runs', 5));
const preset = arg('preset', 'eks');
const COUNTS = [1, 2, 4, 8];

const renders = new Map(COUNTS.map((n) => [n, renderBundle({ preset, sets: [`cluster.nodes=${nodes}`, `agent.cluster.shards=${n}`] }, {}).objects]));
// One cluster for every count (the one kube-state-metrics and node-exporter layout of the preset at this size).
let t0 = performance.now();
const snapshot = syntheticCluster({ nodes, podsPerNode, workloads: renders.get(1) });
const generateMs = performance.now() - t0;

const cluster = new Map(COUNTS.map((n) => [n, []]));
const whole = new Map(COUNTS.map((n) => [n, []]));
const targetsOf = new Map();
for (let r = 0; r < runs; r++) {
  for (const n of COUNTS) {
    const agents = agentsFromManifests(renders.get(n));
    const clusterAgents = agents.filter((a) => a.name.endsWith('/k8smon-agent-cluster'));
    t0 = performance.now();
    const p = previewCluster(clusterAgents, snapshot, { discoveredLabels: false });
    cluster.get(n).push(performance.now() - t0);
    const perShard = new Map();
    for (const t of p.targets) perShard.set(t.agent, (perShard.get(t.agent) ?? 0) + 1);
    targetsOf.set(n, { total: p.targets.length, min: Math.min(...perShard.values()), max: Math.max(...perShard.values()) });
    t0 = performance.now();
    previewCluster(agents, snapshot, { discoveredLabels: false });
    whole.get(n).push(performance.now() - t0);
  }
}

console.log(`preview per shard count: preset ${preset}, ${nodes} nodes, ${snapshot.pods.length} pods, ${snapshot.services.length} services, ${snapshot.ingresses.length} ingresses (generated in ${(generateMs / 1000).toFixed(1)} s); ${runs} interleaved runs, medians`);
console.log('| shards | cluster-scope targets (per shard: fewest–most) | cluster agent preview (every replica) | whole preview (+ the node agents) |');
console.log('|---:|---:|---:|---:|');
for (const n of COUNTS) {
  const c = median(cluster.get(n));
  const w = median(whole.get(n));
  const t = targetsOf.get(n);
  console.log(`| ${n} | ${t.total} (${t.min}–${t.max}) | ${(c / 1000).toFixed(2)} s (${(c / median(cluster.get(1))).toFixed(2)}×) | ${(w / 1000).toFixed(2)} s (${(w / median(whole.get(1))).toFixed(2)}×) |`);
}
