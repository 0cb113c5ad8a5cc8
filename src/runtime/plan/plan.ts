/**
 * The neutral scrape plan: what the preview and `check` read of an agent,
 * whatever its kind. An agent kind (src/agents/<kind>/) turns its own
 * configuration — a grafana-agent static config, a Prometheus config behind
 * the config reloader, … — into these shapes; nothing below this line knows
 * which kind it was.
 */
import type { DiscoveryRole, KubernetesSdOptions } from '../semantics/discovery/discover.js';
import type { GroupView } from '../semantics/discovery/group.js';
import { watchedResources } from '../semantics/discovery/watched.js';
import type { Labels } from '../semantics/labels.js';
import type { RelabelConfig } from '../semantics/relabel/relabel.js';
import { SNAPSHOT_RESOURCES, type SnapshotResource } from '../semantics/snapshot.js';
import type { ScrapeJobDefaults } from '../semantics/target.js';
import type { PromSemantics } from '../semantics/version.js';
import type { PodPlacement } from './placement.js';

/**
 * How a node-local agent keeps to its own node beyond what its discovery
 * selects (grafana-agent's host_filter). Kinds that select their node with
 * field selectors in the config itself (prometheus) need none.
 */
export interface NodeLocalFilter {
  /** The config field of the filter's own relabel rules, for messages. */
  readonly relabelField: string;
  /** Compiles the filter's rules; throws a RelabelConfigError when they are invalid. */
  compile(semantics: PromSemantics): CompiledNodeFilter;
}

export interface CompiledNodeFilter {
  /** The discovery options the instance on `node` really runs (the filter may narrow them). */
  sdOptions(sd: KubernetesSdOptions & { role: DiscoveryRole }, node: string): KubernetesSdOptions;
  /** Whether every target of the group is kept for a group label alone. */
  keepsGroup(group: GroupView, node: string): boolean;
  /** Whether one target of the group is kept. */
  keeps(target: Labels, group: GroupView, node: string): boolean;
}

/** One scrape config as the preview reads it: Prometheus' own field names. */
export interface RuntimeScrapeConfig extends ScrapeJobDefaults {
  kubernetes_sd_configs?: (KubernetesSdOptions & { role: DiscoveryRole })[];
  static_configs?: { targets?: string[]; labels?: Record<string, string> }[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
  authorization?: { type?: string; credentials_file?: string };
  tls_config?: { ca_file?: string; server_name?: string; insecure_skip_verify?: boolean };
  bearer_token_file?: string;
  /** The node-local filter this scrape config is under, if its kind has one (k8smon's own field). */
  nodeFilter?: NodeLocalFilter;
  /** Sources of targets the kind found but the preview does not run, as its config names them (k8smon's own field). */
  notPreviewed?: string[];
}

/** What one instance of an agent reads: the global defaults and its scrape configs. */
export interface AgentInstanceConfig {
  global: { scrape_interval: string; scrape_timeout: string };
  scrapeConfigs: RuntimeScrapeConfig[];
}

/** One agent deployment: a DaemonSet (one instance per node), a StatefulSet's replicas, or a single instance. */
export interface AgentSpec {
  /** `daemonset/<name>`, `deployment/<name>`, `statefulset/<name>` or the config file's name. */
  name: string;
  /** The agent kind that reads this config (src/agents/<kind>), for messages. */
  kind: string;
  /** The Prometheus semantics its relabeling and discovery follow. */
  semantics: PromSemantics;
  perNode: boolean;
  /**
   * A StatefulSet's pods, `<name>-0` … `<name>-(N-1)`: each an instance that
   * reads the config with its own pod name (shards); absent for other agents.
   */
  pods?: string[];
  /** The config text as deployed (before any per-node substitution). */
  text: string;
  /**
   * The config as the instance on `node` reads it; `node` undefined for a
   * single instance; `pod` the pod's name where it matters (a StatefulSet's
   * replica). Throws AgentConfigError.
   */
  read(node: string | undefined, pod?: string): AgentInstanceConfig;
  /** Every HTTP client config (remote_write entries, scrape configs) with where it is, for the credential rule. */
  httpClients(): [string, unknown][];
  /** The ServiceAccount the pods run as, and their namespace (for RBAC checks). */
  serviceAccount?: { name: string; namespace: string };
  /** The namespace the agent runs in: what `namespaces.own_namespace` discovers. */
  namespace?: string;
  /** Whether its pods share the node's network (and so its loopback); unknown for an agent config file. */
  hostNetwork?: boolean;
  /** Where a DaemonSet's pods may run (taints tolerated, node selector, affinity); unknown for an agent config file. */
  placement?: PodPlacement;
}

export class AgentConfigError extends Error {}

/** Each agent's config as any of its instances reads it, parsed once (read by job names, discovery, RBAC checks). */
const anyInstance = new WeakMap<AgentSpec, AgentInstanceConfig>();

/**
 * An agent's config as one of its instances reads it: what does not depend
 * on the node (job names, roles, selectors' kinds). Parsed once per agent;
 * callers only read it.
 */
export function anyInstanceConfig(agent: AgentSpec): AgentInstanceConfig {
  let config = anyInstance.get(agent);
  if (config === undefined) anyInstance.set(agent, (config = agent.read(agent.perNode ? 'node' : undefined, agent.pods?.[0])));
  return config;
}

/**
 * The snapshot resources a preview of these agents reads (of one job, when
 * given): what their discovery watches, and the nodes a DaemonSet runs on.
 */
export function resourcesRead(agents: readonly AgentSpec[], job?: string): SnapshotResource[] {
  const needed = new Set<string>();
  for (const agent of agents) {
    if (agent.perNode) needed.add('nodes');
    for (const sc of anyInstanceConfig(agent).scrapeConfigs) {
      if (job !== undefined && sc.job_name !== job) continue;
      for (const sd of sc.kubernetes_sd_configs ?? []) for (const w of watchedResources(sd)) needed.add(w.resource);
    }
  }
  return SNAPSHOT_RESOURCES.filter((r) => needed.has(r));
}

/** The job names of every agent's scrape configs, in config order, each once (known before any snapshot is read). */
export function jobNames(agents: readonly AgentSpec[]): string[] {
  const names = new Set<string>();
  for (const agent of agents) for (const sc of anyInstanceConfig(agent).scrapeConfigs) names.add(sc.job_name);
  return [...names];
}
