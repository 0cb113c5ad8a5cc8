/**
 * A node-local agent's discovery narrowed to its own node with field
 * selectors, as prometheus-operator's DaemonSet mode does: the apiserver then
 * sends each agent only its own Node and pods, which also cuts the watch load.
 */
import type { KubernetesSdConfig, ScrapeConfig } from '../../model/types.js';

/** The field that names a pod's or a Node's node, per discovery role a node-local job may use. */
const OWN_NODE_FIELD: Partial<Record<KubernetesSdConfig['role'], string>> = {
  node: 'metadata.name',
  pod: 'spec.nodeName',
};

/**
 * `config` with every Kubernetes SD entry of the given roles selecting only
 * the node named `nodeName` (a reference the agent fills in, such as
 * `$(NODE_NAME)`). Prometheus allows one selector per role in an SD entry, so
 * an existing field selector of that role is extended, not repeated.
 */
export function selectingOwnNode(config: ScrapeConfig, nodeName: string, roles: readonly KubernetesSdConfig['role'][]): ScrapeConfig {
  if (config.kubernetes_sd_configs === undefined) return config;
  return {
    ...config,
    kubernetes_sd_configs: config.kubernetes_sd_configs.map((sd) => {
      if (!roles.includes(sd.role)) return sd;
      const field = OWN_NODE_FIELD[sd.role];
      if (field === undefined) throw new Error(`a node-local job cannot select its node in role ${sd.role}`);
      const own = `${field}=${nodeName}`;
      const selectors = sd.selectors ?? [];
      const existing = selectors.find((s) => s.role === sd.role);
      const narrowed =
        existing === undefined
          ? [...selectors, { role: sd.role, field: own }]
          : selectors.map((s) => (s === existing ? { ...s, field: s.field === undefined || s.field === '' ? own : `${s.field},${own}` } : s));
      return { ...sd, selectors: narrowed };
    }),
  };
}
