/**
 * The dashboards for a render: the catalogue's, less the panels whose jobs
 * are not scraped (rows and dashboards left empty go too), as Grafana JSON.
 */
import { isRecordedName, jobsOf, missingMetrics, namesJob, type RenderedJob } from '../rules/coverage.js';
import type { CoverageProblem } from '../rules/index.js';
import { selectorsOf } from '../rules/promql.js';
import { dashboardJson, expressionsOf, type DashboardDef, type PanelDef } from './build.js';
import { DASHBOARDS } from './catalogue.js';

export interface RenderedDashboard {
  name: string;
  /** `k8smon-<name>.json`, as written by render --output-dir and as the ConfigMap key. */
  fileName: string;
  def: DashboardDef;
  json: Record<string, unknown>;
}

function scraped(expr: string, jobs: readonly RenderedJob[]): boolean {
  return selectorsOf(expr).every((s) => !isRecordedName(s.metric) && (!namesJob(s) || jobsOf(s, jobs).length > 0));
}

function panelScraped(p: PanelDef, jobs: readonly RenderedJob[]): boolean {
  return (Array.isArray(p.expr) ? p.expr : [p.expr]).every((e) => scraped(e, jobs));
}

export function selectDashboards(jobs: readonly RenderedJob[], defs: readonly DashboardDef[] = DASHBOARDS): RenderedDashboard[] {
  const out: RenderedDashboard[] = [];
  for (const d of defs) {
    const rows = d.rows.map((r) => ({ ...r, panels: r.panels.filter((p) => panelScraped(p, jobs)) })).filter((r) => r.panels.length > 0);
    if (rows.length === 0) continue;
    const def = { ...d, rows };
    out.push({ name: d.name, fileName: `k8smon-${d.name}.json`, def, json: dashboardJson(def) });
  }
  return out;
}

export function dashboardText(d: RenderedDashboard): string {
  return `${JSON.stringify(d.json, null, 2)}\n`;
}

/** Panels and variables whose series the jobs do not deliver. */
export function dashboardCoverageProblems(dashboards: readonly RenderedDashboard[], jobs: readonly RenderedJob[]): CoverageProblem[] {
  return dashboards.flatMap((d) =>
    expressionsOf(d.def).flatMap((e) => missingMetrics(e.expr, jobs).map((m) => ({ user: `dashboard ${d.def.title} ${e.where}`, ...m }))),
  );
}
