/**
 * Control-plane and node components outside the kubelet.
 *
 * kube-proxy, kube-scheduler, kube-controller-manager and etcd bind to the
 * node's 127.0.0.1 on kubeadm, k3s and rke2, so they are scraped by the node
 * agent on the host network, through node discovery: one target per node (or
 * per control-plane node), `instance` = the node name. Managed control planes
 * expose none of these; the profile rules refuse the jobs there.
 *
 * CoreDNS is scraped once, by the cluster agent, through its pods. On EKS the
 * scheduler and controller-manager are reachable through the apiserver.
 */
import type { ComponentName } from '../../profile/types.js';
import type { PolicyRule, RelabelConfig, ScrapeConfig, ScrapeJob } from '../types.js';
import { APISERVER_ADDRESS, METRICS_URL_ACCESS, SERVICE_ACCOUNT_CA, podTargetLabels, KEEP_RUNNING_PODS, serviceAccountAuth } from './common.js';
import type { ComponentContext, ComponentParts } from './context.js';

interface LoopbackEndpoint {
  component: ComponentName;
  jobName: string;
  port: number;
  https: boolean;
  /** Runs on control-plane nodes only. */
  controlPlaneOnly: boolean;
  /**
   * The component's own metric families. k3s serves every component from one
   * process and one registry, so each endpoint returns all of them; there the
   * job keeps only these, or every series would arrive once per job.
   */
  ownFamilies?: string;
}

const LOOPBACK_ENDPOINTS: LoopbackEndpoint[] = [
  { component: 'kubeProxy', jobName: 'kube-proxy', port: 10249, https: false, controlPlaneOnly: false, ownFamilies: 'kubeproxy_.+' },
  { component: 'kubeScheduler', jobName: 'kube-scheduler', port: 10259, https: true, controlPlaneOnly: true, ownFamilies: 'scheduler_.+' },
  { component: 'kubeControllerManager', jobName: 'kube-controller-manager', port: 10257, https: true, controlPlaneOnly: true, ownFamilies: 'node_collector_.+|workqueue_.+' },
  // kubeadm's --listen-metrics-urls; 2379 would need etcd client certificates from the host.
  { component: 'etcd', jobName: 'etcd', port: 2381, https: false, controlPlaneOnly: true },
];

/** Control-plane nodes carry this label on kubeadm, k3s, rke2 and kind. */
const CONTROL_PLANE_LABEL = '__meta_kubernetes_node_labelpresent_node_role_kubernetes_io_control_plane';

export function controlPlaneComponent(ctx: ComponentContext): ComponentParts {
  const c = ctx.profile.components;
  const sharedRegistry = ctx.profile.cluster.platform === 'k3s';
  const jobs: ScrapeJob[] = LOOPBACK_ENDPOINTS.filter((e) => c[e.component].enabled).map((e) => loopbackJob(e, sharedRegistry));
  if (c.coreDns.enabled) jobs.push(coreDnsJob());
  if (c.kubeDns.enabled) jobs.push(kubeDnsJob());
  if (c.eksControlPlane.enabled) jobs.push(...eksControlPlaneJobs());
  return { jobs };
}

function loopbackJob(e: LoopbackEndpoint, sharedRegistry: boolean): ScrapeJob {
  const relabel: RelabelConfig[] = [];
  if (e.controlPlaneOnly) relabel.push({ source_labels: [CONTROL_PLANE_LABEL], action: 'keep', regex: 'true' });
  relabel.push(
    { target_label: '__address__', replacement: `127.0.0.1:${e.port}` },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
  );
  const config: ScrapeConfig = {
    job_name: e.jobName,
    ...(e.https
      ? // Their serving certificates are self-signed for 127.0.0.1 / localhost.
        { ...serviceAccountAuth(), tls_config: { insecure_skip_verify: true } }
      : { scheme: 'http' as const }),
    metrics_path: '/metrics',
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: relabel,
  };
  if (sharedRegistry && e.ownFamilies !== undefined) {
    config.metric_relabel_configs = [{ source_labels: ['__name__'], action: 'keep', regex: e.ownFamilies }];
  }
  return { component: e.component, scope: 'node', hostNetwork: true, config, scrapeAccess: e.https ? [METRICS_URL_ACCESS] : [] };
}

/**
 * A DNS job: the pods labelled k8s-app=kube-dns in kube-system (CoreDNS, or
 * GKE's kube-dns), Running, on the ports `keepPorts` keeps, once, by the
 * cluster agent.
 */
function dnsJob(component: 'coreDns' | 'kubeDns', jobName: string, keepPorts: RelabelConfig, extra: RelabelConfig[] = []): ScrapeJob {
  return {
    component,
    scope: 'cluster',
    config: {
      job_name: jobName,
      scheme: 'http',
      metrics_path: '/metrics',
      kubernetes_sd_configs: [
        { role: 'pod', namespaces: { names: ['kube-system'] }, selectors: [{ role: 'pod', label: 'k8s-app=kube-dns' }] },
      ],
      relabel_configs: [KEEP_RUNNING_PODS, keepPorts, ...podTargetLabels(), ...extra],
    },
    scrapeAccess: [],
  };
}

function coreDnsJob(): ScrapeJob {
  return dnsJob('coreDns', 'coredns', { source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: '9153' });
}

/**
 * kube-dns (GKE): the kubedns container serves its metrics on the port
 * PROMETHEUS_PORT names (10055 in the addon manifests), the dnsmasq sidecar on
 * its --prometheus-port (default 10054); both ports are named "metrics". One
 * target per container; job="kube-dns", as kubernetes-mixin's DNS selector has it.
 */
function kubeDnsJob(): ScrapeJob {
  return dnsJob(
    'kubeDns',
    'kube-dns',
    { source_labels: ['__meta_kubernetes_pod_container_port_name', '__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: 'metrics;1005[45]' },
    [{ source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' }],
  );
}

/** EKS ≥ 1.28 exposes the scheduler (ksh) and controller-manager (kcm) through the apiserver. */
function eksControlPlaneJobs(): ScrapeJob[] {
  const access: PolicyRule = { apiGroups: ['metrics.eks.amazonaws.com'], resources: ['kcm/metrics', 'ksh/metrics'], verbs: ['get'] };
  return [
    { component: 'eksControlPlane', jobName: 'kube-scheduler', short: 'ksh' },
    { component: 'eksControlPlane', jobName: 'kube-controller-manager', short: 'kcm' },
  ].map(({ jobName, short }) => ({
    component: 'eksControlPlane' as const,
    scope: 'cluster' as const,
    config: {
      job_name: jobName,
      ...serviceAccountAuth(),
      metrics_path: `/apis/metrics.eks.amazonaws.com/v1/${short}/container/metrics`,
      tls_config: { ca_file: SERVICE_ACCOUNT_CA },
      static_configs: [{ targets: [APISERVER_ADDRESS] }],
      relabel_configs: [],
    },
    scrapeAccess: [access],
  }));
}
