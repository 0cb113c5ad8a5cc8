/**
 * A synthetic cluster for tests and benchmarks: nodes (a few control-plane),
 * pods spread over them (some annotated for scraping, some not Running, some
 * with several ports), CoreDNS, Services with EndpointSlices and Endpoints,
 * and Ingresses (some under TLS). Deterministic for a given size.
 *
 * `workloads` adds the pods a set of manifests would run once applied (a
 * render's own node-exporter, agents, kube-state-metrics): a full preset's
 * jobs then find what they find on a real cluster after install.
 */
import { slimObject, type ContainerSpec, type EndpointSliceObject, type EndpointsObject, type IngressObject, type NodeObject, type PodObject, type ServiceObject, type Snapshot } from './semantics/snapshot.js';

export interface SyntheticOptions {
  nodes: number;
  podsPerNode: number;
  /** Every n-th pod carries prometheus.io/scrape annotations. */
  annotateEvery?: number;
  /** Every n-th app gets a Service (annotated for scraping and probing every other one) and an Ingress. */
  serviceEvery?: number;
  controlPlaneNodes?: number;
  /**
   * DaemonSets (a pod on every node), Deployments and StatefulSets
   * (spec.replicas pods, default 1, on the nodes in turn) whose pods are
   * added, Running and Ready; other kinds are ignored.
   */
  workloads?: readonly WorkloadManifest[];
}

/** The parts of a DaemonSet, Deployment or StatefulSet manifest that make its pods. */
export interface WorkloadManifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    replicas?: number;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; hostNetwork?: boolean; serviceAccountName?: string } };
  };
}

export function syntheticCluster(o: SyntheticOptions): Snapshot {
  const annotateEvery = o.annotateEvery ?? 5;
  const serviceEvery = o.serviceEvery ?? 10;
  const controlPlanes = o.controlPlaneNodes ?? Math.min(3, o.nodes);
  const nodes: NodeObject[] = [];
  const pods: PodObject[] = [];
  const services: ServiceObject[] = [];
  const endpointslices: EndpointSliceObject[] = [];
  const endpoints: EndpointsObject[] = [];
  const ingresses: IngressObject[] = [];

  for (let n = 0; n < o.nodes; n++) {
    const name = `node-${n}`;
    const labels: Record<string, string> = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${n % 3}` };
    if (n < controlPlanes) labels['node-role.kubernetes.io/control-plane'] = '';
    nodes.push({
      metadata: { name, labels },
      spec: { providerID: `kind://docker/k8smon/${name}` },
      status: { addresses: [{ type: 'InternalIP', address: ip(10, n) }, { type: 'Hostname', address: name }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
    });
  }

  // CoreDNS: two replicas on the first nodes.
  for (let r = 0; r < Math.min(2, o.nodes); r++) {
    pods.push(pod(`coredns-${r}`, 'kube-system', `node-${r}`, ip(20, r), { 'k8s-app': 'kube-dns' }, {}, [{ name: 'coredns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'metrics', containerPort: 9153 }] }], 'Running'));
  }
  // The apiserver: one EndpointSlice of default/kubernetes per control-plane node.
  services.push({ metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver' } }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] } });
  endpointslices.push({
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: controlPlanes }, (_, i) => ({ addresses: [ip(10, i)], conditions: { ready: true } })),
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  });
  // Its Endpoints too, which the API server still writes (what role: endpoints reads).
  endpoints.push({ metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: [{ addresses: Array.from({ length: controlPlanes }, (_, i) => ({ ip: ip(10, i) })), ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] });

  let podIndex = 0;
  const apps = Math.max(1, Math.floor((o.nodes * o.podsPerNode) / 3));
  for (let n = 0; n < o.nodes; n++) {
    for (let p = 0; p < o.podsPerNode; p++, podIndex++) {
      const app = `app-${podIndex % apps}`;
      const ns = `team-${podIndex % 7}`;
      const annotated = podIndex % annotateEvery === 0;
      const phase = podIndex % 97 === 1 ? 'Pending' : podIndex % 89 === 2 ? 'Succeeded' : 'Running';
      const annotations: Record<string, string> = annotated ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' } : {};
      pods.push(
        pod(`${app}-${podIndex}`, ns, `node-${n}`, phase === 'Pending' ? undefined : ip(30, podIndex), { app }, annotations, [
          { name: 'main', ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9090 }] },
          { name: 'sidecar' },
        ], phase),
      );
    }
  }
  for (let a = 0; a < apps; a += serviceEvery) {
    const app = `app-${a}`;
    const ns = `team-${a % 7}`;
    const members = pods.filter((p) => p.metadata.labels?.app === app && p.status?.podIP !== undefined && p.metadata.namespace === ns);
    const annotations: Record<string, string> = a % (2 * serviceEvery) === 0 ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/probe': 'true' } : {};
    services.push({ metadata: { name: app, namespace: ns, annotations }, spec: { type: 'ClusterIP', clusterIP: ip(40, a), ports: [{ name: 'http', port: 8080 }] } });
    const epList = members.map((m) => ({ addresses: [m.status!.podIP!], conditions: { ready: true }, nodeName: m.spec?.nodeName, targetRef: { kind: 'Pod', name: m.metadata.name, namespace: ns } }));
    endpointslices.push({ metadata: { name: `${app}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': app } }, addressType: 'IPv4', endpoints: epList, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    endpoints.push({ metadata: { name: app, namespace: ns }, subsets: [{ addresses: epList.map((e) => ({ ip: e.addresses[0]!, nodeName: e.nodeName, targetRef: e.targetRef })), ports: [{ name: 'http', port: 8080 }] }] });
    ingresses.push({
      metadata: { name: app, namespace: ns, annotations: { 'prometheus.io/probe': 'true' } },
      spec: { tls: a % 3 === 0 ? [{ hosts: [`*.${ns}.example.com`] }] : [], rules: [{ host: `${app}.${ns}.example.com`, http: { paths: [{ path: '/' }, { path: '/api' }] } }] },
    });
  }
  workloadPods(o.workloads ?? [], nodes, pods);
  return { nodes, pods, services, endpoints, endpointslices, ingresses, apiVersions: ['v1', 'apps/v1', 'rbac.authorization.k8s.io/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1', 'policy/v1'] };
}

/** The pods of each workload, appended to `pods`: on the node's address with hostNetwork, else a pod address of their own. */
function workloadPods(workloads: readonly WorkloadManifest[], nodes: readonly NodeObject[], pods: PodObject[]): void {
  let podIndex = 0;
  for (const w of workloads) {
    const replicas = nodes.length === 0 ? 0 : w.kind === 'DaemonSet' ? nodes.length : w.kind === 'Deployment' || w.kind === 'StatefulSet' ? (w.spec?.replicas ?? 1) : 0;
    const template = w.spec?.template;
    const owner = w.kind === 'Deployment' ? { kind: 'ReplicaSet', name: `${w.metadata.name}-rs` } : { kind: w.kind, name: w.metadata.name };
    for (let r = 0; r < replicas; r++, podIndex++) {
      const node = nodes[r % nodes.length]!;
      const nodeIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      const name = w.kind === 'StatefulSet' ? `${w.metadata.name}-${r}` : `${w.metadata.name}-${r.toString(36).padStart(5, '0')}`;
      const p = pod(name, w.metadata.namespace ?? 'default', node.metadata.name, template?.spec?.hostNetwork === true ? nodeIP : ip(50, podIndex), { ...template?.metadata?.labels }, { ...template?.metadata?.annotations }, template?.spec?.containers ?? [], 'Running', { owner, hostIP: nodeIP });
      for (const field of ['initContainers', 'hostNetwork', 'serviceAccountName'] as const) {
        if (template?.spec?.[field] !== undefined) (p.spec as Record<string, unknown>)[field] = template.spec[field];
      }
      pods.push(slimObject('pods', p)); // as `k8smon snapshot` writes it: a template's env, args and probes are not kept
    }
  }
}

function ip(first: number, n: number): string {
  return `${first}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function pod(
  name: string,
  namespace: string,
  nodeName: string,
  podIP: string | undefined,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  containers: ContainerSpec[],
  phase: string,
  placement: { owner?: { kind: string; name: string }; hostIP?: string } = {},
): PodObject {
  const owner = placement.owner ?? { kind: 'ReplicaSet', name: `${labels.app ?? name}-rs` };
  return {
    metadata: { name, namespace, labels, annotations, uid: `uid-${namespace}-${name}`, ownerReferences: [{ ...owner, controller: true }] },
    spec: { nodeName, containers },
    status: {
      phase,
      ...(podIP !== undefined ? { podIP, hostIP: placement.hostIP ?? '10.0.0.1' } : {}),
      conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }],
      containerStatuses: containers.map((c) => ({ name: c.name, containerID: `containerd://${name}-${c.name}` })),
    },
  };
}
