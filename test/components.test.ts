import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_IMAGES } from '../src/model/images.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { findJob, hasJob, relabelTarget } from './support/jobs.js';
import { problemsOf } from './support/problems.js';
import { findObject, PRESETS, renderPreset } from './support/render.js';
import { requireTool } from './support/tools.js';

const podSpec = (o: KubernetesObject): any => (o.spec as any).template.spec;

const rejects = (preset: string, sets: string[]): { path: string; message: string }[] => problemsOf(() => renderPreset(preset, sets));

describe('kube-state-metrics', () => {
  it('gets list/watch on exactly the resources of its collectors, and no Secrets by default', () => {
    const { objects } = renderPreset('eks', ['components.kubeStateMetrics.collectors=[pods, deployments, nodes]']);
    expect(findObject(objects, 'ClusterRole', 'k8smon-kube-state-metrics-monitoring').rules).toEqual([
      { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
    ]);
    const args: string[] = podSpec(findObject(objects, 'Deployment', 'k8smon-kube-state-metrics')).containers[0].args;
    expect(args).toContain('--resources=deployments,nodes,pods');
    const defaults = renderPreset('eks').objects;
    expect(JSON.stringify(findObject(defaults, 'ClusterRole', 'k8smon-kube-state-metrics-monitoring').rules)).not.toContain('secrets');
  });

  it('lists Secrets only when the profile opts in, with a warning', () => {
    const { objects, warnings } = renderPreset('eks', ['components.kubeStateMetrics.collectors=[pods, secrets]']);
    expect(JSON.stringify(findObject(objects, 'ClusterRole', 'k8smon-kube-state-metrics-monitoring').rules)).toContain('secrets');
    expect(warnings.some((w) => w.path === 'components.kubeStateMetrics.collectors' && /every Secret/.test(w.message))).toBe(true);
  });

  // 200Mi + 2Mi and 0.1 + 0.001 core per node beyond 100, divided over the shards (one per 400 nodes beyond 400,
  // a multiple of the cluster agent's: 600 nodes → 2, 5,000 → 16).
  it.each([
    [10, 'Deployment', 1, '100m', '200Mi'],
    [100, 'Deployment', 1, '100m', '200Mi'],
    [400, 'Deployment', 1, '400m', '800Mi'],
    [600, 'StatefulSet', 2, '350m', '700Mi'],
    [5000, 'StatefulSet', 16, '407m', '813Mi'],
  ])('is sized for %i nodes: a %s of %i, each %s CPU, %s memory', (nodes, kind, replicas, cpu, memory) => {
    const { objects } = renderPreset('eks', [`cluster.nodes=${nodes}`]);
    const ksm = findObject(objects, kind, 'k8smon-kube-state-metrics');
    expect((ksm.spec as any).replicas).toBe(replicas);
    expect(podSpec(ksm).containers[0].resources.requests).toEqual({ cpu, memory });
  });

  it('is scraped once, by the cluster agent, keeping its own object labels', () => {
    const job = findJob(renderPreset('eks', ['namespace=obs']).objects, 'kube-state-metrics');
    expect(job.agent).toBe('cluster');
    expect(job.honor_labels).toBe(true);
    expect(job.static_configs).toEqual([{ targets: ['k8smon-kube-state-metrics.obs.svc:8080'] }]);
  });
});

describe('blackbox-exporter', () => {
  const modulesOf = (objects: readonly KubernetesObject[]): string =>
    (findObject(objects, 'ConfigMap', 'k8smon-blackbox-exporter').data as Record<string, string>)['blackbox.yml']!;

  it.each([false, true])('its modules pass prometheus-blackbox-exporter --config.check (icmp %s)', (icmp) => {
    const bin = requireTool('prometheus-blackbox-exporter', 'apt-get install prometheus-blackbox-exporter');
    const file = join(mkdtempSync(join(tmpdir(), 'k8smon-bb-')), 'blackbox.yml');
    writeFileSync(file, modulesOf(renderPreset('eks', [`components.blackboxExporter.icmp=${icmp}`]).objects));
    const out = execFileSync(bin, ['--config.check', `--config.file=${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out + 'ok').toBeTruthy();
  });

  it('--config.check rejects a broken module (so the check above can fail)', () => {
    const bin = requireTool('prometheus-blackbox-exporter', 'apt-get install prometheus-blackbox-exporter');
    const file = join(mkdtempSync(join(tmpdir(), 'k8smon-bb-')), 'blackbox.yml');
    writeFileSync(file, 'modules:\n  x:\n    prober: http\n    bogus_field: 1\n');
    expect(() => execFileSync(bin, ['--config.check', `--config.file=${file}`], { stdio: 'pipe' })).toThrow();
  });

  it('has http_2xx, http_post_2xx, tcp_connect and dns, and icmp with NET_RAW only on request', () => {
    const plain = renderPreset('eks').objects;
    expect(Object.keys(parseYaml(modulesOf(plain)).modules)).toEqual(['http_2xx', 'http_post_2xx', 'tcp_connect', 'dns']);
    expect(podSpec(findObject(plain, 'Deployment', 'k8smon-blackbox-exporter')).containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    const icmp = renderPreset('eks', ['components.blackboxExporter.icmp=true']);
    expect(Object.keys(parseYaml(modulesOf(icmp.objects)).modules)).toContain('icmp');
    expect(podSpec(findObject(icmp.objects, 'Deployment', 'k8smon-blackbox-exporter')).containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_RAW'] });
    expect(icmp.notices.some((n) => /NET_RAW/.test(n.message))).toBe(true);
  });

  it('probes annotated Services once, at the blackbox Service of the render namespace', () => {
    const job = findJob(renderPreset('eks', ['namespace=obs']).objects, 'kubernetes-services');
    expect(job.agent).toBe('cluster');
    const target = relabelTarget(job, {
      __address__: 'web.shop.svc:8080',
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_service_name: 'web',
      __meta_kubernetes_service_annotation_prometheus_io_probe: 'true',
    });
    expect(target).toMatchObject({
      __address__: 'k8smon-blackbox-exporter.obs.svc:9115',
      __param_target: 'web.shop.svc:8080',
      __param_module: 'http_2xx',
      __metrics_path__: '/probe',
      instance: 'web.shop.svc:8080',
      namespace: 'shop',
      service: 'web',
    });
    expect(relabelTarget(job, { __address__: 'x.shop.svc:80', __meta_kubernetes_service_name: 'x' })).toBeNull();
    const tcp = relabelTarget(job, {
      __address__: 'db.shop.svc:5432',
      __meta_kubernetes_service_annotation_prometheus_io_probe: 'true',
      __meta_kubernetes_service_annotation_prometheus_io_probe_module: 'tcp_connect',
    });
    expect(tcp?.__param_module).toBe('tcp_connect');
  });

  it('probes Ingresses at scheme://host/path, https for hosts under tls', () => {
    const job = findJob(renderPreset('eks').objects, 'kubernetes-ingresses');
    const target = relabelTarget(job, {
      __address__: 'shop.example.com',
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_ingress_name: 'web',
      __meta_kubernetes_ingress_scheme: 'https',
      __meta_kubernetes_ingress_path: '/cart',
      __meta_kubernetes_ingress_annotation_prometheus_io_probe: 'true',
    });
    expect(target).toMatchObject({ __param_target: 'https://shop.example.com/cart', instance: 'https://shop.example.com/cart', ingress: 'web', namespace: 'shop' });
  });
});

describe('node-exporter', () => {
  it('runs on every node with host namespaces and read-only host mounts, scraped node-locally', () => {
    const { objects } = renderPreset('kubeadm');
    const pod = podSpec(findObject(objects, 'DaemonSet', 'k8smon-node-exporter'));
    expect(pod).toMatchObject({ hostNetwork: true, hostPID: true, automountServiceAccountToken: false, tolerations: [{ operator: 'Exists' }] });
    for (const m of pod.containers[0].volumeMounts) expect(m.readOnly).toBe(true);
    expect(pod.volumes.map((v: any) => v.hostPath.path).sort()).toEqual(['/', '/proc', '/sys']);
    const job = findJob(objects, 'node-exporter');
    expect(job.agent).toBe('node');
    const t = relabelTarget(job, {
      __address__: '10.0.0.5:9100',
      __meta_kubernetes_pod_label_app_kubernetes_io_name: 'k8smon-node-exporter',
      __meta_kubernetes_pod_container_port_number: '9100',
      __meta_kubernetes_pod_node_name: 'node-a',
    });
    expect(t).toMatchObject({ instance: 'node-a', node: 'node-a', __address__: '10.0.0.5:9100' });
  });

  it('makes the namespace allow privileged pods, and only then', () => {
    const ns = (sets: string[]): Record<string, string> => findObject(renderPreset('eks', sets).objects, 'Namespace', 'monitoring').metadata.labels!;
    expect(ns([])['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns(['components.nodeExporter.enabled=false'])['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('is off on GKE Autopilot, and refused there with the fix', () => {
    expect(renderPreset('gke-autopilot').objects.some((o) => o.metadata.name === 'k8smon-node-exporter')).toBe(false);
    expect(rejects('gke-autopilot', ['components.nodeExporter.enabled=true'])).toEqual([
      { path: 'components.nodeExporter.enabled', message: expect.stringMatching(/GKE Autopilot rejects; set it to false/) },
    ]);
  });
});

describe('annotated workloads', () => {
  const pod = (extra: Record<string, string>): Record<string, string> => ({
    __address__: '10.1.0.7:8080',
    __meta_kubernetes_namespace: 'shop',
    __meta_kubernetes_pod_name: 'web-1',
    __meta_kubernetes_pod_node_name: 'node-a',
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_container_init: 'false',
    __meta_kubernetes_pod_container_port_number: '8080',
    __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
    ...extra,
  });

  it('scrapes annotated Running pods node-locally with namespace, pod and node labels', () => {
    const job = findJob(renderPreset('eks').objects, 'kubernetes-pods');
    expect(job.agent).toBe('node');
    expect(relabelTarget(job, pod({}))).toMatchObject({ __address__: '10.1.0.7:8080', namespace: 'shop', pod: 'web-1', node: 'node-a' });
    expect(relabelTarget(job, pod({ __meta_kubernetes_pod_phase: 'Pending' }))).toBeNull();
    expect(relabelTarget(job, pod({ __meta_kubernetes_pod_container_init: 'true' }))).toBeNull();
    expect(relabelTarget(job, pod({ __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'false' }))).toBeNull();
  });

  it('honours /port (one target per pod), /path, /scheme and /param_<name>', () => {
    const job = findJob(renderPreset('eks').objects, 'kubernetes-pods');
    const annotated = {
      __meta_kubernetes_pod_annotation_prometheus_io_port: '9000',
      __meta_kubernetes_pod_annotation_prometheus_io_path: '/stats',
      __meta_kubernetes_pod_annotation_prometheus_io_scheme: 'https',
      __meta_kubernetes_pod_annotation_prometheus_io_param_format: 'prometheus',
    };
    expect(relabelTarget(job, pod({ ...annotated, __address__: '10.1.0.7:8080' }))).toBeNull();
    expect(relabelTarget(job, pod({ ...annotated, __address__: '10.1.0.7:9000', __meta_kubernetes_pod_container_port_number: '9000' }))).toMatchObject({
      __address__: '10.1.0.7:9000',
      __metrics_path__: '/stats',
      __scheme__: 'https',
      __param_format: 'prometheus',
    });
  });

  it('scrapes annotated Service endpoints once, from the cluster agent', () => {
    const job = findJob(renderPreset('eks').objects, 'kubernetes-service-endpoints');
    expect(job.agent).toBe('cluster');
    const t = relabelTarget(job, {
      __address__: '10.1.0.7:8080',
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_service_name: 'web',
      __meta_kubernetes_service_annotation_prometheus_io_scrape: 'true',
      __meta_kubernetes_endpointslice_port: '8080',
      __meta_kubernetes_pod_name: 'web-1',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_node_name: 'node-a',
    });
    expect(t).toMatchObject({ service: 'web', namespace: 'shop', pod: 'web-1', node: 'node-a' });
  });
});

describe('kubelet endpoints', () => {
  it('adds /metrics/resource and /metrics/probes only on request', () => {
    expect(hasJob(renderPreset('eks').objects, 'kubelet-resource')).toBe(false);
    const { objects } = renderPreset('eks', ['components.kubelet.resourceMetrics=true', 'components.kubelet.probeMetrics=true']);
    expect(findJob(objects, 'kubelet-resource').metrics_path).toBe('/metrics/resource');
    expect(findJob(objects, 'kubelet-probes').metrics_path).toBe('/metrics/probes');
  });
});

describe('control plane', () => {
  const SELF_HOSTED_JOBS = ['kube-proxy', 'kube-scheduler', 'kube-controller-manager', 'etcd'];

  it.each(['kubeadm', 'rke2', 'kind'])('%s scrapes its control plane on 127.0.0.1 from a host-network node agent', (preset) => {
    const { objects, notices } = renderPreset(preset);
    for (const name of SELF_HOSTED_JOBS) expect(findJob(objects, name).agent).toBe('node');
    expect(podSpec(findObject(objects, 'DaemonSet', 'k8smon-agent-node')).hostNetwork).toBe(true);
    expect(notices.some((n) => /host network/.test(n.message))).toBe(true);
    const etcd = findJob(objects, 'etcd');
    const cp = { __address__: '10.0.0.1:10250', __meta_kubernetes_node_name: 'cp-1', __meta_kubernetes_node_labelpresent_node_role_kubernetes_io_control_plane: 'true' };
    expect(relabelTarget(etcd, cp)).toMatchObject({ __address__: '127.0.0.1:2381', __scheme__: 'http', instance: 'cp-1' });
    expect(relabelTarget(etcd, { __address__: '10.0.0.2:10250', __meta_kubernetes_node_name: 'worker-1' })).toBeNull();
    expect(relabelTarget(findJob(objects, 'kube-proxy'), { __address__: '10.0.0.2:10250', __meta_kubernetes_node_name: 'worker-1' })).toMatchObject({
      __address__: '127.0.0.1:10249',
      instance: 'worker-1',
    });
  });

  it('k3s has no etcd job (sqlite by default)', () => {
    expect(hasJob(renderPreset('k3s').objects, 'etcd')).toBe(false);
  });

  it.each(['eks', 'gke', 'gke-autopilot', 'aks', 'ack', 'tke'])('%s emits no job that can never be up there', (preset) => {
    const { objects } = renderPreset(preset);
    for (const name of SELF_HOSTED_JOBS) expect(hasJob(objects, name)).toBe(false);
    expect(podSpec(findObject(objects, 'DaemonSet', 'k8smon-agent-node')).hostNetwork).toBeUndefined();
  });

  it('refuses self-hosted-only components on a managed control plane, naming the fix', () => {
    expect(rejects('aks', ['components.etcd.enabled=true'])).toEqual([
      { path: 'components.etcd.enabled', message: expect.stringMatching(/managed control plane.*set it to false/) },
    ]);
    expect(rejects('eks', ['components.kubeScheduler.enabled=true'])[0]?.message).toMatch(/components.eksControlPlane/);
  });

  it('EKS: scheduler and controller-manager through the apiserver, on request', () => {
    const { objects } = renderPreset('eks', ['components.eksControlPlane.enabled=true']);
    expect(findJob(objects, 'kube-scheduler')).toMatchObject({ agent: 'cluster', metrics_path: '/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics' });
    expect(findJob(objects, 'kube-controller-manager').metrics_path).toBe('/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics');
    expect(findObject(objects, 'ClusterRole', 'k8smon-agent-cluster-monitoring').rules).toContainEqual({
      apiGroups: ['metrics.eks.amazonaws.com'],
      resources: ['kcm/metrics', 'ksh/metrics'],
      verbs: ['get'],
    });
    expect(rejects('aks', ['components.eksControlPlane.enabled=true'])[0]?.path).toBe('components.eksControlPlane.enabled');
  });

  it('scrapes CoreDNS once, except on GKE (kube-dns)', () => {
    expect(findJob(renderPreset('eks').objects, 'coredns').agent).toBe('cluster');
    expect(hasJob(renderPreset('gke').objects, 'coredns')).toBe(false);
  });
});

describe('images', () => {
  const images = (objects: readonly KubernetesObject[]): string[] =>
    objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment').flatMap((o) => podSpec(o).containers.map((c: any) => c.image as string));

  it('pins every image to a version README lists', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const preset of PRESETS) {
      for (const image of images(renderPreset(preset).objects)) {
        expect(image).toMatch(/:v?\d+\.\d+\.\d+$/);
        expect(readme).toContain(`\`${image}\``);
      }
    }
  });

  it('rewrites every image to imageRegistry, keeping repository path and tag', () => {
    const { objects } = renderPreset('ack', ['imageRegistry=registry.example.cn/mirror']);
    const all = images(objects);
    expect(all).toContain(`registry.example.cn/mirror/prometheus/node-exporter:${DEFAULT_IMAGES.nodeExporter.tag}`);
    for (const image of all) expect(image.startsWith('registry.example.cn/mirror/')).toBe(true);
  });

  it('lets one image be laid out differently', () => {
    const { objects } = renderPreset('ack', ['imageRegistry=registry.example.cn/mirror', 'images.kubeStateMetrics.repository=google_containers/kube-state-metrics']);
    expect(images(objects)).toContain(`registry.example.cn/mirror/google_containers/kube-state-metrics:${DEFAULT_IMAGES.kubeStateMetrics.tag}`);
  });
});

describe('NetworkPolicies', () => {
  it('are off by default, and on request let only the cluster agent reach the exporters', () => {
    expect(renderPreset('eks').objects.some((o) => o.kind === 'NetworkPolicy')).toBe(false);
    const { objects } = renderPreset('eks', ['networkPolicies.enabled=true']);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['k8smon-blackbox-exporter', 'k8smon-kube-state-metrics']);
    for (const p of policies) {
      expect((p.spec as any).ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'k8smon-agent-cluster' } } }]);
    }
  });
});

describe('k3s shared metrics registry', () => {
  it('keeps only each loopback component\'s own families there, and everything elsewhere', () => {
    expect(findJob(renderPreset('k3s').objects, 'kube-scheduler').metric_relabel_configs).toEqual([{ source_labels: ['__name__'], action: 'keep', regex: 'scheduler_.+' }]);
    expect(findJob(renderPreset('kubeadm').objects, 'kube-scheduler').metric_relabel_configs).toBeUndefined();
  });
});
