/**
 * Compact dashboard descriptions → Grafana dashboard JSON. Every dashboard
 * gets a `datasource` variable (any Prometheus data source) and a `cluster`
 * variable (the agents' external label); more variables (node, namespace, …)
 * are declared per dashboard. Panels are laid out in rows on Grafana's
 * 24-column grid, so no position is written by hand.
 */

export interface PanelDef {
  title: string;
  /** One query, or several (legend from `legend`, one per query). */
  expr: string | string[];
  legend?: string | string[];
  unit?: string;
  type?: 'timeseries' | 'stat';
  /** Grid columns (of 24); rows fill left to right. */
  width?: number;
  description?: string;
}

export interface VariableDef {
  name: string;
  label: string;
  /** A label_values() query; may reference variables declared before it. */
  query: string;
  /** Let the user pick several values (the expressions must then match with =~). */
  multi?: boolean;
}

export interface RowDef {
  title: string;
  panels: PanelDef[];
}

export interface DashboardDef {
  /** File and ConfigMap name part; the uid is k8smon-<name>. */
  name: string;
  title: string;
  description: string;
  /** Variables after datasource and cluster. */
  variables?: VariableDef[];
  rows: RowDef[];
}

/** The variables every dashboard defines, and Grafana's own that expressions may use. */
export const BUILTIN_VARIABLES = ['__rate_interval', '__interval', '__range'];

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const PANEL_HEIGHT = 8;

/** The `cluster` variable: every cluster whose kubelets (or, without them, any job) report. */
export const CLUSTER_VARIABLE: VariableDef = { name: 'cluster', label: 'Cluster', query: 'label_values(up{job!=""}, cluster)' };

export function variablesOf(def: DashboardDef): VariableDef[] {
  return [CLUSTER_VARIABLE, ...(def.variables ?? [])];
}

function queryVariable(v: VariableDef): Record<string, unknown> {
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query: v.query, refId: `${v.name}-variable` },
    definition: v.query,
    refresh: 2,
    sort: 1,
    includeAll: v.multi === true,
    multi: v.multi === true,
    current: {},
    options: [],
    hide: 0,
  };
}

function panelJson(p: PanelDef, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const exprs = Array.isArray(p.expr) ? p.expr : [p.expr];
  const legends = Array.isArray(p.legend) ? p.legend : exprs.map(() => p.legend);
  const type = p.type ?? 'timeseries';
  return {
    id,
    type,
    title: p.title,
    ...(p.description !== undefined ? { description: p.description } : {}),
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: {
      defaults: { unit: p.unit ?? 'short', ...(type === 'timeseries' ? { custom: { fillOpacity: 10, lineWidth: 1, showPoints: 'never' } } : {}) },
      overrides: [],
    },
    options:
      type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: exprs.map((expr, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr,
      ...(type === 'stat' ? { instant: true } : { range: true }),
      ...(legends[i] !== undefined ? { legendFormat: legends[i] } : {}),
    })),
  };
}

export function dashboardJson(def: DashboardDef): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of def.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? 12;
      if (x + w > 24) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      panels.push(panelJson(p, id++, { x, y, w, h: PANEL_HEIGHT }));
      x += w;
    }
    y += PANEL_HEIGHT;
  }
  return {
    uid: `k8smon-${def.name}`,
    title: def.title,
    description: def.description,
    tags: ['k8smon', 'kubernetes'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: 'browser',
    graphTooltip: 1,
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, options: [] },
        ...variablesOf(def).map(queryVariable),
      ],
    },
    annotations: { list: [] },
    links: [{ type: 'dashboards', tags: ['k8smon'], asDropdown: true, title: 'k8smon', includeVars: true, keepTime: true }],
    panels,
  };
}

/** Every expression of a dashboard (panel targets and variable queries), with where it is. */
export function expressionsOf(def: DashboardDef): { where: string; expr: string; variable: boolean }[] {
  const out: { where: string; expr: string; variable: boolean }[] = [];
  for (const v of variablesOf(def)) out.push({ where: `variable ${v.name}`, expr: v.query.replace(/^label_values\((.*),\s*[a-zA-Z_]+\)$/, '$1'), variable: true });
  for (const row of def.rows) {
    for (const p of row.panels) for (const expr of Array.isArray(p.expr) ? p.expr : [p.expr]) out.push({ where: `panel "${p.title}"`, expr, variable: false });
  }
  return out;
}
