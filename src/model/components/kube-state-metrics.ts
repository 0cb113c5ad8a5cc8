/**
 * kube-state-metrics: a Deployment with list/watch on exactly the resources of
 * the collectors enabled, sized for the expected node count, scraped once by
 * the cluster agent through its Service.
 */
import type { KsmCollector } from '../../profile/types.js';
import { deepMerge } from '../../profile/merge.js';
import type { Resources } from '../../profile/types.js';
import { normalizeRules } from '../rbac.js';
import type { PolicyRule } from '../types.js';
import { metricRelabelConfigs } from './allowlists.js';
import { serviceAddress, type ComponentContext, type ComponentParts } from './context.js';
import { simpleWorkload } from './workload.js';

export const KSM_NAME = 'k8smon-kube-state-metrics';
const KSM_PORT = 8080;
const KSM_TELEMETRY_PORT = 8081;
/** Its own metrics (list/watch errors, shard): scraped by the self-monitoring job. */
export const KSM_TELEMETRY_PORT_NAME = 'http-telemetry';

/** The API group of each collector's resource. */
const COLLECTOR_API_GROUP: Record<KsmCollector, string> = {
  certificatesigningrequests: 'certificates.k8s.io',
  configmaps: '',
  cronjobs: 'batch',
  daemonsets: 'apps',
  deployments: 'apps',
  endpointslices: 'discovery.k8s.io',
  horizontalpodautoscalers: 'autoscaling',
  ingresses: 'networking.k8s.io',
  jobs: 'batch',
  leases: 'coordination.k8s.io',
  limitranges: '',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  namespaces: '',
  networkpolicies: 'networking.k8s.io',
  nodes: '',
  persistentvolumeclaims: '',
  persistentvolumes: '',
  poddisruptionbudgets: 'policy',
  pods: '',
  replicasets: 'apps',
  replicationcontrollers: '',
  resourcequotas: '',
  secrets: '',
  services: '',
  statefulsets: 'apps',
  storageclasses: 'storage.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  volumeattachments: 'storage.k8s.io',
};

export function collectorRules(collectors: readonly KsmCollector[]): PolicyRule[] {
  return normalizeRules(collectors.map((c) => ({ apiGroups: [COLLECTOR_API_GROUP[c]], resources: [c], verbs: ['list', 'watch'] })));
}

/** About 200MiB and 0.1 core, plus 2MiB and 0.001 core per node beyond 100 nodes. */
export function ksmResources(nodes: number): { requests: { cpu: string; memory: string }; limits: { memory: string } } {
  const extra = Math.max(0, nodes - 100);
  const memoryMi = 200 + 2 * extra;
  return {
    requests: { cpu: `${100 + extra}m`, memory: `${memoryMi}Mi` },
    limits: { memory: `${Math.ceil(memoryMi * 1.5)}Mi` },
  };
}

export function kubeStateMetricsComponent(ctx: ComponentContext): ComponentParts {
  const ksm = ctx.profile.components.kubeStateMetrics;
  const collectors = [...ksm.collectors].sort();
  const metricRelabel = metricRelabelConfigs('kubeStateMetrics', ksm.metrics);
  return {
    workloads: [
      simpleWorkload({
        name: KSM_NAME,
        component: 'kube-state-metrics',
        image: ctx.images.kubeStateMetrics,
        args: [`--port=${KSM_PORT}`, `--telemetry-port=${KSM_TELEMETRY_PORT}`, `--resources=${collectors.join(',')}`],
        port: { name: 'http-metrics', number: KSM_PORT },
        extraPorts: [{ name: KSM_TELEMETRY_PORT_NAME, number: KSM_TELEMETRY_PORT }],
        readinessPath: '/',
        resources: deepMerge(ksmResources(ctx.profile.cluster.nodes), ksm.resources) as Resources,
        rbac: { clusterRules: collectorRules(collectors), namespacedRules: [] },
      }),
    ],
    jobs: [
      {
        component: 'kubeStateMetrics',
        scope: 'cluster',
        config: {
          job_name: 'kube-state-metrics',
          scheme: 'http',
          metrics_path: '/metrics',
          // kube-state-metrics' own labels (namespace, pod, …) describe the objects; keep them.
          honor_labels: true,
          static_configs: [{ targets: [serviceAddress(ctx, KSM_NAME, KSM_PORT)] }],
          relabel_configs: [],
          ...(metricRelabel.length > 0 ? { metric_relabel_configs: metricRelabel } : {}),
        },
        scrapeAccess: [],
      },
    ],
  };
}
