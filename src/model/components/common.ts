/** Pieces every in-cluster scrape of a Kubernetes component shares. */
import type { PolicyRule, RelabelConfig, ScrapeConfig } from '../types.js';

/** The projected ServiceAccount token; Prometheus re-reads it on every scrape, so hourly rotation is safe. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const SERVICE_ACCOUNT_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** The in-cluster apiserver address every pod can resolve. */
export const APISERVER_ADDRESS = 'kubernetes.default.svc:443';

/** Components that authorise /metrics with a SubjectAccessReview (apiserver, scheduler, controller-manager). */
export const METRICS_URL_ACCESS: PolicyRule = { nonResourceURLs: ['/metrics'], verbs: ['get'] };

/** HTTPS with the agent's own ServiceAccount token. */
export function serviceAccountAuth(): Pick<ScrapeConfig, 'scheme' | 'authorization'> {
  return { scheme: 'https', authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN } };
}

/** `namespace`, `pod` and `node` labels of a pod-backed target. */
export function podTargetLabels(): RelabelConfig[] {
  return [
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
  ];
}

/** Keeps running pods only: pending pods have no endpoint yet, finished pods' addresses may belong to another pod. */
export const KEEP_RUNNING_PODS: RelabelConfig = { source_labels: ['__meta_kubernetes_pod_phase'], action: 'keep', regex: 'Running' };
