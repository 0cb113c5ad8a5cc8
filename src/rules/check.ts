/**
 * For `k8smon check`: the rules and dashboards a deployment carries (its rules
 * ConfigMap or PrometheusRule, its sidecar-labelled dashboard ConfigMaps),
 * read back from the manifests, against the scrape configs its agents run.
 * A rule or panel whose series no job delivers is reported: it would stay
 * silent or empty.
 */
import { parse as parseYaml } from 'yaml';
import { renderedJobs, missingMetrics, type ScrapeConfigLike } from './coverage.js';
import { coverageMessage, ruleName, type PromRuleGroup } from './index.js';

export interface MonitoringObject {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, unknown>;
  spec?: { groups?: unknown };
}

export interface MonitoringProblem {
  severity: 'warning';
  rule: 'rule-metric-not-scraped' | 'panel-metric-not-scraped';
  message: string;
}

function ruleGroupsIn(o: MonitoringObject): { source: string; groups: PromRuleGroup[] }[] {
  const out: { source: string; groups: PromRuleGroup[] }[] = [];
  if (o.kind === 'PrometheusRule' && Array.isArray(o.spec?.groups)) out.push({ source: `PrometheusRule/${o.metadata?.name ?? ''}`, groups: o.spec.groups as PromRuleGroup[] });
  if (o.kind === 'ConfigMap') {
    for (const [key, value] of Object.entries(o.data ?? {})) {
      if (typeof value !== 'string' || !/\.rules\.ya?ml$/.test(key)) continue;
      try {
        const doc = parseYaml(value) as { groups?: PromRuleGroup[] } | null;
        if (Array.isArray(doc?.groups)) out.push({ source: `ConfigMap/${o.metadata?.name ?? ''} ${key}`, groups: doc.groups });
      } catch {
        // Not a rule file after all.
      }
    }
  }
  return out;
}

interface DashboardJson {
  title?: string;
  panels?: { title?: string; targets?: { expr?: string }[]; panels?: DashboardJson['panels'] }[];
  templating?: { list?: { name?: string; query?: unknown }[] };
}

function dashboardExpressions(o: MonitoringObject): { where: string; expr: string }[] {
  if (o.kind !== 'ConfigMap' || o.metadata?.labels?.grafana_dashboard === undefined) return [];
  const out: { where: string; expr: string }[] = [];
  for (const [key, value] of Object.entries(o.data ?? {})) {
    if (typeof value !== 'string' || !key.endsWith('.json')) continue;
    let d: DashboardJson;
    try {
      d = JSON.parse(value) as DashboardJson;
    } catch {
      continue;
    }
    const name = d.title ?? key;
    const walk = (panels: DashboardJson['panels']): void => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? []) if (typeof t.expr === 'string') out.push({ where: `dashboard ${name} panel "${p.title ?? ''}"`, expr: t.expr });
        walk(p.panels);
      }
    };
    walk(d.panels);
    for (const v of d.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : (v.query as { query?: unknown } | undefined)?.query;
      const m = typeof q === 'string' ? /^label_values\((.*),\s*[a-zA-Z_]+\)$/.exec(q) : null;
      if (m !== null) out.push({ where: `dashboard ${name} variable ${v.name ?? ''}`, expr: m[1]! });
    }
  }
  return out;
}

export function monitoringProblems(objects: readonly MonitoringObject[], scrapeConfigs: readonly ScrapeConfigLike[]): MonitoringProblem[] {
  const jobs = renderedJobs(scrapeConfigs);
  const problems: MonitoringProblem[] = [];
  for (const o of objects) {
    for (const { source, groups } of ruleGroupsIn(o)) {
      for (const g of groups) {
        for (const r of g.rules ?? []) {
          if (typeof r.expr !== 'string') continue;
          for (const m of missingMetrics(r.expr, jobs)) problems.push({ severity: 'warning', rule: 'rule-metric-not-scraped', message: `${source}: ${coverageMessage({ user: ruleName(r), ...m })}` });
        }
      }
    }
    for (const e of dashboardExpressions(o)) {
      for (const m of missingMetrics(e.expr, jobs)) problems.push({ severity: 'warning', rule: 'panel-metric-not-scraped', message: coverageMessage({ user: e.where, ...m }) });
    }
  }
  return problems;
}
