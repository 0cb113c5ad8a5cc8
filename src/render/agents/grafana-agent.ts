/**
 * grafana-agent static mode configuration for one agent (node-local or
 * cluster-scope).
 *
 * Node-local filtering: `host_filter: true` drops every discovered target that
 * is not on the agent's node (HOSTNAME comes from spec.nodeName) and narrows pod
 * discovery to the node by itself. Node discovery gets a field selector on
 * ${HOSTNAME} so each agent watches only its own Node object. The agent runs
 * with -config.expand-env, so the whole text is escaped (see expand-env.ts).
 */
import { stringifyYaml } from '../../util/yaml.js';
import type { AgentModel, Model, ScrapeConfig } from '../../model/types.js';
import { EnvReferences } from './expand-env.js';
import { globalConfig, remoteWriteConfig } from './prometheus-shapes.js';

export const GRAFANA_AGENT_CONFIG_KEY = 'agent.yaml';
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
          scrape_configs: agent.jobs.map((job) => (nodeLocal ? withOwnNodeSelector(job.config, envRef(NODE_NAME_ENV)) : job.config)),
        },
      ],
    },
  };
}

/** Adds `metadata.name=<this node>` to node discovery (pod discovery is narrowed by host_filter). */
function withOwnNodeSelector(config: ScrapeConfig, nodeName: string): ScrapeConfig {
  return {
    ...config,
    ...(config.kubernetes_sd_configs !== undefined
      ? {
          kubernetes_sd_configs: config.kubernetes_sd_configs.map((sd) =>
            sd.role === 'node' ? { ...sd, selectors: [...(sd.selectors ?? []), { role: 'node' as const, field: `metadata.name=${nodeName}` }] } : sd,
          ),
        }
      : {}),
  };
}
