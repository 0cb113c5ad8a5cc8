/**
 * The pipeline watches itself: each agent's own /metrics (and its config
 * reloader's), kube-state-metrics' telemetry port, blackbox-exporter's and
 * the in-cluster Prometheus' /metrics. These are the series that say
 * remote_write is failing or falling behind, a scrape is slow, or a config
 * did not load.
 *
 * Every job finds its pods by their `app.kubernetes.io/name` label in the
 * render's namespace (pod discovery, so each replica or shard is one target
 * with its pod's name, and RBAC is derived from the discovery like any job's),
 * keeps only the named metrics ports, and passes its allow-list. The node
 * agent scrapes the agent pod on its own node (its scope is node-local); the
 * cluster agent everything else, once.
 */
import type { RelabelConfig, ScrapeJob, AgentScope } from '../types.js';
import { metricRelabelConfigs, type AllowlistedJob } from './allowlists.js';
import { KEEP_RUNNING_PODS, podTargetLabels } from './common.js';
import type { ComponentContext, ComponentParts } from './context.js';
import { BLACKBOX_NAME } from './blackbox-exporter.js';
import { KSM_NAME, KSM_TELEMETRY_PORT_NAME } from './kube-state-metrics.js';
import { LOCAL_PROMETHEUS_NAME, LOCAL_PROMETHEUS_PORT_NAME, usesLocalPrometheus } from './local-prometheus.js';

/** What one self-monitoring job scrapes: the pods of a workload of the render, on these ports. */
interface OwnWorkload {
  jobName: string;
  workload: string;
  ports: readonly string[];
  allowlist: AllowlistedJob;
  scope: AgentScope;
}

export function selfMonitoringComponent(ctx: ComponentContext): ComponentParts {
  const c = ctx.profile.components;
  const own: OwnWorkload[] = [
    { jobName: 'k8smon-agent-node', workload: ctx.agentNames.node, ports: ctx.agentMetricsPorts, allowlist: 'agent', scope: 'node' },
    { jobName: 'k8smon-agent-cluster', workload: ctx.agentNames.cluster, ports: ctx.agentMetricsPorts, allowlist: 'agent', scope: 'cluster' },
  ];
  if (c.kubeStateMetrics.enabled) {
    own.push({ jobName: 'kube-state-metrics-telemetry', workload: KSM_NAME, ports: [KSM_TELEMETRY_PORT_NAME], allowlist: 'kubeStateMetricsTelemetry', scope: 'cluster' });
  }
  if (c.blackboxExporter.enabled) {
    // Its /probe is the probe jobs'; /metrics on the same port is the exporter itself.
    own.push({ jobName: 'blackbox-exporter', workload: BLACKBOX_NAME, ports: ['http'], allowlist: 'blackboxExporter', scope: 'cluster' });
  }
  if (usesLocalPrometheus(ctx.profile)) {
    own.push({ jobName: 'prometheus', workload: LOCAL_PROMETHEUS_NAME, ports: [LOCAL_PROMETHEUS_PORT_NAME], allowlist: 'prometheus', scope: 'cluster' });
  }
  return { jobs: own.map((w) => ownWorkloadJob(ctx, w)) };
}

function ownWorkloadJob(ctx: ComponentContext, w: OwnWorkload): ScrapeJob {
  const relabel: RelabelConfig[] = [
    // Also as a rule, not only the selector: grafana-agent's host_filter replaces a pod SD's selectors with its own.
    { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], action: 'keep', regex: w.workload },
    KEEP_RUNNING_PODS,
    { source_labels: ['__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: w.ports.join('|') },
    ...podTargetLabels(),
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
  ];
  const metricRelabel = metricRelabelConfigs(w.allowlist, ctx.profile.components.selfMonitoring.metrics);
  return {
    component: 'selfMonitoring',
    scope: w.scope,
    config: {
      job_name: w.jobName,
      scheme: 'http',
      metrics_path: '/metrics',
      kubernetes_sd_configs: [
        { role: 'pod', namespaces: { names: [ctx.namespace] }, selectors: [{ role: 'pod', label: `app.kubernetes.io/name=${w.workload}` }] },
      ],
      relabel_configs: relabel,
      ...(metricRelabel.length > 0 ? { metric_relabel_configs: metricRelabel } : {}),
    },
    scrapeAccess: [],
  };
}
