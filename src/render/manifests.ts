/**
 * model → Kubernetes objects. Each function here computes the values one
 * template needs; the templates only lay them out.
 */
import { createHash } from 'node:crypto';
import { imageRef } from '../model/images.js';
import type { AgentModel, LocalPrometheusModel, Model, Resources } from '../model/types.js';
import {
  GRAFANA_AGENT_CONFIG_KEY,
  GRAFANA_AGENT_HTTP_PORT,
  GRAFANA_AGENT_WAL_DIR,
  NODE_NAME_ENV,
  grafanaAgentConfigText,
} from './agents/grafana-agent.js';
import { renderTemplate, type KubernetesObject } from './templates.js';
import {
  CONTROL_PLANE_TOLERATIONS,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from './workload-security.js';

/** Namespaces k8smon deploys into but must not relabel (a Namespace object would overwrite their labels). */
const SHARED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Applied in this order by kubectl and listed in this order in every output. */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'DaemonSet',
  'Deployment',
];

export const CONFIG_CHECKSUM_ANNOTATION = 'k8smon.dev/config-sha256';
const AGENT_CONFIG_DIR = '/etc/grafana-agent';

interface Labels {
  labels: Record<string, string>;
  selector: Record<string, string>;
}

function labelsFor(name: string, component: string): Labels {
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'k8smon' };
  return { selector, labels: { ...selector, 'app.kubernetes.io/component': component, 'app.kubernetes.io/managed-by': 'k8smon' } };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface ManifestResult {
  objects: KubernetesObject[];
  notices: { path: string; message: string }[];
}

export function renderManifests(model: Model): ManifestResult {
  const objects: KubernetesObject[] = [];
  const notices: ManifestResult['notices'] = [];
  const ns = model.namespace;

  if (SHARED_NAMESPACES.includes(ns)) {
    notices.push({ path: 'namespace', message: `"${ns}" is a shared namespace: no Namespace object is rendered, so its labels (Pod Security) stay as they are` });
  } else {
    objects.push(
      renderTemplate('namespace', {
        name: ns,
        labels: {
          'app.kubernetes.io/part-of': 'k8smon',
          'app.kubernetes.io/managed-by': 'k8smon',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      }),
    );
  }

  if (model.credentialsSecret !== undefined) {
    const { name, data } = model.credentialsSecret;
    const encoded = Object.fromEntries(
      Object.keys(data)
        .sort()
        .map((k) => [k, Buffer.from(data[k]!, 'utf8').toString('base64')]),
    );
    objects.push(renderTemplate('secret', { name, namespace: ns, labels: labelsFor(name, 'credentials').labels, data: encoded }));
  }

  for (const agent of model.agents) objects.push(...agentObjects(model, agent));
  if (model.localPrometheus !== undefined) objects.push(...localPrometheusObjects(model, model.localPrometheus));

  return { objects: sortObjects(objects), notices };
}

export function sortObjects(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const rank = (o: KubernetesObject): number => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i === -1 ? KIND_ORDER.length : i;
  };
  const key = (o: KubernetesObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [...objects].sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Name for an object outside the render namespace, so two installs in one cluster do not collide. */
function clusterScopedName(model: Model, name: string): string {
  return `${name}-${model.namespace}`;
}

function agentObjects(model: Model, agent: AgentModel): KubernetesObject[] {
  const ns = model.namespace;
  const { labels, selector } = labelsFor(agent.name, agent.scope === 'node' ? 'agent-node' : 'agent-cluster');
  const out: KubernetesObject[] = [];
  const binding = { serviceAccount: agent.name, serviceAccountNamespace: ns, labels };

  out.push(renderTemplate('serviceaccount', { name: agent.name, namespace: ns, labels, automountToken: true }));
  if (agent.rbac.clusterRules.length > 0) {
    const name = clusterScopedName(model, agent.name);
    out.push(renderTemplate('clusterrole', { name, labels, rules: agent.rbac.clusterRules }));
    out.push(renderTemplate('clusterrolebinding', { name, ...binding }));
  }
  for (const { namespace, rules } of agent.rbac.namespacedRules) {
    const name = namespace === ns ? agent.name : clusterScopedName(model, agent.name);
    out.push(renderTemplate('role', { name, namespace, labels, rules }));
    out.push(renderTemplate('rolebinding', { name, namespace, ...binding }));
  }

  const configText = grafanaAgentConfigText(model, agent);
  out.push(renderTemplate('configmap', { name: agent.name, namespace: ns, labels, data: { [GRAFANA_AGENT_CONFIG_KEY]: configText } }));

  const secretVolumes = model.mountedSecrets.map((s, i) => ({
    volume: {
      name: `secret-${i}`,
      secret: { secretName: s.secretName, items: s.keys.map((key) => ({ key, path: key })), defaultMode: 0o440 },
    },
    mount: { name: `secret-${i}`, mountPath: s.mountPath, readOnly: true },
  }));
  const podSpec = {
    serviceAccount: agent.name,
    automountToken: true,
    podSecurityContext: restrictedPodSecurityContext(),
    containerSecurityContext: restrictedContainerSecurityContext(),
    tolerations: agent.scope === 'node' ? CONTROL_PLANE_TOLERATIONS : undefined,
    container: {
      name: 'grafana-agent',
      image: imageRef(model.images.agent),
      args: [
        `-config.file=${AGENT_CONFIG_DIR}/${GRAFANA_AGENT_CONFIG_KEY}`,
        '-config.expand-env=true',
        `-server.http.address=0.0.0.0:${GRAFANA_AGENT_HTTP_PORT}`,
        '-disable-reporting',
      ],
      env: agent.scope === 'node' ? [{ name: NODE_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] : undefined,
      ports: [{ name: 'http-metrics', containerPort: GRAFANA_AGENT_HTTP_PORT, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/-/ready', port: 'http-metrics' }, periodSeconds: 10 },
      resources: compactResources(agent.resources),
    },
    volumeMounts: [
      { name: 'config', mountPath: AGENT_CONFIG_DIR, readOnly: true },
      { name: 'wal', mountPath: parentDir(GRAFANA_AGENT_WAL_DIR) },
      { name: 'tmp', mountPath: '/tmp' },
      ...secretVolumes.map((s) => s.mount),
    ],
    volumes: [
      { name: 'config', configMap: { name: agent.name } },
      { name: 'wal', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      ...secretVolumes.map((s) => s.volume),
    ],
  };
  const workload = {
    name: agent.name,
    namespace: ns,
    labels,
    selector,
    podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: sha256(configText) },
    ...podSpec,
  };
  out.push(renderTemplate(agent.scope === 'node' ? 'daemonset' : 'deployment', workload));
  return out;
}

function localPrometheusObjects(model: Model, prom: LocalPrometheusModel): KubernetesObject[] {
  const ns = model.namespace;
  const { labels, selector } = labelsFor(prom.name, 'remote-write-receiver');
  const configText = '# Receives samples over remote_write from the k8smon agents; it scrapes nothing itself.\nscrape_configs: []\n';
  const out: KubernetesObject[] = [
    renderTemplate('serviceaccount', { name: prom.name, namespace: ns, labels, automountToken: false }),
    renderTemplate('configmap', { name: prom.name, namespace: ns, labels, data: { 'prometheus.yml': configText } }),
    renderTemplate('service', {
      name: prom.name,
      namespace: ns,
      labels,
      selector,
      ports: [{ name: 'http-web', port: prom.port, targetPort: 'http-web', protocol: 'TCP' }],
    }),
  ];
  const persistent = prom.storage.kind === 'persistentVolumeClaim';
  if (persistent) {
    out.push(
      renderTemplate('persistentvolumeclaim', {
        name: prom.name,
        namespace: ns,
        labels,
        size: prom.storage.size,
        storageClassName: prom.storage.storageClassName,
      }),
    );
  }
  out.push(
    renderTemplate('deployment', {
      name: prom.name,
      namespace: ns,
      labels,
      selector,
      podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: sha256(configText) },
      serviceAccount: prom.name,
      automountToken: false,
      podSecurityContext: restrictedPodSecurityContext(),
      containerSecurityContext: restrictedContainerSecurityContext(),
      container: {
        name: 'prometheus',
        image: imageRef(model.images.prometheus),
        args: [
          '--config.file=/etc/prometheus/prometheus.yml',
          '--storage.tsdb.path=/prometheus',
          `--storage.tsdb.retention.time=${prom.retention}`,
          `--storage.tsdb.retention.size=${prom.retentionSize}`,
          '--web.enable-remote-write-receiver',
          `--web.listen-address=:${prom.port}`,
        ],
        ports: [{ name: 'http-web', containerPort: prom.port, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/-/ready', port: 'http-web' }, periodSeconds: 10 },
        resources: compactResources(prom.resources),
      },
      volumeMounts: [
        { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
        { name: 'data', mountPath: '/prometheus' },
      ],
      volumes: [
        { name: 'config', configMap: { name: prom.name } },
        persistent ? { name: 'data', persistentVolumeClaim: { claimName: prom.name } } : { name: 'data', emptyDir: { sizeLimit: prom.storage.size } },
      ],
    }),
  );
  return out;
}

function compactResources(resources: Resources): Resources {
  const out: Resources = {};
  if (resources.requests && Object.keys(resources.requests).length > 0) out.requests = resources.requests;
  if (resources.limits && Object.keys(resources.limits).length > 0) out.limits = resources.limits;
  return out;
}

function parentDir(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
