/**
 * Default metric allow-lists, as metric_relabel_configs. Each keeps what
 * kubernetes-mixin's alerts and main dashboards, node-mixin and the field
 * notes' PromQL use (test/cardinality.test.ts checks that against real
 * payloads and reports how many series each list keeps). Per-request latency
 * histograms with URL or resource labels are left out: they dominate the
 * series count and only detail panels read them (add them with `keep`).
 */
import type { MetricsFilter } from '../../profile/types.js';
import type { RelabelConfig } from '../types.js';

export type AllowlistedJob =
  | 'kubelet'
  | 'cadvisor'
  | 'apiserver'
  | 'kubeStateMetrics'
  | 'nodeExporter'
  // The pipeline's own /metrics (self-monitoring.ts): what says remote_write is failing or a scrape is slow.
  | 'agent'
  | 'kubeStateMetricsTelemetry'
  | 'blackboxExporter'
  | 'prometheus';

/** Every Go exporter's process health: restarts, CPU, memory, file descriptors. */
const PROCESS = ['process_(cpu_seconds_total|resident_memory_bytes|start_time_seconds|open_fds|max_fds)', 'go_goroutines'];

const ALLOWLISTS: Record<AllowlistedJob, string[]> = {
  kubelet: [
    'kubelet_(node_name|running_pods|running_containers|running_pod_count|running_container_count|evictions|node_config_error)',
    'kubelet_volume_stats_.+',
    'kubelet_(pod_start|pod_worker|pod_start_sli|cgroup_manager|pleg_relist)_duration_seconds_(bucket|sum|count)',
    'kubelet_pleg_relist_interval_seconds_bucket',
    'kubelet_runtime_operations_(total|errors_total)',
    'kubelet_certificate_manager_(client|server)_(ttl_seconds|expiration_renew_errors)',
    'kubelet_server_expiration_renew_errors',
    'storage_operation_(duration_seconds_count|errors_total)',
    'volume_manager_total_volumes',
    'rest_client_requests_total',
    'kubernetes_build_info',
    'process_(cpu_seconds_total|resident_memory_bytes|start_time_seconds)',
    'go_goroutines',
  ],
  cadvisor: [
    'container_cpu_(usage_seconds_total|cfs_periods_total|cfs_throttled_periods_total)',
    'container_memory_(working_set_bytes|rss|cache|swap|usage_bytes)',
    'container_spec_(cpu_quota|cpu_period|cpu_shares|memory_limit_bytes)',
    'container_network_(receive|transmit)_(bytes|packets|packets_dropped)_total',
    'container_fs_(reads|writes)(_bytes)?_total',
    'container_oom_events_total',
  ],
  apiserver: [
    'apiserver_request_total',
    // kubernetes-mixin's SLO rules read the SLI histogram; the plain one only as sum and count.
    'apiserver_request_duration_seconds_(sum|count)',
    'apiserver_request_sli_duration_seconds_(bucket|sum|count)',
    'apiserver_request_terminations_total',
    'apiserver_current_inflight_requests',
    'apiserver_storage_objects',
    'apiserver_resource_objects',
    'apiserver_client_certificate_expiration_seconds_(bucket|count)',
    'aggregator_unavailable_apiservice(_total)?',
    'apiserver_admission_webhook_rejection_count',
    'workqueue_(adds_total|depth)',
    'kubernetes_build_info',
    'process_(cpu_seconds_total|resident_memory_bytes|start_time_seconds)',
    'go_goroutines',
  ],
  kubeStateMetrics: [
    'kube_pod_(info|owner|labels|start_time|created|status_(phase|ready|reason|scheduled|unschedulable))',
    'kube_pod_container_(info|status_(waiting|waiting_reason|running|terminated|terminated_reason|last_terminated_reason|ready|restarts_total)|resource_(requests|limits))',
    'kube_pod_init_container_(info|status_(waiting|waiting_reason|running|terminated|terminated_reason|ready|restarts_total))',
    'kube_node_(info|labels|spec_taint|spec_unschedulable|status_(condition|allocatable|capacity))',
    'kube_(deployment|statefulset|daemonset|replicaset|job|cronjob)_.+',
    'kube_horizontalpodautoscaler_(info|metadata_generation|spec_.+|status_.+)',
    'kube_persistentvolumeclaim_(info|labels|access_mode|resource_requests_storage_bytes|status_phase)',
    'kube_persistentvolume_(info|labels|capacity_bytes|status_phase)',
    'kube_namespace_(status_phase|labels)',
    'kube_resourcequota',
    'kube_poddisruptionbudget_.+',
    'kube_service_(info|labels)',
    'kube_ingress_(info|path)',
    'kube_certificatesigningrequest_.+',
  ],
  nodeExporter: [
    'node_cpu_seconds_total',
    'node_load(1|5|15)',
    'node_memory_(MemTotal|MemAvailable|MemFree|Buffers|Cached|Slab|SwapTotal|SwapFree|Active|Inactive|Dirty|Writeback)_bytes',
    'node_vmstat_(pgmajfault|pgpgin|pgpgout|pswpin|pswpout|oom_kill)',
    'node_filesystem_(avail|size|free)_bytes',
    'node_filesystem_(files|files_free|readonly|device_error)',
    'node_disk_(read_bytes|written_bytes|reads_completed|writes_completed|io_time_seconds|io_time_weighted_seconds|read_time_seconds|write_time_seconds)_total',
    'node_disk_io_now',
    'node_network_(receive|transmit)_(bytes|packets|errs|drop)_total',
    'node_network_(up|mtu_bytes|info)',
    'node_nf_conntrack_entries(_limit)?',
    'node_filefd_(allocated|maximum)',
    'node_timex_(offset_seconds|sync_status|maxerror_seconds)',
    'node_time_seconds',
    'node_boot_time_seconds',
    'node_uname_info',
    'node_os_info',
    'node_context_switches_total',
    'node_intr_total',
    'node_procs_(running|blocked)',
    'node_pressure_(cpu|memory|io)_.+',
    'node_textfile_scrape_error',
    'node_exporter_build_info',
    'node_scrape_collector_success',
  ],
  // Prometheus in agent mode, grafana-agent, Alloy (they share Prometheus' remote_write, discovery and
  // scrape metrics) and prometheus-config-reloader.
  agent: [
    'prometheus_remote_storage_(samples|histograms|exemplars)_(in_total|total|failed_total|retried_total|dropped_total|pending)',
    'prometheus_remote_storage_(highest_timestamp_in_seconds|queue_highest_sent_timestamp_seconds|bytes_total|enqueue_retries_total|max_samples_per_send)',
    'prometheus_remote_storage_shards(_desired|_max|_min)?',
    'prometheus_remote_storage_sent_batch_duration_seconds_(bucket|sum|count)',
    'prometheus_wal_watcher_current_segment',
    'prometheus_tsdb_wal_(segment_current|corruptions_total|writes_failed_total|truncations_failed_total)',
    'prometheus_agent_(active_series|corruptions_total|samples_appended_total|out_of_order_samples_total)',
    'prometheus_sd_(discovered_targets|failed_configs|kubernetes_failures_total)',
    'prometheus_target_(scrape_pool_targets|scrape_pools_failed_total|sync_failed_total)',
    'prometheus_target_scrapes_(exceeded_sample_limit|exceeded_body_size_limit|sample_out_of_order|sample_out_of_bounds|sample_duplicate_timestamp)_total',
    'prometheus_target_(interval_length|sync_length)_seconds_(sum|count)',
    'prometheus_(build_info|ready|config_last_reload_successful|config_last_reload_success_timestamp_seconds)',
    'agent_(build_info|config_last_load_successful|wal_storage_active_series|wal_samples_appended_total)',
    'alloy_(build_info|config_last_load_successful|component_controller_running_components)',
    // k8smon's embedded agent: what has no Prometheus counterpart (discovery per resource, WAL size, requests, failed scrapes per job).
    'k8smon_agent_(build_info|discovery_(synced|failures_total|lists_total)|remote_write_requests_(total|failed_total|retried_total)|remote_write_samples_dropped_by_wal_total|scrapes_failed_total|wal_(bytes|segments))',
    'reloader_(reloads_total|reloads_failed_total|last_reload_successful|last_reload_success_timestamp_seconds|config_apply_operations_total|config_apply_operations_failed_total)',
    ...PROCESS,
  ],
  kubeStateMetricsTelemetry: [
    'kube_state_metrics_(build_info|list_total|watch_total|shard_ordinal|total_shards|last_config_reload_successful)',
    'http_request_duration_seconds_(sum|count)',
    ...PROCESS,
  ],
  blackboxExporter: [
    'blackbox_exporter_(build_info|config_last_reload_successful|config_last_reload_success_timestamp_seconds)',
    'blackbox_module_unknown_total',
    ...PROCESS,
  ],
  // The in-cluster receiver: samples in, what it holds against its retention, and its failures.
  prometheus: [
    'prometheus_tsdb_(head_series|head_samples_appended_total|storage_blocks_bytes|retention_limit_bytes|wal_storage_size_bytes|head_chunks_storage_size_bytes)',
    'prometheus_tsdb_(size_retentions_total|time_retentions_total|wal_corruptions_total|compactions_failed_total|head_truncations_failed_total|reloads_failures_total)',
    'prometheus_tsdb_(out_of_order_samples_total|out_of_bound_samples_total|too_old_samples_total|lowest_timestamp_seconds)',
    'prometheus_remote_storage_(samples|histograms|exemplars)_in_total',
    'prometheus_http_requests_total',
    'prometheus_(build_info|ready|config_last_reload_successful)',
    // It evaluates k8smon's rules: failed and missed evaluations.
    'prometheus_rule_(evaluation_failures_total|group_iterations_missed_total)',
    ...PROCESS,
  ],
};

/** Kernel tunnel fallback devices present in every pod network namespace; always zero there. */
const POD_TUNNEL_DEVICES = 'tunl0|gre0|gretap0|erspan0|ip_vti0|ip6_vti0|sit0|ip6tnl0|ip6gre0';

export function allowlistRegex(job: AllowlistedJob): string {
  return ALLOWLISTS[job].join('|');
}

/** metric_relabel_configs for a job: its allow-list (unless turned off), extra keeps, drops. */
export function metricRelabelConfigs(job: AllowlistedJob, filter: MetricsFilter): RelabelConfig[] {
  const rules: RelabelConfig[] = [];
  if (filter.allowlist) {
    rules.push({ source_labels: ['__name__'], action: 'keep', regex: [allowlistRegex(job), ...filter.keep].join('|') });
  }
  if (filter.drop.length > 0) rules.push({ source_labels: ['__name__'], action: 'drop', regex: filter.drop.join('|') });
  if (job === 'cadvisor') rules.push(...CADVISOR_NOISE);
  return rules;
}

/**
 * cAdvisor series that carry no per-container information, dropped even with
 * the allow-list off: cgroup-hierarchy series (no image), container-less
 * series other than the pod's network (which lives on the pause container,
 * with an image but no container name), per-pod tunnel fallback devices, and
 * the known high-cardinality families.
 */
const CADVISOR_NOISE: RelabelConfig[] = [
  { source_labels: ['__name__', 'image'], action: 'drop', regex: 'container_.*;' },
  // Network series belong to the pod: mark them, drop other container-less series, unmark.
  { source_labels: ['__name__'], regex: 'container_network_.+', target_label: '__tmp_pod_network', replacement: 'true' },
  { source_labels: ['__name__', 'container', '__tmp_pod_network'], action: 'drop', regex: 'container_.*;;' },
  { action: 'labeldrop', regex: '__tmp_pod_network' },
  { source_labels: ['__name__', 'interface'], action: 'drop', regex: `container_network_.+;(${POD_TUNNEL_DEVICES})` },
  {
    source_labels: ['__name__'],
    action: 'drop',
    regex: 'container_(network_tcp_usage_total|network_udp_usage_total|tasks_state|cpu_load_average_10s|blkio_device_usage_total|memory_failures_total)',
  },
];
