/**
 * The alerting and recording rules (src/rules/): each rendered rule file passes
 * `promtool check rules`; `promtool test rules` makes every alert fire on
 * series that should trigger it and stay quiet on healthy ones (cases in
 * support/rule-cases.ts); the rules a render carries follow its jobs and
 * profile; and they land where the profile says.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { isAlert, RULE_GROUPS } from '../src/rules/catalogue.js';
import { isRecordedName, namesJob, SYNTHETIC_METRICS } from '../src/rules/coverage.js';
import { allRuleGroups, ruleFileText, type PromRuleGroup } from '../src/rules/index.js';
import { selectorsOf } from '../src/rules/promql.js';
import { ALERT_CASES, labelsOf } from './support/rule-cases.js';
import { findObject, PRESETS, renderPreset } from './support/render.js';
import { requireTool } from './support/tools.js';
import { agentsFromManifests } from '../src/agents/find.js';
import { anyInstanceConfig } from '../src/runtime/plan/plan.js';
import { monitoringProblems } from '../src/rules/check.js';
import { runbooksMarkdown } from '../src/rules/runbooks.js';
import type { KubernetesObject } from '../src/render/templates.js';

const RUNBOOKS = 'https://runbooks.example/k8smon';

function promtool(args: string[]): { ok: boolean; output: string } {
  const bin = requireTool('promtool', 'apt-get install prometheus');
  try {
    return { ok: true, output: execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** promtool without blocking the test worker (a long `test rules` would starve vitest's own messages). */
async function promtoolAsync(args: string[]): Promise<{ ok: boolean; output: string }> {
  const bin = requireTool('promtool', 'apt-get install prometheus');
  const r = await execa(bin, args, { reject: false, all: true });
  return { ok: r.exitCode === 0, output: r.all ?? '' };
}

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-rules-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function checkRules(text: string): { ok: boolean; output: string } {
  return promtool(['check', 'rules', writeTemp('rules.yaml', text)]);
}

describe('promtool check rules', () => {
  it('accepts the whole catalogue (every rule, whatever the profile)', () => {
    const r = checkRules(ruleFileText(allRuleGroups(RUNBOOKS)));
    expect(r.output).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it.each(PRESETS)('accepts the rule file rendered for preset %s, in its ConfigMap and in the PrometheusRule', (preset) => {
    const bundle = renderPreset(preset, ['rules.prometheusRule=true']);
    const configMap = findObject(bundle.objects, 'ConfigMap', 'k8smon-prometheus-rules') as unknown as { data: Record<string, string> };
    const text = configMap.data['k8smon.rules.yaml']!;
    expect(text).toBe(bundle.files.get('rules/k8smon.rules.yaml'));
    const r = checkRules(text);
    expect(r.output, r.output).toMatch(/SUCCESS: \d+ rules found/);
    const prometheusRule = findObject(bundle.objects, 'PrometheusRule', 'k8smon') as unknown as { spec: { groups: PromRuleGroup[] } };
    expect(prometheusRule.spec.groups).toEqual((parseYaml(text) as { groups: PromRuleGroup[] }).groups);
  });
});

describe('promtool test rules: every alert fires on a triggering series and stays quiet on a healthy one', () => {
  const alerts = RULE_GROUPS.flatMap((g) => g.rules.filter(isAlert));
  const alertNames = [...new Set(alerts.map((a) => a.alert))].sort();

  it('has one case for each alert of the catalogue', () => {
    expect(ALERT_CASES.map((c) => c.alert).sort()).toEqual(alertNames);
  });

  it('promtool test rules passes every case (the catalogue, annotations aside: check rules validates their templates)', { timeout: 180_000 }, async () => {
    // promtool compares annotations too; they are text, so the unit tests look at labels only.
    const groups = allRuleGroups(RUNBOOKS).map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }) => r) }));
    const rulesFile = writeTemp('rules.yaml', ruleFileText(groups));
    const severityOf = new Map(alerts.map((a) => [a.alert, a.severity]));
    const tests = ALERT_CASES.flatMap((c) => {
      const first = labelsOf(c.firing[0]!);
      const picked = c.labels[0] === '*' ? first : Object.fromEntries(c.labels.map((l) => [l, first[l]!]));
      const expected = (c.alerts ?? [{}]).map((extra) => ({ exp_labels: { severity: severityOf.get(c.alert)!, ...picked, ...extra } }));
      const input = (series: typeof c.firing): unknown[] => series.map((x) => ({ series: x.series, values: x.values }));
      return [
        { name: `${c.alert} fires`, interval: '1m', input_series: input(c.firing), alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: expected }] },
        { name: `${c.alert} stays quiet`, interval: '1m', input_series: input(c.healthy), alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: [] }] },
      ];
    });
    const testFile = join(rulesFile, '..', 'tests.yaml');
    writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }, { lineWidth: 0 }));
    const r = await promtoolAsync(['test', 'rules', testFile]);
    expect(r.output).toContain('SUCCESS');
    expect(r.ok, r.output.slice(0, 6000)).toBe(true);
  });

  it('promtool test rules fails a case whose healthy series would fire (the harness can fail)', () => {
    const c = ALERT_CASES.find((x) => x.alert === 'NodeNotReady')!;
    const rulesFile = writeTemp('rules.yaml', ruleFileText(allRuleGroups(RUNBOOKS).map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }) => r) }))));
    const testFile = join(rulesFile, '..', 'tests.yaml');
    const tests = [{ interval: '1m', input_series: c.firing, alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: [] }] }];
    writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }));
    expect(promtool(['test', 'rules', testFile]).ok).toBe(false);
  });

  it('the recorded workload of a pod: its ReplicaSet\'s Deployment, or its direct owner (promtool test rules)', () => {
    const rulesFile = writeTemp('rules.yaml', ruleFileText(allRuleGroups(RUNBOOKS)));
    const testFile = join(rulesFile, '..', 'tests.yaml');
    const ksm = 'job="kube-state-metrics",cluster="c1",namespace="shop"';
    const tests = [
      {
        interval: '1m',
        input_series: [
          { series: `kube_pod_owner{${ksm},pod="web-7d9-x",owner_kind="ReplicaSet",owner_name="web-7d9"}`, values: '1x10' },
          { series: `kube_replicaset_owner{${ksm},replicaset="web-7d9",owner_kind="Deployment",owner_name="web"}`, values: '1x10' },
          { series: `kube_pod_owner{${ksm},pod="db-0",owner_kind="StatefulSet",owner_name="db"}`, values: '1x10' },
        ],
        promql_expr_test: [
          {
            expr: 'namespace_workload_pod:kube_pod_owner:relabel',
            eval_time: '5m',
            exp_samples: [
              { labels: 'namespace_workload_pod:kube_pod_owner:relabel{cluster="c1",namespace="shop",pod="web-7d9-x",workload="web",workload_type="Deployment"}', value: 1 },
              { labels: 'namespace_workload_pod:kube_pod_owner:relabel{cluster="c1",namespace="shop",pod="db-0",workload="db",workload_type="StatefulSet"}', value: 1 },
            ],
          },
        ],
      },
    ];
    writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }, { lineWidth: 0 }));
    const r = promtool(['test', 'rules', testFile]);
    expect(r.ok, r.output).toBe(true);
  });
});

describe('the catalogue', () => {
  const rules = RULE_GROUPS.flatMap((g) => g.rules);

  it('gives every alert summary, description and a runbook_url anchored at its name', () => {
    for (const g of allRuleGroups(RUNBOOKS)) {
      for (const r of g.rules.filter((x) => x.alert !== undefined)) {
        expect(Object.keys(r.annotations ?? {}).sort(), r.alert).toEqual(['description', 'runbook_url', 'summary']);
        expect(r.annotations!.runbook_url).toBe(`${RUNBOOKS}#${r.alert!.toLowerCase()}`);
        expect(r.labels?.severity).toMatch(/^(critical|warning|info)$/);
      }
    }
  });

  it('names the job of every scraped series it reads, so no selector silently spans jobs', () => {
    for (const r of rules) {
      for (const s of selectorsOf(r.expr)) {
        if (isRecordedName(s.metric)) continue;
        if (SYNTHETIC_METRICS.has(s.metric) && s.matchers.some((m) => m.name === 'job')) continue;
        expect(namesJob(s), `${isAlert(r) ? r.alert : r.record}: ${s.metric}`).toBe(true);
      }
    }
  });

  it('reads only recorded series that an earlier rule records', () => {
    const recorded = new Set<string>();
    for (const g of RULE_GROUPS) {
      for (const r of g.rules) {
        for (const s of selectorsOf(r.expr).filter((x) => isRecordedName(x.metric))) expect(recorded.has(s.metric), `${s.metric}`).toBe(true);
        if (!isAlert(r)) recorded.add(r.record);
      }
    }
  });

  it('keeps cluster in every aggregation', () => {
    for (const r of rules) {
      for (const m of r.expr.matchAll(/\b(by|on)\s*\(([^)]*)\)/g)) expect(m[2], `${isAlert(r) ? r.alert : r.record}: ${m[0]}`).toContain('cluster');
    }
  });
});

describe('which rules a render carries', () => {
  const groupNames = (preset: string, sets: string[] = []): string[] => renderPreset(preset, sets).model.rules?.groups.map((g) => g.name) ?? [];
  const alertNames = (preset: string, sets: string[] = []): string[] => (renderPreset(preset, sets).model.rules?.groups ?? []).flatMap((g) => g.rules.map((r) => r.alert ?? r.record!));

  it('self-hosted control planes get the control-plane alerts; managed ones (even EKS with its scheduler job) do not', () => {
    expect(groupNames('kubeadm')).toContain('k8smon.control-plane');
    expect(alertNames('kubeadm')).toEqual(expect.arrayContaining(['KubeSchedulerDown', 'KubeControllerManagerDown', 'EtcdNoLeader']));
    // k3s runs no etcd by default: the etcd alerts go, the scheduler's stay.
    expect(alertNames('k3s')).toContain('KubeSchedulerDown');
    expect(alertNames('k3s')).not.toContain('EtcdNoLeader');
    for (const managed of ['eks', 'gke', 'aks', 'ack', 'tke']) expect(groupNames(managed), managed).not.toContain('k8smon.control-plane');
    expect(groupNames('eks', ['components.eksControlPlane.enabled=true'])).not.toContain('k8smon.control-plane');
  });

  it('a component switched off takes its rules along, and what depends on its recorded series', () => {
    const names = alertNames('eks', ['components.nodeExporter.enabled=false']);
    expect(names).not.toContain('NodeFilesystemAlmostFull');
    expect(names).not.toContain('instance:node_memory_used:ratio');
    expect(names).not.toContain('NodeMemoryAlmostExhausted');
    // NodeNotReady reads kube-state-metrics, not node-exporter.
    expect(names).toContain('NodeNotReady');
    expect(alertNames('gke')).not.toContain('CoreDNSServfailHigh');
    expect(alertNames('gke')).toContain('ClusterDNSDown');
  });

  it('rules.enabled=false renders no rules anywhere; an external destination keeps the files but no ConfigMap', () => {
    const off = renderPreset('eks', ['rules.enabled=false']);
    expect(off.objects.some((o) => o.metadata.name === 'k8smon-prometheus-rules')).toBe(false);
    expect(off.files.size).toBe(0);
    const prometheusConfig = (findObject(off.objects, 'ConfigMap', 'k8smon-prometheus') as unknown as { data: Record<string, string> }).data['prometheus.yml']!;
    expect(prometheusConfig).not.toContain('rule_files');

    const remote = renderPreset('eks', ['remoteWrite[0].url=https://metrics.example/api/v1/push']);
    expect(remote.objects.some((o) => o.metadata.name === 'k8smon-prometheus-rules')).toBe(false);
    expect(remote.files.get('rules/k8smon.rules.yaml')).toContain('groups:');
  });

  it('the in-cluster Prometheus loads the rules ConfigMap: rule_files, volume and mount agree (promtool check config)', () => {
    const bundle = renderPreset('kubeadm');
    const config = (findObject(bundle.objects, 'ConfigMap', 'k8smon-prometheus') as unknown as { data: Record<string, string> }).data['prometheus.yml']!;
    const ruleFiles = (parseYaml(config) as { rule_files: string[] }).rule_files;
    const deployment = findObject(bundle.objects, 'Deployment', 'k8smon-prometheus') as unknown as {
      spec: { template: { spec: { volumes: { name: string; configMap?: { name: string } }[]; containers: { volumeMounts: { name: string; mountPath: string }[] }[] } } };
    };
    const pod = deployment.spec.template.spec;
    const volume = pod.volumes.find((v) => v.configMap?.name === 'k8smon-prometheus-rules')!;
    const mount = pod.containers[0]!.volumeMounts.find((m) => m.name === volume.name)!;
    expect(ruleFiles).toEqual([`${mount.mountPath}/*.yaml`]);
    // The rendered config with its rule file where the mount puts it.
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-rules-config-'));
    writeFileSync(join(dir, 'k8smon.rules.yaml'), bundle.files.get('rules/k8smon.rules.yaml')!);
    writeFileSync(join(dir, 'prometheus.yml'), config.replace(mount.mountPath, dir));
    const r = promtool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(r.output, r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(readFileSync(join(dir, 'prometheus.yml'), 'utf8')).toContain(dir);
  });
});

describe('reading selectors out of PromQL', () => {
  it('finds metrics and matchers, not functions, aggregations, keywords, label lists or durations', () => {
    const found = selectorsOf(
      '1 - avg by (cluster, instance) (rate(node_cpu_seconds_total{job="node-exporter",mode=~"idle|iowait"}[5m])) and on (cluster) foo offset 5m > bool 3 or sum without (x) (bar) or vector(0) or {__name__="baz",job="x"} unless label_replace(q{a="\\\\."}, "l", "$1", "m", "(.*)")',
    );
    expect(found).toEqual([
      { metric: 'node_cpu_seconds_total', matchers: [{ name: 'job', op: '=', value: 'node-exporter' }, { name: 'mode', op: '=~', value: 'idle|iowait' }] },
      { metric: 'foo', matchers: [] },
      { metric: 'bar', matchers: [] },
      { metric: 'baz', matchers: [{ name: 'job', op: '=', value: 'x' }] },
      { metric: 'q', matchers: [{ name: 'a', op: '=', value: '\\.' }] },
    ]);
  });
});

describe('k8smon check on rules and dashboards', () => {
  it('reports, from the manifests read back, a rule and a panel whose metric an allow-list drops, and nothing on the defaults', () => {
    const scrapeConfigsOf = (objects: KubernetesObject[]) => agentsFromManifests(objects as never).flatMap((a) => anyInstanceConfig(a).scrapeConfigs);
    const dropped = renderPreset('kubeadm', ['dashboards.enabled=true', 'rules.prometheusRule=true', 'components.kubeStateMetrics.metrics.drop[0]=kube_node_status_condition']);
    const problems = monitoringProblems(dropped.objects, scrapeConfigsOf(dropped.objects));
    expect(problems.map((p) => `${p.rule}: ${p.message}`)).toEqual([
      expect.stringMatching(/^panel-metric-not-scraped: dashboard k8smon \/ Cluster panel "Nodes not Ready" needs kube_node_status_condition/),
      expect.stringMatching(/^rule-metric-not-scraped: ConfigMap\/k8smon-prometheus-rules k8smon.rules.yaml: alert NodeNotReady needs kube_node_status_condition/),
      expect.stringMatching(/^rule-metric-not-scraped: PrometheusRule\/k8smon: alert NodeNotReady needs kube_node_status_condition/),
    ]);
    const defaults = renderPreset('kubeadm', ['dashboards.enabled=true', 'rules.prometheusRule=true']);
    expect(monitoringProblems(defaults.objects, scrapeConfigsOf(defaults.objects))).toEqual([]);
    // A job that is gone altogether (an agent config edited by hand) is reported too.
    const withoutKsm = scrapeConfigsOf(defaults.objects).filter((c) => c.job_name !== 'kube-state-metrics');
    expect(monitoringProblems(defaults.objects, withoutKsm).some((p) => /alert NodeNotReady needs kube_node_status_condition from job="kube-state-metrics", which no job scrapes/.test(p.message))).toBe(true);
  });
});

describe('runbooks and profile fields', () => {
  it('docs/runbooks.md is current (run `npm run regen`) and has the anchor of every alert\'s runbook_url', () => {
    const text = readFileSync(new URL('../docs/runbooks.md', import.meta.url), 'utf8');
    expect(text).toBe(runbooksMarkdown());
    const anchors = new Set([...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const g of allRuleGroups(RUNBOOKS)) for (const r of g.rules) if (r.alert !== undefined) expect(anchors).toContain(r.annotations!.runbook_url!.split('#')[1]);
  });

  it('rules.runbookBaseUrl must be an http(s) URL without a fragment; prometheusRule without rules warns', () => {
    expect(() => renderPreset('eks', ['rules.runbookBaseUrl=https://wiki.example/runbooks#x'])).toThrow(/invalid/);
    expect(() => renderPreset('eks', ['rules.runbookBaseUrl=ftp://wiki.example/runbooks'])).toThrow(/invalid/);
    const bundle = renderPreset('eks', ['rules.runbookBaseUrl=https://wiki.example/runbooks']);
    expect(bundle.model.rules!.groups.flatMap((g) => g.rules).find((r) => r.alert === 'NodeNotReady')!.annotations!.runbook_url).toBe('https://wiki.example/runbooks#nodenotready');
    expect(renderPreset('eks', ['rules.enabled=false', 'rules.prometheusRule=true']).warnings.map((w) => w.path)).toContain('rules.prometheusRule');
  });
});

describe('k8smon check on rules, whatever the agent kind', () => {
  it.each(['prometheus', 'grafana-agent', 'alloy'])('agent.kind %s: the configs read back from its manifests tell a dropped metric from a kept one', (kind) => {
    const scrapeConfigsOf = (objects: KubernetesObject[]) => agentsFromManifests(objects as never).flatMap((a) => anyInstanceConfig(a).scrapeConfigs);
    const dropped = renderPreset('eks', [`agent.kind=${kind}`, 'components.kubelet.metrics.drop[0]=kubelet_volume_stats_.+']);
    const messages = monitoringProblems(dropped.objects, scrapeConfigsOf(dropped.objects)).map((p) => p.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/alert PersistentVolumeAlmostFull needs kubelet_volume_stats_available_bytes/)]));
    const defaults = renderPreset('eks', [`agent.kind=${kind}`]);
    expect(monitoringProblems(defaults.objects, scrapeConfigsOf(defaults.objects))).toEqual([]);
  });
});

describe('the defaults of every preset', () => {
  it.each(PRESETS)('%s: render warns about no rule or panel (the default allow-lists keep what they read)', (preset) => {
    const bundle = renderPreset(preset, ['dashboards.enabled=true']);
    expect(bundle.warnings.filter((w) => w.path.startsWith('components'))).toEqual([]);
    expect(bundle.model.rules!.groups.length).toBeGreaterThan(5);
  });
});
