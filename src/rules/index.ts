/**
 * profile + rendered jobs → the rule groups to ship, in Prometheus' rule-file
 * shape (which Mimir's ruler, vmalert, Grafana and the operator's
 * PrometheusRule all take). A rule is kept when every job its selectors name
 * is scraped and every recorded series it reads is recorded by a kept rule;
 * whether the allow-lists keep its metrics is reported, not filtered (see
 * coverage.ts), so a user who dropped one learns which rule went blind.
 */
import type { Profile } from '../profile/types.js';
import { stringifyYaml } from '../util/yaml.js';
import { isAlert, RULE_GROUPS, type GroupDef, type RuleDef } from './catalogue.js';
import { isRecordedName, jobsOf, missingMetrics, namesJob, type RenderedJob } from './coverage.js';
import { selectorsOf } from './promql.js';

export interface PromRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PromRuleGroup {
  name: string;
  interval?: string;
  rules: PromRule[];
}

export const RULES_FILE = 'k8smon.rules.yaml';

/** Where a rule's runbook lives: the base URL with the alert's name, lowercased, as the anchor. */
export function runbookUrl(base: string, alert: string): string {
  return `${base}#${alert.toLowerCase()}`;
}

function toPromRule(rule: RuleDef, runbookBase: string): PromRule {
  if (!isAlert(rule)) return { record: rule.record, expr: rule.expr };
  const out: PromRule = { alert: rule.alert, expr: rule.expr };
  if (rule.for !== undefined) out.for = rule.for;
  out.labels = { severity: rule.severity, ...rule.labels };
  out.annotations = { summary: rule.summary, description: rule.description, runbook_url: runbookUrl(runbookBase, rule.alert) };
  return out;
}

/** Whether the jobs a rule's selectors name are all scraped, and its recorded inputs recorded. */
function applies(rule: RuleDef, jobs: readonly RenderedJob[], recorded: ReadonlySet<string>): boolean {
  return selectorsOf(rule.expr).every((s) => {
    if (isRecordedName(s.metric)) return recorded.has(s.metric);
    return !namesJob(s) || jobsOf(s, jobs).length > 0;
  });
}

/** The catalogue's groups that apply to this profile and these jobs (or `groups`, for tests). */
export function selectRuleGroups(profile: Profile, jobs: readonly RenderedJob[], groups: readonly GroupDef[] = RULE_GROUPS): PromRuleGroup[] {
  const recorded = new Set<string>();
  const out: PromRuleGroup[] = [];
  for (const g of groups) {
    if (g.when !== undefined && !g.when(profile)) continue;
    const rules = g.rules.filter((r) => applies(r, jobs, recorded));
    for (const r of rules) if (!isAlert(r)) recorded.add(r.record);
    if (rules.length === 0) continue;
    out.push({ name: g.name, ...(g.interval !== undefined ? { interval: g.interval } : {}), rules: rules.map((r) => toPromRule(r, profile.rules.runbookBaseUrl)) });
  }
  return out;
}

/** Every rule of the catalogue, whatever the profile: the rule file the tests check in full. */
export function allRuleGroups(runbookBase: string): PromRuleGroup[] {
  return RULE_GROUPS.map((g) => ({ name: g.name, ...(g.interval !== undefined ? { interval: g.interval } : {}), rules: g.rules.map((r) => toPromRule(r, runbookBase)) }));
}

export function ruleFileText(groups: readonly PromRuleGroup[]): string {
  return stringifyYaml({ groups }, { lineWidth: 0 });
}

/** "alert X" or "recording rule Y", for messages. */
export function ruleName(rule: PromRule): string {
  return rule.alert !== undefined ? `alert ${rule.alert}` : `recording rule ${rule.record ?? '?'}`;
}

export interface CoverageProblem {
  /** "alert NodeNotReady", "dashboard k8smon-node panel CPU". */
  user: string;
  metric: string;
  job: string;
  /** Scrape configs that exist but drop the metric; empty when no job of that name is scraped. */
  droppedBy: string[];
}

/** Rules whose series the jobs do not deliver. */
export function ruleCoverageProblems(groups: readonly PromRuleGroup[], jobs: readonly RenderedJob[]): CoverageProblem[] {
  return groups.flatMap((g) => g.rules.flatMap((r) => missingMetrics(r.expr, jobs).map((m) => ({ user: ruleName(r), ...m }))));
}

/** `keepWith`: the profile field that would keep the metric, for the hint. */
export function coverageMessage(p: CoverageProblem, keepWith?: string): string {
  return p.droppedBy.length > 0
    ? `${p.user} needs ${p.metric}, which the metric relabeling of job ${p.droppedBy.join(', ')} drops; it stays empty unless ${keepWith ?? 'the job'} keeps it`
    : `${p.user} needs ${p.metric} from ${p.job}, which no job scrapes`;
}
