/** The roles of Prometheus' Kubernetes service discovery. */
export const DISCOVERY_ROLES = ['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress'] as const;
export type DiscoveryRole = (typeof DISCOVERY_ROLES)[number];
