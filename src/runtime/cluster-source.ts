/**
 * Where a running agent's Kubernetes discovery reads the cluster from. The
 * discovery functions (semantics/discovery/) turn a Snapshot into target
 * groups; a ClusterSource keeps that Snapshot current. Two implementations:
 * a live API server (kube-api/: list + watch, one source per
 * `kubernetes_sd_configs` entry, with its namespaces and selectors applied
 * server-side as Prometheus does) and a fixed snapshot (a file: tests,
 * `estimate`, the preview).
 */
import type { DiscoveryRole, KubernetesSdOptions } from './semantics/discovery/discover.js';
import type { Snapshot } from './semantics/snapshot.js';

/** One `kubernetes_sd_configs` entry as the agent's config has it: what to discover and how to reach the API server. */
export type SdConfigEntry = KubernetesSdOptions & { role: DiscoveryRole } & Record<string, unknown>;

export interface ClusterSource {
  /** The cluster as last seen. The same object is returned until something changed, so callers may cache on identity. */
  snapshot(): Snapshot;
  /** Called after the snapshot changed (the source may coalesce bursts of events). Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Resolves once every watched resource has been listed once (an agent is not ready before). */
  ready(): Promise<void>;
  /** Per watched resource, for the agent's /metrics and logs. */
  status(): ClusterSourceStatus[];
  /** Stops watching; the snapshot stays as it was. */
  stop(): Promise<void>;
}

export interface ClusterSourceStatus {
  /** e.g. "pods", "endpointslices". */
  resource: string;
  /** The namespace watched; undefined when cluster-wide. */
  namespace?: string;
  /** Listed at least once since the source started. */
  synced: boolean;
  /** Full lists made (the first, and every re-list after 410 Gone or an error). */
  lists: number;
  /** Watch events applied (ADDED, MODIFIED, DELETED; bookmarks not counted). */
  events: number;
  /** Failed requests (list or watch). */
  failures: number;
  /** The last failure's message, when the last request failed. */
  lastError?: string;
}

/** Opens a source for one SD entry; ownNamespace is the agent's own (for namespaces.own_namespace). */
export type ClusterSourceFactory = (sd: SdConfigEntry, context: { ownNamespace?: string }) => ClusterSource;
