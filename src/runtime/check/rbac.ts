/**
 * The agents' rights against what they do: discovery or scrapes their RBAC
 * does not grant (a 403 at run time), and rights granted that no job uses
 * (nodes/proxy reaches the kubelet API, exec included; secrets; wildcards).
 */
import { anyInstanceConfig, type AgentSpec } from '../plan/plan.js';
import { scrapedByAgent, type ActiveTarget, type Problem } from '../preview/preview.js';
import type { Snapshot } from '../semantics/snapshot.js';
import { isClusterScoped, watchedResources } from '../semantics/discovery/watched.js';
import { joinHostPort } from '../semantics/discovery/group.js';
import type { Manifest, Rule } from '../plan/manifests.js';

type Account = { name: string; namespace: string };

/** The ServiceAccounts a binding names (a subject without namespace is in the binding's). */
function boundAccounts(b: Manifest): Account[] {
  return (b.subjects ?? []).filter((s) => s.kind === 'ServiceAccount').map((s) => ({ name: s.name, namespace: s.namespace ?? b.metadata.namespace ?? '' }));
}

const isBinding = (o: Manifest): boolean => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding';

function rulesFor(objects: readonly Manifest[], sa: Account): { cluster: Rule[]; byNamespace: Map<string, Rule[]> } {
  const cluster: Rule[] = [];
  const byNamespace = new Map<string, Rule[]>();
  for (const b of objects.filter(isBinding)) {
    if (!boundAccounts(b).some((a) => a.name === sa.name && a.namespace === sa.namespace)) continue;
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

/**
 * A hint when bindings name a ServiceAccount of the same name in another
 * namespace: manifests applied with `kubectl apply -n X` name no namespace,
 * and the binding's subject says which one was meant.
 */
function boundElsewhere(objects: readonly Manifest[], sa: Account): string {
  for (const b of objects.filter(isBinding)) {
    const other = boundAccounts(b).find((a) => a.name === sa.name && a.namespace !== sa.namespace);
    if (other !== undefined) return `; ${b.kind} ${b.metadata.name} binds ServiceAccount ${other.namespace}/${sa.name}: were these manifests meant for namespace ${other.namespace}?`;
  }
  return '';
}


/** The apiserver's /metrics URLs: its Service's name and every endpoint of default/kubernetes in the snapshot. */
function apiserverAddresses(snapshot: Snapshot): Set<string> {
  const hosts = ['kubernetes.default.svc:443', 'kubernetes.default.svc.cluster.local:443', 'kubernetes.default:443', 'kubernetes:443'];
  for (const e of snapshot.endpoints ?? []) {
    if (e.metadata.namespace !== 'default' || e.metadata.name !== 'kubernetes') continue;
    for (const s of e.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? []) hosts.push(joinHostPort(a.ip, p.port));
  }
  for (const e of snapshot.endpointslices ?? []) {
    if (e.metadata.namespace !== 'default' || e.metadata.labels?.['kubernetes.io/service-name'] !== 'kubernetes') continue;
    for (const ep of e.endpoints ?? []) for (const a of ep.addresses) for (const p of e.ports ?? []) if (p.port !== undefined) hosts.push(joinHostPort(a, p.port));
  }
  return new Set(hosts.map((h) => `https://${h}/metrics`));
}

export function rbacProblems(objects: readonly Manifest[], agents: readonly AgentSpec[], snapshot: Snapshot, targets: readonly ActiveTarget[]): Problem[] {
  const problems: Problem[] = [];
  const withAccount = agents.filter((a) => a.serviceAccount !== undefined);
  if (withAccount.length > 0 && !objects.some(isBinding)) {
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
    const elsewhere = boundElsewhere(objects, account);
    const config = anyInstanceConfig(agent);
    for (const sc of config.scrapeConfigs) {
      for (const sd of sc.kubernetes_sd_configs ?? []) {
        const namespaces = sd.namespaces?.names ?? [];
        for (const ref of watchedResources(sd)) {
          const { apiGroup: group, resource } = ref;
          for (const verb of ['list', 'watch']) {
            const ok = allows(cluster, group, resource, verb) || (namespaces.length > 0 && !isClusterScoped(ref) && namespaces.every((ns) => allows(byNamespace.get(ns) ?? [], group, resource, verb)));
            if (!ok) {
              problems.push({
                severity: 'error',
                rule: 'rbac-forbidden',
                message: `${agent.name} job ${sc.job_name}: ${verb} ${group ? `${group}/` : ''}${resource}${namespaces.length > 0 ? ` in ${namespaces.join(', ')}` : ''} is not granted to ServiceAccount ${account.namespace}/${account.name} (a 403 at run time)${elsewhere}`,
              });
            }
          }
        }
      }
    }
    // Scraping: the kubelet authorises with nodes/metrics, the apiserver proxy with nodes/proxy.
    const seen = new Set<string>();
    const used = new Set<string>();
    for (const t of targets) {
      if (!scrapedByAgent(t, agent)) continue;
      const need = /:10250\/metrics/.test(t.url) ? 'nodes/metrics' : /\/api\/v1\/nodes\/[^/]+\/proxy\//.test(t.url) ? 'nodes/proxy' : apiserver.has(t.url) ? '/metrics' : undefined;
      if (need === undefined || seen.has(`${t.job}:${need}`)) continue;
      seen.add(`${t.job}:${need}`);
      used.add(need);
      if (need === '/metrics') {
        if (!allowsUrl(cluster, need)) problems.push({ severity: 'error', rule: 'rbac-forbidden', message: `${agent.name} job ${t.job}: get on /metrics is not granted` });
      } else if (!allows(cluster, '', need, 'get')) {
        problems.push({ severity: 'error', rule: 'rbac-forbidden', message: `${agent.name} job ${t.job}: get ${need} is not granted, the kubelet will answer 403` });
      }
    }
    problems.push(...excessRights(agent, account, cluster, byNamespace, used));
  }
  return problems;
}

/**
 * Rights an agent holds that none of its jobs needs. Only what is dangerous
 * to hold: nodes/proxy (the kubelet API, exec included) when no job scrapes
 * through the proxy, Secrets (agents read none through the API), wildcards.
 */
function excessRights(agent: AgentSpec, account: Account, cluster: readonly Rule[], byNamespace: ReadonlyMap<string, Rule[]>, used: ReadonlySet<string>): Problem[] {
  const who = `${agent.name} (ServiceAccount ${account.namespace}/${account.name})`;
  const problems: Problem[] = [];
  const excess = (message: string): void => {
    problems.push({ severity: 'warning', rule: 'rbac-excess', message: `${who} ${message}` });
  };
  const everyRule = [...cluster, ...[...byNamespace.values()].flat()];
  if (everyRule.some((r) => [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])].includes('*'))) {
    excess('is granted a wildcard ("*"): name the resources and verbs its jobs use');
  }
  if (!used.has('nodes/proxy') && allows(cluster, '', 'nodes/proxy', 'get')) {
    excess('may get nodes/proxy, which no job of it scrapes through: it reaches the kubelet API, exec included; grant nodes/metrics for direct kubelet scrapes instead');
  }
  if (['get', 'list', 'watch'].some((verb) => everyRule.some((r) => allows([r], '', 'secrets', verb) && !(r.resources ?? []).includes('*')))) {
    excess('may read Secrets, which no Prometheus discovery or scrape needs');
  }
  return problems;
}
