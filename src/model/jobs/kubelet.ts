/**
 * Kubelet /metrics and cAdvisor /metrics/cadvisor, scraped by the agent on the
 * same node (each node's kubelet exactly once cluster-wide).
 *
 * Both scrape configs end with job="kubelet" and a `metrics_path` label, the
 * naming kubernetes-mixin's dashboards and alerts expect; `instance` and `node`
 * are the node name, so every target has a distinct label set.
 */
import type { KubeletAccess } from '../../profile/types.js';
import type { PolicyRule, RelabelConfig, ScrapeJob } from '../types.js';
import { APISERVER_ADDRESS, SERVICE_ACCOUNT_CA, serviceAccountAuth } from './common.js';

export interface KubeletJobOptions {
  access: KubeletAccess;
  insecureSkipVerify: boolean;
}

/** The kubelet endpoints this module scrapes: scrape config name → kubelet path. */
const KUBELET_ENDPOINTS = [
  { jobName: 'kubelet', path: '/metrics' },
  { jobName: 'kubelet-cadvisor', path: '/metrics/cadvisor' },
] as const;

export function kubeletJobs(options: KubeletJobOptions): ScrapeJob[] {
  return KUBELET_ENDPOINTS.map(({ jobName, path }) => kubeletJob(jobName, path, options));
}

function kubeletJob(jobName: string, kubeletPath: string, options: KubeletJobOptions): ScrapeJob {
  const relabel: RelabelConfig[] = [
    // Node labels become series labels; the explicit labels below are set after, so they win.
    { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
    { target_label: 'metrics_path', replacement: kubeletPath },
    { target_label: 'job', replacement: 'kubelet' },
  ];
  if (options.access === 'proxy') {
    relabel.push(
      { target_label: '__address__', replacement: APISERVER_ADDRESS },
      {
        source_labels: ['__meta_kubernetes_node_name'],
        regex: '(.+)',
        target_label: '__metrics_path__',
        replacement: `/api/v1/nodes/\${1}/proxy${kubeletPath}`,
      },
    );
  }
  return {
    scope: 'node',
    config: {
      job_name: jobName,
      ...serviceAccountAuth(),
      metrics_path: kubeletPath,
      tls_config:
        options.access === 'direct'
          ? { ca_file: SERVICE_ACCOUNT_CA, insecure_skip_verify: options.insecureSkipVerify }
          : { ca_file: SERVICE_ACCOUNT_CA },
      kubernetes_sd_configs: [{ role: 'node' }],
      relabel_configs: relabel,
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
