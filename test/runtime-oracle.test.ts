/**
 * The runtime against a real Prometheus (Debian 2.42) as the oracle: the same
 * discovered labels and relabel_configs, in file_sd, must give the same active
 * targets (labels and scrape URL) and the same dropped ones. The runtime runs
 * with the prometheus-2 semantics (grafana-agent's); the cases where
 * Prometheus 3 answers differently are checked against their 3.x answers too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRelabelConfigs } from '../src/runtime/semantics/relabel/relabel.js';
import { discoveredLabels, finalizeTarget } from '../src/runtime/semantics/target.js';
import { PrometheusOracle, type OracleJob, type PromTargets } from './support/prometheus.js';

const t = (id: string, labels: Record<string, string>): Record<string, string> => ({ __meta_id: id, ...labels });

/** Subtle cases: anchoring, $1 followed by letters, missing labels, hashmod, case mapping beyond ASCII, defaults. */
const JOBS: OracleJob[] = [
  {
    job_name: 'anchoring',
    relabel_configs: [{ source_labels: ['__meta_v'], regex: 'ab', action: 'keep' }],
    targets: [t('a1', { __address__: '127.0.0.1:1', __meta_v: 'ab' }), t('a2', { __address__: '127.0.0.1:2', __meta_v: 'xaby' }), t('a3', { __address__: '127.0.0.1:3', __meta_v: 'ab\nab' })],
  },
  {
    job_name: 'expand',
    relabel_configs: [
      { source_labels: ['__meta_v'], regex: '(\\w+)-(\\w+)', target_label: 'x1', replacement: '$1x' },
      { source_labels: ['__meta_v'], regex: '(\\w+)-(\\w+)', target_label: 'x2', replacement: '${1}x' },
      { source_labels: ['__meta_v'], regex: '(?P<head>\\w+)-.*', target_label: 'x3', replacement: '$head/${head}/$$1/$' },
      { source_labels: ['__meta_missing', '__meta_v'], target_label: 'x4' },
      { source_labels: ['__meta_v'], regex: '(\\w+)-.*', target_label: 'lbl_${1}', replacement: 'yes' },
    ],
    targets: [t('e1', { __address__: '127.0.0.1:4', __meta_v: 'ab-cd' })],
  },
  {
    job_name: 'hashmod',
    relabel_configs: [
      { source_labels: ['__address__'], modulus: 7, target_label: 'shard', action: 'hashmod' },
      { source_labels: ['__meta_v'], modulus: 1000003, target_label: 'big', action: 'hashmod' },
    ],
    targets: ['10.0.0.1:9100', '10.0.0.2:9100', 'node-a:10250', 'ünïcödé:1'].map((a, i) => t(`h${i}`, { __address__: a, __meta_v: `v${i}` })),
  },
  {
    job_name: 'casing',
    relabel_configs: [
      { source_labels: ['__meta_v'], target_label: 'lower', action: 'lowercase' },
      { source_labels: ['__meta_v'], target_label: 'upper', action: 'uppercase' },
    ],
    targets: ['ÀÉÎÕÜ', 'İstanbul', 'straße', 'ΣΊΣΥΦΟΣ ᾳ', 'Ǆ ǅ ǆ', 'ﬁ'].map((v, i) => t(`c${i}`, { __address__: `127.0.0.1:${10 + i}`, __meta_v: v })),
  },
  {
    job_name: 'equal-and-maps',
    relabel_configs: [
      { source_labels: ['__meta_a'], target_label: '__meta_b', action: 'dropequal' },
      { action: 'labelmap', regex: '__meta_kubernetes_(.+)', replacement: 'k8s_$1' },
      { action: 'labeldrop', regex: 'k8s_drop.*' },
    ],
    targets: [
      t('q1', { __address__: '127.0.0.1:20', __meta_a: 'x', __meta_b: 'x' }),
      t('q2', { __address__: '127.0.0.1:21', __meta_a: 'x', __meta_b: 'y', __meta_kubernetes_pod_name: 'p', __meta_kubernetes_drop_me: 'z' }),
    ],
  },
  {
    // Two labels map to one name: Prometheus walks labels sorted by name, so the last in that order wins.
    job_name: 'labelmap-collision',
    relabel_configs: [{ action: 'labelmap', regex: '__meta_(?:x|y)_(.+)', replacement: 'v_$1' }],
    targets: [t('m1', { __address__: '127.0.0.1:30', __meta_y_a: 'fromY', __meta_x_a: 'fromX' })],
  },
  {
    // 2.x anchors as ^(?:…)$: `.` stops at a newline, so (.*) does not match a value with one.
    job_name: 'newline',
    relabel_configs: [
      { source_labels: ['__meta_v'], target_label: 'copied' },
      { source_labels: ['__meta_v'], regex: 'a.b', target_label: 'dot', replacement: 'matched' },
      { source_labels: ['__meta_keep'], regex: 'x.y', action: 'drop' },
    ],
    targets: [t('n1', { __address__: '127.0.0.1:40', __meta_v: 'a\nb' }), t('n2', { __address__: '127.0.0.1:41', __meta_keep: 'x\ny' }), t('n3', { __address__: '127.0.0.1:42', __meta_keep: 'x-y' })],
  },
  {
    // 2.x deletes the target as written ("$1", no such label) when the replacement is empty, not its expansion.
    job_name: 'empty-replacement',
    relabel_configs: [{ source_labels: ['__meta_a'], regex: '(f).*', target_label: '$1', replacement: '$2' }],
    targets: [t('b1', { __address__: '127.0.0.1:50', __meta_a: 'foo', f: 'baz' })],
  },
  {
    job_name: 'finalise',
    scheme: 'https',
    metrics_path: '/m',
    params: { module: ['http_2xx'] },
    relabel_configs: [
      { source_labels: ['__meta_target'], target_label: '__param_target' },
      { source_labels: ['__meta_scheme'], regex: '(.+)', target_label: '__scheme__' },
      { source_labels: ['__meta_inst'], regex: '(.+)', target_label: 'instance' },
    ],
    targets: [
      t('f1', { __address__: 'blackbox.obs.svc', __meta_target: 'https://shop.example.com/a b?x=1' }),
      t('f2', { __address__: 'example.com', __meta_scheme: 'http' }),
      t('f3', { __address__: '127.0.0.1:9', __meta_inst: 'node-a' }),
      t('f4', { __address__: '[::1]' }),
      // 2.x: the job's params override a target's own __param_ label (Prometheus 3 keeps the target's).
      t('f5', { __address__: '127.0.0.1:10', __param_module: 'tcp_connect' }),
    ],
  },
];

const TOTAL = JOBS.reduce((n, j) => n + j.targets.length, 0);
const GLOBAL = { scrape_interval: '1h', scrape_timeout: '10s' };

let oracle: PrometheusOracle;
let actual: PromTargets;

beforeAll(async () => {
  oracle = await PrometheusOracle.start(JOBS);
  actual = await oracle.targets(TOTAL);
}, 60_000);

afterAll(async () => {
  await oracle?.stop();
});

/** What Prometheus 3 answers instead for the targets above where it differs (its model/relabel and scrape/target.go). */
const PROMETHEUS_3: Record<string, { labels: Record<string, string>; url: string } | 'dropped'> = {
  a3: 'dropped',
  n1: { labels: { copied: 'a\nb', dot: 'matched', instance: '127.0.0.1:40', job: 'newline' }, url: 'http://127.0.0.1:40/metrics' },
  n2: 'dropped',
  b1: { labels: { instance: '127.0.0.1:50', job: 'empty-replacement' }, url: 'http://127.0.0.1:50/metrics' },
  f1: { labels: { instance: 'blackbox.obs.svc', job: 'finalise' }, url: 'https://blackbox.obs.svc/m?module=http_2xx&target=https%3A%2F%2Fshop.example.com%2Fa+b%3Fx%3D1' },
  f2: { labels: { instance: 'example.com', job: 'finalise' }, url: 'http://example.com/m?module=http_2xx' },
  f4: { labels: { instance: '[::1]', job: 'finalise' }, url: 'https://[::1]/m?module=http_2xx' },
  f5: { labels: { instance: '127.0.0.1:10', job: 'finalise' }, url: 'https://127.0.0.1:10/m?module=tcp_connect' },
};

describe.each(JOBS.flatMap((j) => j.targets.filter((tg) => PROMETHEUS_3[tg.__meta_id!] !== undefined).map((tg) => [tg.__meta_id!, j, tg] as const)))('prometheus-3 where it differs: %s', (id, job, target) => {
  it('gives the Prometheus 3 answer', () => {
    const rules = compileRelabelConfigs(job.relabel_configs as never, { semantics: 'prometheus-3' });
    const ours = finalizeTarget(discoveredLabels(job, target, { __meta_filepath: 'f' }, GLOBAL, 'prometheus-3'), rules);
    const expected = PROMETHEUS_3[id]!;
    if (expected === 'dropped') expect(ours.kind).toBe('dropped');
    else expect(ours.kind === 'active' ? { labels: ours.labels, url: ours.url } : ours).toEqual(expected);
  });
});

describe.each(JOBS.map((j) => [j.job_name, j] as const))('real Prometheus oracle: %s', (_name, job) => {
  const rules = compileRelabelConfigs(job.relabel_configs as never, { semantics: 'prometheus-2' });
  it.each(job.targets.map((target) => [target.__meta_id!, target] as const))('target %s', (id, target) => {
    const active = actual.activeTargets.find((a) => a.scrapePool === job.job_name && a.discoveredLabels.__meta_id === id);
    const dropped = actual.droppedTargets.find((d) => d.discoveredLabels.job === job.job_name && d.discoveredLabels.__meta_id === id);
    // file_sd adds the file's path as a group label; everything after that is relabeling and finalisation.
    const groupLabels = { __meta_filepath: (active ?? dropped)?.discoveredLabels.__meta_filepath ?? '' };
    const ours = finalizeTarget(discoveredLabels(job, target, groupLabels, GLOBAL, 'prometheus-2'), rules);
    if (active !== undefined) {
      expect(ours.kind).toBe('active');
      if (ours.kind !== 'active') return;
      expect(ours.labels).toEqual(active.labels);
      expect(ours.url).toBe(active.scrapeUrl);
      // Prometheus 2.42 shows a label that relabeling overwrote (here __scheme__) with its new value among
      // the discovered labels: the label set is changed in place. Newer versions, and k8smon, show it as discovered.
      const overwritten = new Set(rules.filter((r) => r.action === 'replace').map((r) => r.targetLabel));
      const comparable = (l: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(l).filter(([k]) => !overwritten.has(k)));
      expect(comparable(ours.discoveredLabels)).toEqual(comparable(active.discoveredLabels));
    } else {
      expect(dropped, `Prometheus reports target ${id} neither active nor dropped`).toBeDefined();
      expect(ours.kind).toBe('dropped');
    }
  });
});
