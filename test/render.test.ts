import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.js';
import type { PolicyRule } from '../src/model/types.js';
import { toYamlStream } from '../src/render/serialize.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { agentConfigAsRead, findObject, PRESETS, renderPreset } from './support/render.js';

const rulesOf = (objects: readonly KubernetesObject[], kind: 'ClusterRole' | 'Role', name: string, ns?: string): PolicyRule[] =>
  findObject(objects, kind, name, ns).rules as PolicyRule[];

const grants = (rules: readonly PolicyRule[], resource: string, verb: string): boolean =>
  rules.some((r) => r.resources?.includes(resource) && r.verbs.includes(verb));

describe.each(PRESETS)('render of preset %s', (preset) => {
  const { objects } = renderPreset(preset);

  it('contains the whole topology', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace/monitoring',
        'ServiceAccount/k8smon-agent-node',
        'ServiceAccount/k8smon-agent-cluster',
        'ClusterRole/k8smon-agent-node-monitoring',
        'ClusterRoleBinding/k8smon-agent-node-monitoring',
        'ClusterRole/k8smon-agent-cluster-monitoring',
        'ConfigMap/k8smon-agent-node',
        'ConfigMap/k8smon-agent-cluster',
        'DaemonSet/k8smon-agent-node',
        'Deployment/k8smon-agent-cluster',
      ]),
    );
  });

  it('uses only API versions that are GA in Kubernetes 1.25 and later', () => {
    const allowed = ['v1', 'apps/v1', 'rbac.authorization.k8s.io/v1', 'networking.k8s.io/v1', 'policy/v1', 'discovery.k8s.io/v1'];
    for (const o of objects) expect(allowed).toContain(o.apiVersion);
  });

  it('scrapes node-local jobs from the DaemonSet and cluster-wide jobs once, from the Deployment', () => {
    const node = agentConfigAsRead(objects, 'k8smon-agent-node');
    const cluster = agentConfigAsRead(objects, 'k8smon-agent-cluster');
    const nodeJobs = node.scrape_configs.map((c) => c.job_name);
    const clusterJobs = cluster.scrape_configs.map((c) => c.job_name);
    expect(nodeJobs).toEqual(expect.arrayContaining(['kubelet', 'kubelet-cadvisor', 'kubernetes-pods']));
    expect(clusterJobs).toEqual(expect.arrayContaining(['apiserver', 'kube-state-metrics', 'kubernetes-services', 'kubernetes-ingresses', 'kubernetes-service-endpoints']));
    for (const cluserOnly of ['apiserver', 'kube-state-metrics', 'kubernetes-services', 'kubernetes-ingresses', 'kubernetes-service-endpoints', 'coredns']) {
      expect(nodeJobs).not.toContain(cluserOnly);
    }
    for (const nodeOnly of ['kubelet', 'kubelet-cadvisor', 'kubernetes-pods', 'node-exporter', 'kube-proxy', 'etcd']) {
      expect(clusterJobs).not.toContain(nodeOnly);
    }
    for (const sc of node.scrape_configs) {
      for (const sd of (sc.kubernetes_sd_configs ?? []) as { role: string; selectors?: unknown[] }[]) {
        // After the config reloader's substitution the agent on node-a discovers only Node node-a and its pods.
        if (sd.role === 'node') expect(sd.selectors).toEqual([{ role: 'node', field: 'metadata.name=node-a' }]);
        if (sd.role === 'pod') expect(sd.selectors).toContainEqual(expect.objectContaining({ role: 'pod', field: expect.stringMatching(/(^|,)spec\.nodeName=node-a$/) }));
      }
    }
  });

  it('is byte-identical across renders', () => {
    expect(toYamlStream(renderPreset(preset).objects)).toBe(toYamlStream(objects));
  });

  it('runs every workload under the restricted Pod Security profile', () => {
    for (const w of objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment')) {
      const pod = (w.spec as { template: { spec: Record<string, any> } }).template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });
});

describe('RBAC is derived from the jobs', () => {
  it('grants nodes/metrics for direct kubelet access, never nodes/proxy', () => {
    const { objects } = renderPreset('eks', ['kubelet.access=direct']);
    const rules = rulesOf(objects, 'ClusterRole', 'k8smon-agent-node-monitoring');
    expect(grants(rules, 'nodes/metrics', 'get')).toBe(true);
    expect(grants(rules, 'nodes/proxy', 'get')).toBe(false);
  });

  it('grants nodes/proxy only in proxy mode, and warns about what it grants', () => {
    const { objects, warnings } = renderPreset('eks', ['kubelet.access=proxy']);
    const rules = rulesOf(objects, 'ClusterRole', 'k8smon-agent-node-monitoring');
    expect(grants(rules, 'nodes/proxy', 'get')).toBe(true);
    expect(grants(rules, 'nodes/metrics', 'get')).toBe(false);
    expect(warnings.find((w) => w.path === 'kubelet.access')?.message).toMatch(/nodes\/proxy.*exec/);
  });

  it('lists and watches only what the discovery roles in use need', () => {
    const { objects } = renderPreset('kubeadm');
    expect(rulesOf(objects, 'ClusterRole', 'k8smon-agent-node-monitoring')).toEqual([
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list', 'watch'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    // Annotated service endpoints need endpointslices everywhere, which covers the apiserver's discovery too.
    expect(objects.some((o) => o.kind === 'Role' && o.metadata.namespace === 'default')).toBe(false);
  });

  it('gives the cluster agent only the apiserver\'s rights when nothing else is enabled', () => {
    const off = ['kubeStateMetrics', 'nodeExporter', 'blackboxExporter', 'annotatedPods', 'annotatedServices', 'coreDns'].map((c) => `components.${c}.enabled=false`);
    const { objects } = renderPreset('eks', off);
    expect(rulesOf(objects, 'ClusterRole', 'k8smon-agent-cluster-monitoring')).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    // The apiserver is discovered in namespace default only: a Role there, not cluster-wide rights.
    expect(rulesOf(objects, 'Role', 'k8smon-agent-cluster-monitoring', 'default')).toEqual([
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
    const binding = findObject(objects, 'RoleBinding', 'k8smon-agent-cluster-monitoring', 'default');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'k8smon-agent-cluster', namespace: 'monitoring' }]);
    expect(rulesOf(objects, 'ClusterRole', 'k8smon-agent-node-monitoring')).toEqual([
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
    ]);
  });

  it('never uses a wildcard', () => {
    for (const preset of PRESETS) {
      for (const access of ['direct', 'proxy']) {
        const { objects } = renderPreset(preset, [`kubelet.access=${access}`]);
        for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
          expect(JSON.stringify(role.rules)).not.toContain('*');
        }
      }
    }
  });

  it('names cluster-scoped objects after the namespace, so two installs do not collide', () => {
    const { objects } = renderPreset('eks', ['namespace=mon-b']);
    for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')) {
      expect(role.metadata.name).toMatch(/-mon-b$/);
    }
  });
});

describe('kubelet access modes', () => {
  it('direct: https to the node address with the ServiceAccount token', () => {
    const { objects } = renderPreset('eks', ['kubelet.insecureSkipVerify=false']);
    const [kubelet] = agentConfigAsRead(objects, 'k8smon-agent-node').scrape_configs;
    expect(kubelet).toMatchObject({
      scheme: 'https',
      metrics_path: '/metrics',
      authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { insecure_skip_verify: false },
    });
    expect(JSON.stringify(kubelet)).not.toContain('__address__');
  });

  it('proxy: through kubernetes.default.svc with ${1} intact as the agent reads it', () => {
    const { objects } = renderPreset('eks', ['kubelet.access=proxy']);
    const [, cadvisor] = agentConfigAsRead(objects, 'k8smon-agent-node').scrape_configs;
    expect(cadvisor!.relabel_configs).toEqual(
      expect.arrayContaining([
        { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
        { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: '/api/v1/nodes/${1}/proxy/metrics/cadvisor' },
      ]),
    );
  });

  it('labels kubelet and cAdvisor the way kubernetes-mixin expects', () => {
    const { objects } = renderPreset('gke');
    const configs = agentConfigAsRead(objects, 'k8smon-agent-node').scrape_configs;
    for (const [sc, path] of [[configs[0], '/metrics'], [configs[1], '/metrics/cadvisor']] as const) {
      expect(sc!.relabel_configs).toEqual(
        expect.arrayContaining([
          { target_label: 'job', replacement: 'kubelet' },
          { target_label: 'metrics_path', replacement: path },
          { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
          { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
        ]),
      );
    }
  });
});

describe('credentials', () => {
  it('puts a password from the environment into the Secret and only a file path into the ConfigMap', () => {
    const { objects } = renderPreset(
      'eks',
      ['remoteWrite[0].url=https://mimir.example/api/v1/push', 'remoteWrite[0].basicAuth.username=tenant-1', 'remoteWrite[0].basicAuth.passwordFrom.env=RW_PASSWORD'],
      { RW_PASSWORD: 'pa$$w0rd-${X}' },
    );
    const secret = findObject(objects, 'Secret', 'k8smon-remote-write');
    expect(Buffer.from((secret.data as Record<string, string>)['remote-0-password']!, 'base64').toString()).toBe('pa$$w0rd-${X}');
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) expect(JSON.stringify(cm)).not.toContain('pa$$w0rd');
    const rw = agentConfigAsRead(objects, 'k8smon-agent-node').remote_write[0];
    expect(rw).toEqual({
      name: 'remote-0',
      url: 'https://mimir.example/api/v1/push',
      basic_auth: { username: 'tenant-1', password_file: '/etc/k8smon/secrets/k8smon-remote-write/remote-0-password' },
    });
    const pod = (findObject(objects, 'DaemonSet', 'k8smon-agent-node').spec as any).template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'secret-0',
      secret: { secretName: 'k8smon-remote-write', items: [{ key: 'remote-0-password', path: 'remote-0-password' }], defaultMode: 0o440 },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-0', mountPath: '/etc/k8smon/secrets/k8smon-remote-write', readOnly: true });
  });

  it('fails with the variable name, not a value, when the environment variable is missing', () => {
    try {
      renderPreset('eks', ['remoteWrite[0].url=https://m.example/push', 'remoteWrite[0].bearerTokenFrom.env=RW_TOKEN']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).problems).toEqual([
        { path: 'remoteWrite[0].bearerTokenFrom.env', message: expect.stringContaining('environment variable RW_TOKEN is not set') },
      ]);
    }
  });

  it('mounts an existing Secret instead of rendering one', () => {
    const { objects } = renderPreset('eks', [
      'remoteWrite[0].url=https://m.example/push',
      'remoteWrite[0].bearerTokenFrom.secret.name=grafana-cloud',
      'remoteWrite[0].bearerTokenFrom.secret.key=token',
    ]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const rw = agentConfigAsRead(objects, 'k8smon-agent-cluster').remote_write[0];
    expect(rw?.authorization).toEqual({ type: 'Bearer', credentials_file: '/etc/k8smon/secrets/grafana-cloud/token' });
    const pod = (findObject(objects, 'Deployment', 'k8smon-agent-cluster').spec as any).template.spec;
    expect(pod.volumes).toContainEqual({ name: 'secret-0', secret: { secretName: 'grafana-cloud', items: [{ key: 'token', path: 'token' }], defaultMode: 0o440 } });
  });

  it('keeps headers in the agent config and a CA bundle in the Secret', () => {
    const { objects } = renderPreset('eks', [
      'remoteWrite[0].url=https://m.example/push',
      'remoteWrite[0].headers.X-Scope-OrgID=tenant-1',
      'remoteWrite[0].tls.ca=-----BEGIN CERTIFICATE-----',
    ]);
    const rw = agentConfigAsRead(objects, 'k8smon-agent-node').remote_write[0];
    expect(rw?.headers).toEqual({ 'X-Scope-OrgID': 'tenant-1' });
    expect(rw?.tls_config).toEqual({ ca_file: '/etc/k8smon/secrets/k8smon-remote-write/remote-0-ca.crt' });
  });
});

describe('default destination', () => {
  it('adds an in-cluster Prometheus with the remote-write receiver when no destination is given', () => {
    const { objects, notices } = renderPreset('k3s', ['namespace=obs']);
    const deploy = findObject(objects, 'Deployment', 'k8smon-prometheus');
    const args: string[] = (deploy.spec as any).template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=7d', '--storage.tsdb.retention.size=8GB']));
    expect(agentConfigAsRead(objects, 'k8smon-agent-node').remote_write).toEqual([
      { name: 'local', url: 'http://k8smon-prometheus.obs.svc:9090/api/v1/write' },
    ]);
    expect(notices.map((n) => n.message).join()).toMatch(/no destination configured/);
  });

  it('uses a PersistentVolumeClaim when asked', () => {
    const { objects } = renderPreset('k3s', ['localPrometheus.storage.kind=persistentVolumeClaim', 'localPrometheus.storage.storageClassName=local-path']);
    expect(findObject(objects, 'PersistentVolumeClaim', 'k8smon-prometheus').spec).toMatchObject({ storageClassName: 'local-path' });
  });

  it('is not added when a destination is configured', () => {
    const { objects } = renderPreset('eks', ['remoteWrite[0].url=https://m.example/push']);
    expect(objects.some((o) => o.metadata.name === 'k8smon-prometheus')).toBe(false);
  });
});

describe('namespaces', () => {
  it('does not relabel a shared namespace', () => {
    const { objects, notices } = renderPreset('eks', ['namespace=kube-system']);
    expect(objects.some((o) => o.kind === 'Namespace')).toBe(false);
    expect(notices.some((n) => n.path === 'namespace')).toBe(true);
  });

  it('derives every in-cluster address from the render namespace', () => {
    const { objects } = renderPreset('eks', ['namespace=team-obs']);
    const text = toYamlStream(objects);
    expect(text).not.toMatch(/\.monitoring\.svc|namespace: monitoring/);
  });
});
