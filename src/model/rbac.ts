/**
 * RBAC derived from the jobs an agent runs — never written per preset.
 *
 * Discovery: what Prometheus' Kubernetes SD lists and watches for each role
 * (runtime/discovery/watched.ts, the same table `k8smon check` uses).
 * Scraping: what each job declares next to its scrape config (scrapeAccess).
 * A discovery restricted to namespaces gets a Role in each of them instead of
 * cluster-wide rights.
 */
import { isClusterScoped, watchedResources } from '../runtime/semantics/discovery/watched.js';
import type { PolicyRule, RbacGrant, ScrapeJob } from './types.js';

const DISCOVERY_VERBS = ['list', 'watch'];

export function deriveRbac(jobs: readonly ScrapeJob[]): RbacGrant {
  const cluster: PolicyRule[] = [];
  const byNamespace = new Map<string, PolicyRule[]>();
  for (const job of jobs) {
    cluster.push(...job.scrapeAccess);
    for (const sd of job.config.kubernetes_sd_configs ?? []) {
      for (const ref of watchedResources(sd)) {
        const rule: PolicyRule = { apiGroups: [ref.apiGroup], resources: [ref.resource], verbs: DISCOVERY_VERBS };
        const namespaces = sd.namespaces?.names ?? [];
        if (namespaces.length === 0 || isClusterScoped(ref)) {
          cluster.push(rule);
          continue;
        }
        for (const ns of namespaces) {
          byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), rule]);
        }
      }
    }
  }
  const clusterRules = normalizeRules(cluster);
  const grantedEverywhere = (rule: PolicyRule): boolean =>
    clusterRules.some(
      (c) =>
        c.apiGroups?.[0] === rule.apiGroups?.[0] &&
        rule.resources?.every((r) => c.resources?.includes(r)) === true &&
        rule.verbs.every((v) => c.verbs.includes(v)),
    );
  return {
    clusterRules,
    namespacedRules: [...byNamespace.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([namespace, rules]) => ({ namespace, rules: normalizeRules(rules).filter((r) => !grantedEverywhere(r)) }))
      .filter((g) => g.rules.length > 0),
  };
}

/**
 * Merges rules that share an API group and verbs, and sorts everything, so the
 * same jobs always give byte-identical RBAC.
 */
export function normalizeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const resourceRules = new Map<string, { apiGroup: string; verbs: string[]; resources: Set<string> }>();
  const urlRules = new Map<string, { verbs: string[]; urls: Set<string> }>();
  for (const rule of rules) {
    const verbs = [...new Set(rule.verbs)].sort();
    if (rule.nonResourceURLs !== undefined) {
      const key = verbs.join(',');
      const entry = urlRules.get(key) ?? { verbs, urls: new Set<string>() };
      rule.nonResourceURLs.forEach((u) => entry.urls.add(u));
      urlRules.set(key, entry);
      continue;
    }
    for (const apiGroup of rule.apiGroups ?? []) {
      const key = `${apiGroup}\0${verbs.join(',')}`;
      const entry = resourceRules.get(key) ?? { apiGroup, verbs, resources: new Set<string>() };
      (rule.resources ?? []).forEach((r) => entry.resources.add(r));
      resourceRules.set(key, entry);
    }
  }
  const out: PolicyRule[] = [...resourceRules.values()]
    .sort((a, b) => a.apiGroup.localeCompare(b.apiGroup) || a.verbs.join().localeCompare(b.verbs.join()))
    .map((r) => ({ apiGroups: [r.apiGroup], resources: [...r.resources].sort(), verbs: r.verbs }));
  for (const r of [...urlRules.values()].sort((a, b) => a.verbs.join().localeCompare(b.verbs.join()))) {
    out.push({ nonResourceURLs: [...r.urls].sort(), verbs: r.verbs });
  }
  return out;
}
