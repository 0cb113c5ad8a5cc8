/**
 * Consistency rules between a deployment (its manifests) and a cluster
 * snapshot, beyond what the preview finds: API versions the cluster does not
 * serve, rights the RBAC does not grant (a 403 at run time) or grants in
 * excess, credentials written into agent configs, in-cluster addresses
 * that name a Service nobody has, and loopback targets off the host network.
 */
import { anyInstanceConfig, type AgentSpec } from '../plan/plan.js';
import type { ActiveTarget, Problem } from '../preview/preview.js';
import type { Snapshot } from '../semantics/snapshot.js';
import { credentialProblems } from './credentials.js';
import { loopbackProblems } from './network.js';
import type { Manifest } from '../plan/manifests.js';
import { rbacProblems } from './rbac.js';
import { serviceProblems } from './services.js';

const SD_API_VERSION: Record<string, string> = { endpointslice: 'discovery.k8s.io/v1', ingress: 'networking.k8s.io/v1' };

export function checkDeployment(objects: readonly Manifest[], agents: readonly AgentSpec[], snapshot: Snapshot, targets: readonly ActiveTarget[]): Problem[] {
  return [
    ...apiVersionProblems(objects, agents, snapshot),
    ...rbacProblems(objects, agents, snapshot, targets),
    ...credentialProblems(agents),
    ...serviceProblems(objects, snapshot, targets),
    ...loopbackProblems(agents, targets),
  ];
}

/** API versions of the manifests, and of the discovery roles' resources, that the cluster does not serve. */
function apiVersionProblems(objects: readonly Manifest[], agents: readonly AgentSpec[], snapshot: Snapshot): Problem[] {
  const served = snapshot.apiVersions;
  if (served === undefined || served.length === 0) return [];
  const problems: Problem[] = [];
  for (const v of new Set(objects.map((o) => o.apiVersion).filter((v): v is string => v !== undefined))) {
    if (!served.includes(v)) problems.push({ severity: 'error', rule: 'api-version-not-served', message: `the cluster does not serve ${v} (used by ${objects.filter((o) => o.apiVersion === v).map((o) => `${o.kind}/${o.metadata.name}`).slice(0, 3).join(', ')})` });
  }
  for (const agent of agents) {
    for (const sc of anyInstanceConfig(agent).scrapeConfigs) {
      for (const sd of sc.kubernetes_sd_configs ?? []) {
        const needed = SD_API_VERSION[sd.role];
        if (needed !== undefined && !served.includes(needed)) {
          problems.push({ severity: 'error', rule: 'api-version-not-served', message: `${agent.name} job ${sc.job_name}: role ${sd.role} needs ${needed}, which the cluster does not serve` });
        }
      }
    }
  }
  return problems;
}
