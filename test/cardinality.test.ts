/**
 * The default allow-lists on real payloads: how many series each keeps, and
 * that every metric the field notes' PromQL and kubernetes-mixin's essential
 * alerts use survives.
 */
import { describe, expect, it } from 'vitest';
import { compileRelabelConfigs, relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { fixtureSamples, FIXTURE_FILES } from './support/fixtures.js';
import { findJob } from './support/jobs.js';
import { renderPreset } from './support/render.js';

/** Metric names that dashboards and alerts need, per component. */
const ESSENTIAL: Record<keyof typeof FIXTURE_FILES, string[]> = {
  kubelet: [
    'kubelet_pod_start_duration_seconds_bucket', // field notes: pod start time
    'kubelet_pod_start_duration_seconds_sum',
    'kubelet_pod_start_duration_seconds_count',
    'kubelet_volume_stats_available_bytes', // KubePersistentVolumeFillingUp
    'kubelet_volume_stats_capacity_bytes',
    'kubelet_volume_stats_used_bytes',
    'kubelet_node_name', // KubeletTooManyPods, dashboards
    'kubelet_running_pods',
  ],
  cadvisor: [
    'container_cpu_usage_seconds_total', // field notes: CPU usage
    'container_spec_cpu_quota', // field notes: CPU usage / limit
    'container_spec_cpu_period',
    'container_spec_memory_limit_bytes', // field notes: memory usage / limit
    'container_memory_working_set_bytes',
    'container_cpu_cfs_throttled_periods_total', // CPUThrottlingHigh
    'container_cpu_cfs_periods_total',
    'container_network_receive_bytes_total', // field notes: network
    'container_network_transmit_bytes_total',
    'container_fs_reads_bytes_total', // field notes: disk
    'container_fs_writes_bytes_total',
  ],
  kubeStateMetrics: [
    'kube_pod_container_status_waiting_reason', // KubePodCrashLooping
    'kube_pod_status_phase', // KubePodNotReady, field notes
    'kube_pod_owner',
    'kube_deployment_spec_replicas', // KubeDeploymentReplicasMismatch
    'kube_deployment_status_replicas_available',
    'kube_deployment_status_replicas_updated',
    'kube_job_failed', // KubeJobFailed
    'kube_job_status_failed', // field notes
    'kube_node_status_condition', // KubeNodeNotReady, field notes
    'kube_pod_container_status_restarts_total', // container restarts
    'kube_persistentvolumeclaim_access_mode', // KubePersistentVolumeFillingUp
    'kube_pod_status_ready',
    'kube_pod_status_scheduled',
    'kube_pod_info',
    'kube_pod_labels',
    'kube_pod_container_status_waiting',
    'kube_pod_container_status_terminated_reason',
  ],
  nodeExporter: [
    'node_cpu_seconds_total',
    'node_memory_MemAvailable_bytes',
    'node_memory_MemTotal_bytes',
    'node_filesystem_avail_bytes',
    'node_filesystem_size_bytes',
    'node_load1',
    'node_network_receive_bytes_total',
  ],
  apiserver: ['apiserver_request_total', 'apiserver_request_sli_duration_seconds_bucket', 'apiserver_request_duration_seconds_count'],
};

const JOB_OF: Record<keyof typeof FIXTURE_FILES, string> = {
  kubelet: 'kubelet',
  cadvisor: 'kubelet-cadvisor',
  kubeStateMetrics: 'kube-state-metrics',
  nodeExporter: 'node-exporter',
  apiserver: 'apiserver',
};

const { objects } = renderPreset('kubeadm');

function keptSeries(component: keyof typeof FIXTURE_FILES): { total: number; kept: Set<string>; keptCount: number } {
  const rules = compileRelabelConfigs((findJob(objects, JOB_OF[component]).metric_relabel_configs ?? []) as never);
  const samples = fixtureSamples(FIXTURE_FILES[component]);
  const kept = new Set<string>();
  let keptCount = 0;
  for (const s of samples) {
    const out = relabel(s.labels, rules);
    if (out !== null) {
      keptCount++;
      kept.add(out.__name__!);
      expect(Object.keys(out).filter((k) => k.startsWith('__') && k !== '__name__')).toEqual([]);
    }
  }
  return { total: samples.length, kept, keptCount };
}

describe.each(Object.keys(FIXTURE_FILES) as (keyof typeof FIXTURE_FILES)[])('default allow-list: %s', (component) => {
  const { total, kept, keptCount } = keptSeries(component);
  const present = new Set(fixtureSamples(FIXTURE_FILES[component]).map((s) => s.labels.__name__!));

  it('keeps every essential metric present in the payload', () => {
    const lost = ESSENTIAL[component].filter((m) => present.has(m) && !kept.has(m));
    expect(lost).toEqual([]);
  });

  it('would keep every essential metric, present here or not', () => {
    const rules = compileRelabelConfigs((findJob(objects, JOB_OF[component]).metric_relabel_configs ?? []).slice(0, 1) as never);
    for (const name of ESSENTIAL[component]) expect(relabel({ __name__: name, container: 'c', image: 'i' }, rules), name).not.toBeNull();
  });

  it(`reports the series kept`, () => {
    console.log(`${component}: ${keptCount} of ${total} series kept (${((100 * keptCount) / total).toFixed(1)}%)`);
    expect(keptCount).toBeLessThan(total);
  });
});

describe('cAdvisor', () => {
  it('keeps at most 30% of the series of a real payload', () => {
    const { total, keptCount } = keptSeries('cadvisor');
    expect(keptCount / total).toBeLessThanOrEqual(0.3);
  });

  it('keeps pod network series (on the pause container) but not container-less cgroup series', () => {
    const rules = compileRelabelConfigs(findJob(objects, 'kubelet-cadvisor').metric_relabel_configs as never);
    expect(relabel({ __name__: 'container_network_receive_bytes_total', container: '', image: 'registry.k8s.io/pause:3.10.1', pod: 'web', interface: 'eth0' }, rules)).not.toBeNull();
    expect(relabel({ __name__: 'container_network_receive_bytes_total', container: '', image: 'registry.k8s.io/pause:3.10.1', pod: 'web', interface: 'tunl0' }, rules)).toBeNull();
    expect(relabel({ __name__: 'container_cpu_usage_seconds_total', container: '', image: '', pod: 'web' }, rules)).toBeNull();
    expect(relabel({ __name__: 'container_cpu_usage_seconds_total', container: '', image: 'registry.k8s.io/pause:3.10.1', pod: 'web' }, rules)).toBeNull();
  });

  it('drops the known high-cardinality families even with the allow-list off', () => {
    const off = renderPreset('kubeadm', ['components.cadvisor.metrics.allowlist=false']).objects;
    const rules = compileRelabelConfigs(findJob(off, 'kubelet-cadvisor').metric_relabel_configs as never);
    expect(relabel({ __name__: 'container_tasks_state', container: 'c', image: 'i' }, rules)).toBeNull();
    expect(relabel({ __name__: 'container_threads', container: 'c', image: 'i' }, rules)).not.toBeNull();
  });
});

describe('profile options', () => {
  it('extend the allow-list, drop more, or turn it off', () => {
    const keepMore = renderPreset('kubeadm', ['components.kubelet.metrics.keep=[kubelet_http_requests_total]', 'components.kubelet.metrics.drop=[go_goroutines]']).objects;
    const rules = compileRelabelConfigs(findJob(keepMore, 'kubelet').metric_relabel_configs as never);
    expect(relabel({ __name__: 'kubelet_http_requests_total' }, rules)).not.toBeNull();
    expect(relabel({ __name__: 'go_goroutines' }, rules)).toBeNull();
    const off = renderPreset('kubeadm', ['components.kubelet.metrics.allowlist=false']).objects;
    expect(findJob(off, 'kubelet').metric_relabel_configs).toBeUndefined();
  });

  it('rejects a regex RE2 cannot compile, naming the entry', () => {
    expect(() => renderPreset('kubeadm', ['components.kubelet.metrics.keep=[(?!go_).*]'])).toThrow(/components.kubelet.metrics.keep\[0\]/);
  });
});
