/**
 * Consistency rules between a deployment (its manifests) and a cluster
 * snapshot, beyond what the preview finds: rights the RBAC does not grant (a
 * 403 at run time) and API versions the cluster does not serve.
 */
import { readInstanceConfig, type AgentSpec } from './agent-config.js';
import type { ActiveTarget, Problem } from './preview.js';
import type { Snapshot } from './snapshot.js';
import { isClusterScoped, watchedResources } from './discovery/watched.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

interface ManifestLike {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

const SD_API_VERSION: Record<string, string> = { endpointslice: 'discovery.k8s.io/v1', ingress: 'networking.k8s.io/v1' };

function rulesFor(objects: readonly ManifestLike[], sa: { name: string; namespace: string }): { cluster: Rule[]; byNamespace: Map<string, Rule[]> } {
  const cluster: Rule[] = [];
  const byNamespace = new Map<string, Rule[]>();
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    if (!(b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && (s.namespace ?? b.metadata.namespace) === sa.namespace)) continue;
    const role = objects.find((o) => o.kind === b.roleRef?.kind && o.metadata.name === b.roleRef.name && (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace));
    const rules = role?.rules ?? [];
    if (b.kind === 'ClusterRoleBinding') cluster.push(...rules);
    else byNamespace.set(b.metadata.namespace ?? '', [...(byNamespace.get(b.metadata.namespace ?? '') ?? []), ...rules]);
  }
  return { cluster, byNamespace };
}

function allows(rules: readonly Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => (r.apiGroups ?? []).some((g) => g === group || g === '*') && (r.resources ?? []).some((x) => x === resource || x === '*') && (r.verbs ?? []).some((v) => v === verb || v === '*'));
}

function allowsUrl(rules: readonly Rule[], url: string): boolean {
  return rules.some((r) => (r.nonResourceURLs ?? []).some((u) => u === url || u === '*' || (u.endsWith('*') && url.startsWith(u.slice(0, -1)))) && (r.verbs ?? []).some((v) => v === 'get' || v === '*'));
}

/** host:port, an IPv6 address in brackets. */
const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The apiserver's /metrics URLs: its Service's name and every endpoint of default/kubernetes in the snapshot. */
function apiserverAddresses(snapshot: Snapshot): Set<string> {
  const hosts = ['kubernetes.default.svc:443', 'kubernetes.default.svc.cluster.local:443', 'kubernetes.default:443', 'kubernetes:443'];
  for (const e of snapshot.endpoints ?? []) {
    if (e.metadata.namespace !== 'default' || e.metadata.name !== 'kubernetes') continue;
    for (const s of e.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? []) hosts.push(hostPort(a.ip, p.port));
  }
  for (const e of snapshot.endpointslices ?? []) {
    if (e.metadata.namespace !== 'default' || e.metadata.labels?.['kubernetes.io/service-name'] !== 'kubernetes') continue;
    for (const ep of e.endpoints ?? []) for (const a of ep.addresses) for (const p of e.ports ?? []) if (p.port !== undefined) hosts.push(hostPort(a, p.port));
  }
  return new Set(hosts.map((h) => `https://${h}/metrics`));
}

export function checkDeployment(objects: readonly ManifestLike[], agents: readonly AgentSpec[], snapshot: Snapshot, targets: readonly ActiveTarget[]): Problem[] {
  const problems: Problem[] = [];
  const served = snapshot.apiVersions;
  if (served !== undefined && served.length > 0) {
    for (const v of new Set(objects.map((o) => o.apiVersion).filter((v): v is string => v !== undefined))) {
      if (!served.includes(v)) problems.push({ severity: 'error', rule: 'api-version-not-served', message: `the cluster does not serve ${v} (used by ${objects.filter((o) => o.apiVersion === v).map((o) => `${o.kind}/${o.metadata.name}`).slice(0, 3).join(', ')})` });
    }
  }
  const withAccount = agents.filter((a) => a.serviceAccount !== undefined);
  if (withAccount.length > 0 && !objects.some((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    // Manifests exported without their RBAC: every right would look missing.
    problems.push({
      severity: 'warning',
      rule: 'rbac-not-checked',
      message: `no RoleBinding or ClusterRoleBinding among the manifests, so what ${withAccount.map((a) => a.name).join(', ')} may do is not checked; include them (kubectl get clusterrole,clusterrolebinding,role,rolebinding -o yaml)`,
    });
    return problems;
  }
  const apiserver = apiserverAddresses(snapshot);
  for (const agent of withAccount) {
    const account = agent.serviceAccount!;
    const { cluster, byNamespace } = rulesFor(objects, account);
    const config = readInstanceConfig(agent, agent.perNode ? 'node' : undefined);
    for (const sc of config.scrapeConfigs) {
      for (const sd of sc.kubernetes_sd_configs ?? []) {
        if (served !== undefined && served.length > 0 && SD_API_VERSION[sd.role] !== undefined && !served.includes(SD_API_VERSION[sd.role]!)) {
          problems.push({ severity: 'error', rule: 'api-version-not-served', message: `${agent.name} job ${sc.job_name}: role ${sd.role} needs ${SD_API_VERSION[sd.role]}, which the cluster does not serve` });
        }
        const namespaces = sd.namespaces?.names ?? [];
        for (const ref of watchedResources(sd)) {
          const { apiGroup: group, resource } = ref;
          for (const verb of ['list', 'watch']) {
            const ok = allows(cluster, group, resource, verb) || (namespaces.length > 0 && !isClusterScoped(ref) && namespaces.every((ns) => allows(byNamespace.get(ns) ?? [], group, resource, verb)));
            if (!ok) {
              problems.push({
                severity: 'error',
                rule: 'rbac-forbidden',
                message: `${agent.name} job ${sc.job_name}: ${verb} ${group ? `${group}/` : ''}${resource}${namespaces.length > 0 ? ` in ${namespaces.join(', ')}` : ''} is not granted to ServiceAccount ${account.namespace}/${account.name} (a 403 at run time)`,
              });
            }
          }
        }
      }
    }
    // Scraping: the kubelet authorises with nodes/metrics, the apiserver proxy with nodes/proxy.
    const seen = new Set<string>();
    for (const t of targets) {
      if (t.agent !== agent.name && !t.agent.startsWith(`${agent.name}/`)) continue;
      const need = /:10250\/metrics/.test(t.url) ? 'nodes/metrics' : /\/api\/v1\/nodes\/[^/]+\/proxy\//.test(t.url) ? 'nodes/proxy' : apiserver.has(t.url) ? '/metrics' : undefined;
      if (need === undefined || seen.has(`${t.job}:${need}`)) continue;
      seen.add(`${t.job}:${need}`);
      if (need === '/metrics') {
        if (!allowsUrl(cluster, need)) problems.push({ severity: 'error', rule: 'rbac-forbidden', message: `${agent.name} job ${t.job}: get on /metrics is not granted` });
      } else if (!allows(cluster, '', need, 'get')) {
        problems.push({ severity: 'error', rule: 'rbac-forbidden', message: `${agent.name} job ${t.job}: get ${need} is not granted, the kubelet will answer 403` });
      }
    }
  }
  return problems;
}
