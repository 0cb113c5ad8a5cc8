/**
 * Sharding the cluster-scope agent: with N > 1 shards it runs as a
 * StatefulSet of N replicas, and every cluster-scope job keeps only the
 * targets whose hash of the discovered `__address__` (Prometheus' hashmod) equals the
 * replica's ordinal, read from its pod name. Each target then has exactly one
 * writer; the rules are the same for every kind, only the way a kind names
 * the pod's name (`podName`) differs.
 */
import { hashModulo, type RelabelConfig } from '../../runtime/semantics/relabel/relabel.js';

/** The label a static target carries with the shard it is dealt to. */
export const ASSIGNED_SHARD_LABEL = '__tmp_shard_assigned';

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
 *
 * A job of static targets only (kube-state-metrics' shards) knows its
 * targets at render time: they are dealt round-robin (each target carries
 * its shard in a `__tmp_` label, kept where it equals the ordinal) rather
 * than hashed, so a few big targets spread evenly — with hashmod, 13
 * kube-state-metrics shards over 8 agent shards could put 4 on one. The deal
 * starts at the job name's hashmod, so single-target jobs do not all land on
 * shard 0.
 */
export function sharded<T extends { job_name: string; relabel_configs?: unknown[]; kubernetes_sd_configs?: unknown[]; static_configs?: { targets: string[]; labels?: Record<string, string> }[] }>(
  config: T,
  shards: number,
  podName: string,
): T {
  if (!(shards > 1)) return config; // one shard (or none given): the job as it is
  const statics = config.static_configs ?? [];
  if ((config.kubernetes_sd_configs ?? []).length === 0 && statics.length > 0) {
    let next = Number(hashModulo(config.job_name, shards));
    const dealt = statics.flatMap((group) =>
      group.targets.map((target) => ({ targets: [target], labels: { ...group.labels, [ASSIGNED_SHARD_LABEL]: String(next++ % shards) } })),
    );
    return { ...config, static_configs: dealt, relabel_configs: [...assignedShardRelabelConfigs(podName), ...(config.relabel_configs ?? [])] };
  }
  return { ...config, relabel_configs: [...shardingRelabelConfigs(shards, podName), ...(config.relabel_configs ?? [])] };
}

/** The rules of a job whose targets carry their shard: keep where it is this replica's ordinal. */
export function assignedShardRelabelConfigs(podName: string): RelabelConfig[] {
  return [
    { target_label: '__tmp_shard_owner', replacement: podName },
    { source_labels: ['__tmp_shard_owner'], regex: '.*-([0-9]+)', target_label: '__tmp_shard_owner' },
    { source_labels: [ASSIGNED_SHARD_LABEL], target_label: '__tmp_shard_owner', action: 'keepequal' },
  ];
}

/** The most static targets one shard is dealt, of `targets` over `shards`. */
export function mostDealt(targets: number, shards: number): number {
  return Math.ceil(targets / Math.max(1, shards));
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
