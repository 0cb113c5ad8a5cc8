/** Building blocks shared by the exporter workloads. */
import type { Resources } from '../../profile/types.js';
import { LINUX_NODES, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security.js';
import type { ContainerModel, RbacGrant, WorkloadModel } from '../types.js';

export const NO_RBAC: RbacGrant = { clusterRules: [], namespacedRules: [] };

export interface SimpleWorkload {
  name: string;
  component: string;
  kind?: 'Deployment' | 'DaemonSet' | 'StatefulSet';
  /** A StatefulSet's replicas (its governing Service is the workload's own). */
  replicas?: number;
  /** A PodDisruptionBudget: at most this many pods evicted at once. */
  maxUnavailable?: number;
  env?: Record<string, unknown>[];
  /** Each pod reachable by its own DNS name (a StatefulSet's shards, each scraped once). */
  headlessService?: boolean;
  image: string;
  args: string[];
  port: { name: string; number: number };
  /** More ports of the container, also in its Service (a separate telemetry port). */
  extraPorts?: { name: string; number: number }[];
  readinessPath: string;
  resources: Resources;
  rbac?: RbacGrant;
  configMap?: { name: string; data: Record<string, string>; mountPath: string };
  addCapabilities?: string[];
}

/**
 * A single-container Deployment behind a Service, under the restricted Pod
 * Security profile, with a token only when it has RBAC (it calls the API).
 */
export function simpleWorkload(w: SimpleWorkload): WorkloadModel {
  const rbac = w.rbac ?? NO_RBAC;
  const ports = [w.port, ...(w.extraPorts ?? [])];
  const container: ContainerModel = {
    name: w.component,
    image: w.image,
    args: w.args,
    ...(w.env !== undefined ? { env: w.env } : {}),
    ports: ports.map((p) => ({ name: p.name, containerPort: p.number, protocol: 'TCP' })),
    readinessProbe: { httpGet: { path: w.readinessPath, port: w.port.name }, periodSeconds: 10 },
    resources: w.resources,
    securityContext: restrictedContainerSecurityContext(w.addCapabilities),
    volumeMounts: w.configMap ? [{ name: 'config', mountPath: w.configMap.mountPath, readOnly: true }] : [],
  };
  return {
    name: w.name,
    component: w.component,
    kind: w.kind ?? 'Deployment',
    ...(w.kind === 'StatefulSet' ? { replicas: w.replicas ?? 1, serviceName: w.name } : {}),
    ...(w.maxUnavailable !== undefined ? { maxUnavailable: w.maxUnavailable } : {}),
    ...(w.headlessService === true ? { headlessService: true } : {}),
    automountToken: rbac.clusterRules.length > 0 || rbac.namespacedRules.length > 0,
    rbac,
    configMaps: w.configMap ? [{ name: w.configMap.name, data: w.configMap.data }] : [],
    service: ports.map((p) => ({ name: p.name, port: p.number, targetPort: p.name })),
    podSecurity: (w.addCapabilities ?? []).some((c) => c !== 'NET_BIND_SERVICE') ? 'baseline' : 'restricted',
    pod: {
      nodeSelector: LINUX_NODES,
      securityContext: restrictedPodSecurityContext(),
      containers: [container],
      volumes: w.configMap ? [{ name: 'config', configMap: { name: w.configMap.name } }] : [],
    },
    scrapedBy: ['cluster'],
  };
}
