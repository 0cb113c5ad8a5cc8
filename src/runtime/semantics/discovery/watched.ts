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

/** The resources one `kubernetes_sd_configs` entry lists and watches (attach_metadata.node adds nodes). */
export function watchedResources(sd: KubernetesSdOptions & { role: DiscoveryRole }): WatchedResource[] {
  const refs = [...WATCHED_BY_ROLE[sd.role]];
  if (sd.attach_metadata?.node === true && sd.role !== 'node') refs.push(NODES);
  return refs;
}

/** Cluster-scoped resources can only be granted cluster-wide, whatever namespaces discovery is limited to. */
export function isClusterScoped(r: WatchedResource): boolean {
  return r.apiGroup === '' && r.resource === 'nodes';
}
