/**
 * Kubelet endpoints — /metrics, /metrics/cadvisor, and optionally
 * /metrics/resource and /metrics/probes — scraped by the agent on the same
 * node (each node's kubelet exactly once cluster-wide).
 *
 * Every scrape config ends with job="kubelet" and a `metrics_path` label, the
 * naming kubernetes-mixin's dashboards and alerts expect; `instance` and `node`
 * are the node name, so every target has a distinct label set.
 */
import type { KubeletAccess } from '../../profile/types.js';
import type { PolicyRule, RelabelConfig, ScrapeJob } from '../types.js';
import type { ComponentName } from '../../profile/types.js';
import { metricRelabelConfigs } from './allowlists.js';
import { APISERVER_ADDRESS, SERVICE_ACCOUNT_CA, serviceAccountAuth } from './common.js';
import type { ComponentContext, ComponentParts } from './context.js';

interface KubeletEndpoint {
  jobName: string;
  path: string;
  component: ComponentName;
  metricRelabel: RelabelConfig[];
}

export function kubeletComponent(ctx: ComponentContext): ComponentParts {
  const { kubelet, cadvisor } = ctx.profile.components;
  const endpoints: KubeletEndpoint[] = [];
  if (kubelet.enabled) {
    endpoints.push({ jobName: 'kubelet', path: '/metrics', component: 'kubelet', metricRelabel: metricRelabelConfigs('kubelet', kubelet.metrics) });
    if (kubelet.resourceMetrics) endpoints.push({ jobName: 'kubelet-resource', path: '/metrics/resource', component: 'kubelet', metricRelabel: [] });
    if (kubelet.probeMetrics) endpoints.push({ jobName: 'kubelet-probes', path: '/metrics/probes', component: 'kubelet', metricRelabel: [] });
  }
  if (cadvisor.enabled) {
    endpoints.push({ jobName: 'kubelet-cadvisor', path: '/metrics/cadvisor', component: 'cadvisor', metricRelabel: metricRelabelConfigs('cadvisor', cadvisor.metrics) });
  }
  return { jobs: endpoints.map((e) => kubeletJob(e, ctx.profile.kubelet)) };
}

function kubeletJob(endpoint: KubeletEndpoint, options: { access: KubeletAccess; insecureSkipVerify: boolean }): ScrapeJob {
  const relabel: RelabelConfig[] = [
    // Node labels become series labels; the explicit labels below are set after, so they win.
    { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
    { target_label: 'metrics_path', replacement: endpoint.path },
    { target_label: 'job', replacement: 'kubelet' },
  ];
  if (options.access === 'proxy') {
    relabel.push(
      { target_label: '__address__', replacement: APISERVER_ADDRESS },
      {
        source_labels: ['__meta_kubernetes_node_name'],
        regex: '(.+)',
        target_label: '__metrics_path__',
        replacement: `/api/v1/nodes/\${1}/proxy${endpoint.path}`,
      },
    );
  }
  return {
    component: endpoint.component,
    scope: 'node',
    config: {
      job_name: endpoint.jobName,
      ...serviceAccountAuth(),
      metrics_path: endpoint.path,
      tls_config:
        options.access === 'direct'
          ? { ca_file: SERVICE_ACCOUNT_CA, insecure_skip_verify: options.insecureSkipVerify }
          : { ca_file: SERVICE_ACCOUNT_CA },
      kubernetes_sd_configs: [{ role: 'node' }],
      relabel_configs: relabel,
      ...(endpoint.metricRelabel.length > 0 ? { metric_relabel_configs: endpoint.metricRelabel } : {}),
    },
    scrapeAccess: [kubeletAccessRule(options.access)],
  };
}

/**
 * Direct: the kubelet authorises /metrics* as `get nodes/metrics`.
 * Proxy: the apiserver authorises the proxy as `get nodes/proxy` (which also
 * opens every other kubelet API, hence the warning in profile validation).
 */
function kubeletAccessRule(access: KubeletAccess): PolicyRule {
  return { apiGroups: [''], resources: [access === 'direct' ? 'nodes/metrics' : 'nodes/proxy'], verbs: ['get'] };
}
