/**
 * promtool unit-test cases for every alert k8smon ships: series that must make
 * it fire, and healthy series under which it must stay quiet. Each case turns
 * into two promtool test groups (test/rules.test.ts). Series use promtool's
 * expanding notation ('0+60x30': 0, 60, …, 31 values; '_' is a missing
 * sample) at a one-minute interval, and carry the labels the rendered jobs
 * give them (job, metrics_path, instance, node, cluster).
 */

export interface Series {
  series: string;
  values: string;
}

export interface AlertCase {
  alert: string;
  /** When to evaluate: past the rule's `for`. */
  at: string;
  firing: Series[];
  healthy: Series[];
  /**
   * The labels of the expected alert, picked from the first firing series
   * (the alert's own severity and alertname are added). Several entries:
   * several alerts of that name, each with extra labels.
   */
  labels: string[];
  alerts?: Record<string, string>[];
}

const CLUSTER = { cluster: 'c1' };

export function s(metric: string, labels: Record<string, string>, values: string): Series {
  const all = { ...labels, ...CLUSTER };
  const text = Object.entries(all)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return { series: `${metric}{${text}}`, values };
}

/** The labels of a series written by s(). */
export function labelsOf(series: Series): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of series.series.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = JSON.parse(`"${m[2]!}"`) as string;
  return out;
}

const KSM = { job: 'kube-state-metrics' };
const KUBELET = { job: 'kubelet', metrics_path: '/metrics', node: 'n1', instance: 'n1' };
const CADVISOR = { job: 'kubelet', metrics_path: '/metrics/cadvisor', node: 'n1', instance: 'n1' };
const NODE = { job: 'node-exporter', node: 'n1', instance: 'n1' };
const FS = { ...NODE, device: '/dev/sda1', mountpoint: '/', fstype: 'ext4' };
const POD = { namespace: 'shop', pod: 'web-1' };
const CONTAINER = { ...POD, container: 'app' };
const API = { job: 'apiserver', instance: '10.0.0.1:443' };
const AGENT = { job: 'k8smon-agent-node', instance: '10.0.0.1:9090' };
const RW = { remote_name: 'remote', url: 'https://metrics.example/api/v1/push' };
const RECEIVER = { job: 'prometheus', instance: 'k8smon-prometheus' };

const ALL = ['*'];

/** Buckets of a histogram: the cumulative counts per `le`, each a promtool value string. */
function histogram(metric: string, labels: Record<string, string>, buckets: Record<string, string>): Series[] {
  return Object.entries(buckets).map(([le, values]) => s(`${metric}_bucket`, { ...labels, le }, values));
}

export const ALERT_CASES: AlertCase[] = [
  // Nodes
  {
    alert: 'NodeFilesystemAlmostFull',
    at: '40m',
    firing: [s('node_filesystem_avail_bytes', FS, '5x60'), s('node_filesystem_size_bytes', FS, '100x60'), s('node_filesystem_readonly', FS, '0x60')],
    healthy: [s('node_filesystem_avail_bytes', FS, '50x60'), s('node_filesystem_size_bytes', FS, '100x60'), s('node_filesystem_readonly', FS, '0x60')],
    labels: ALL,
  },
  {
    alert: 'NodeFilesystemFillingUp',
    at: '120m',
    firing: [s('node_filesystem_avail_bytes', FS, '30-0.05x180'), s('node_filesystem_size_bytes', FS, '100x180'), s('node_filesystem_readonly', FS, '0x180')],
    healthy: [s('node_filesystem_avail_bytes', FS, '30x180'), s('node_filesystem_size_bytes', FS, '100x180'), s('node_filesystem_readonly', FS, '0x180')],
    labels: ALL,
  },
  {
    alert: 'NodeMemoryAlmostExhausted',
    at: '20m',
    firing: [s('node_memory_MemAvailable_bytes', NODE, '3x30'), s('node_memory_MemTotal_bytes', NODE, '100x30')],
    healthy: [s('node_memory_MemAvailable_bytes', NODE, '50x30'), s('node_memory_MemTotal_bytes', NODE, '100x30')],
    labels: ALL,
  },
  {
    alert: 'NodeClockNotSynchronised',
    at: '20m',
    firing: [s('node_timex_sync_status', NODE, '0x30'), s('node_timex_maxerror_seconds', NODE, '16x30')],
    healthy: [s('node_timex_sync_status', NODE, '1x30'), s('node_timex_maxerror_seconds', NODE, '0.01x30')],
    labels: ALL,
  },
  {
    alert: 'NodeNotReady',
    at: '20m',
    firing: [s('kube_node_status_condition', { ...KSM, node: 'n1', condition: 'Ready', status: 'true' }, '0x30')],
    healthy: [s('kube_node_status_condition', { ...KSM, node: 'n1', condition: 'Ready', status: 'true' }, '1x30')],
    labels: ALL,
  },
  // Pods and containers
  {
    alert: 'PodCrashLooping',
    at: '25m',
    firing: [s('kube_pod_container_status_waiting_reason', { ...KSM, ...CONTAINER, reason: 'CrashLoopBackOff' }, '1x30')],
    healthy: [s('kube_pod_container_status_waiting_reason', { ...KSM, ...CONTAINER, reason: 'CrashLoopBackOff' }, '0x30')],
    labels: ALL,
  },
  {
    alert: 'PodNotRunning',
    at: '20m',
    firing: [
      s('kube_pod_status_phase', { ...KSM, ...POD, phase: 'Pending' }, '1x30'),
      s('kube_pod_status_phase', { ...KSM, ...POD, phase: 'Running' }, '0x30'),
      s('kube_pod_owner', { ...KSM, ...POD, owner_kind: 'ReplicaSet', owner_name: 'web-7d9' }, '1x30'),
    ],
    healthy: [
      s('kube_pod_status_phase', { ...KSM, ...POD, phase: 'Pending' }, '0x30'),
      s('kube_pod_status_phase', { ...KSM, ...POD, phase: 'Running' }, '1x30'),
      s('kube_pod_owner', { ...KSM, ...POD, owner_kind: 'ReplicaSet', owner_name: 'web-7d9' }, '1x30'),
    ],
    labels: ['cluster', 'namespace', 'pod'],
  },
  {
    alert: 'ContainerOOMKilled',
    at: '12m',
    firing: [s('kube_pod_container_status_restarts_total', { ...KSM, ...CONTAINER }, '0x10 1x10'), s('kube_pod_container_status_last_terminated_reason', { ...KSM, ...CONTAINER, reason: 'OOMKilled' }, '1x21')],
    healthy: [s('kube_pod_container_status_restarts_total', { ...KSM, ...CONTAINER }, '1x21'), s('kube_pod_container_status_last_terminated_reason', { ...KSM, ...CONTAINER, reason: 'OOMKilled' }, '1x21')],
    labels: ALL,
  },
  {
    alert: 'ContainerMemoryNearLimit',
    at: '20m',
    firing: [s('container_memory_working_set_bytes', { ...CADVISOR, ...CONTAINER }, '95x30'), s('container_spec_memory_limit_bytes', { ...CADVISOR, ...CONTAINER }, '100x30')],
    healthy: [s('container_memory_working_set_bytes', { ...CADVISOR, ...CONTAINER }, '50x30'), s('container_spec_memory_limit_bytes', { ...CADVISOR, ...CONTAINER }, '100x30')],
    labels: ['cluster', 'namespace', 'pod', 'container'],
  },
  {
    alert: 'ContainerCPUThrottled',
    at: '25m',
    firing: [s('container_cpu_cfs_throttled_periods_total', { ...CADVISOR, ...CONTAINER }, '0+60x30'), s('container_cpu_cfs_periods_total', { ...CADVISOR, ...CONTAINER }, '0+100x30')],
    healthy: [s('container_cpu_cfs_throttled_periods_total', { ...CADVISOR, ...CONTAINER }, '0+10x30'), s('container_cpu_cfs_periods_total', { ...CADVISOR, ...CONTAINER }, '0+100x30')],
    labels: ['cluster', 'namespace', 'pod', 'container'],
  },
  // Workloads
  {
    alert: 'DeploymentReplicasMismatch',
    at: '30m',
    firing: [s('kube_deployment_spec_replicas', { ...KSM, namespace: 'shop', deployment: 'web' }, '3x40'), s('kube_deployment_status_replicas_available', { ...KSM, namespace: 'shop', deployment: 'web' }, '1x40'), s('kube_deployment_status_replicas_updated', { ...KSM, namespace: 'shop', deployment: 'web' }, '3x40')],
    healthy: [s('kube_deployment_spec_replicas', { ...KSM, namespace: 'shop', deployment: 'web' }, '3x40'), s('kube_deployment_status_replicas_available', { ...KSM, namespace: 'shop', deployment: 'web' }, '3x40'), s('kube_deployment_status_replicas_updated', { ...KSM, namespace: 'shop', deployment: 'web' }, '3x40')],
    labels: ALL,
  },
  {
    alert: 'DeploymentGenerationMismatch',
    at: '20m',
    firing: [s('kube_deployment_status_observed_generation', { ...KSM, namespace: 'shop', deployment: 'web' }, '1x30'), s('kube_deployment_metadata_generation', { ...KSM, namespace: 'shop', deployment: 'web' }, '2x30')],
    healthy: [s('kube_deployment_status_observed_generation', { ...KSM, namespace: 'shop', deployment: 'web' }, '2x30'), s('kube_deployment_metadata_generation', { ...KSM, namespace: 'shop', deployment: 'web' }, '2x30')],
    labels: ALL,
  },
  {
    alert: 'StatefulSetReplicasMismatch',
    at: '30m',
    firing: [s('kube_statefulset_status_replicas_ready', { ...KSM, namespace: 'db', statefulset: 'pg' }, '1x40'), s('kube_statefulset_replicas', { ...KSM, namespace: 'db', statefulset: 'pg' }, '3x40'), s('kube_statefulset_status_replicas_updated', { ...KSM, namespace: 'db', statefulset: 'pg' }, '3x40')],
    healthy: [s('kube_statefulset_status_replicas_ready', { ...KSM, namespace: 'db', statefulset: 'pg' }, '3x40'), s('kube_statefulset_replicas', { ...KSM, namespace: 'db', statefulset: 'pg' }, '3x40'), s('kube_statefulset_status_replicas_updated', { ...KSM, namespace: 'db', statefulset: 'pg' }, '3x40')],
    labels: ALL,
  },
  {
    alert: 'DaemonSetNotScheduled',
    at: '15m',
    firing: [s('kube_daemonset_status_desired_number_scheduled', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '5x20'), s('kube_daemonset_status_current_number_scheduled', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '4x20')],
    healthy: [s('kube_daemonset_status_desired_number_scheduled', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '5x20'), s('kube_daemonset_status_current_number_scheduled', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '5x20')],
    labels: ALL,
  },
  {
    alert: 'DaemonSetPodsUnavailable',
    at: '30m',
    firing: [s('kube_daemonset_status_number_unavailable', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '1x40'), s('kube_daemonset_status_updated_number_scheduled', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '5x40')],
    healthy: [s('kube_daemonset_status_number_unavailable', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '0x40'), s('kube_daemonset_status_updated_number_scheduled', { ...KSM, namespace: 'kube-system', daemonset: 'cni' }, '5x40')],
    labels: ALL,
  },
  {
    alert: 'JobFailed',
    at: '8m',
    firing: [s('kube_job_status_failed', { ...KSM, namespace: 'batch', job_name: 'nightly' }, '1x10')],
    healthy: [s('kube_job_status_failed', { ...KSM, namespace: 'batch', job_name: 'nightly' }, '0x10')],
    labels: ALL,
  },
  {
    alert: 'JobRunningTooLong',
    at: '10m',
    // Started 50,000 s before the test's time 0: more than 12 hours by 10m.
    firing: [s('kube_job_status_start_time', { ...KSM, namespace: 'batch', job_name: 'nightly' }, '-50000x20'), s('kube_job_status_active', { ...KSM, namespace: 'batch', job_name: 'nightly' }, '1x20')],
    healthy: [s('kube_job_status_start_time', { ...KSM, namespace: 'batch', job_name: 'nightly' }, '-50000x20'), s('kube_job_status_active', { ...KSM, namespace: 'batch', job_name: 'nightly' }, '0x20')],
    labels: ['cluster', 'namespace', 'job_name'],
  },
  {
    alert: 'HPAMaxedOut',
    at: '20m',
    firing: [
      s('kube_horizontalpodautoscaler_status_current_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '10x30'),
      s('kube_horizontalpodautoscaler_spec_max_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '10x30'),
      s('kube_horizontalpodautoscaler_spec_min_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '2x30'),
    ],
    healthy: [
      s('kube_horizontalpodautoscaler_status_current_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '5x30'),
      s('kube_horizontalpodautoscaler_spec_max_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '10x30'),
      s('kube_horizontalpodautoscaler_spec_min_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '2x30'),
    ],
    labels: ['cluster', 'namespace', 'horizontalpodautoscaler'],
  },
  {
    alert: 'HPAReplicasMismatch',
    at: '20m',
    firing: [s('kube_horizontalpodautoscaler_status_desired_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '5x30'), s('kube_horizontalpodautoscaler_status_current_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '3x30')],
    healthy: [s('kube_horizontalpodautoscaler_status_desired_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '5x30'), s('kube_horizontalpodautoscaler_status_current_replicas', { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'web' }, '5x30')],
    labels: ['cluster', 'namespace', 'horizontalpodautoscaler'],
  },
  // Kubelet
  {
    alert: 'KubeletTooManyPods',
    at: '20m',
    firing: [s('kubelet_running_pods', KUBELET, '109x30'), s('kube_node_status_capacity', { ...KSM, node: 'n1', resource: 'pods', unit: 'integer' }, '110x30')],
    healthy: [s('kubelet_running_pods', KUBELET, '50x30'), s('kube_node_status_capacity', { ...KSM, node: 'n1', resource: 'pods', unit: 'integer' }, '110x30')],
    labels: ['cluster', 'node'],
  },
  {
    alert: 'KubeletPLEGSlow',
    at: '15m',
    firing: histogram('kubelet_pleg_relist_duration_seconds', KUBELET, { '1': '0x20', '10': '0x20', '+Inf': '0+10x20' }),
    healthy: histogram('kubelet_pleg_relist_duration_seconds', KUBELET, { '1': '0+10x20', '10': '0+10x20', '+Inf': '0+10x20' }),
    labels: ['cluster', 'node'],
  },
  {
    alert: 'KubeletClientCertificateExpiring',
    at: '5m',
    firing: [s('kubelet_certificate_manager_client_ttl_seconds', KUBELET, '3600x10')],
    healthy: [s('kubelet_certificate_manager_client_ttl_seconds', KUBELET, '9999999x10')],
    labels: ALL,
  },
  {
    alert: 'KubeletRuntimeErrors',
    at: '25m',
    firing: [s('kubelet_runtime_operations_errors_total', { ...KUBELET, operation_type: 'create_container' }, '0+60x30')],
    healthy: [s('kubelet_runtime_operations_errors_total', { ...KUBELET, operation_type: 'create_container' }, '0x30')],
    labels: ['cluster', 'node', 'operation_type'],
  },
  // API server
  {
    alert: 'ApiServerErrorBudgetBurn',
    at: '240m',
    // Every GET answered 500 (fast): all four window pairs burn.
    firing: [
      s('apiserver_request_total', { ...API, verb: 'GET', scope: 'resource', code: '500' }, '0+100x300'),
      s('apiserver_request_sli_duration_seconds_count', { ...API, verb: 'GET', scope: 'resource' }, '0+100x300'),
      ...histogram('apiserver_request_sli_duration_seconds', { ...API, verb: 'GET', scope: 'resource' }, { '1': '0+100x300', '+Inf': '0+100x300' }),
    ],
    healthy: [
      s('apiserver_request_total', { ...API, verb: 'GET', scope: 'resource', code: '200' }, '0+100x300'),
      s('apiserver_request_sli_duration_seconds_count', { ...API, verb: 'GET', scope: 'resource' }, '0+100x300'),
      ...histogram('apiserver_request_sli_duration_seconds', { ...API, verb: 'GET', scope: 'resource' }, { '1': '0+100x300', '+Inf': '0+100x300' }),
    ],
    labels: ['cluster'],
    alerts: [
      { long: '1h', short: '5m', severity: 'critical' },
      { long: '6h', short: '30m', severity: 'critical' },
      { long: '1d', short: '2h', severity: 'warning' },
      { long: '3d', short: '6h', severity: 'warning' },
    ],
  },
  {
    alert: 'ApiServerClientCertificateExpiring',
    at: '10m',
    firing: histogram('apiserver_client_certificate_expiration_seconds', API, { '3600': '0+1x20', '604800': '0+1x20', '2592000': '0+1x20', '+Inf': '0+1x20' }).concat(s('apiserver_client_certificate_expiration_seconds_count', API, '0+1x20')),
    healthy: histogram('apiserver_client_certificate_expiration_seconds', API, { '3600': '0x20', '604800': '0x20', '2592000': '0+1x20', '+Inf': '0+1x20' }).concat(s('apiserver_client_certificate_expiration_seconds_count', API, '0+1x20')),
    labels: ['cluster'],
  },
  {
    alert: 'AggregatedAPIUnavailable',
    at: '20m',
    firing: [s('aggregator_unavailable_apiservice', { ...API, name: 'v1beta1.metrics.k8s.io' }, '1x30')],
    healthy: [s('aggregator_unavailable_apiservice', { ...API, name: 'v1beta1.metrics.k8s.io' }, '0x30')],
    labels: ['cluster', 'name'],
  },
  // Control plane
  {
    alert: 'KubeSchedulerDown',
    at: '20m',
    firing: [s('up', KUBELET, '1x30'), s('up', { job: 'kube-scheduler', node: 'cp1', instance: 'cp1' }, '0x30')],
    healthy: [s('up', KUBELET, '1x30'), s('up', { job: 'kube-scheduler', node: 'cp1', instance: 'cp1' }, '1x30')],
    labels: ['cluster'],
  },
  {
    alert: 'KubeControllerManagerDown',
    at: '20m',
    firing: [s('up', KUBELET, '1x30'), s('up', { job: 'kube-controller-manager', node: 'cp1', instance: 'cp1' }, '0x30')],
    healthy: [s('up', KUBELET, '1x30'), s('up', { job: 'kube-controller-manager', node: 'cp1', instance: 'cp1' }, '1x30')],
    labels: ['cluster'],
  },
  {
    alert: 'EtcdNoLeader',
    at: '5m',
    firing: [s('etcd_server_has_leader', { job: 'etcd', node: 'cp1', instance: 'cp1' }, '0x10')],
    healthy: [s('etcd_server_has_leader', { job: 'etcd', node: 'cp1', instance: 'cp1' }, '1x10')],
    labels: ALL,
  },
  {
    alert: 'EtcdSlowFsync',
    at: '20m',
    firing: histogram('etcd_disk_wal_fsync_duration_seconds', { job: 'etcd', node: 'cp1', instance: 'cp1' }, { '0.5': '0x30', '1': '0x30', '8': '0+10x30', '+Inf': '0+10x30' }),
    healthy: histogram('etcd_disk_wal_fsync_duration_seconds', { job: 'etcd', node: 'cp1', instance: 'cp1' }, { '0.5': '0+10x30', '1': '0+10x30', '8': '0+10x30', '+Inf': '0+10x30' }),
    labels: ['cluster', 'node'],
  },
  {
    alert: 'EtcdDatabaseNearQuota',
    at: '15m',
    firing: [s('etcd_mvcc_db_total_size_in_bytes', { job: 'etcd', node: 'cp1', instance: 'cp1' }, '90x20'), s('etcd_server_quota_backend_bytes', { job: 'etcd', node: 'cp1', instance: 'cp1' }, '100x20')],
    healthy: [s('etcd_mvcc_db_total_size_in_bytes', { job: 'etcd', node: 'cp1', instance: 'cp1' }, '10x20'), s('etcd_server_quota_backend_bytes', { job: 'etcd', node: 'cp1', instance: 'cp1' }, '100x20')],
    labels: ALL,
  },
  // Storage
  {
    alert: 'PersistentVolumeFillingUp',
    at: '120m',
    firing: [s('kubelet_volume_stats_available_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '14-0.01x150'), s('kubelet_volume_stats_capacity_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '100x150')],
    healthy: [s('kubelet_volume_stats_available_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '14x150'), s('kubelet_volume_stats_capacity_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '100x150')],
    labels: ALL,
  },
  {
    alert: 'PersistentVolumeAlmostFull',
    at: '10m',
    firing: [s('kubelet_volume_stats_available_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '2x20'), s('kubelet_volume_stats_capacity_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '100x20')],
    healthy: [s('kubelet_volume_stats_available_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '50x20'), s('kubelet_volume_stats_capacity_bytes', { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data' }, '100x20')],
    labels: ALL,
  },
  {
    alert: 'PersistentVolumeErrors',
    at: '10m',
    firing: [s('kube_persistentvolume_status_phase', { ...KSM, persistentvolume: 'pv1', phase: 'Failed' }, '1x20')],
    healthy: [s('kube_persistentvolume_status_phase', { ...KSM, persistentvolume: 'pv1', phase: 'Failed' }, '0x20')],
    labels: ALL,
  },
  // DNS
  {
    alert: 'ClusterDNSDown',
    at: '10m',
    firing: [s('up', KUBELET, '1x20'), s('up', { job: 'coredns', namespace: 'kube-system', pod: 'coredns-1', node: 'n1' }, '0x20')],
    healthy: [s('up', KUBELET, '1x20'), s('up', { job: 'coredns', namespace: 'kube-system', pod: 'coredns-1', node: 'n1' }, '1x20')],
    labels: ['cluster'],
  },
  {
    alert: 'CoreDNSServfailHigh',
    at: '20m',
    firing: [s('coredns_dns_responses_total', { job: 'coredns', pod: 'coredns-1', rcode: 'SERVFAIL' }, '0+10x30'), s('coredns_dns_responses_total', { job: 'coredns', pod: 'coredns-1', rcode: 'NOERROR' }, '0+90x30')],
    healthy: [s('coredns_dns_responses_total', { job: 'coredns', pod: 'coredns-1', rcode: 'SERVFAIL' }, '0x30'), s('coredns_dns_responses_total', { job: 'coredns', pod: 'coredns-1', rcode: 'NOERROR' }, '0+90x30')],
    labels: ['cluster'],
  },
  {
    alert: 'CoreDNSLatencyHigh',
    at: '20m',
    firing: histogram('coredns_dns_request_duration_seconds', { job: 'coredns', pod: 'coredns-1' }, { '0.1': '0x30', '2': '0+10x30', '+Inf': '0+10x30' }),
    healthy: histogram('coredns_dns_request_duration_seconds', { job: 'coredns', pod: 'coredns-1' }, { '0.1': '0+10x30', '2': '0+10x30', '+Inf': '0+10x30' }),
    labels: ['cluster'],
  },
  // Probes
  {
    alert: 'ProbeFailing',
    at: '10m',
    firing: [s('probe_success', { job: 'kubernetes-services', instance: 'web.shop.svc:80', namespace: 'shop', service: 'web' }, '0x20')],
    healthy: [s('probe_success', { job: 'kubernetes-services', instance: 'web.shop.svc:80', namespace: 'shop', service: 'web' }, '1x20')],
    labels: ALL,
  },
  {
    alert: 'ProbeSlow',
    at: '25m',
    firing: [s('probe_duration_seconds', { job: 'kubernetes-services', instance: 'web.shop.svc:80', namespace: 'shop', service: 'web' }, '3x30')],
    healthy: [s('probe_duration_seconds', { job: 'kubernetes-services', instance: 'web.shop.svc:80', namespace: 'shop', service: 'web' }, '0.1x30')],
    labels: ALL,
  },
  {
    alert: 'ProbeCertificateExpiring',
    at: '70m',
    firing: [s('probe_ssl_earliest_cert_expiry', { job: 'kubernetes-ingresses', instance: 'https://shop.example/', namespace: 'shop', ingress: 'web' }, '86400x90')],
    healthy: [s('probe_ssl_earliest_cert_expiry', { job: 'kubernetes-ingresses', instance: 'https://shop.example/', namespace: 'shop', ingress: 'web' }, '99999999x90')],
    labels: ALL,
  },
  // The pipeline
  {
    alert: 'TargetDown',
    at: '20m',
    firing: [s('up', { job: 'kube-state-metrics', instance: 'ksm:8080' }, '0x30')],
    healthy: [s('up', { job: 'kube-state-metrics', instance: 'ksm:8080' }, '1x30')],
    labels: ['cluster', 'job'],
  },
  {
    alert: 'AgentsNotSending',
    at: '60m',
    // The agents' own series stop arriving at 30m.
    firing: [s('up', AGENT, '1x30 _x60')],
    healthy: [s('up', AGENT, '1x90')],
    labels: ['cluster'],
  },
  {
    alert: 'RemoteWriteFailing',
    at: '25m',
    firing: [s('prometheus_remote_storage_samples_failed_total', { ...AGENT, ...RW }, '0+60x30')],
    healthy: [s('prometheus_remote_storage_samples_failed_total', { ...AGENT, ...RW }, '0x30')],
    labels: ['cluster', 'instance', 'remote_name', 'url'],
  },
  {
    alert: 'RemoteWriteBehind',
    at: '20m',
    firing: [s('prometheus_remote_storage_highest_timestamp_in_seconds', AGENT, '1000x30'), s('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', { ...AGENT, ...RW }, '500x30')],
    healthy: [s('prometheus_remote_storage_highest_timestamp_in_seconds', AGENT, '1000x30'), s('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', { ...AGENT, ...RW }, '990x30')],
    labels: ['cluster', 'instance'],
    alerts: [RW],
  },
  {
    alert: 'KubeStateMetricsListErrors',
    at: '20m',
    firing: [s('kube_state_metrics_list_total', { job: 'kube-state-metrics-telemetry', resource: 'pods', result: 'error' }, '0+10x30'), s('kube_state_metrics_list_total', { job: 'kube-state-metrics-telemetry', resource: 'pods', result: 'success' }, '0+90x30')],
    healthy: [s('kube_state_metrics_list_total', { job: 'kube-state-metrics-telemetry', resource: 'pods', result: 'error' }, '0x30'), s('kube_state_metrics_list_total', { job: 'kube-state-metrics-telemetry', resource: 'pods', result: 'success' }, '0+90x30')],
    labels: ['cluster'],
  },
  {
    alert: 'BlackboxExporterConfigReloadFailed',
    at: '15m',
    firing: [s('blackbox_exporter_config_last_reload_successful', { job: 'blackbox-exporter', instance: 'bb:9115' }, '0x20')],
    healthy: [s('blackbox_exporter_config_last_reload_successful', { job: 'blackbox-exporter', instance: 'bb:9115' }, '1x20')],
    labels: ALL,
  },
  {
    alert: 'ReceiverNearRetentionSize',
    at: '35m',
    firing: [s('prometheus_tsdb_storage_blocks_bytes', RECEIVER, '90x40'), s('prometheus_tsdb_retention_limit_bytes', RECEIVER, '100x40')],
    healthy: [s('prometheus_tsdb_storage_blocks_bytes', RECEIVER, '10x40'), s('prometheus_tsdb_retention_limit_bytes', RECEIVER, '100x40')],
    labels: ALL,
  },
  {
    alert: 'ReceiverRuleEvaluationFailures',
    at: '25m',
    firing: [s('prometheus_rule_evaluation_failures_total', { ...RECEIVER, rule_group: 'k8smon.node' }, '0+60x30')],
    healthy: [s('prometheus_rule_evaluation_failures_total', { ...RECEIVER, rule_group: 'k8smon.node' }, '0x30')],
    labels: ['cluster', 'instance'],
  },
];
