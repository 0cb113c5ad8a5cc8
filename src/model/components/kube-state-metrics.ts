/**
 * kube-state-metrics: a Deployment with list/watch on exactly the resources of
 * the collectors enabled, sized for the expected node count, scraped once by
 * the cluster agent through its Service.
 *
 * On a large cluster (more than 400 nodes by default: src/model/sizing.ts) it
 * runs sharded with its automated sharding: a StatefulSet whose replicas learn
 * their ordinal and the shard count from their own pod and StatefulSet
 * (`--pod`, `--pod-namespace`; a Role allows `get` on exactly those objects,
 * and only then). A headless Service gives each replica a DNS name; the
 * cluster agent's job lists every replica's name once, so every shard is
 * scraped, and by one cluster agent shard (the job is hashmod-sharded like
 * every cluster-scope job).
 */
import type { KsmCollector } from '../../profile/types.js';
import { deepMerge } from '../../profile/merge.js';
import type { Resources } from '../../profile/types.js';
import { normalizeRules } from '../rbac.js';
import type { PolicyRule } from '../types.js';
import { metricRelabelConfigs } from './allowlists.js';
import { serviceAddress, type ComponentContext, type ComponentParts } from './context.js';
import { simpleWorkload } from './workload.js';
import { defaultKsmShards, ksmResources } from '../sizing.js';
import { podNameEnv } from '../../agents/shared/sharding.js';

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

/** The replicas kube-state-metrics runs: the profile's, else one per 400 nodes, rounded up so every cluster agent shard scrapes as many. */
export function ksmShards(ctx: ComponentContext): number {
  return ctx.profile.components.kubeStateMetrics.shards ?? defaultKsmShards(ctx.profile.cluster.nodes, ctx.clusterShards);
}

/** What the cluster agent scrapes: the Service, or each shard by its own DNS name. */
export function ksmTargets(ctx: ComponentContext): string[] {
  const shards = ksmShards(ctx);
  if (shards === 1) return [serviceAddress(ctx, KSM_NAME, KSM_PORT)];
  return Array.from({ length: shards }, (_, i) => `${KSM_NAME}-${i}.${KSM_NAME}.${ctx.namespace}.svc:${KSM_PORT}`);
}

export function kubeStateMetricsComponent(ctx: ComponentContext): ComponentParts {
  const ksm = ctx.profile.components.kubeStateMetrics;
  const collectors = [...ksm.collectors].sort();
  const metricRelabel = metricRelabelConfigs('kubeStateMetrics', ksm.metrics);
  const shards = ksmShards(ctx);
  const sharded = shards > 1;
  return {
    workloads: [
      simpleWorkload({
        name: KSM_NAME,
        component: 'kube-state-metrics',
        image: ctx.images.kubeStateMetrics,
        args: [`--port=${KSM_PORT}`, `--telemetry-port=${KSM_TELEMETRY_PORT}`, `--resources=${collectors.join(',')}`, ...(sharded ? ['--pod=$(POD_NAME)', '--pod-namespace=$(POD_NAMESPACE)'] : [])],
        port: { name: 'http-metrics', number: KSM_PORT },
        extraPorts: [{ name: KSM_TELEMETRY_PORT_NAME, number: KSM_TELEMETRY_PORT }],
        readinessPath: '/',
        resources: deepMerge(ksmResources(ctx.profile.cluster.nodes, shards), ksm.resources) as Resources,
        rbac: {
          clusterRules: collectorRules(collectors),
          // Automated sharding reads its own pod (to find its StatefulSet) and that StatefulSet (its replicas): get, on those names only.
          namespacedRules: sharded
            ? [
                {
                  namespace: ctx.namespace,
                  rules: [
                    { apiGroups: [''], resources: ['pods'], resourceNames: Array.from({ length: shards }, (_, i) => `${KSM_NAME}-${i}`), verbs: ['get'] },
                    { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [KSM_NAME], verbs: ['get'] },
                  ],
                },
              ]
            : [],
        },
        ...(sharded
          ? {
              kind: 'StatefulSet' as const,
              replicas: shards,
              // A drain evicts one shard at a time; the others keep serving their objects.
              maxUnavailable: 1,
              env: [podNameEnv(), { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
              headlessService: true,
            }
          : {}),
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
          // Sharded, each replica once by its own name (through the Service, one replica at random would answer).
          static_configs: [{ targets: ksmTargets(ctx) }],
          relabel_configs: [],
          ...(metricRelabel.length > 0 ? { metric_relabel_configs: metricRelabel } : {}),
        },
        scrapeAccess: [],
      },
    ],
  };
}
