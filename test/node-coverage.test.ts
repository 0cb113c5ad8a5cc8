/**
 * Every node covered: the node-level DaemonSets tolerate every taint, Linux-only
 * workloads say so, and the preview and `check` name each node a node-local
 * agent cannot run on, with why and what goes unscraped.
 */
import { describe, expect, it } from 'vitest';
import { agentsFromManifests } from '../src/agents/find.js';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { whyNotOn } from '../src/runtime/plan/placement.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { slimObject, type NodeObject } from '../src/runtime/semantics/snapshot.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { PRESETS } from './support/render.js';

const node = (labels: Record<string, string>, taints: NodeObject['spec'] extends infer S ? (S extends { taints?: infer T } ? T : never) : never = []): NodeObject => ({ metadata: { name: 'n', labels }, spec: { taints } });
const podSpec = (o: KubernetesObject): any => (o.spec as any).template.spec;

describe('whyNotOn: the scheduler\'s rules for a DaemonSet pod', () => {
  it.each([
    ['no taints, no selector', {}, node({}), undefined],
    ['a NoSchedule taint not tolerated', {}, node({}, [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]), 'the taint nvidia.com/gpu=present:NoSchedule is not tolerated'],
    ['a PreferNoSchedule taint does not keep it off', {}, node({}, [{ key: 'a', effect: 'PreferNoSchedule' }]), undefined],
    ['a taint the DaemonSet controller tolerates itself', {}, node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), undefined],
    ['operator Exists without key tolerates everything', { tolerations: [{ operator: 'Exists' }] }, node({}, [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' }]), undefined],
    ['a toleration for another effect does not count', { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }] }, node({}, [{ key: 'k', effect: 'NoExecute' }]), 'the taint k:NoExecute is not tolerated'],
    ['Equal needs the value', { tolerations: [{ key: 'k', operator: 'Equal', value: 'a' }] }, node({}, [{ key: 'k', value: 'b', effect: 'NoSchedule' }]), 'the taint k=b:NoSchedule is not tolerated'],
    ['a nodeSelector the node does not match', { nodeSelector: { 'kubernetes.io/os': 'linux' } }, node({ 'kubernetes.io/os': 'windows' }), 'its nodeSelector kubernetes.io/os=linux does not match the node (kubernetes.io/os=windows)'],
    [
      'required node affinity',
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['a'] }] }] } } } },
      node({ pool: 'b' }),
      'its required node affinity does not match the node',
    ],
  ] as const)('%s', (_, placement, n, expected) => {
    expect(whyNotOn(placement as never, n)).toBe(expected);
  });
});

describe.each(AGENT_KIND_NAMES)('agent.kind %s', (kind) => {
  it.each(PRESETS)('%s: the node agent runs on every Linux node whatever its taints, and every workload keeps to Linux nodes', (preset) => {
    const { objects } = renderBundle({ preset, sets: [`agent.kind=${kind}`] }, {});
    const workloads = objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment');
    for (const w of workloads) expect(podSpec(w).nodeSelector, w.metadata.name).toEqual({ 'kubernetes.io/os': 'linux' });
    for (const ds of workloads.filter((o) => o.kind === 'DaemonSet')) expect(podSpec(ds).tolerations, ds.metadata.name).toEqual([{ operator: 'Exists' }]);
    // Tainted control plane, a GPU pool node, a k3s server taint: all covered.
    const snapshot = syntheticCluster({ nodes: 5, podsPerNode: 2, workloads: objects as never });
    snapshot.nodes![4]!.spec!.taints = [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' }];
    const preview = previewCluster(agentsFromManifests(objects), snapshot);
    expect(preview.problems.filter((p) => p.rule === 'node-not-covered')).toEqual([]);
    expect(new Set(preview.targets.filter((t) => t.job === 'kubelet').map((t) => t.labels.node))).toEqual(new Set(snapshot.nodes!.map((n) => n.metadata.name)));
  });
});

describe('nodes a node agent leaves out are named', () => {
  const { objects } = renderBundle({ preset: 'eks', sets: [] }, {});
  /** The render as it was before: the node agent tolerating only the control-plane taints. */
  const controlPlaneOnly = objects.map((o) =>
    o.kind === 'DaemonSet' && o.metadata.name === 'k8smon-agent-node'
      ? { ...o, spec: { ...(o.spec as any), template: { ...(o.spec as any).template, spec: { ...podSpec(o), tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] } } } }
      : o,
  );

  it('a tainted pool the agent does not tolerate: which node, which taint, and what is lost', () => {
    const snapshot = syntheticCluster({ nodes: 5, podsPerNode: 3, workloads: controlPlaneOnly as never });
    const preview = previewCluster(agentsFromManifests(controlPlaneOnly), snapshot);
    const podsOnNode3 = snapshot.pods!.filter((p) => p.spec?.nodeName === 'node-3').length;
    expect(preview.problems.filter((p) => p.rule === 'node-not-covered')).toEqual([
      { severity: 'warning', rule: 'node-not-covered', message: `node node-3: daemonset/k8smon-agent-node does not run there (the taint nvidia.com/gpu=present:NoSchedule is not tolerated): its kubelet, cAdvisor and ${podsOnNode3} pods will not be scraped` },
    ]);
    expect(preview.targets.some((t) => t.job === 'kubelet' && t.labels.node === 'node-3')).toBe(false);
  });

  it('a Windows node group: left out by the Linux node selector, and said so', () => {
    const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 1, windowsNodes: 2, workloads: objects as never });
    const preview = previewCluster(agentsFromManifests(objects), snapshot);
    expect(preview.problems.filter((p) => p.rule === 'node-not-covered').map((p) => p.message)).toEqual([
      'node win-0: daemonset/k8smon-agent-node does not run there (its nodeSelector kubernetes.io/os=linux does not match the node (kubernetes.io/os=windows)): its kubelet, cAdvisor and 0 pods will not be scraped',
      'node win-1: daemonset/k8smon-agent-node does not run there (its nodeSelector kubernetes.io/os=linux does not match the node (kubernetes.io/os=windows)): its kubelet, cAdvisor and 0 pods will not be scraped',
    ]);
  });

  it('names five nodes and counts the rest', () => {
    const snapshot = syntheticCluster({ nodes: 2, podsPerNode: 0, windowsNodes: 8 });
    const problems = previewCluster(agentsFromManifests(objects), snapshot).problems.filter((p) => p.rule === 'node-not-covered');
    expect(problems).toHaveLength(6);
    expect(problems[5]!.message).toBe('3 more nodes are left out by daemonset/k8smon-agent-node (8 in all)');
  });

  it('snapshot keeps node taints', () => {
    const taints = [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }];
    expect(slimObject('nodes', { metadata: { name: 'n', managedFields: [] } as never, spec: { taints, podCIDR: 'x' } as never }).spec).toEqual({ taints });
  });
});
