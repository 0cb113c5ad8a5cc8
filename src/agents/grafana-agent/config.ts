/**
 * grafana-agent static mode configuration for one agent (node-local or
 * cluster-scope).
 *
 * Node-local filtering: `host_filter: true` drops every discovered target that
 * is not on the agent's node (HOSTNAME comes from spec.nodeName) and narrows pod
 * discovery to the node by itself. Node discovery gets a field selector on
 * ${HOSTNAME} so each agent watches only its own Node object. The agent runs
 * with -config.expand-env, so the whole text is escaped (see escape-env.ts).
 */
import { stringifyYaml } from '../../util/yaml.js';
import type { AgentModel, Model } from '../../model/types.js';
import { globalConfig, remoteWriteConfig } from '../shared/prometheus-config.js';
import { POD_NAME_ENV, sharded } from '../shared/sharding.js';
import { selectingOwnNode } from '../shared/node-selectors.js';
import { EnvReferences } from './escape-env.js';

export const GRAFANA_AGENT_CONFIG_KEY = 'agent.yaml';
export const GRAFANA_AGENT_CONFIG_DIR = '/etc/grafana-agent';
export const GRAFANA_AGENT_HTTP_PORT = 12345;
export const GRAFANA_AGENT_WAL_DIR = '/var/lib/grafana-agent/wal';
/** The variable the DaemonSet sets from spec.nodeName; host_filter reads it too. */
export const NODE_NAME_ENV = 'HOSTNAME';

export function grafanaAgentConfigText(model: Model, agent: AgentModel): string {
  const serialize = (ref: (name: string) => string): string =>
    stringifyYaml(grafanaAgentConfig(model, agent, ref), { lineWidth: 0, sortMapEntries: false });
  const refs = new EnvReferences(serialize(() => ''));
  return refs.finish(serialize((name) => refs.ref(name)));
}

function grafanaAgentConfig(model: Model, agent: AgentModel, envRef: (name: string) => string): unknown {
  const nodeLocal = agent.scope === 'node';
  return {
    server: { log_level: 'info' },
    metrics: {
      wal_directory: GRAFANA_AGENT_WAL_DIR,
      global: { ...globalConfig(model), remote_write: model.remoteWrite.map(remoteWriteConfig) },
      configs: [
        {
          name: agent.name,
          host_filter: nodeLocal,
          // Pod discovery is narrowed by host_filter itself; node discovery gets `metadata.name=<this node>`.
          // A shard names its pod `${POD_NAME}`, expanded by -config.expand-env.
          scrape_configs: agent.jobs.map((job) => (nodeLocal ? selectingOwnNode(job.config, envRef(NODE_NAME_ENV), ['node']) : sharded(job.config, agent.shards, envRef(POD_NAME_ENV)))),
        },
      ],
    },
  };
}
