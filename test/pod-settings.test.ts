/**
 * podDefaults and the per-workload pod settings: every workload k8smon renders
 * carries them, a workload's own settings win, tolerations and nodeSelector
 * replace the built-in ones, and the Pod Security / RBAC properties hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/model/build.js';
import { renderManifests } from '../src/render/manifests.js';
import { InvalidInputError } from '../src/errors.js';
import { resolveProfileDocument } from '../src/profile/resolve.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { PRESETS } from './support/render.js';

const render = (doc: Record<string, unknown>, preset = 'kubeadm'): KubernetesObject[] => {
  const { profile } = resolveProfileDocument(doc, { preset });
  return renderManifests(buildModel(profile, {}).model).objects;
};
const workloads = (objects: readonly KubernetesObject[]) => objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment');
const podOf = (o: KubernetesObject): any => (o.spec as any).template;

/** Which profile field overrides the pod settings of each workload. */
const OVERRIDE_AT: Record<string, string[]> = {
  'k8smon-agent-node': ['agent', 'pod'],
  'k8smon-agent-cluster': ['agent', 'pod'],
  'k8smon-kube-state-metrics': ['components', 'kubeStateMetrics', 'pod'],
  'k8smon-node-exporter': ['components', 'nodeExporter', 'pod'],
  'k8smon-blackbox-exporter': ['components', 'blackboxExporter', 'pod'],
  'k8smon-prometheus': ['localPrometheus', 'pod'],
};

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const labelValue = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,8}[a-zA-Z0-9])?$/);
const labels = fc.dictionary(name.map((k) => `example.com/${k}`), labelValue, { maxKeys: 3 });
const toleration = fc.record({ key: name, operator: fc.constant('Equal' as const), value: labelValue, effect: fc.constantFrom('NoSchedule' as const, 'NoExecute' as const) });
const podSettings = fc.record(
  {
    imagePullSecrets: fc.uniqueArray(name, { minLength: 1, maxLength: 2 }),
    priorityClassName: name,
    nodeSelector: fc.dictionary(name, labelValue, { minKeys: 1, maxKeys: 2 }),
    tolerations: fc.array(toleration, { maxLength: 2 }),
    affinity: fc.constant({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['monitoring'] }] }] } } }),
    labels,
    annotations: labels,
  },
  { requiredKeys: [] },
);

function setAt(doc: Record<string, any>, path: string[], value: unknown): void {
  let node = doc;
  for (const seg of path.slice(0, -1)) node = node[seg] ??= {};
  node[path.at(-1)!] = value;
}

describe('podDefaults and per-workload pod settings', () => {
  it('every rendered workload carries podDefaults, with its own settings winning field by field (property)', () => {
    const overrides = fc.dictionary(fc.constantFrom('agent', 'kubeStateMetrics', 'nodeExporter', 'blackboxExporter', 'localPrometheus'), podSettings, { maxKeys: 3 });
    fc.assert(
      fc.property(podSettings, overrides, fc.constantFrom(...PRESETS), (defaults, own, preset) => {
        const doc: Record<string, any> = { podDefaults: defaults };
        const pathOf = (k: string): string[] => (k === 'agent' ? ['agent', 'pod'] : k === 'localPrometheus' ? ['localPrometheus', 'pod'] : ['components', k, 'pod']);
        for (const [k, v] of Object.entries(own)) setAt(doc, pathOf(k), v);
        const objects = render(doc, preset);
        for (const w of workloads(objects)) {
          const at = OVERRIDE_AT[w.metadata.name]!;
          let mine: any = doc;
          for (const seg of at) mine = mine?.[seg];
          const want = { ...defaults, ...(mine ?? {}) };
          const pod = podOf(w);
          const spec = pod.spec;
          expect(spec.imagePullSecrets, w.metadata.name).toEqual(want.imagePullSecrets?.map((n: string) => ({ name: n })));
          expect(spec.priorityClassName, w.metadata.name).toEqual(want.priorityClassName);
          expect(spec.affinity, w.metadata.name).toEqual(want.affinity);
          if (want.nodeSelector !== undefined) expect(spec.nodeSelector, w.metadata.name).toEqual(want.nodeSelector);
          if (want.tolerations !== undefined) expect(spec.tolerations ?? [], w.metadata.name).toEqual(want.tolerations);
          for (const [k, v] of Object.entries({ ...defaults.labels, ...mine?.labels })) expect(pod.metadata.labels[k], `${w.metadata.name} label ${k}`).toBe(v);
          for (const [k, v] of Object.entries({ ...defaults.annotations, ...mine?.annotations })) expect(pod.metadata.annotations[k], `${w.metadata.name} annotation ${k}`).toBe(v);
          // k8smon's selector labels are untouched, so the workload still selects its pods.
          for (const [k, v] of Object.entries((w.spec as any).selector.matchLabels)) expect(pod.metadata.labels[k]).toBe(v);
          // Nothing a pod setting can say widens Pod Security or RBAC.
          expect(spec.hostNetwork === true).toBe(w.metadata.name === 'k8smon-node-exporter' || (w.metadata.name === 'k8smon-agent-node' && spec.hostNetwork === true));
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
            expect(c.securityContext.capabilities.drop).toContain('ALL');
          }
        }
        for (const r of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) expect(JSON.stringify(r.rules)).not.toMatch(/"\*"/);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the built-in tolerations and nodeSelector unless given, and replaces them when given', () => {
    const plain = render({});
    const ne = workloads(plain).find((w) => w.metadata.name === 'k8smon-node-exporter')!;
    expect(podOf(ne).spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(podOf(ne).spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    const replaced = render({ podDefaults: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }], nodeSelector: { pool: 'infra' } } });
    for (const w of workloads(replaced)) {
      expect(podOf(w).spec.tolerations, w.metadata.name).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }]);
      expect(podOf(w).spec.nodeSelector, w.metadata.name).toEqual({ pool: 'infra' });
    }
    const none = render({ components: { nodeExporter: { pod: { tolerations: [] } } } });
    expect(podOf(workloads(none).find((w) => w.metadata.name === 'k8smon-node-exporter')!).spec.tolerations).toBeUndefined();
  });

  it('puts agent.serviceAccount.annotations on both agent ServiceAccounts only', () => {
    const objects = render({ agent: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/amp' } } } });
    const annotated = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.annotations !== undefined).map((o) => o.metadata.name);
    expect(annotated.sort()).toEqual(['k8smon-agent-cluster', 'k8smon-agent-node']);
    expect(objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'k8smon-agent-node')!.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/amp' });
  });

  it('refuses labels and annotations that would replace k8smon\'s own, and unknown fields', () => {
    const problems = (doc: Record<string, unknown>): string[] => {
      try {
        render(doc);
      } catch (err) {
        if (err instanceof InvalidInputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
        throw err;
      }
      return [];
    };
    expect(problems({ podDefaults: { labels: { 'app.kubernetes.io/name': 'x' } } }).join('\n')).toMatch(/podDefaults\.labels\.app\.kubernetes\.io\/name: .*k8smon's own/);
    expect(problems({ agent: { pod: { annotations: { 'k8smon.dev/config-sha256': 'x' } } } }).join('\n')).toMatch(/agent\.pod\.annotations/);
    expect(problems({ podDefaults: { imagePullSecret: ['x'] } }).join('\n')).toMatch(/podDefaults\.imagePullSecret: unknown field.*imagePullSecrets/);
    expect(problems({ podDefaults: { tolerations: [{ operator: 'Exists', value: 'x' }] } }).join('\n')).toMatch(/tolerations\[0\]\.value/);
  });

  it('takes imagePullSecrets through --set', () => {
    const { profile } = resolveProfileDocument({}, { sets: ['podDefaults.imagePullSecrets[0]=regcred', 'podDefaults.priorityClassName=system-cluster-critical'] });
    expect(profile.podDefaults).toEqual({ imagePullSecrets: ['regcred'], priorityClassName: 'system-cluster-critical' });
  });
});

describe('the config checksum annotation', () => {
  it('is the digest of the ConfigMaps a pod reads, and absent where it reads none', () => {
    const objects = render({});
    for (const w of workloads(objects)) {
      const annotation = podOf(w).metadata.annotations?.['k8smon.dev/config-sha256'];
      const readsConfigMap = (podOf(w).spec.volumes ?? []).some((v: any) => v.configMap !== undefined);
      if (readsConfigMap) expect(annotation, w.metadata.name).toMatch(/^[0-9a-f]{64}$/);
      else expect(annotation, w.metadata.name).toBeUndefined();
      // never the digest of nothing
      expect(annotation).not.toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    }
    expect(podOf(workloads(objects).find((w) => w.metadata.name === 'k8smon-kube-state-metrics')!).metadata.annotations).toBeUndefined();
  });
});
