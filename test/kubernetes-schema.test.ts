/** Every rendered object validates against the Kubernetes OpenAPI schemas (npm kubernetes-models). */
import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '../src/render/templates.js';
import { AGENT_KINDS } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import { renderVariants } from './support/render.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

async function modelFor(obj: KubernetesObject): Promise<ModelClass> {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  // The operator's CRDs (PrometheusRule) come as their own package, generated from the CRD schemas.
  const modulePath =
    group === '' ? `kubernetes-models/${version}/${obj.kind}` : group === 'monitoring.coreos.com' ? `@kubernetes-models/prometheus-operator/${group}/${version}/${obj.kind}` : `kubernetes-models/${group}/${version}/${obj.kind}`;
  const mod = (await import(modulePath)) as Record<string, ModelClass>;
  const cls = mod[obj.kind];
  if (cls === undefined) throw new Error(`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`);
  return cls;
}

describe.each(renderVariants())('kubernetes-models schema validation: $name', ({ preset, sets, env }) => {
  const { objects } = renderBundle({ preset, sets }, env);
  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s is valid', async (_name, obj) => {
    const Model = await modelFor(obj);
    expect(() => new Model(obj).validate()).not.toThrow();
  });
});

describe('kubernetes-models schema validation: the rules and dashboards objects (rules.prometheusRule, dashboards.enabled)', () => {
  for (const preset of ['kubeadm', 'eks']) {
    const { objects } = renderBundle({ preset, sets: ['rules.prometheusRule=true', 'dashboards.enabled=true'] }, {});
    const monitoring = objects.filter((o) => o.kind === 'PrometheusRule' || o.metadata.name.startsWith('k8smon-dashboard-') || o.metadata.name === 'k8smon-prometheus-rules');
    it.each(monitoring.map((o) => [`${preset}: ${o.kind}/${o.metadata.name}`, o] as const))('%s is valid', async (_name, obj) => {
      const Model = await modelFor(obj);
      expect(() => new Model(obj).validate()).not.toThrow();
    });
  }

  it('the PrometheusRule schema refuses a rule without expr (so the check above can fail)', async () => {
    const bad = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A' }] }] } };
    const Model = await modelFor(bad as unknown as KubernetesObject);
    expect(() => new Model(bad).validate()).toThrow();
  });
});

describe('the validator itself', () => {
  it('rejects a malformed object (so the checks above can fail)', async () => {
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'one', selector: {}, template: {} } };
    const Model = await modelFor(bad as unknown as KubernetesObject);
    expect(() => new Model(bad).validate()).toThrow();
  });
});

describe('kubernetes-models schema validation: the sharded cluster agent (agent.cluster.shards=3)', () => {
  const { objects } = renderBundle({ preset: 'eks', sets: ['agent.cluster.shards=3'] }, {});
  it('renders a StatefulSet and a PodDisruptionBudget, both valid', async () => {
    const ss = objects.find((o) => o.kind === 'StatefulSet')!;
    expect(ss.metadata.name).toBe('k8smon-agent-cluster');
    const Model = await modelFor(ss);
    expect(() => new Model(ss).validate()).not.toThrow();
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
    const Pdb = await modelFor(pdb);
    expect(() => new Pdb(pdb).validate()).not.toThrow();
  });
});

describe.each([10, 500, 2000, 5000])('kubernetes-models schema validation: cluster.nodes=%i (shards, sizes, kube-state-metrics sharded from 500)', (nodes) => {
  const { objects } = renderBundle({ preset: 'eks', sets: [`cluster.nodes=${nodes}`] }, {});
  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}${o.metadata.namespace !== undefined ? ` -n ${o.metadata.namespace}` : ''}`, o] as const))('%s is valid', async (_name, obj) => {
    const Model = await modelFor(obj);
    expect(() => new Model(obj).validate()).not.toThrow();
  });
});

describe('kubernetes-models schema validation: the Alertmanager (alertmanager.enabled with a webhook receiver)', () => {
  const sets = ['alertmanager.enabled=true', 'alertmanager.receivers[0].name=ops', 'alertmanager.receivers[0].webhook.url=https://hooks.example.com/x', 'alertmanager.receivers[0].webhook.bearerTokenFrom.secret.name=pager', 'alertmanager.receivers[0].webhook.bearerTokenFrom.secret.key=token'];
  const { objects } = renderBundle({ preset: 'kubeadm', sets }, {});
  const alertmanager = objects.filter((o) => o.metadata.name === 'k8smon-alertmanager' || o.metadata.name === 'k8smon-prometheus');
  it.each(alertmanager.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s is valid', async (_name, obj) => {
    const Model = await modelFor(obj);
    expect(() => new Model(obj).validate()).not.toThrow();
  });
});

// Every agent kind's objects (the cluster agent sharded where the kind can; the WAL on the node where it can).
const KIND_SETS = AGENT_KINDS.map((k) => [k.name, [`agent.kind=${k.name}`, ...(k.shardable ? ['agent.cluster.shards=3'] : []), ...(k.walOnHost === true ? ['agent.wal.hostPath=/var/lib/k8smon-agent'] : [])]] as const);
describe.each(KIND_SETS)('kubernetes-models schema validation: agent.kind %s', (_kind, sets) => {
  const { objects } = renderBundle({ preset: 'eks', sets: [...sets] }, {});
  const agents = objects.filter((o) => o.metadata.name.startsWith('k8smon-agent-'));
  it.each(agents.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s is valid', async (_name, obj) => {
    const Model = await modelFor(obj);
    expect(() => new Model(obj).validate()).not.toThrow();
  });
});
