/**
 * The contract of an agent kind: everything that differs between agents
 * lives in one folder per kind (src/agents/<kind>/) behind this interface, and
 * src/agents/registry.ts lists the kinds. The profile schema's enum, `init`'s
 * choices, the render and the preview all read the registry; nothing outside a
 * kind's folder branches on the kind.
 */
import type { AgentModel, Model, WorkloadModel } from '../model/types.js';
import type { AgentSpec } from '../runtime/plan/plan.js';
import type { PromSemantics } from '../runtime/semantics/version.js';
import type { ContainerFiles } from './shared/manifests.js';

export interface AgentKind {
  /** The value of the profile's `agent.kind`. */
  readonly name: string;
  /** One line for `init`'s choices and the schema's description. */
  readonly title: string;
  /** Its config format, for messages about a file no kind reads: "a Prometheus config (scrape_configs)". */
  readonly configFormat: string;
  /** The Prometheus semantics its relabeling and discovery follow (what the preview applies). */
  readonly semantics: PromSemantics;
  /**
   * Whether its cluster-scope agent can run sharded (agent.cluster.shards > 1):
   * its config can name the pod's name, so each replica keeps its hashmod share.
   */
  readonly shardable: boolean;
  /**
   * Names of the container ports that serve the agent's own /metrics (the
   * agent, and a config reloader beside it): the self-monitoring jobs keep
   * exactly these ports of the agents' pods.
   */
  readonly metricsPorts: readonly string[];
  /**
   * Whether its node-local agent can keep its write-ahead log in a directory
   * of the node (agent.wal.hostPath), so samples not yet sent survive the pod.
   */
  readonly walOnHost?: boolean;
  /** For a kind that is no longer maintained: printed on stderr whenever it is rendered. */
  readonly endOfLife?: { since: string; advice: string };

  /**
   * Render: the workload that runs one agent of the model (a DaemonSet for the
   * node-local agent, a Deployment for the cluster-scope one, a StatefulSet
   * when it is sharded), its config
   * written from the model into a ConfigMap of the workload. A node-local
   * agent must keep to its own node.
   */
  workload(model: Model, agent: AgentModel): WorkloadModel;

  /**
   * Runtime: the agent that a container of a workload runs, when it is of this
   * kind, read back into the neutral plan; undefined otherwise.
   */
  recognise(container: ContainerFiles): AgentSpec | undefined;

  /**
   * Runtime: an agent config file given with `--config` (no manifests around
   * it), when it is in this kind's format; undefined otherwise.
   */
  readConfigFile(file: { text: string; doc: unknown; name: string; namespace?: string }): AgentSpec | undefined;
}
