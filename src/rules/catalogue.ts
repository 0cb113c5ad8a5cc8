/**
 * The alerting and recording rules k8smon ships, written against the job names
 * and labels its own render produces: job="kubelet" with a metrics_path label
 * for each kubelet endpoint, job="apiserver", job="kube-state-metrics" (whose
 * namespace/pod labels describe the objects), job="node-exporter" with `node`
 * and `instance` = the node name, and `cluster` (the agents' external label).
 * Every aggregation keeps `cluster`, so one receiver can hold many clusters.
 *
 * A group is rendered only when every job its selectors name is scraped (see
 * select.ts), so a disabled component leaves no alert that can never fire, and
 * an alert never waits on a series nobody collects.
 */
import type { Profile } from '../profile/types.js';

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertDef {
  alert: string;
  expr: string;
  for?: string;
  severity: Severity;
  /** Extra labels (e.g. the burn-rate windows). */
  labels?: Record<string, string>;
  summary: string;
  description: string;
}

export interface RecordDef {
  record: string;
  expr: string;
}

export type RuleDef = AlertDef | RecordDef;

export interface GroupDef {
  name: string;
  interval?: string;
  /** Beyond the jobs: when the group applies (control-plane alerts only where the control plane is the user's). */
  when?: (profile: Profile) => boolean;
  rules: RuleDef[];
}

export function isAlert(rule: RuleDef): rule is AlertDef {
  return 'alert' in rule;
}

// The selectors of the jobs k8smon renders.
const KSM = 'job="kube-state-metrics"';
const KUBELET = 'job="kubelet",metrics_path="/metrics"';
const CADVISOR = 'job="kubelet",metrics_path="/metrics/cadvisor"';
const NODE = 'job="node-exporter"';
const API = 'job="apiserver"';
const PROBES = 'job=~"kubernetes-services|kubernetes-ingresses"';
const AGENT = 'job=~"k8smon-agent-(node|cluster)"';
/** Filesystems worth alerting on: not the in-memory and image-layer ones. */
const REAL_FS = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.lxcfs"';

/** The apiserver's availability objective: 99% of requests answered without a 5xx and fast enough. */
export const APISERVER_SLO = 0.99;
const API_VERBS = 'verb=~"LIST|GET|POST|PUT|PATCH|DELETE"';
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/**
 * Share of apiserver requests over `w` that failed the objective: answered
 * with a 5xx, or slower than the SLI's threshold (writes and single-object
 * reads 1s, namespace lists 5s, cluster-wide lists 30s). Each part falls back
 * to 0 per cluster so that "no 5xx at all" does not empty the sum.
 */
function apiserverBadRatio(w: string): string {
  const total = `sum by (cluster) (rate(apiserver_request_total{${API},${API_VERBS}}[${w}]))`;
  const zero = `0 * ${total}`;
  const sli = (m: string): string => `rate(apiserver_request_sli_duration_seconds_bucket{${API},${m}}[${w}])`;
  const fast = [
    sli('verb=~"POST|PUT|PATCH|DELETE",le="1"'),
    sli('verb=~"LIST|GET",scope=~"resource|",le="1"'),
    sli('verb=~"LIST|GET",scope="namespace",le="5"'),
    sli('verb=~"LIST|GET",scope="cluster",le="30"'),
  ].join(' or ');
  const errors = `(sum by (cluster) (rate(apiserver_request_total{${API},${API_VERBS},code=~"5.."}[${w}])) or ${zero})`;
  const counted = `sum by (cluster) (rate(apiserver_request_sli_duration_seconds_count{${API},${API_VERBS}}[${w}]))`;
  const slow = `(${counted} - (sum by (cluster) (${fast}) or 0 * ${counted}))`;
  return `(${errors} + ${slow}) / ${total}`;
}

const burn = (w: string): string => `cluster:apiserver_request_bad:ratio_rate${w}`;

/** Multiwindow burn-rate pairs: a long window says the budget burns, a short one that it still does. */
const BURN_ALERTS: { long: string; short: string; factor: number; for: string; severity: Severity }[] = [
  { long: '1h', short: '5m', factor: 14.4, for: '2m', severity: 'critical' },
  { long: '6h', short: '30m', factor: 6, for: '15m', severity: 'critical' },
  { long: '1d', short: '2h', factor: 3, for: '1h', severity: 'warning' },
  { long: '3d', short: '6h', factor: 1, for: '3h', severity: 'warning' },
];

/** A cluster whose kubelets report, but where no target of `jobs` is up. */
function noneUp(jobMatcher: string): string {
  return `count by (cluster) (up{${KUBELET}}) unless on (cluster) (sum by (cluster) (up{${jobMatcher}}) > 0)`;
}

export const RULE_GROUPS: GroupDef[] = [
  {
    name: 'k8smon.node.recording',
    rules: [
      {
        record: 'instance:node_cpu_busy:ratio_rate5m',
        expr: `1 - avg by (cluster, instance) (rate(node_cpu_seconds_total{${NODE},mode=~"idle|iowait|steal"}[5m]))`,
      },
      {
        record: 'instance:node_memory_used:ratio',
        expr: `1 - node_memory_MemAvailable_bytes{${NODE}} / node_memory_MemTotal_bytes{${NODE}}`,
      },
    ],
  },
  {
    name: 'k8smon.node',
    rules: [
      {
        alert: 'NodeFilesystemAlmostFull',
        expr: `(node_filesystem_avail_bytes{${NODE},${REAL_FS}} / node_filesystem_size_bytes{${NODE},${REAL_FS}} < 0.10) and on (cluster, instance, device, mountpoint) node_filesystem_readonly{${NODE},${REAL_FS}} == 0`,
        for: '30m',
        severity: 'warning',
        summary: 'A node filesystem has less than 10% space left.',
        description: 'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on node {{ $labels.instance }} in cluster {{ $labels.cluster }} has {{ $value | humanizePercentage }} space left.',
      },
      {
        alert: 'NodeFilesystemFillingUp',
        expr: `(node_filesystem_avail_bytes{${NODE},${REAL_FS}} / node_filesystem_size_bytes{${NODE},${REAL_FS}} < 0.40) and on (cluster, instance, device, mountpoint) predict_linear(node_filesystem_avail_bytes{${NODE},${REAL_FS}}[6h], 24 * 3600) < 0 and on (cluster, instance, device, mountpoint) node_filesystem_readonly{${NODE},${REAL_FS}} == 0`,
        for: '1h',
        severity: 'warning',
        summary: 'A node filesystem will be full within a day at its current rate.',
        description: 'Filesystem {{ $labels.mountpoint }} on node {{ $labels.instance }} in cluster {{ $labels.cluster }} has {{ $value | humanizePercentage }} space left and is filling up.',
      },
      {
        alert: 'NodeMemoryAlmostExhausted',
        expr: `instance:node_memory_used:ratio > 0.95`,
        for: '15m',
        severity: 'warning',
        summary: 'A node has less than 5% memory available.',
        description: 'Node {{ $labels.instance }} in cluster {{ $labels.cluster }} uses {{ $value | humanizePercentage }} of its memory; the kernel will soon reclaim or kill.',
      },
      {
        alert: 'NodeClockNotSynchronised',
        expr: `min_over_time(node_timex_sync_status{${NODE}}[5m]) == 0 and on (cluster, instance) node_timex_maxerror_seconds{${NODE}} >= 16`,
        for: '10m',
        severity: 'warning',
        summary: 'A node clock is not synchronised.',
        description: 'The clock of node {{ $labels.instance }} in cluster {{ $labels.cluster }} is not synchronised to NTP; certificates and leases depend on it.',
      },
      {
        alert: 'NodeNotReady',
        expr: `kube_node_status_condition{${KSM},condition="Ready",status="true"} == 0`,
        for: '15m',
        severity: 'warning',
        summary: 'A node is not Ready.',
        description: 'Node {{ $labels.node }} in cluster {{ $labels.cluster }} has not been Ready for 15 minutes.',
      },
    ],
  },
  {
    name: 'k8smon.pods.recording',
    rules: [
      {
        record: 'namespace_pod_container:container_cpu_usage_seconds:rate5m',
        expr: `sum by (cluster, namespace, pod, container) (rate(container_cpu_usage_seconds_total{${CADVISOR},container!=""}[5m]))`,
      },
      {
        record: 'namespace_pod_container:container_memory_working_set_bytes:max',
        expr: `max by (cluster, namespace, pod, container) (container_memory_working_set_bytes{${CADVISOR},container!=""})`,
      },
      {
        record: 'namespace:container_cpu_usage_seconds:sum_rate5m',
        expr: 'sum by (cluster, namespace) (namespace_pod_container:container_cpu_usage_seconds:rate5m)',
      },
      {
        record: 'namespace:container_memory_working_set_bytes:sum',
        expr: 'sum by (cluster, namespace) (namespace_pod_container:container_memory_working_set_bytes:max)',
      },
      // The workload a pod belongs to: its ReplicaSet's Deployment, or its direct owner.
      {
        record: 'namespace_workload_pod:kube_pod_owner:relabel',
        expr: `max by (cluster, namespace, pod, workload, workload_type) (label_replace(kube_pod_owner{${KSM},owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)") * on (cluster, namespace, replicaset) group_left (workload, workload_type) max by (cluster, namespace, replicaset, workload, workload_type) (label_replace(label_replace(kube_replicaset_owner{${KSM},owner_kind="Deployment"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "Deployment", "", ""))) or max by (cluster, namespace, pod, workload, workload_type) (label_replace(label_replace(kube_pod_owner{${KSM},owner_kind=~"DaemonSet|StatefulSet|Job"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "$1", "owner_kind", "(.*)"))`,
      },
    ],
  },
  {
    name: 'k8smon.pods',
    rules: [
      {
        alert: 'PodCrashLooping',
        expr: `max_over_time(kube_pod_container_status_waiting_reason{${KSM},reason="CrashLoopBackOff"}[5m]) >= 1`,
        for: '15m',
        severity: 'warning',
        summary: 'A container keeps crashing.',
        description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} in cluster {{ $labels.cluster }} has been in CrashLoopBackOff for 15 minutes.',
      },
      {
        alert: 'PodNotRunning',
        expr: `sum by (cluster, namespace, pod) (kube_pod_status_phase{${KSM},phase=~"Pending|Unknown|Failed"}) * on (cluster, namespace, pod) group_left () max by (cluster, namespace, pod) (kube_pod_owner{${KSM},owner_kind!="Job"}) > 0`,
        for: '15m',
        severity: 'warning',
        summary: 'A pod has not been running for 15 minutes.',
        description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} in cluster {{ $labels.cluster }} is Pending, Failed or Unknown.',
      },
      {
        alert: 'ContainerOOMKilled',
        expr: `increase(kube_pod_container_status_restarts_total{${KSM}}[15m]) > 0 and on (cluster, namespace, pod, container) kube_pod_container_status_last_terminated_reason{${KSM},reason="OOMKilled"} == 1`,
        severity: 'warning',
        summary: 'A container was killed for running out of memory.',
        description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} in cluster {{ $labels.cluster }} restarted after an OOM kill; raise its memory limit or find the leak.',
      },
      {
        alert: 'ContainerMemoryNearLimit',
        expr: `max by (cluster, namespace, pod, container) (container_memory_working_set_bytes{${CADVISOR},container!=""}) / max by (cluster, namespace, pod, container) (container_spec_memory_limit_bytes{${CADVISOR},container!=""} > 0) > 0.9`,
        for: '15m',
        severity: 'warning',
        summary: 'A container uses more than 90% of its memory limit.',
        description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} in cluster {{ $labels.cluster }} uses {{ $value | humanizePercentage }} of its memory limit; it will be OOM-killed at 100%.',
      },
      {
        alert: 'ContainerCPUThrottled',
        expr: `sum by (cluster, namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{${CADVISOR},container!=""}[5m])) / sum by (cluster, namespace, pod, container) (rate(container_cpu_cfs_periods_total{${CADVISOR},container!=""}[5m])) > 0.5`,
        for: '15m',
        severity: 'info',
        summary: 'A container is CPU-throttled in more than half of its periods.',
        description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} in cluster {{ $labels.cluster }} was throttled in {{ $value | humanizePercentage }} of its CFS periods.',
      },
    ],
  },
  {
    name: 'k8smon.workloads',
    rules: [
      {
        alert: 'DeploymentReplicasMismatch',
        expr: `(kube_deployment_spec_replicas{${KSM}} > kube_deployment_status_replicas_available{${KSM}}) and on (cluster, namespace, deployment) changes(kube_deployment_status_replicas_updated{${KSM}}[10m]) == 0`,
        for: '15m',
        severity: 'warning',
        summary: 'A Deployment has fewer available replicas than it asks for.',
        description: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} in cluster {{ $labels.cluster }} has been short of available replicas for 15 minutes.',
      },
      {
        alert: 'DeploymentGenerationMismatch',
        expr: `kube_deployment_status_observed_generation{${KSM}} != kube_deployment_metadata_generation{${KSM}}`,
        for: '15m',
        severity: 'warning',
        summary: 'A Deployment change has not been acted on.',
        description: 'The controller has not observed the latest spec of Deployment {{ $labels.namespace }}/{{ $labels.deployment }} in cluster {{ $labels.cluster }} for 15 minutes.',
      },
      {
        alert: 'StatefulSetReplicasMismatch',
        expr: `(kube_statefulset_status_replicas_ready{${KSM}} != kube_statefulset_replicas{${KSM}}) and on (cluster, namespace, statefulset) changes(kube_statefulset_status_replicas_updated{${KSM}}[10m]) == 0`,
        for: '15m',
        severity: 'warning',
        summary: 'A StatefulSet has not got the ready replicas it asks for.',
        description: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} in cluster {{ $labels.cluster }} has had {{ $value }} ready replicas, not the desired number, for 15 minutes.',
      },
      {
        alert: 'DaemonSetNotScheduled',
        expr: `kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_current_number_scheduled{${KSM}} > 0`,
        for: '10m',
        severity: 'warning',
        summary: 'A DaemonSet is missing pods on some nodes.',
        description: '{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} in cluster {{ $labels.cluster }} are not scheduled.',
      },
      {
        alert: 'DaemonSetPodsUnavailable',
        expr: `kube_daemonset_status_number_unavailable{${KSM}} > 0 and on (cluster, namespace, daemonset) changes(kube_daemonset_status_updated_number_scheduled{${KSM}}[10m]) == 0`,
        for: '15m',
        severity: 'warning',
        summary: 'Pods of a DaemonSet are unavailable.',
        description: '{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} in cluster {{ $labels.cluster }} have been unavailable for 15 minutes, outside a rollout.',
      },
      {
        alert: 'JobFailed',
        expr: `kube_job_status_failed{${KSM}} > 0`,
        for: '5m',
        severity: 'warning',
        summary: 'A Job has failed pods.',
        description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} in cluster {{ $labels.cluster }} has {{ $value }} failed pods. Delete the Job to clear the alert.',
      },
      {
        alert: 'JobRunningTooLong',
        expr: `time() - max by (cluster, namespace, job_name) (kube_job_status_start_time{${KSM}}) > 12 * 3600 and on (cluster, namespace, job_name) max by (cluster, namespace, job_name) (kube_job_status_active{${KSM}}) > 0`,
        severity: 'warning',
        summary: 'A Job has been running for more than 12 hours.',
        description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} in cluster {{ $labels.cluster }} started {{ $value | humanizeDuration }} ago and is still active.',
      },
      {
        alert: 'HPAMaxedOut',
        expr: `kube_horizontalpodautoscaler_status_current_replicas{${KSM}} == on (cluster, namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${KSM}} and on (cluster, namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${KSM}} > on (cluster, namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_min_replicas{${KSM}}`,
        for: '15m',
        severity: 'info',
        summary: 'An autoscaler has been at its maximum replicas for 15 minutes.',
        description: 'HorizontalPodAutoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} in cluster {{ $labels.cluster }} runs at its maximum of {{ $value }} replicas.',
      },
      {
        alert: 'HPAReplicasMismatch',
        expr: `kube_horizontalpodautoscaler_status_desired_replicas{${KSM}} != on (cluster, namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_status_current_replicas{${KSM}}`,
        for: '15m',
        severity: 'warning',
        summary: 'An autoscaler has not reached the replicas it wants.',
        description: 'HorizontalPodAutoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} in cluster {{ $labels.cluster }} wants {{ $value }} replicas and has had another number for 15 minutes.',
      },
    ],
  },
  {
    name: 'k8smon.kubelet',
    rules: [
      {
        alert: 'KubeletTooManyPods',
        expr: `max by (cluster, node) (kubelet_running_pods{${KUBELET}}) / on (cluster, node) max by (cluster, node) (kube_node_status_capacity{${KSM},resource="pods"}) > 0.95`,
        for: '15m',
        severity: 'info',
        summary: 'A node runs close to its pod capacity.',
        description: 'Node {{ $labels.node }} in cluster {{ $labels.cluster }} runs {{ $value | humanizePercentage }} of the pods it can hold.',
      },
      {
        alert: 'KubeletPLEGSlow',
        expr: `histogram_quantile(0.99, sum by (cluster, node, le) (rate(kubelet_pleg_relist_duration_seconds_bucket{${KUBELET}}[5m]))) >= 10`,
        for: '5m',
        severity: 'warning',
        summary: "A kubelet's pod lifecycle event generator is slow.",
        description: 'The 99th percentile PLEG relist on node {{ $labels.node }} in cluster {{ $labels.cluster }} takes {{ $value | humanizeDuration }}; the node may turn NotReady.',
      },
      {
        alert: 'KubeletClientCertificateExpiring',
        expr: `kubelet_certificate_manager_client_ttl_seconds{${KUBELET}} < 7 * 86400`,
        severity: 'warning',
        summary: "A kubelet's client certificate expires within a week.",
        description: 'The client certificate of the kubelet on node {{ $labels.node }} in cluster {{ $labels.cluster }} expires in {{ $value | humanizeDuration }} and has not been renewed.',
      },
      {
        alert: 'KubeletRuntimeErrors',
        expr: `sum by (cluster, node, operation_type) (rate(kubelet_runtime_operations_errors_total{${KUBELET}}[5m])) > 0.1`,
        for: '15m',
        severity: 'warning',
        summary: 'A kubelet gets errors from the container runtime.',
        description: 'Container runtime {{ $labels.operation_type }} operations fail {{ $value | humanize }} times a second on node {{ $labels.node }} in cluster {{ $labels.cluster }}.',
      },
    ],
  },
  {
    name: 'k8smon.apiserver.burnrate',
    rules: BURN_WINDOWS.map((w) => ({ record: burn(w), expr: apiserverBadRatio(w) })),
  },
  {
    name: 'k8smon.apiserver',
    rules: [
      ...BURN_ALERTS.map(
        (b): AlertDef => ({
          alert: 'ApiServerErrorBudgetBurn',
          expr: `${burn(b.long)} > (${b.factor} * ${(1 - APISERVER_SLO).toFixed(2)}) and on (cluster) ${burn(b.short)} > (${b.factor} * ${(1 - APISERVER_SLO).toFixed(2)})`,
          for: b.for,
          severity: b.severity,
          labels: { long: b.long, short: b.short },
          summary: 'The API server burns its error budget too fast.',
          description: `In cluster {{ $labels.cluster }}, {{ $value | humanizePercentage }} of API requests over the last ${b.long} failed or were too slow: at this rate the ${((1 - APISERVER_SLO) * 100).toFixed(0)}% error budget of 30 days lasts ${Math.round(30 / b.factor)} days.`,
        }),
      ),
      {
        alert: 'ApiServerClientCertificateExpiring',
        expr: `histogram_quantile(0.01, sum by (cluster, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{${API}}[5m]))) < 7 * 86400 and on (cluster) sum by (cluster) (rate(apiserver_client_certificate_expiration_seconds_count{${API}}[5m])) > 0`,
        severity: 'warning',
        summary: 'Clients call the API server with certificates that expire within a week.',
        description: 'In cluster {{ $labels.cluster }}, client certificates used against the API server expire in {{ $value | humanizeDuration }}.',
      },
      {
        alert: 'AggregatedAPIUnavailable',
        expr: `max by (cluster, name, namespace) (max_over_time(aggregator_unavailable_apiservice{${API}}[5m])) == 1`,
        for: '10m',
        severity: 'warning',
        summary: 'An aggregated API is unavailable.',
        description: 'APIService {{ $labels.name }} in cluster {{ $labels.cluster }} has been unavailable for 10 minutes; kubectl and controllers that use it fail.',
      },
    ],
  },
  {
    name: 'k8smon.control-plane',
    when: (p) => p.cluster.controlPlane === 'self-hosted',
    rules: [
      {
        alert: 'KubeSchedulerDown',
        expr: noneUp('job="kube-scheduler"'),
        for: '15m',
        severity: 'critical',
        summary: 'No kube-scheduler is up.',
        description: 'No kube-scheduler target of cluster {{ $labels.cluster }} has been up for 15 minutes: new pods are not placed.',
      },
      {
        alert: 'KubeControllerManagerDown',
        expr: noneUp('job="kube-controller-manager"'),
        for: '15m',
        severity: 'critical',
        summary: 'No kube-controller-manager is up.',
        description: 'No kube-controller-manager target of cluster {{ $labels.cluster }} has been up for 15 minutes: Deployments, nodes and endpoints are not reconciled.',
      },
      {
        alert: 'EtcdNoLeader',
        expr: 'etcd_server_has_leader{job="etcd"} == 0',
        for: '1m',
        severity: 'critical',
        summary: 'An etcd member has no leader.',
        description: 'etcd on node {{ $labels.node }} in cluster {{ $labels.cluster }} has no leader; the API server cannot write.',
      },
      {
        alert: 'EtcdSlowFsync',
        expr: 'histogram_quantile(0.99, sum by (cluster, node, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd"}[5m]))) > 0.5',
        for: '10m',
        severity: 'warning',
        summary: "etcd's disk is slow.",
        description: 'The 99th percentile WAL fsync of etcd on node {{ $labels.node }} in cluster {{ $labels.cluster }} takes {{ $value | humanizeDuration }}.',
      },
      {
        alert: 'EtcdDatabaseNearQuota',
        expr: 'etcd_mvcc_db_total_size_in_bytes{job="etcd"} / etcd_server_quota_backend_bytes{job="etcd"} > 0.8',
        for: '10m',
        severity: 'warning',
        summary: "etcd's database is near its size quota.",
        description: 'The etcd database on node {{ $labels.node }} in cluster {{ $labels.cluster }} uses {{ $value | humanizePercentage }} of its quota; at 100% etcd refuses writes.',
      },
    ],
  },
  {
    name: 'k8smon.storage',
    rules: [
      {
        alert: 'PersistentVolumeFillingUp',
        expr: `kubelet_volume_stats_available_bytes{${KUBELET}} / kubelet_volume_stats_capacity_bytes{${KUBELET}} < 0.15 and on (cluster, namespace, persistentvolumeclaim) predict_linear(kubelet_volume_stats_available_bytes{${KUBELET}}[6h], 4 * 86400) < 0`,
        for: '1h',
        severity: 'warning',
        summary: 'A persistent volume will be full within four days.',
        description: 'Volume claimed by {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} in cluster {{ $labels.cluster }} has {{ $value | humanizePercentage }} space left and is filling up.',
      },
      {
        alert: 'PersistentVolumeAlmostFull',
        expr: `kubelet_volume_stats_available_bytes{${KUBELET}} / kubelet_volume_stats_capacity_bytes{${KUBELET}} < 0.03`,
        for: '5m',
        severity: 'critical',
        summary: 'A persistent volume has less than 3% space left.',
        description: 'Volume claimed by {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} in cluster {{ $labels.cluster }} has {{ $value | humanizePercentage }} space left.',
      },
      {
        alert: 'PersistentVolumeErrors',
        expr: `kube_persistentvolume_status_phase{${KSM},phase=~"Failed|Pending"} > 0`,
        for: '5m',
        severity: 'warning',
        summary: 'A persistent volume is Failed or Pending.',
        description: 'PersistentVolume {{ $labels.persistentvolume }} in cluster {{ $labels.cluster }} is {{ $labels.phase }}.',
      },
    ],
  },
  {
    name: 'k8smon.dns',
    rules: [
      {
        alert: 'ClusterDNSDown',
        expr: noneUp('job=~"coredns|kube-dns"'),
        for: '5m',
        severity: 'critical',
        summary: 'No cluster DNS server is up.',
        description: 'No CoreDNS or kube-dns target of cluster {{ $labels.cluster }} has been up for 5 minutes: in-cluster name resolution fails.',
      },
    ],
  },
  {
    name: 'k8smon.coredns',
    rules: [
      {
        alert: 'CoreDNSServfailHigh',
        expr: 'sum by (cluster) (rate(coredns_dns_responses_total{job="coredns",rcode="SERVFAIL"}[5m])) / sum by (cluster) (rate(coredns_dns_responses_total{job="coredns"}[5m])) > 0.03',
        for: '10m',
        severity: 'warning',
        summary: 'CoreDNS answers more than 3% of queries with SERVFAIL.',
        description: 'In cluster {{ $labels.cluster }}, {{ $value | humanizePercentage }} of CoreDNS responses are SERVFAIL; check its upstream resolvers.',
      },
      {
        alert: 'CoreDNSLatencyHigh',
        expr: 'histogram_quantile(0.99, sum by (cluster, le) (rate(coredns_dns_request_duration_seconds_bucket{job="coredns"}[5m]))) > 1',
        for: '10m',
        severity: 'warning',
        summary: 'CoreDNS is slow.',
        description: 'The 99th percentile CoreDNS response in cluster {{ $labels.cluster }} takes {{ $value | humanizeDuration }}.',
      },
    ],
  },
  {
    name: 'k8smon.probes',
    rules: [
      {
        alert: 'ProbeFailing',
        expr: `probe_success{${PROBES}} == 0`,
        for: '5m',
        severity: 'warning',
        summary: 'A blackbox probe fails.',
        description: 'The probe of {{ $labels.instance }} ({{ $labels.namespace }}) in cluster {{ $labels.cluster }} has failed for 5 minutes.',
      },
      {
        alert: 'ProbeSlow',
        expr: `avg_over_time(probe_duration_seconds{${PROBES}}[10m]) > 2`,
        for: '10m',
        severity: 'info',
        summary: 'A blackbox probe is slow.',
        description: 'Probing {{ $labels.instance }} ({{ $labels.namespace }}) in cluster {{ $labels.cluster }} takes {{ $value | humanizeDuration }} on average.',
      },
      {
        alert: 'ProbeCertificateExpiring',
        expr: `probe_ssl_earliest_cert_expiry{${PROBES}} - time() < 14 * 86400`,
        for: '1h',
        severity: 'warning',
        summary: 'A probed TLS certificate expires within two weeks.',
        description: 'The certificate served at {{ $labels.instance }} in cluster {{ $labels.cluster }} expires in {{ $value | humanizeDuration }}.',
      },
    ],
  },
  {
    name: 'k8smon.pipeline',
    rules: [
      {
        alert: 'TargetDown',
        expr: 'count by (cluster, job) (up{job!=""} == 0) / count by (cluster, job) (up{job!=""}) > 0.1',
        for: '15m',
        severity: 'warning',
        summary: 'Targets of a job are down.',
        description: '{{ $value | humanizePercentage }} of the {{ $labels.job }} targets in cluster {{ $labels.cluster }} are down.',
      },
    ],
  },
  {
    name: 'k8smon.agents',
    rules: [
      {
        alert: 'AgentsNotSending',
        expr: `count by (cluster) (max_over_time(up{${AGENT}}[3h])) unless on (cluster) count by (cluster) (up{${AGENT}})`,
        for: '10m',
        severity: 'critical',
        summary: "No series arrive from a cluster's agents.",
        description: 'The k8smon agents of cluster {{ $labels.cluster }} sent their own series within the last 3 hours and nothing now: the pipeline is broken (agents gone, network, or credentials).',
      },
      {
        alert: 'RemoteWriteFailing',
        expr: `sum by (cluster, instance, remote_name, url) (rate(prometheus_remote_storage_samples_failed_total{${AGENT}}[5m])) > 0`,
        for: '15m',
        severity: 'warning',
        summary: 'An agent fails to send samples.',
        description: 'Agent {{ $labels.instance }} of cluster {{ $labels.cluster }} fails to send {{ $value | humanize }} samples a second to {{ $labels.url }}.',
      },
      {
        alert: 'RemoteWriteBehind',
        expr: `max by (cluster, instance) (prometheus_remote_storage_highest_timestamp_in_seconds{${AGENT}}) - on (cluster, instance) group_right () max by (cluster, instance, remote_name, url) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${AGENT}}) > 120`,
        for: '15m',
        severity: 'warning',
        summary: 'An agent sends samples more than two minutes late.',
        description: 'Agent {{ $labels.instance }} of cluster {{ $labels.cluster }} is {{ $value | humanizeDuration }} behind sending to {{ $labels.url }}: the receiver is slow or refuses, and the backlog grows.',
      },
      {
        alert: 'KubeStateMetricsListErrors',
        expr: 'sum by (cluster) (rate(kube_state_metrics_list_total{job="kube-state-metrics-telemetry",result="error"}[5m])) / sum by (cluster) (rate(kube_state_metrics_list_total{job="kube-state-metrics-telemetry"}[5m])) > 0.01',
        for: '15m',
        severity: 'warning',
        summary: 'kube-state-metrics cannot list some objects.',
        description: 'In cluster {{ $labels.cluster }}, {{ $value | humanizePercentage }} of kube-state-metrics list calls fail: its RBAC or the API server refuses; object metrics are incomplete.',
      },
      {
        alert: 'BlackboxExporterConfigReloadFailed',
        expr: 'blackbox_exporter_config_last_reload_successful{job="blackbox-exporter"} == 0',
        for: '10m',
        severity: 'warning',
        summary: 'blackbox-exporter could not load its modules.',
        description: 'blackbox-exporter {{ $labels.instance }} of cluster {{ $labels.cluster }} failed to reload its configuration; probes use the previous modules.',
      },
    ],
  },
  {
    name: 'k8smon.receiver',
    rules: [
      {
        alert: 'ReceiverNearRetentionSize',
        expr: 'prometheus_tsdb_storage_blocks_bytes{job="prometheus"} / (prometheus_tsdb_retention_limit_bytes{job="prometheus"} > 0) > 0.8',
        for: '30m',
        severity: 'warning',
        summary: 'The in-cluster Prometheus is near its retention size.',
        description: 'The in-cluster Prometheus of cluster {{ $labels.cluster }} holds {{ $value | humanizePercentage }} of localPrometheus.retentionSize; past it the oldest data is deleted before localPrometheus.retention.',
      },
      {
        alert: 'ReceiverRuleEvaluationFailures',
        expr: 'sum by (cluster, instance) (rate(prometheus_rule_evaluation_failures_total{job="prometheus"}[5m])) > 0',
        for: '15m',
        severity: 'warning',
        summary: 'The in-cluster Prometheus fails to evaluate rules.',
        description: 'The in-cluster Prometheus of cluster {{ $labels.cluster }} fails {{ $value | humanize }} rule evaluations a second; some alerts cannot fire.',
      },
    ],
  },
];
