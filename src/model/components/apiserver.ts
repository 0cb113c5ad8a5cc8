/**
 * kube-apiserver, found through the EndpointSlices of the default/kubernetes
 * Service (one target per apiserver instance, each with its own address, so HA
 * control planes do not collapse into one series set). Scraped once, by the
 * cluster-scope agent.
 */
import { metricRelabelConfigs } from './allowlists.js';
import { METRICS_URL_ACCESS, SERVICE_ACCOUNT_CA, serviceAccountAuth } from './common.js';
import type { ComponentContext, ComponentParts } from './context.js';

export function apiserverComponent(ctx: ComponentContext): ComponentParts {
  const metricRelabel = metricRelabelConfigs('apiserver', ctx.profile.components.apiserver.metrics);
  return {
    jobs: [
      {
        component: 'apiserver',
        scope: 'cluster',
        config: {
          job_name: 'apiserver',
          ...serviceAccountAuth(),
          metrics_path: '/metrics',
          // Endpoint IPs are in the serving certificate on most clusters, but the
          // name "kubernetes" always is.
          tls_config: { ca_file: SERVICE_ACCOUNT_CA, server_name: 'kubernetes' },
          kubernetes_sd_configs: [
            {
              role: 'endpointslice',
              namespaces: { names: ['default'] },
              selectors: [{ role: 'endpointslice', label: 'kubernetes.io/service-name=kubernetes' }],
            },
          ],
          relabel_configs: [
            {
              source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
              action: 'keep',
              regex: 'default;kubernetes;https',
            },
          ],
          ...(metricRelabel.length > 0 ? { metric_relabel_configs: metricRelabel } : {}),
        },
        scrapeAccess: [METRICS_URL_ACCESS],
      },
    ],
  };
}
