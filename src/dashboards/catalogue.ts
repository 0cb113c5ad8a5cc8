/**
 * The dashboards k8smon ships, written against the job names and labels its
 * render produces (the same as the rules, src/rules/catalogue.ts). Panels read
 * raw series only, never recorded ones, so they work whether or not the rules
 * are evaluated where the data lands. A panel whose jobs are not scraped is
 * left out of the render (see index.ts).
 */
import type { DashboardDef } from './build.js';

const C = 'cluster="$cluster"';
const KSM = `job="kube-state-metrics",${C}`;
const KUBELET = `job="kubelet",metrics_path="/metrics",${C}`;
const CADVISOR = `job="kubelet",metrics_path="/metrics/cadvisor",${C}`;
const NODE = `job="node-exporter",${C}`;
const API = `job="apiserver",${C}`;
const AGENT = `job=~"k8smon-agent-(node|cluster)",${C}`;
const RECEIVER = `job="prometheus",${C}`;
const REAL_FS = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.lxcfs"';
const RATE = '[$__rate_interval]';

export const DASHBOARDS: DashboardDef[] = [
  {
    name: 'cluster',
    title: 'k8smon / Cluster',
    description: 'Nodes, pods and resource use of one cluster, by namespace.',
    rows: [
      {
        title: 'Overview',
        panels: [
          { title: 'Nodes', type: 'stat', width: 6, expr: `count(kube_node_info{${KSM}})` },
          { title: 'Nodes not Ready', type: 'stat', width: 6, expr: `count(kube_node_status_condition{${KSM},condition="Ready",status="true"} == 0) or vector(0)` },
          { title: 'Pods running', type: 'stat', width: 6, expr: `sum(kube_pod_status_phase{${KSM},phase="Running"})` },
          { title: 'Pods not running', type: 'stat', width: 6, expr: `sum(kube_pod_status_phase{${KSM},phase=~"Pending|Failed|Unknown"})` },
        ],
      },
      {
        title: 'CPU',
        panels: [
          { title: 'CPU used by namespace', unit: 'short', legend: '{{namespace}}', expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{${CADVISOR},container!=""}${RATE}))` },
          {
            title: 'CPU used and requested, of allocatable',
            unit: 'percentunit',
            legend: ['used', 'requested'],
            expr: [
              `sum(rate(container_cpu_usage_seconds_total{${CADVISOR},container!=""}${RATE})) / sum(kube_node_status_allocatable{${KSM},resource="cpu"})`,
              `sum(kube_pod_container_resource_requests{${KSM},resource="cpu"}) / sum(kube_node_status_allocatable{${KSM},resource="cpu"})`,
            ],
          },
        ],
      },
      {
        title: 'Memory',
        panels: [
          { title: 'Memory used by namespace', unit: 'bytes', legend: '{{namespace}}', expr: `sum by (namespace) (container_memory_working_set_bytes{${CADVISOR},container!=""})` },
          {
            title: 'Memory used and requested, of allocatable',
            unit: 'percentunit',
            legend: ['used', 'requested'],
            expr: [
              `sum(container_memory_working_set_bytes{${CADVISOR},container!=""}) / sum(kube_node_status_allocatable{${KSM},resource="memory"})`,
              `sum(kube_pod_container_resource_requests{${KSM},resource="memory"}) / sum(kube_node_status_allocatable{${KSM},resource="memory"})`,
            ],
          },
        ],
      },
      {
        title: 'Network',
        panels: [
          { title: 'Received by namespace', unit: 'Bps', legend: '{{namespace}}', expr: `sum by (namespace) (rate(container_network_receive_bytes_total{${CADVISOR}}${RATE}))` },
          { title: 'Sent by namespace', unit: 'Bps', legend: '{{namespace}}', expr: `sum by (namespace) (rate(container_network_transmit_bytes_total{${CADVISOR}}${RATE}))` },
        ],
      },
    ],
  },
  {
    name: 'node',
    title: 'k8smon / Node',
    description: 'One node: its CPU, memory, disks and network (node-exporter), and the pods on it (kubelet, cAdvisor).',
    variables: [{ name: 'node', label: 'Node', query: `label_values(up{${KUBELET}}, node)` }],
    rows: [
      {
        title: 'CPU and memory',
        panels: [
          { title: 'CPU busy', unit: 'percentunit', expr: `1 - avg(rate(node_cpu_seconds_total{${NODE},instance="$node",mode=~"idle|iowait|steal"}${RATE}))` },
          { title: 'Load', legend: ['1m', '5m', '15m'], expr: ['load1', 'load5', 'load15'].map((l) => `node_${l}{${NODE},instance="$node"}`) },
          { title: 'Memory used', unit: 'percentunit', expr: `1 - node_memory_MemAvailable_bytes{${NODE},instance="$node"} / node_memory_MemTotal_bytes{${NODE},instance="$node"}` },
          { title: 'Major page faults', unit: 'short', expr: `rate(node_vmstat_pgmajfault{${NODE},instance="$node"}${RATE})` },
        ],
      },
      {
        title: 'Disks',
        panels: [
          { title: 'Filesystem used', unit: 'percentunit', legend: '{{mountpoint}}', expr: `1 - node_filesystem_avail_bytes{${NODE},instance="$node",${REAL_FS}} / node_filesystem_size_bytes{${NODE},instance="$node",${REAL_FS}}` },
          {
            title: 'Disk throughput',
            unit: 'Bps',
            legend: ['{{device}} read', '{{device}} written'],
            expr: [`rate(node_disk_read_bytes_total{${NODE},instance="$node"}${RATE})`, `rate(node_disk_written_bytes_total{${NODE},instance="$node"}${RATE})`],
          },
        ],
      },
      {
        title: 'Network',
        panels: [
          {
            title: 'Network traffic',
            unit: 'Bps',
            legend: ['{{device}} received', '{{device}} sent'],
            expr: [
              `rate(node_network_receive_bytes_total{${NODE},instance="$node",device!~"lo|veth.+|cali.+|cilium.+|lxc.+"}${RATE})`,
              `rate(node_network_transmit_bytes_total{${NODE},instance="$node",device!~"lo|veth.+|cali.+|cilium.+|lxc.+"}${RATE})`,
            ],
          },
          { title: 'Network errors', unit: 'short', legend: '{{device}}', expr: `rate(node_network_receive_errs_total{${NODE},instance="$node"}${RATE}) + rate(node_network_transmit_errs_total{${NODE},instance="$node"}${RATE})` },
        ],
      },
      {
        title: 'Pods',
        panels: [
          { title: 'Running pods', expr: `kubelet_running_pods{${KUBELET},node="$node"}` },
          { title: 'CPU by pod', legend: '{{namespace}}/{{pod}}', expr: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${CADVISOR},node="$node",container!=""}${RATE}))` },
          { title: 'Memory by pod', unit: 'bytes', legend: '{{namespace}}/{{pod}}', expr: `sum by (namespace, pod) (container_memory_working_set_bytes{${CADVISOR},node="$node",container!=""})` },
        ],
      },
    ],
  },
  {
    name: 'namespace',
    title: 'k8smon / Namespace and workloads',
    description: 'One namespace: its Deployments, StatefulSets, DaemonSets, Jobs and autoscalers, and what their pods use.',
    variables: [{ name: 'namespace', label: 'Namespace', query: `label_values(kube_namespace_status_phase{${KSM}}, namespace)` }],
    rows: [
      {
        title: 'Workloads',
        panels: [
          { title: 'Deployments: available of desired', unit: 'percentunit', legend: '{{deployment}}', expr: `kube_deployment_status_replicas_available{${KSM},namespace="$namespace"} / kube_deployment_spec_replicas{${KSM},namespace="$namespace"}` },
          { title: 'StatefulSets: ready of desired', unit: 'percentunit', legend: '{{statefulset}}', expr: `kube_statefulset_status_replicas_ready{${KSM},namespace="$namespace"} / kube_statefulset_replicas{${KSM},namespace="$namespace"}` },
          { title: 'DaemonSets: unavailable pods', legend: '{{daemonset}}', expr: `kube_daemonset_status_number_unavailable{${KSM},namespace="$namespace"}` },
          { title: 'Jobs: failed pods', legend: '{{job_name}}', expr: `kube_job_status_failed{${KSM},namespace="$namespace"} > 0` },
          {
            title: 'Autoscalers: current and desired replicas',
            legend: ['{{horizontalpodautoscaler}} current', '{{horizontalpodautoscaler}} desired'],
            expr: [`kube_horizontalpodautoscaler_status_current_replicas{${KSM},namespace="$namespace"}`, `kube_horizontalpodautoscaler_status_desired_replicas{${KSM},namespace="$namespace"}`],
          },
          { title: 'Container restarts (1h)', legend: '{{pod}}/{{container}}', expr: `increase(kube_pod_container_status_restarts_total{${KSM},namespace="$namespace"}[1h]) > 0` },
        ],
      },
      {
        title: 'Resources',
        panels: [
          {
            title: 'CPU used and requested',
            legend: ['used', 'requested'],
            expr: [
              `sum(rate(container_cpu_usage_seconds_total{${CADVISOR},namespace="$namespace",container!=""}${RATE}))`,
              `sum(kube_pod_container_resource_requests{${KSM},namespace="$namespace",resource="cpu"})`,
            ],
          },
          {
            title: 'Memory used and requested',
            unit: 'bytes',
            legend: ['used', 'requested'],
            expr: [`sum(container_memory_working_set_bytes{${CADVISOR},namespace="$namespace",container!=""})`, `sum(kube_pod_container_resource_requests{${KSM},namespace="$namespace",resource="memory"})`],
          },
          { title: 'CPU by pod', legend: '{{pod}}', expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${CADVISOR},namespace="$namespace",container!=""}${RATE}))` },
          { title: 'Memory by pod', unit: 'bytes', legend: '{{pod}}', expr: `sum by (pod) (container_memory_working_set_bytes{${CADVISOR},namespace="$namespace",container!=""})` },
        ],
      },
    ],
  },
  {
    name: 'pod',
    title: 'k8smon / Pod',
    description: 'One pod: each container against its requests and limits, throttling, restarts and traffic.',
    variables: [
      { name: 'namespace', label: 'Namespace', query: `label_values(kube_pod_info{${KSM}}, namespace)` },
      { name: 'pod', label: 'Pod', query: `label_values(kube_pod_info{${KSM},namespace="$namespace"}, pod)` },
    ],
    rows: [
      {
        title: 'CPU',
        panels: [
          {
            title: 'CPU used, requested and limit',
            legend: ['{{container}} used', '{{container}} requested', '{{container}} limit'],
            expr: [
              `sum by (container) (rate(container_cpu_usage_seconds_total{${CADVISOR},namespace="$namespace",pod="$pod",container!=""}${RATE}))`,
              `sum by (container) (kube_pod_container_resource_requests{${KSM},namespace="$namespace",pod="$pod",resource="cpu"})`,
              `sum by (container) (kube_pod_container_resource_limits{${KSM},namespace="$namespace",pod="$pod",resource="cpu"})`,
            ],
          },
          {
            title: 'CPU throttled periods',
            unit: 'percentunit',
            legend: '{{container}}',
            expr: `sum by (container) (rate(container_cpu_cfs_throttled_periods_total{${CADVISOR},namespace="$namespace",pod="$pod",container!=""}${RATE})) / sum by (container) (rate(container_cpu_cfs_periods_total{${CADVISOR},namespace="$namespace",pod="$pod",container!=""}${RATE}))`,
          },
        ],
      },
      {
        title: 'Memory',
        panels: [
          {
            title: 'Memory used, requested and limit',
            unit: 'bytes',
            legend: ['{{container}} working set', '{{container}} requested', '{{container}} limit'],
            expr: [
              `sum by (container) (container_memory_working_set_bytes{${CADVISOR},namespace="$namespace",pod="$pod",container!=""})`,
              `sum by (container) (kube_pod_container_resource_requests{${KSM},namespace="$namespace",pod="$pod",resource="memory"})`,
              `sum by (container) (kube_pod_container_resource_limits{${KSM},namespace="$namespace",pod="$pod",resource="memory"})`,
            ],
          },
          { title: 'Restarts', legend: '{{container}}', expr: `kube_pod_container_status_restarts_total{${KSM},namespace="$namespace",pod="$pod"}` },
        ],
      },
      {
        title: 'Network and disk',
        panels: [
          {
            title: 'Network traffic',
            unit: 'Bps',
            legend: ['received', 'sent'],
            expr: [
              `sum(rate(container_network_receive_bytes_total{${CADVISOR},namespace="$namespace",pod="$pod"}${RATE}))`,
              `sum(rate(container_network_transmit_bytes_total{${CADVISOR},namespace="$namespace",pod="$pod"}${RATE}))`,
            ],
          },
          {
            title: 'Filesystem throughput',
            unit: 'Bps',
            legend: ['{{container}} read', '{{container}} written'],
            expr: [
              `sum by (container) (rate(container_fs_reads_bytes_total{${CADVISOR},namespace="$namespace",pod="$pod",container!=""}${RATE}))`,
              `sum by (container) (rate(container_fs_writes_bytes_total{${CADVISOR},namespace="$namespace",pod="$pod",container!=""}${RATE}))`,
            ],
          },
        ],
      },
    ],
  },
  {
    name: 'kubelet',
    title: 'k8smon / Kubelet',
    description: 'The kubelets: pods and containers they run, how fast they start them, their runtime and volumes.',
    rows: [
      {
        title: 'Pods',
        panels: [
          { title: 'Running pods', legend: '{{node}}', expr: `kubelet_running_pods{${KUBELET}}` },
          { title: 'Running containers', legend: '{{node}} {{container_state}}', expr: `kubelet_running_containers{${KUBELET}}` },
          { title: 'Pod start, 99th percentile', unit: 's', legend: '{{node}}', expr: `histogram_quantile(0.99, sum by (node, le) (rate(kubelet_pod_start_duration_seconds_bucket{${KUBELET}}${RATE})))` },
          { title: 'PLEG relist, 99th percentile', unit: 's', legend: '{{node}}', expr: `histogram_quantile(0.99, sum by (node, le) (rate(kubelet_pleg_relist_duration_seconds_bucket{${KUBELET}}${RATE})))` },
        ],
      },
      {
        title: 'Runtime and volumes',
        panels: [
          { title: 'Runtime operations', legend: '{{operation_type}}', expr: `sum by (operation_type) (rate(kubelet_runtime_operations_total{${KUBELET}}${RATE}))` },
          { title: 'Runtime errors', legend: '{{node}} {{operation_type}}', expr: `sum by (node, operation_type) (rate(kubelet_runtime_operations_errors_total{${KUBELET}}${RATE})) > 0` },
          { title: 'Volume space used', unit: 'percentunit', legend: '{{namespace}}/{{persistentvolumeclaim}}', expr: `1 - kubelet_volume_stats_available_bytes{${KUBELET}} / kubelet_volume_stats_capacity_bytes{${KUBELET}}` },
          { title: 'Client certificate lifetime left', unit: 's', legend: '{{node}}', expr: `kubelet_certificate_manager_client_ttl_seconds{${KUBELET}}` },
        ],
      },
    ],
  },
  {
    name: 'apiserver',
    title: 'k8smon / API server',
    description: 'The API server: requests, errors, latency against its objective, and load.',
    rows: [
      {
        title: 'Requests',
        panels: [
          { title: 'Requests by code', unit: 'reqps', legend: '{{code}}', expr: `sum by (code) (rate(apiserver_request_total{${API}}${RATE}))` },
          { title: '5xx ratio', unit: 'percentunit', expr: `sum(rate(apiserver_request_total{${API},code=~"5.."}${RATE})) / sum(rate(apiserver_request_total{${API}}${RATE}))` },
          {
            title: 'Latency, 99th percentile (SLI)',
            unit: 's',
            legend: '{{verb}} {{scope}}',
            expr: `histogram_quantile(0.99, sum by (verb, scope, le) (rate(apiserver_request_sli_duration_seconds_bucket{${API}}${RATE})))`,
          },
          { title: 'Requests terminated', unit: 'reqps', legend: '{{code}}', expr: `sum by (code) (rate(apiserver_request_terminations_total{${API}}${RATE}))` },
        ],
      },
      {
        title: 'Load',
        panels: [
          { title: 'Requests in flight', legend: '{{instance}} {{request_kind}}', expr: `apiserver_current_inflight_requests{${API}}` },
          { title: 'Work queue depth', legend: '{{name}}', expr: `topk(10, sum by (name) (workqueue_depth{${API}}))` },
          { title: 'Stored objects, top 10', legend: '{{resource}}', expr: `topk(10, max by (resource) (apiserver_storage_objects{${API}}))` },
          { title: 'Memory', unit: 'bytes', legend: '{{instance}}', expr: `process_resident_memory_bytes{${API}}` },
        ],
      },
    ],
  },
  {
    name: 'pipeline',
    title: 'k8smon / Monitoring pipeline',
    description: 'k8smon itself: targets up per job, scrape cost, the agents sending, kube-state-metrics and the in-cluster Prometheus.',
    rows: [
      {
        title: 'Targets',
        panels: [
          { title: 'Targets up, by job', unit: 'percentunit', legend: '{{job}}', expr: `avg by (job) (up{${C}})` },
          { title: 'Samples per scrape, by job', legend: '{{job}}', expr: `sum by (job) (scrape_samples_post_metric_relabeling{${C}})` },
          { title: 'Slowest scrape, by job', unit: 's', legend: '{{job}}', expr: `max by (job) (scrape_duration_seconds{${C}})` },
        ],
      },
      {
        title: 'Agents',
        panels: [
          { title: 'Samples failed to send', legend: '{{instance}} {{url}}', expr: `sum by (instance, url) (rate(prometheus_remote_storage_samples_failed_total{${AGENT}}${RATE}))` },
          {
            title: 'Sending behind',
            unit: 's',
            legend: '{{instance}} {{url}}',
            expr: `max by (instance) (prometheus_remote_storage_highest_timestamp_in_seconds{${AGENT}}) - on (instance) group_right () max by (instance, url) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${AGENT}})`,
          },
          { title: 'Samples pending', legend: '{{instance}} {{url}}', expr: `sum by (instance, url) (prometheus_remote_storage_samples_pending{${AGENT}})` },
          { title: 'Agent memory', unit: 'bytes', legend: '{{instance}}', expr: `process_resident_memory_bytes{${AGENT}}` },
        ],
      },
      {
        title: 'kube-state-metrics and the in-cluster Prometheus',
        panels: [
          { title: 'kube-state-metrics list errors', legend: '{{resource}}', expr: `sum by (resource) (rate(kube_state_metrics_list_total{job="kube-state-metrics-telemetry",${C},result="error"}${RATE}))` },
          {
            title: 'In-cluster Prometheus storage',
            unit: 'bytes',
            legend: ['blocks', 'retention size'],
            expr: [`prometheus_tsdb_storage_blocks_bytes{${RECEIVER}}`, `prometheus_tsdb_retention_limit_bytes{${RECEIVER}}`],
          },
          { title: 'In-cluster Prometheus head series', expr: `prometheus_tsdb_head_series{${RECEIVER}}` },
        ],
      },
    ],
  },
];
