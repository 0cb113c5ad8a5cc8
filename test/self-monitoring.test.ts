/**
 * The pipeline watches itself: every agent pod (and its config reloader),
 * kube-state-metrics' telemetry port, blackbox-exporter and the in-cluster
 * Prometheus are scraped once, by the right agent, behind allow-lists that keep
 * the series saying remote_write is failing or a scrape is slow (checked on
 * real /metrics payloads of Prometheus and blackbox-exporter).
 */
import { describe, expect, it } from 'vitest';
import { agentsFromManifests } from '../src/agents/find.js';
import { agentKind, AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { compileRelabelConfigs, relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { fixtureSamples } from './support/fixtures.js';
import { findJob, hasJob } from './support/jobs.js';
import { findObject, PRESETS } from './support/render.js';

/** Three control-plane nodes and a tainted GPU node (node-3) among them: six leave two for the Deployments. */
const NODES = 6;
const SELF_JOBS = ['k8smon-agent-node', 'k8smon-agent-cluster', 'kube-state-metrics-telemetry', 'blackbox-exporter', 'prometheus'];

function selfTargets(objects: readonly KubernetesObject[]) {
  const snapshot = syntheticCluster({ nodes: NODES, podsPerNode: 3, workloads: objects as never });
  const preview = previewCluster(agentsFromManifests(objects), snapshot);
  return { preview, targets: preview.targets.filter((t) => SELF_JOBS.includes(t.job)), pods: snapshot.pods ?? [] };
}

describe.each(AGENT_KIND_NAMES)('every part of the pipeline is scraped once (agent.kind %s)', (kind) => {
  it.each(PRESETS)('%s: each agent pod by an agent, on its metrics ports; the exporters and the receiver by the cluster agent', (preset) => {
    const { objects } = renderBundle({ preset, sets: [`agent.kind=${kind}`] }, {});
    const { preview, targets, pods } = selfTargets(objects);
    expect(preview.problems.filter((p) => p.rule === 'scraped-more-than-once')).toEqual([]);
    const ports = agentKind(kind).metricsPorts;
    const podsOf = (name: string) => pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === name);

    // The node agent: every agent pod, by the agent on the pod's own node.
    const nodeAgentPods = podsOf('k8smon-agent-node');
    expect(nodeAgentPods.length).toBeGreaterThan(0);
    const nodeTargets = targets.filter((t) => t.job === 'k8smon-agent-node');
    expect(nodeTargets).toHaveLength(nodeAgentPods.length * ports.length);
    for (const t of nodeTargets) expect(t.agent.endsWith(`/${t.labels.node}`), `${t.url} scraped by ${t.agent}`).toBe(true);
    expect(new Set(nodeTargets.map((t) => t.labels.pod))).toEqual(new Set(nodeAgentPods.map((p) => p.metadata.name)));

    const clusterOnce = (job: string, workload: string, perPod: number) => {
      const own = targets.filter((t) => t.job === job);
      expect(own, job).toHaveLength(podsOf(workload).length * perPod);
      for (const t of own) expect(t.agent.startsWith('deployment/k8smon-agent-cluster') || t.agent.startsWith('statefulset/k8smon-agent-cluster'), t.agent).toBe(true);
      return own;
    };
    clusterOnce('k8smon-agent-cluster', 'k8smon-agent-cluster', ports.length);
    const telemetry = clusterOnce('kube-state-metrics-telemetry', 'k8smon-kube-state-metrics', 1);
    expect(telemetry.every((t) => t.url.endsWith(':8081/metrics'))).toBe(true);
    if (hasJob(objects, 'blackbox-exporter')) expect(clusterOnce('blackbox-exporter', 'k8smon-blackbox-exporter', 1)[0]!.url).toMatch(/:9115\/metrics$/);
    expect(clusterOnce('prometheus', 'k8smon-prometheus', 1)[0]!.url).toMatch(/:9090\/metrics$/);
  });
});

describe('self-monitoring in the render', () => {
  it('with a remote_write destination there is no in-cluster Prometheus to scrape', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: ['remoteWrite[0].url=https://mimir.example.com/api/v1/push'] }, {});
    expect(hasJob(objects, 'prometheus')).toBe(false);
    expect(hasJob(objects, 'k8smon-agent-cluster')).toBe(true);
  });

  it('components.selfMonitoring.enabled=false renders none of the jobs', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: ['components.selfMonitoring.enabled=false'] }, {});
    for (const job of SELF_JOBS) expect(hasJob(objects, job), job).toBe(false);
  });

  it('finds the pods of its namespace only: RBAC is a Role there when no other job lists pods cluster-wide', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: ['components.annotatedPods.enabled=false', 'namespace=observability'] }, {});
    const role = findObject(objects, 'Role', 'k8smon-agent-node', 'observability') as unknown as { rules: { resources?: string[]; verbs: string[] }[] };
    expect(role.rules).toContainEqual(expect.objectContaining({ resources: ['pods'], verbs: ['list', 'watch'] }));
    const clusterRole = findObject(objects, 'ClusterRole', 'k8smon-agent-node-observability') as unknown as { rules: { resources?: string[] }[] };
    expect(clusterRole.rules.some((r) => r.resources?.includes('pods'))).toBe(false);
  });

  it('lets the cluster agent reach kube-state-metrics\' telemetry port through its NetworkPolicy', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: ['networkPolicies.enabled=true'] }, {});
    const policy = findObject(objects, 'NetworkPolicy', 'k8smon-kube-state-metrics') as unknown as { spec: { ingress: { ports: { port: string }[] }[] } };
    expect(policy.spec.ingress[0]!.ports.map((p) => p.port)).toEqual(['http-metrics', 'http-telemetry']);
  });
});

/** Pipeline series a user (and the alerts) need, per self-monitoring job, by real payload. */
const ESSENTIAL: { job: string; fixture: string; names: string[] }[] = [
  {
    job: 'k8smon-agent-node',
    fixture: 'prometheus-agent.prom',
    names: [
      'prometheus_remote_storage_samples_failed_total', // remote_write failing
      'prometheus_remote_storage_samples_retried_total',
      'prometheus_remote_storage_samples_dropped_total',
      'prometheus_remote_storage_samples_pending',
      'prometheus_remote_storage_highest_timestamp_in_seconds', // remote_write falling behind
      'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
      'prometheus_remote_storage_shards_desired', // needs more shards than it may run
      'prometheus_remote_storage_shards_max',
      'prometheus_remote_storage_samples_total',
      'prometheus_agent_active_series',
      'prometheus_target_interval_length_seconds_sum', // scrapes slower than their interval
      'prometheus_target_interval_length_seconds_count',
      'prometheus_target_scrapes_exceeded_sample_limit_total',
      'prometheus_sd_discovered_targets',
      'prometheus_config_last_reload_successful',
      'process_resident_memory_bytes',
    ],
  },
  {
    job: 'prometheus',
    fixture: 'prometheus-receiver.prom',
    names: [
      'prometheus_tsdb_head_series',
      'prometheus_tsdb_storage_blocks_bytes', // near its retention size
      'prometheus_tsdb_retention_limit_bytes',
      'prometheus_tsdb_size_retentions_total',
      'prometheus_tsdb_out_of_order_samples_total',
      'prometheus_http_requests_total', // remote_write requests in, by code
      'prometheus_remote_storage_samples_in_total',
    ],
  },
  {
    job: 'blackbox-exporter',
    fixture: 'blackbox-exporter.prom',
    names: ['blackbox_exporter_config_last_reload_successful', 'blackbox_module_unknown_total', 'process_resident_memory_bytes'],
  },
];

describe('the self-monitoring allow-lists on real payloads (Debian Prometheus 2.42 agent and receiver, blackbox-exporter 0.23)', () => {
  const { objects } = renderBundle({ preset: 'kubeadm', sets: [] }, {});
  it.each(ESSENTIAL)('$job keeps what says the pipeline is failing, and leaves most of the rest', ({ job, fixture, names }) => {
    const rules = compileRelabelConfigs(findJob(objects, job).metric_relabel_configs ?? []);
    const samples = fixtureSamples(fixture);
    const kept = new Set(samples.filter((s) => relabel(s.labels, rules) !== null).map((s) => s.labels.__name__));
    const present = new Set(samples.map((s) => s.labels.__name__));
    for (const name of names) {
      expect(present.has(name), `${name} is in ${fixture}`).toBe(true);
      expect(kept.has(name), `${job} keeps ${name}`).toBe(true);
    }
    // An allow-list, not everything: go_* runtime detail and HTTP handler histograms stay out.
    expect(kept.size).toBeLessThan(present.size / 2);
  });
});
