/**
 * The Prometheus agent-mode configuration of one agent (node-local or
 * cluster-scope), as prometheus-config-reloader reads it.
 *
 * Node-local instances keep to their node the way prometheus-operator's
 * PrometheusAgent DaemonSet mode does: field selectors on `spec.nodeName`
 * (pods) and `metadata.name` (the Node) name `$(NODE_NAME)`, which the
 * reloader fills in from the downward API before Prometheus reads the file.
 */
import type { AgentModel, Model } from '../../model/types.js';
import { selectingOwnNode } from '../shared/node-selectors.js';
import { POD_NAME_ENV, sharded } from '../shared/sharding.js';
import { globalConfig, remoteWriteConfig } from '../shared/prometheus-config.js';
import { configForReloader } from './envsubst.js';

/** The ConfigMap key and mount of the config as written, and where the reloader writes the expanded copy. */
export const CONFIG_KEY = 'prometheus.yaml';
export const CONFIG_DIR = '/etc/prometheus/config';
export const EXPANDED_CONFIG = '/etc/prometheus/config_out/prometheus.env.yaml';
/** The variable the reloader containers set from spec.nodeName. */
export const NODE_NAME_ENV = 'NODE_NAME';

export function prometheusConfigText(model: Model, agent: AgentModel): string {
  return configForReloader((ref) => {
    const global = globalConfig(model);
    return {
      global: {
        ...global,
        // Prometheus 3 expands $VAR and ${VAR} in external label values ($$ is a `$`).
        external_labels: Object.fromEntries(Object.entries(global.external_labels).map(([k, v]) => [k, v.replaceAll('$', '$$$$')])),
      },
      // A shard names its pod `$(POD_NAME)`, filled in by the reloader like `$(NODE_NAME)`.
      scrape_configs: agent.jobs.map((job) => (agent.scope === 'node' ? selectingOwnNode(job.config, ref(NODE_NAME_ENV), ['node', 'pod']) : sharded(job.config, agent.shards, ref(POD_NAME_ENV)))),
      remote_write: model.remoteWrite.map(remoteWriteConfig),
    };
  });
}
