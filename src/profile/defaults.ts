/**
 * Built-in defaults: the lowest layer of the merge (defaults < preset < file < --set).
 * A first-time user with no profile at all gets a working render from these.
 */
import { DEFAULT_AGENT_KIND } from '../agents/registry.js';
import { KSM_COLLECTORS } from './vocabulary.js';
import type { MetricsFilter, Profile } from './types.js';

/** Where the alerts' runbook_url points by default: docs/runbooks.md of k8smon, one #anchor per alert. */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://k8smon.dev/runbooks';

const allowlisted = (): MetricsFilter => ({ allowlist: true, keep: [], drop: [] });

export function builtInDefaults(): Profile {
  return {
    cluster: { name: 'kubernetes', platform: 'generic', controlPlane: 'self-hosted', nodes: 100 },
    components: {
      kubelet: { enabled: true, resourceMetrics: false, probeMetrics: false, metrics: allowlisted() },
      cadvisor: { enabled: true, metrics: allowlisted() },
      apiserver: { enabled: true, metrics: allowlisted() },
      kubeStateMetrics: {
        enabled: true,
        // Every collector but secrets: listing Secrets is opt-in.
        collectors: KSM_COLLECTORS.filter((c) => c !== 'secrets'),
        metrics: allowlisted(),
      },
      nodeExporter: { enabled: true, metrics: allowlisted(), resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '128Mi' } } },
      blackboxExporter: { enabled: true, icmp: false, resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } } },
      annotatedPods: { enabled: true },
      annotatedServices: { enabled: true },
      // Control-plane jobs are off here; the self-hosted presets turn on what their platform runs.
      kubeProxy: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeControllerManager: { enabled: false },
      etcd: { enabled: false },
      coreDns: { enabled: true },
      // GKE runs kube-dns instead of CoreDNS; its presets switch this on.
      kubeDns: { enabled: false },
      eksControlPlane: { enabled: false },
      selfMonitoring: { enabled: true, metrics: allowlisted() },
    },
    networkPolicies: { enabled: false },
    rules: { enabled: true, prometheusRule: false, runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL },
    dashboards: { enabled: false },
    alertmanager: { enabled: false, receivers: [], resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } } },
    namespace: 'monitoring',
    agent: {
      kind: DEFAULT_AGENT_KIND,
      scrapeInterval: '60s',
      scrapeTimeout: '10s',
      // resources: sized from cluster.nodes (src/model/sizing.ts) unless the profile gives them.
    },
    kubelet: { access: 'direct', insecureSkipVerify: true },
    localPrometheus: {
      retention: '7d',
      retentionSize: '8GB',
      storage: { kind: 'emptyDir', size: '10Gi' },
      resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2Gi' } },
    },
  };
}
