/**
 * extraScrapeConfigs: the user's own Prometheus jobs, run by the cluster
 * agent of every kind, checked by the runtime that previews them (relabel
 * rules, discovery, selectors), with discovery RBAC derived like every job's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { agentsFromManifests } from '../src/agents/find.js';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { runCli } from './support/cli.js';
import { findJob } from './support/jobs.js';
import { problemsOf } from './support/problems.js';
import { newSandbox, promtoolCheckConfig, promtoolConfig } from './support/promtool.js';
import { agentConfigAsRead, findObject } from './support/render.js';

/** The Istio sidecars' Envoy stats in namespace "shop" (no rendered job scrapes them), and a static VM exporter. */
const EXTRA = [
  {
    job_name: 'shop-envoy',
    scrape_interval: '30s',
    metrics_path: '/stats/prometheus',
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['shop'] }, selectors: [{ role: 'pod', label: 'app' }] }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_phase'], action: 'keep', regex: 'Running' },
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: 'http-envoy-prom' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    ],
    metric_relabel_configs: [{ source_labels: ['__name__'], action: 'drop', regex: 'envoy_cluster_.*_bucket' }],
  },
  { job_name: 'legacy-vm', static_configs: [{ targets: ['10.20.0.5:9100'], labels: { env: 'prod' } }] },
];

function profileFile(doc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-extra-'));
  const file = join(dir, 'k8smon.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

const render = (extra: unknown, sets: string[] = []) => renderBundle({ file: profileFile({ preset: 'eks', extraScrapeConfigs: extra }), sets }, {});

describe.each(AGENT_KIND_NAMES)('extraScrapeConfigs on agent.kind %s', (kind) => {
  const { objects } = render(EXTRA, [`agent.kind=${kind}`]);

  it('run on the cluster agent, as given, and the preview finds their targets', () => {
    expect(findJob(objects, 'shop-envoy').agent).toBe('cluster');
    expect(findJob(objects, 'legacy-vm').agent).toBe('cluster');
    const preview = previewCluster(agentsFromManifests(objects), syntheticCluster({ nodes: 6, podsPerNode: 6, workloads: objects as never }));
    const shop = preview.targets.filter((t) => t.job === 'shop-envoy');
    expect(shop.length).toBeGreaterThan(0);
    for (const t of shop) expect(t.url).toMatch(/:15090\/stats\/prometheus$/);
    expect(preview.targets.filter((t) => t.job === 'legacy-vm').map((t) => [t.url, t.labels.env])).toEqual([['http://10.20.0.5:9100/metrics', 'prod']]);
    expect(preview.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('get list/watch on pods in their namespace only (a Role in "shop"), derived from their discovery', () => {
    // Without the cluster-scope components, whose endpoint discovery lists pods cluster-wide anyway.
    const alone = ['kubeStateMetrics', 'blackboxExporter', 'annotatedServices', 'coreDns', 'apiserver', 'selfMonitoring'].map((c) => `components.${c}.enabled=false`);
    const { objects } = render(EXTRA, [`agent.kind=${kind}`, ...alone]);
    const role = findObject(objects, 'Role', 'k8smon-agent-cluster-monitoring', 'shop') as unknown as { rules: unknown[] };
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
    expect(objects.filter((o) => o.kind === 'ClusterRole' && o.metadata.name.startsWith('k8smon-agent-cluster'))).toEqual([]);
  });
});

describe('extraScrapeConfigs in real tools', () => {
  it('check reports a job of theirs that scrapes what a rendered job scrapes, naming both', () => {
    // The app port of every pod in "shop", annotated ones too: the node agent's kubernetes-pods job has those.
    const greedy = { job_name: 'shop-apps', kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['shop'] } }], relabel_configs: [{ source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: '8080' }] };
    const { objects } = render([greedy]);
    const preview = previewCluster(agentsFromManifests(objects), syntheticCluster({ nodes: 6, podsPerNode: 6, workloads: objects as never }));
    const doubled = preview.problems.filter((p) => p.rule === 'scraped-more-than-once');
    expect(doubled.length).toBeGreaterThan(0);
    expect(doubled[0]!.message).toMatch(/^jobs kubernetes-pods and shop-apps: /);
  });

  it('the cluster agent config with them passes promtool check config (Debian prometheus)', () => {
    for (const kind of ['prometheus', 'grafana-agent']) {
      const { objects } = render(EXTRA, [`agent.kind=${kind}`]);
      const result = promtoolCheckConfig(promtoolConfig(agentConfigAsRead(objects, 'k8smon-agent-cluster'), newSandbox()));
      expect(result.output, kind).toContain('SUCCESS');
    }
  });

  it('shard with the cluster agent: the hashmod rules come first', () => {
    const { objects } = render(EXTRA, ['agent.cluster.shards=2']);
    expect(findJob(objects, 'shop-envoy').relabel_configs.map((r) => r.action ?? 'replace').slice(0, 4)).toEqual(['replace', 'replace', 'hashmod', 'keepequal']);
  });
});

describe('extraScrapeConfigs that cannot run are refused, naming the field', () => {
  const refused = (extra: unknown, sets: string[] = []) => problemsOf(() => render(extra, sets));

  it('a relabel regex RE2 does not take, in the kind\'s Prometheus semantics', () => {
    const problems = refused([{ job_name: 'x', static_configs: [{ targets: ['a:1'] }], relabel_configs: [{ source_labels: ['a'], regex: '(?<name>x)' }] }]);
    expect(problems).toEqual([expect.objectContaining({ path: 'extraScrapeConfigs[0].relabel_configs[0]' })]);
  });

  it('a selector discovery cannot parse, and a selector role the SD role does not take', () => {
    const bad = refused([
      { job_name: 'x', kubernetes_sd_configs: [{ role: 'pod', selectors: [{ role: 'pod', label: 'app in (a' }] }] },
      { job_name: 'y', kubernetes_sd_configs: [{ role: 'node', selectors: [{ role: 'pod', field: 'spec.nodeName=a' }] }] },
    ]);
    expect(bad.map((p) => p.path)).toEqual(['extraScrapeConfigs[0].kubernetes_sd_configs[0]', 'extraScrapeConfigs[1].kubernetes_sd_configs[0]']);
  });

  it('a field no kind renders (another SD), with the fields it takes', () => {
    const [problem] = refused([{ job_name: 'x', consul_sd_configs: [{ server: 'c:8500' }], static_configs: [{ targets: ['a:1'] }] }]);
    expect(problem!.path).toBe('extraScrapeConfigs[0].consul_sd_configs');
    expect(problem!.message).toMatch(/kubernetes_sd_configs/);
  });

  it('a job name k8smon renders, or one given twice', () => {
    const clash = refused([{ job_name: 'kubelet', static_configs: [{ targets: ['a:1'] }] }]);
    expect(clash).toEqual([expect.objectContaining({ path: 'extraScrapeConfigs[0].job_name', message: expect.stringMatching(/k8smon renders.*kube-state-metrics/) })]);
    const twice = refused([
      { job_name: 'a', static_configs: [{ targets: ['a:1'] }] },
      { job_name: 'a', static_configs: [{ targets: ['b:1'] }] },
    ]);
    expect(twice).toEqual([expect.objectContaining({ path: 'extraScrapeConfigs[1].job_name' })]);
  });

  it('a timeout longer than the job\'s interval, and a job that discovers nothing', () => {
    expect(refused([{ job_name: 'a', scrape_interval: '5s', static_configs: [{ targets: ['a:1'] }] }]).map((p) => p.path)).toEqual(['extraScrapeConfigs[0].scrape_timeout']);
    expect(refused([{ job_name: 'a' }]).map((p) => p.path)).toEqual(['extraScrapeConfigs[0]']);
  });

  it('the CLI exits non-zero with the path, and writes no output file', async () => {
    const file = profileFile({ preset: 'eks', extraScrapeConfigs: [{ job_name: 'x', static_configs: [{ targets: ['a:1'] }], relabel_configs: [{ action: 'explode' }] }] });
    const out = join(mkdtempSync(join(tmpdir(), 'k8smon-out-')), 'deploy');
    const result = await runCli(['render', '-f', file, '--output-dir', out]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('extraScrapeConfigs[0].relabel_configs[0].action');
    expect(result.stderr).toMatch(/keep/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
  });
});
