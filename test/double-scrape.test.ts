/**
 * Nothing scraped twice on a cluster shaped like a real one (the synthetic
 * cluster's realistic shapes: annotated pods behind annotated Services,
 * kubeadm's annotated kube-dns, sidecars and init containers with ports,
 * Pending and Succeeded pods, headless and ExternalName Services, the
 * control plane on the host network) — and `check` sees a URL scraped by two
 * jobs when a config does not take care of it.
 */
import { describe, expect, it } from 'vitest';
import { agentsFromManifests } from '../src/agents/find.js';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { crossInstanceProblems, previewCluster, type ActiveTarget } from '../src/runtime/preview/preview.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { PRESETS } from './support/render.js';

const clusterFor = (objects: readonly KubernetesObject[]) => syntheticCluster({ nodes: 6, podsPerNode: 6, workloads: objects as never });
const doubles = (objects: readonly KubernetesObject[]) => previewCluster(agentsFromManifests(objects), clusterFor(objects)).problems.filter((p) => p.rule === 'scraped-more-than-once');

describe.each(AGENT_KIND_NAMES)('the default render scrapes each endpoint once on a realistic cluster (agent.kind %s)', (kind) => {
  it.each(PRESETS)('%s, both kubelet modes', (preset) => {
    for (const access of ['direct', 'proxy']) {
      expect(doubles(renderBundle({ preset, sets: [`agent.kind=${kind}`, `kubelet.access=${access}`] }, {}).objects), access).toEqual([]);
    }
  });
});

describe('who scrapes the realistic shapes', () => {
  const { objects } = renderBundle({ preset: 'kubeadm', sets: [] }, {});
  const preview = previewCluster(agentsFromManifests(objects), clusterFor(objects));
  const urls = (job: string, where: (t: ActiveTarget) => boolean = () => true) => preview.targets.filter((t) => t.job === job && where(t)).map((t) => t.url).sort();
  const inShop = (app: string) => (t: ActiveTarget) => t.labels.namespace === 'shop' && (t.labels.pod ?? '').startsWith(`${app}-`);

  it('a pod annotated like its Service: its pod job, once (not the sidecar\'s or the init container\'s port)', () => {
    expect(urls('kubernetes-pods', inShop('web'))).toEqual(['http://60.0.0.0:8080/metrics', 'http://60.0.0.1:8080/metrics']);
    expect(urls('kubernetes-service-endpoints', inShop('web'))).toEqual([]);
  });

  it('a pod annotated without a port: every declared port by the pod job; the Service job leaves it the one they share', () => {
    expect(urls('kubernetes-pods', inShop('cart'))).toEqual(['http://60.0.0.10:8080/metrics', 'http://60.0.0.10:9090/metrics']);
    expect(urls('kubernetes-service-endpoints', inShop('cart'))).toEqual([]);
  });

  it('an annotated Service over pods that are not: its Running pods, by the Service job', () => {
    expect(urls('kubernetes-service-endpoints', inShop('api'))).toEqual(['http://60.0.0.20:9102/metrics', 'http://60.0.0.21:9102/metrics']);
    expect(urls('kubernetes-pods', inShop('api'))).toEqual([]);
  });

  it('CoreDNS by the coredns job only, though kubeadm annotates the kube-dns Service', () => {
    expect(urls('coredns')).toHaveLength(2);
    expect(urls('kubernetes-service-endpoints', (t) => t.labels.namespace === 'kube-system')).toEqual([]);
  });

  it('a headless Service\'s pods by the Service job, and an ExternalName Service probed', () => {
    expect(urls('kubernetes-service-endpoints', (t) => t.labels.service === 'db')).toEqual(['http://60.0.0.30:9187/metrics', 'http://60.0.0.31:9187/metrics']);
    expect(preview.targets.some((t) => t.job === 'kubernetes-services' && t.labels.instance === 'legacy.data.svc:443')).toBe(true);
  });
});

describe('check: the same URL scraped by two jobs', () => {
  /** The render with rules taken out of the cluster agent's config. */
  function without(preset: string, pattern: RegExp): KubernetesObject[] {
    const { objects } = renderBundle({ preset, sets: [] }, {});
    return objects.map((o) => {
      if (o.kind !== 'ConfigMap' || o.metadata.name !== 'k8smon-agent-cluster') return o;
      const data = Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(pattern, '')]));
      expect(data).not.toEqual(o.data);
      return { ...o, data };
    });
  }

  it('names both jobs when annotated pods behind annotated Services are not left to the pod job', () => {
    const problems = doubles(without('eks', /\n +- source_labels:\n +- __tmp_pod_endpoint\n +target_label: __tmp_service_endpoint\n +action: dropequal/));
    expect(problems.map((p) => p.message)).toContainEqual(
      'jobs kubernetes-pods and kubernetes-service-endpoints: http://60.0.0.0:8080/metrics is scraped 2 times (by kubernetes-pods on daemonset/k8smon-agent-node/node-0, kubernetes-service-endpoints on deployment/k8smon-agent-cluster): the same series twice, one set per job',
    );
  });

  it('names coredns and kubernetes-service-endpoints when kubeadm\'s annotated kube-dns is not left to the coredns job', () => {
    const problems = doubles(without('kubeadm', /\n +- source_labels:\n +- __meta_kubernetes_namespace\n +- __meta_kubernetes_pod_label_k8s_app\n +- __meta_kubernetes_endpointslice_port\n +regex: kube-system;kube-dns;9153\n +action: drop/));
    expect(problems.map((p) => p.message).join('\n')).toMatch(/^jobs coredns and kubernetes-service-endpoints: http:\/\/20\.0\.0\.0:9153\/metrics is scraped 2 times/m);
  });

  it('does not count another metrics_path or other params as the same target', () => {
    const t = (job: string, url: string): ActiveTarget => ({ job, agent: 'deployment/x', url, labels: { job, instance: url } });
    const problems = crossInstanceProblems({
      targets: [t('a', 'http://10.0.0.1:8080/metrics'), t('b', 'http://10.0.0.1:8080/other'), t('c', 'http://10.0.0.1:8080/metrics?x=1'), t('d', 'http://10.0.0.1:8080/metrics?x=2')],
      droppedCounts: {},
      dropped: [],
      problems: [],
      jobs: ['a', 'b', 'c', 'd'],
      incomplete: [],
    });
    expect(problems.filter((p) => p.rule === 'scraped-more-than-once')).toEqual([]);
    const same = crossInstanceProblems({ targets: [t('a', 'http://10.0.0.1:8080/metrics'), t('b', 'http://10.0.0.1:8080/metrics')], droppedCounts: {}, dropped: [], problems: [], jobs: ['a', 'b'], incomplete: [] });
    expect(same.map((p) => p.message)).toEqual(['jobs a and b: http://10.0.0.1:8080/metrics is scraped 2 times (by a on deployment/x, b on deployment/x): the same series twice, one set per job']);
  });
});
