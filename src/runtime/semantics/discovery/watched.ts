/**
 * What Prometheus' Kubernetes service discovery lists and watches for each role
 * (discovery/kubernetes/*.go). RBAC is derived from it (model/rbac.ts) and
 * checked against it (runtime/check/rbac.ts): one table, so the two cannot disagree.
 */
import type { DiscoveryRole, KubernetesSdOptions } from './discover.js';

export interface WatchedResource {
  apiGroup: string;
  resource: string;
}

const NODES: WatchedResource = { apiGroup: '', resource: 'nodes' };
const PODS: WatchedResource = { apiGroup: '', resource: 'pods' };
const SERVICES: WatchedResource = { apiGroup: '', resource: 'services' };

export const WATCHED_BY_ROLE: Record<DiscoveryRole, readonly WatchedResource[]> = {
  node: [NODES],
  pod: [PODS],
  service: [SERVICES],
  endpoints: [{ apiGroup: '', resource: 'endpoints' }, SERVICES, PODS],
  endpointslice: [{ apiGroup: 'discovery.k8s.io', resource: 'endpointslices' }, SERVICES, PODS],
  ingress: [{ apiGroup: 'networking.k8s.io', resource: 'ingresses' }],
};

const NAMESPACES: WatchedResource = { apiGroup: '', resource: 'namespaces' };
const REPLICASETS: WatchedResource = { apiGroup: 'apps', resource: 'replicasets' };
const JOBS: WatchedResource = { apiGroup: 'batch', resource: 'jobs' };

/**
 * The resources one `kubernetes_sd_configs` entry lists and watches. Prometheus
 * starts an informer for each attach_metadata option that needs one, on the
 * roles it applies to: node adds nodes (pod, endpoints, endpointslice);
 * namespace adds namespaces, cluster-wide (every role but node); deployment adds
 * ReplicaSets and job/cronjob add Jobs, in the discovered namespaces (pod,
 * endpoints, endpointslice). A job name alone comes from the pod's owner
 * reference, but Prometheus lists Jobs for it all the same.
 */
export function watchedResources(sd: KubernetesSdOptions & { role: DiscoveryRole }): WatchedResource[] {
  const refs = [...WATCHED_BY_ROLE[sd.role]];
  const attach = sd.attach_metadata ?? {};
  const podRoles = sd.role === 'pod' || sd.role === 'endpoints' || sd.role === 'endpointslice';
  if (attach.node === true && podRoles) refs.push(NODES);
  if (attach.namespace === true && sd.role !== 'node') refs.push(NAMESPACES);
  if (attach.deployment === true && podRoles) refs.push(REPLICASETS);
  if ((attach.job === true || attach.cronjob === true) && podRoles) refs.push(JOBS);
  return refs;
}

/** Cluster-scoped resources can only be granted cluster-wide, whatever namespaces discovery is limited to. */
export function isClusterScoped(r: WatchedResource): boolean {
  return r.apiGroup === '' && (r.resource === 'nodes' || r.resource === 'namespaces');
}
