/**
 * The Grafana dashboards (src/dashboards/): every panel and variable query
 * parses (promtool check rules, on a recording rule wrapping it), references
 * only variables its dashboard defines, and the render ships them as
 * sidecar-labelled ConfigMaps and as files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BUILTIN_VARIABLES, dashboardJson, expressionsOf, variablesOf } from '../src/dashboards/build.js';
import { DASHBOARDS } from '../src/dashboards/catalogue.js';
import { variablesOf as variablesIn } from '../src/rules/promql.js';
import { readdirSync, readFileSync } from 'node:fs';
import { runCli } from './support/cli.js';
import { renderPreset } from './support/render.js';
import { requireTool } from './support/tools.js';

/** Sample values for the variables, so that an expression becomes plain PromQL. */
function substitute(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, 'value-of-$1');
}

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; datasource: { uid: string } }[];
}

describe('dashboards', () => {
  it('promtool check rules parses every panel and variable expression of every dashboard (wrapped in recording rules)', () => {
    const rules = DASHBOARDS.flatMap((d) => expressionsOf(d).map((e, i) => ({ record: `k8smon_dashboard_check:${d.name.replace(/-/g, '_')}:${i}`, expr: substitute(e.expr) })));
    expect(rules.length).toBeGreaterThan(50);
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-dashboards-'));
    writeFileSync(join(dir, 'panels.yaml'), stringify({ groups: [{ name: 'panels', rules }] }, { lineWidth: 0 }));
    const promtool = requireTool('promtool', 'apt-get install prometheus');
    const out = execFileSync(promtool, ['check', 'rules', join(dir, 'panels.yaml')], { encoding: 'utf8' });
    expect(out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it.each(DASHBOARDS.map((d) => [d.name, d] as const))('%s references only its own variables (each after it is defined) and Grafana\'s', (_name, d) => {
    const defined = ['datasource'];
    for (const v of variablesOf(d)) {
      for (const used of variablesIn(v.query)) expect(defined, `variable ${v.name} uses $${used}`).toContain(used);
      defined.push(v.name);
    }
    for (const e of expressionsOf(d).filter((x) => !x.variable)) {
      for (const used of variablesIn(e.expr)) expect([...defined, ...BUILTIN_VARIABLES], `${e.where} uses $${used}`).toContain(used);
      // Every panel is about the chosen cluster.
      expect(e.expr, e.where).toContain('cluster="$cluster"');
    }
  });

  it.each(DASHBOARDS.map((d) => [d.name, d] as const))('%s: a datasource and a cluster variable, every query on ${datasource}, panels on the 24-column grid', (_name, d) => {
    const json = dashboardJson(d) as { uid: string; templating: { list: { name: string; type: string; query: unknown }[] }; panels: Panel[] };
    expect(json.uid).toBe(`k8smon-${d.name}`);
    const vars = json.templating.list;
    expect(vars[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(vars[1]).toMatchObject({ name: 'cluster', type: 'query' });
    const ids = new Set<number>();
    for (const p of json.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource?.uid).toBe('${datasource}');
      for (const t of p.targets ?? []) expect(t.datasource.uid).toBe('${datasource}');
    }
    for (const p of json.panels as unknown as { id: number }[]) {
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
    }
  });

  it('renders as ConfigMaps labelled grafana_dashboard: "1" and as dashboards/*.json, the same JSON', () => {
    const bundle = renderPreset('kubeadm', ['dashboards.enabled=true']);
    const configMaps = bundle.objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') as unknown as { metadata: { name: string }; data: Record<string, string> }[];
    expect(configMaps.map((c) => c.metadata.name).sort()).toEqual(DASHBOARDS.map((d) => `k8smon-dashboard-${d.name}`).sort());
    for (const c of configMaps) {
      const [[file, text]] = Object.entries(c.data) as [[string, string]];
      expect(bundle.files.get(`dashboards/${file}`)).toBe(text);
      expect(JSON.parse(text)).toHaveProperty('uid');
    }
    expect(renderPreset('kubeadm').objects.some((o) => o.metadata.labels?.grafana_dashboard !== undefined)).toBe(false);
  });

  it('leaves out panels whose jobs are not scraped (node-exporter off: no filesystem panel)', () => {
    const titles = (sets: string[]): string[] => {
      const node = renderPreset('eks', ['dashboards.enabled=true', ...sets]).model.dashboards.find((d) => d.name === 'node')!;
      return (JSON.parse(node.text) as { panels: Panel[] }).panels.map((p) => p.title);
    };
    expect(titles([])).toContain('Filesystem used');
    expect(titles(['components.nodeExporter.enabled=false'])).not.toContain('Filesystem used');
    expect(titles(['components.nodeExporter.enabled=false'])).toContain('Running pods');
  });
});

describe('render --output-dir', () => {
  it('writes rules/ and dashboards/ beside the manifests, outside kustomization.yaml, and kubectl kustomize still builds the directory', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'k8smon-outdir-')), 'out');
    const r = await runCli(['render', '--profile', 'eks', '--set', 'dashboards.enabled=true', '--output-dir', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'rules'))).toEqual(['k8smon.rules.yaml']);
    expect(readdirSync(join(dir, 'dashboards')).sort()).toEqual(DASHBOARDS.map((d) => `k8smon-${d.name}.json`).sort());
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).not.toMatch(/rules\/|dashboards\//);
    const kubectl = requireTool('kubectl', 'see scripts/install-test-tools.sh');
    const built = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(built).toContain('grafana_dashboard: "1"');
    // A second render replaces the first, subdirectories included.
    const again = await runCli(['render', '--profile', 'eks', '--output-dir', dir]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(readdirSync(dir)).not.toContain('dashboards');
  });
});
