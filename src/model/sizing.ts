/**
 * How big the agents and kube-state-metrics are made, from the cluster's size.
 * One place for every figure; README "Large clusters" repeats the formula.
 * Every value is a default: `agent.resources.node` / `.cluster` and
 * `components.kubeStateMetrics.resources` replace any figure they name, and
 * `agent.cluster.shards` / `components.kubeStateMetrics.shards` the counts.
 *
 * Series an agent holds (after k8smon's default allow-lists), measured on the
 * real payloads in test/fixtures/metrics (test/large-clusters.test.ts recounts them
 * and fails if these constants drift from what the allow-lists keep):
 *
 *   kubelet /metrics        172 per node
 *   node-exporter           308 per node
 *   cAdvisor                335 on a node running 18 pods    → 18.6 per pod
 *   kube-state-metrics    1,189 for a cluster of 25 pods     → 47.6 per pod
 *                           (every object kind of that cluster, counted per pod)
 *   apiserver             3,989 per apiserver instance, 3 instances assumed (HA control plane)
 *
 *   node agent series     = 172 + 308 + 18.6 × podsPerNode
 *   cluster series        = 47.6 × nodes × podsPerNode + 3 × 3,989
 *   per cluster shard     = kube-state-metrics series × ⌈K / shards⌉ / K (its K targets are
 *                           dealt round-robin over the shards: src/agents/shared/sharding.ts)
 *                           + 3,989 × ⌈3 / shards⌉ (apiserver instances, whole)
 *
 * Bytes and CPU per series, for an agent holding S series:
 *
 *   memory request = 128Mi + S × 3 KiB   — about 3 kB per series in Prometheus' head,
 *                    remote write included (Robust Perception, "Why does Prometheus use
 *                    so much RAM?", for Prometheus ≥ 2.20; agent mode keeps no chunks,
 *                    so this is on the safe side for the prometheus kind)
 *   memory limit   = 512Mi + S × 11 KiB  — Grafana's "Estimate Alloy resource usage":
 *                    11 GiB per million active series at the default interval
 *   cpu request    = 50m + S × 0.4 cores per million series (the same Grafana page)
 *
 * 128Mi / 512Mi / 50m are the fixed sizes the agents had before they were sized:
 * the process itself, service discovery and a remote-write queue.
 *
 * kube-state-metrics (per shard of K): memory request 200Mi + 2Mi per node beyond
 * 100 nodes, divided by K; limit 1.5 × the request; cpu 0.1 core + 0.001 core per
 * node beyond 100, divided by K (the field notes' seed 000 figure for one replica).
 * Every shard still decodes every object's watch events, so the CPU request is a
 * floor; no CPU limit is set, so a shard can use more.
 */
import { mostDealt } from '../agents/shared/sharding.js';
import type { Resources } from '../profile/types.js';

/** Series kept by the default allow-lists in the real payloads of test/fixtures/metrics. */
export const MEASURED_SERIES = {
  kubelet: { series: 172 },
  nodeExporter: { series: 308 },
  cadvisor: { series: 335, pods: 18 },
  kubeStateMetrics: { series: 1189, pods: 25 },
  apiserver: { series: 3989 },
} as const;

/** Kubernetes' scalability target, 150,000 pods on 5,000 nodes: the pods per node when the profile does not say. */
export const DEFAULT_PODS_PER_NODE = 30;
/** An HA control plane: the apiserver instances the cluster agent scrapes. */
export const APISERVER_INSTANCES = 3;

const KIB = 1024;
const MIB = 1024 * KIB;
/** Robust Perception: ~3 kB per series in the head, remote write included. */
export const REQUEST_BYTES_PER_SERIES = 3 * KIB;
/** Grafana (Alloy resource estimate): 11 GiB per million active series. */
export const LIMIT_BYTES_PER_SERIES = (11 * 1024 * MIB) / 1e6;
/** Grafana (Alloy resource estimate): 0.4 cores per million active series. */
export const MILLICORES_PER_SERIES = 400 / 1e6;
const AGENT_BASE = { cpuMillis: 50, requestMi: 128, limitMi: 512 };

/**
 * kube-state-metrics' responses pass 32 MiB somewhere between 450 and 1,100
 * nodes (field reports gathered in issue 13; the spread is the pods and
 * objects per node). At most 400 nodes per shard keeps each shard's response
 * under the lowest of those. Sharded, the count is rounded up to a multiple
 * of the cluster agent's shards, which are dealt its targets round-robin, so
 * every agent shard scrapes as many kube-state-metrics shards; it moves in
 * steps (400 nodes, or a change of agent shards), not with every node.
 */
export const KSM_NODES_PER_SHARD = 400;

export function defaultKsmShards(nodes: number, clusterShards = 1): number {
  const needed = Math.ceil(nodes / KSM_NODES_PER_SHARD);
  if (needed <= 1) return 1;
  return Math.ceil(needed / clusterShards) * clusterShards;
}

export function nodeAgentSeries(podsPerNode: number): number {
  const m = MEASURED_SERIES;
  return m.kubelet.series + m.nodeExporter.series + (m.cadvisor.series / m.cadvisor.pods) * podsPerNode;
}

export function kubeStateMetricsSeries(nodes: number, podsPerNode: number): number {
  const m = MEASURED_SERIES.kubeStateMetrics;
  return (m.series / m.pods) * nodes * podsPerNode;
}

export function clusterSeries(nodes: number, podsPerNode: number): number {
  return kubeStateMetricsSeries(nodes, podsPerNode) + APISERVER_INSTANCES * MEASURED_SERIES.apiserver.series;
}

/** Requests and limits of an agent holding `series` series. */
export function agentResourcesFor(series: number): Resources {
  return {
    requests: {
      cpu: `${AGENT_BASE.cpuMillis + Math.ceil(series * MILLICORES_PER_SERIES)}m`,
      memory: `${AGENT_BASE.requestMi + Math.ceil((series * REQUEST_BYTES_PER_SERIES) / MIB)}Mi`,
    },
    limits: { memory: `${AGENT_BASE.limitMi + Math.ceil((series * LIMIT_BYTES_PER_SERIES) / MIB)}Mi` },
  };
}

export function nodeAgentResources(podsPerNode: number): Resources {
  return agentResourcesFor(nodeAgentSeries(podsPerNode));
}

/**
 * The busiest shard's series: kube-state-metrics' targets are few and big, so
 * the shard dealt the most of them sets the size every shard gets.
 */
export function clusterShardSeries(nodes: number, podsPerNode: number, shards: number, ksmAddresses: readonly string[]): number {
  const ksm = kubeStateMetricsSeries(nodes, podsPerNode);
  let ksmShare = 0;
  if (ksmAddresses.length > 0) {
    ksmShare = (ksm * mostDealt(ksmAddresses.length, shards)) / ksmAddresses.length;
  }
  const apiserver = MEASURED_SERIES.apiserver.series * Math.ceil(APISERVER_INSTANCES / shards);
  return ksmShare + apiserver;
}

export function clusterAgentResources(nodes: number, podsPerNode: number, shards: number, ksmAddresses: readonly string[]): Resources {
  return agentResourcesFor(clusterShardSeries(nodes, podsPerNode, shards, ksmAddresses));
}

/** One kube-state-metrics shard of `shards`. */
export function ksmResources(nodes: number, shards = 1): Resources {
  const extra = Math.max(0, nodes - 100) / shards;
  const memoryMi = Math.ceil(200 + 2 * extra);
  return {
    requests: { cpu: `${Math.ceil(100 + extra)}m`, memory: `${memoryMi}Mi` },
    limits: { memory: `${Math.ceil(memoryMi * 1.5)}Mi` },
  };
}
