/**
 * model → Kubernetes objects. Every workload — agents, exporters, the
 * in-cluster Prometheus — goes through `workloadObjects`, so each gets the same
 * ServiceAccount/RBAC/ConfigMap/Service treatment and the same checks.
 */
import { createHash } from 'node:crypto';
import { agentKind } from '../agents/registry.js';
import { APPLYSET_PART_OF_LABEL, isMember } from './applyset.js';
import { strictestAllowing } from '../model/security.js';
import type { Model, WorkloadModel } from '../model/types.js';
import { renderTemplate, type KubernetesObject } from './templates.js';

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
  'NetworkPolicy',
  'DaemonSet',
  'Deployment',
  'StatefulSet',
  'PodDisruptionBudget',
  'PrometheusRule',
];

/** The label Grafana's dashboard sidecar (the grafana chart's sidecar.dashboards) looks for. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** A PrometheusRule for the operator (when asked for), and one ConfigMap per dashboard for Grafana's sidecar. */
function monitoringObjects(model: Model): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  const ns = model.namespace;
  if (model.rules?.prometheusRule === true) {
    out.push(renderTemplate('prometheusrule', { name: 'k8smon', namespace: ns, labels: labelsFor('k8smon', 'rules').labels, groups: model.rules.groups }));
  }
  for (const d of model.dashboards) {
    const name = `k8smon-dashboard-${d.name}`;
    out.push(renderTemplate('configmap', { name, namespace: ns, labels: { ...labelsFor(name, 'dashboard').labels, [GRAFANA_DASHBOARD_LABEL]: '1' }, data: { [d.fileName]: d.text } }));
  }
  return out;
}

export const CONFIG_CHECKSUM_ANNOTATION = 'k8smon.dev/config-sha256';

function labelsFor(name: string, component: string): { labels: Record<string, string>; selector: Record<string, string> } {
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
  // The agents are the one part that depends on the agent kind: its plug-in builds their workloads.
  const kind = agentKind(model.agentKind);
  const workloads = [...model.agents.map((a) => kind.workload(model, a)), ...model.workloads];
  if (kind.endOfLife !== undefined) {
    notices.push({ path: 'agent.kind', message: `${kind.name} is end of life since ${kind.endOfLife.since}; ${kind.endOfLife.advice}` });
  }

  const level = strictestAllowing(workloads.map((w) => w.podSecurity));
  if (SHARED_NAMESPACES.includes(ns)) {
    notices.push({ path: 'namespace', message: `"${ns}" is a shared namespace: no Namespace object is rendered, so its labels (Pod Security) stay as they are` });
  } else {
    objects.push(
      renderTemplate('namespace', {
        name: ns,
        labels: {
          'app.kubernetes.io/part-of': 'k8smon',
          'app.kubernetes.io/managed-by': 'k8smon',
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/audit': level,
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
  for (const claim of model.volumeClaims) {
    objects.push(
      renderTemplate('persistentvolumeclaim', {
        name: claim.name,
        namespace: ns,
        labels: labelsFor(claim.name, 'storage').labels,
        size: claim.size,
        storageClassName: claim.storageClassName,
      }),
    );
  }
  for (const w of workloads) objects.push(...workloadObjects(model, w));
  objects.push(...monitoringObjects(model));
  // Members of the inventory say so on the object itself (never on selectors or pod templates, which would roll pods).
  for (const o of objects) if (isMember(o)) o.metadata.labels = { ...o.metadata.labels, [APPLYSET_PART_OF_LABEL]: model.inventory.id };
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

function workloadObjects(model: Model, w: WorkloadModel): KubernetesObject[] {
  const ns = model.namespace;
  const { labels, selector } = labelsFor(w.name, w.component);
  const out: KubernetesObject[] = [];
  const binding = { serviceAccount: w.name, serviceAccountNamespace: ns, labels };

  const saAnnotations = model.serviceAccountAnnotations[w.name];
  out.push(renderTemplate('serviceaccount', { name: w.name, namespace: ns, labels, annotations: saAnnotations, automountToken: w.automountToken }));
  if (w.rbac.clusterRules.length > 0) {
    const name = clusterScopedName(model, w.name);
    out.push(renderTemplate('clusterrole', { name, labels, rules: w.rbac.clusterRules }));
    out.push(renderTemplate('clusterrolebinding', { name, ...binding }));
  }
  for (const { namespace, rules } of w.rbac.namespacedRules) {
    const name = namespace === ns ? w.name : clusterScopedName(model, w.name);
    out.push(renderTemplate('role', { name, namespace, labels, rules }));
    out.push(renderTemplate('rolebinding', { name, namespace, ...binding }));
  }
  for (const cm of w.configMaps) out.push(renderTemplate('configmap', { name: cm.name, namespace: ns, labels, data: cm.data, binaryData: cm.binaryData }));
  if (w.service !== undefined) {
    out.push(
      renderTemplate('service', {
        name: w.name,
        namespace: ns,
        labels,
        selector,
        headless: w.headlessService === true,
        ports: w.service.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: 'TCP' })),
      }),
    );
    if (model.networkPolicies && w.scrapedBy !== undefined) {
      out.push(
        renderTemplate('networkpolicy', {
          name: w.name,
          namespace: ns,
          labels,
          selector,
          from: w.scrapedBy.map((scope) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': agentName(model, scope) } } })),
          ports: w.service.map((p) => ({ port: p.targetPort, protocol: 'TCP' })),
        }),
      );
    }
  }
  if (w.maxUnavailable !== undefined) {
    out.push(renderTemplate('poddisruptionbudget', { name: w.name, namespace: ns, labels, selector, maxUnavailable: w.maxUnavailable }));
  }
  // The checksum rolls the pods when a ConfigMap they read changes; a pod with none gets no checksum.
  const configDigest = w.configMaps.length > 0 ? sha256(w.configMaps.map((c) => JSON.stringify(c.data) + (c.binaryData !== undefined ? JSON.stringify(c.binaryData) : '')).join('\n')) : undefined;
  const settings = model.podSettings[w.name] ?? {};
  out.push(
    renderTemplate(w.kind === 'DaemonSet' ? 'daemonset' : w.kind === 'StatefulSet' ? 'statefulset' : 'deployment', {
      name: w.name,
      replicas: w.replicas,
      serviceName: w.serviceName,
      namespace: ns,
      labels,
      selector,
      // The user's labels and annotations never replace k8smon's own (the selector, the config checksum).
      podLabels: { ...settings.labels, ...labels },
      podAnnotations: nonEmpty({ ...settings.annotations, ...(configDigest !== undefined ? { [CONFIG_CHECKSUM_ANNOTATION]: configDigest } : {}) }),
      serviceAccount: w.name,
      automountToken: w.automountToken,
      imagePullSecrets: settings.imagePullSecrets?.map((name) => ({ name })),
      priorityClassName: settings.priorityClassName,
      hostNetwork: w.pod.hostNetwork === true,
      hostPID: w.pod.hostPID === true,
      // Given by the user, nodeSelector and tolerations replace the workload's own.
      nodeSelector: settings.nodeSelector ?? w.pod.nodeSelector,
      tolerations: settings.tolerations ?? w.pod.tolerations,
      affinity: settings.affinity,
      podSecurityContext: w.pod.securityContext,
      initContainers: w.pod.initContainers?.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent' })),
      containers: w.pod.containers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent' })),
      volumes: w.pod.volumes,
    }),
  );
  return out;
}

function agentName(model: Model, scope: 'node' | 'cluster'): string {
  const agent = model.agents.find((a) => a.scope === scope);
  if (agent === undefined) throw new Error(`no ${scope} agent in the model`);
  return agent.name;
}

function nonEmpty(record: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(record).length > 0 ? record : undefined;
}
