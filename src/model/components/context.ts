/** What every component builder receives, and what it returns. */
import type { Profile } from '../../profile/types.js';
import type { InputProblem } from '../../errors.js';
import type { AgentScope, Model, ScrapeJob, WorkloadModel } from '../types.js';

export interface ComponentContext {
  profile: Profile;
  namespace: string;
  images: Model['images'];
  /** The agents' workload names, by scope. */
  agentNames: Record<AgentScope, string>;
  /** The container ports that serve the agent kind's own /metrics. */
  agentMetricsPorts: readonly string[];
  /** Replicas of the cluster-scope agent (agent.cluster.shards or its default). */
  clusterShards: number;
}

export interface ComponentParts {
  jobs: ScrapeJob[];
  workloads?: WorkloadModel[];
  notices?: InputProblem[];
}

/** In-cluster DNS name of a Service of the render. */
export function serviceAddress(ctx: ComponentContext, service: string, port: number): string {
  return `${service}.${ctx.namespace}.svc:${port}`;
}
