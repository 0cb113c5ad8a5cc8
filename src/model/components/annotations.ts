/**
 * Workloads that ask to be scraped, by the annotations the Prometheus chart
 * made conventional: prometheus.io/scrape: "true", /port, /path, /scheme and
 * /param_<name>. Annotated pods are scraped by the agent on their node;
 * annotated Services' endpoints once, by the cluster agent.
 *
 * One target per pod port: with prometheus.io/port only the declared container
 * (or endpoint) port of that number is kept, so a multi-port pod is not scraped
 * once per port at the same address.
 */
import type { RelabelConfig, ScrapeJob } from '../types.js';
import { KEEP_RUNNING_PODS, podTargetLabels } from './common.js';
import type { ComponentContext, ComponentParts } from './context.js';

type Kind = 'pod' | 'service';

/** Relabel rules shared by both jobs; `kind` picks the annotation source. */
function annotationRules(kind: Kind, portLabel: string): RelabelConfig[] {
  const a = (name: string): string => `__meta_kubernetes_${kind}_annotation_prometheus_io_${name}`;
  return [
    { source_labels: [a('scrape')], action: 'keep', regex: 'true' },
    // The port to keep: the annotated one, else every declared port.
    { source_labels: [portLabel], target_label: '__tmp_port' },
    { source_labels: [a('port')], regex: '(\\d+)', target_label: '__tmp_port' },
    { source_labels: [portLabel], regex: '', action: 'drop' },
    { source_labels: [portLabel], target_label: '__tmp_port', action: 'keepequal' },
    { source_labels: [a('scheme')], regex: '(https?)', target_label: '__scheme__' },
    { source_labels: [a('path')], regex: '(.+)', target_label: '__metrics_path__' },
    { action: 'labelmap', regex: `__meta_kubernetes_${kind}_annotation_prometheus_io_param_(.+)`, replacement: '__param_$1' },
  ];
}

/**
 * Endpoints another job of the render scrapes at the same URL, dropped from
 * kubernetes-service-endpoints so each series has one writer. Many charts
 * annotate a pod and its Service alike, and kubeadm annotates the kube-dns
 * Service that the coredns job already scrapes. (A different port or path is
 * another URL and stays.)
 */
function leftToDedicatedJobs(ctx: ComponentContext): RelabelConfig[] {
  const rules: RelabelConfig[] = [];
  if (ctx.profile.components.annotatedPods.enabled) {
    // The endpoint the pod job scrapes for this pod: its annotated port, else every declared one; its path.
    rules.push(
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], target_label: '__tmp_pod_port' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_port'], regex: '(\\d+)', target_label: '__tmp_pod_port' },
      { target_label: '__tmp_pod_path', replacement: '/metrics' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], regex: '(.+)', target_label: '__tmp_pod_path' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape', '__tmp_pod_port', '__tmp_pod_path'], target_label: '__tmp_pod_endpoint' },
      // This job's endpoint, in the same shape: "true;<port>;<path>".
      { target_label: '__tmp_service_path', replacement: '/metrics' },
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_path'], regex: '(.+)', target_label: '__tmp_service_path' },
      { source_labels: ['__meta_kubernetes_endpointslice_port', '__tmp_service_path'], regex: '(.*)', target_label: '__tmp_service_endpoint', replacement: 'true;$1' },
      { source_labels: ['__tmp_pod_endpoint'], target_label: '__tmp_service_endpoint', action: 'dropequal' },
    );
  }
  if (ctx.profile.components.coreDns.enabled) {
    rules.push({ source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_pod_label_k8s_app', '__meta_kubernetes_endpointslice_port'], regex: 'kube-system;kube-dns;9153', action: 'drop' });
  }
  return rules;
}

export function annotationsComponent(ctx: ComponentContext): ComponentParts {
  const jobs: ScrapeJob[] = [];
  if (ctx.profile.components.annotatedPods.enabled) {
    jobs.push({
      component: 'annotatedPods',
      scope: 'node',
      config: {
        job_name: 'kubernetes-pods',
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          KEEP_RUNNING_PODS,
          { source_labels: ['__meta_kubernetes_pod_container_init'], action: 'drop', regex: 'true' },
          ...annotationRules('pod', '__meta_kubernetes_pod_container_port_number'),
          ...podTargetLabels(),
        ],
      },
      scrapeAccess: [],
    });
  }
  if (ctx.profile.components.annotatedServices.enabled) {
    jobs.push({
      component: 'annotatedServices',
      scope: 'cluster',
      config: {
        job_name: 'kubernetes-service-endpoints',
        kubernetes_sd_configs: [{ role: 'endpointslice' }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed' },
          ...annotationRules('service', '__meta_kubernetes_endpointslice_port'),
          ...leftToDedicatedJobs(ctx),
          { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
          ...podTargetLabels(),
        ],
      },
      scrapeAccess: [],
    });
  }
  return { jobs };
}
