/**
 * Sharding the cluster-scope agent: with N > 1 shards it runs as a
 * StatefulSet of N replicas, and every cluster-scope job keeps only the
 * targets whose hash of the discovered `__address__` (Prometheus' hashmod) equals the
 * replica's ordinal, read from its pod name. Each target then has exactly one
 * writer; the rules are the same for every kind, only the way a kind names
 * the pod's name (`podName`) differs.
 */
import type { RelabelConfig } from '../../runtime/semantics/relabel/relabel.js';

/** The variable each kind's pod gets from the downward API (metadata.name). */
export const POD_NAME_ENV = 'POD_NAME';

/** The downward-API variable a replica learns its pod's name from. */
export function podNameEnv(): Record<string, unknown> {
  return { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
}

/**
 * The rules put first in a cluster-scope job's relabel_configs: the owner is
 * the ordinal (the trailing digits of the pod name), the hash is
 * hashmod(__address__, N), and only a target whose hash is the owner stays.
 * Temporary `__tmp_` labels never reach the series.
 */
export function shardingRelabelConfigs(shards: number, podName: string): RelabelConfig[] {
  return [
    { target_label: '__tmp_shard_owner', replacement: podName },
    { source_labels: ['__tmp_shard_owner'], regex: '.*-([0-9]+)', target_label: '__tmp_shard_owner' },
    { source_labels: ['__address__'], modulus: shards, target_label: '__tmp_hash', action: 'hashmod' },
    { source_labels: ['__tmp_hash'], target_label: '__tmp_shard_owner', action: 'keepequal' },
  ];
}

/**
 * A scrape config with the sharding rules before its own (unchanged when
 * there is one shard). First, so the hash is of the discovered address:
 * probe jobs (blackbox) rewrite `__address__` to the exporter's, which
 * after their rules would put every probe on one shard. Keep or drop, the
 * job's own rules decide the same for every target either way.
 */
export function sharded<T extends { relabel_configs?: unknown[] }>(config: T, shards: number, podName: string): T {
  if (shards <= 1) return config;
  return { ...config, relabel_configs: [...shardingRelabelConfigs(shards, podName), ...(config.relabel_configs ?? [])] };
}

/**
 * The shard count a cluster of `nodes` gets when the profile does not say:
 * one cluster-wide scraper is reported to cope with a few hundred to about
 * 1,000 nodes, so the count steps up well before that, and in steps (not
 * per node) because every change moves targets between shards.
 */
export function defaultShards(nodes: number): number {
  if (nodes <= 500) return 1;
  if (nodes <= 1000) return 2;
  if (nodes <= 2500) return 4;
  return 8;
}
