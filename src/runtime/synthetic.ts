/**
 * A synthetic cluster for tests and benchmarks: nodes (a few control-plane),
 * pods spread over them (some annotated for scraping, some not Running, some
 * with several ports), CoreDNS, Services with EndpointSlices and Endpoints,
 * and Ingresses (some under TLS). Deterministic for a given size.
 *
 * It has the shapes real clusters have and tidy ones lack (realisticShapes):
 * the control plane and kube-proxy on the host network, CoreDNS behind the
 * kube-dns Service kubeadm annotates for scraping, pods annotated alike with
 * their annotated Service, sidecars and init containers with ports, Pending
 * and Succeeded pods behind a Service, and headless and ExternalName Services.
 *
 * `workloads` adds the pods a set of manifests would run once applied (a
 * render's own node-exporter, agents, kube-state-metrics): a full preset's
 * jobs then find what they find on a real cluster after install.
 */
import { whyNotOn, type PodPlacement } from './plan/placement.js';
import { slimObject, type ContainerSpec, type EndpointSliceObject, type EndpointsObject, type IngressObject, type NodeObject, type PodObject, type ServiceObject, type Snapshot } from './semantics/snapshot.js';

export interface SyntheticOptions {
  nodes: number;
  podsPerNode: number;
  /** Every n-th pod carries prometheus.io/scrape annotations. */
  annotateEvery?: number;
  /** Every n-th app gets a Service (annotated for scraping and probing every other one) and an Ingress. */
  serviceEvery?: number;
  controlPlaneNodes?: number;
  /** Windows nodes (a Windows node group, as EKS and AKS clusters often have), named win-<n>, after the Linux ones. */
  windowsNodes?: number;
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
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; hostNetwork?: boolean; serviceAccountName?: string } & PodPlacement;
    };
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
    // Real pools are tainted: kubeadm's control plane, and (every tenth node) a GPU pool.
    const taints = [
      ...(n < controlPlanes ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []),
      ...(n % 10 === 3 ? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] : []),
    ];
    nodes.push({
      metadata: { name, labels },
      spec: { providerID: `kind://docker/k8smon/${name}`, ...(taints.length > 0 ? { taints } : {}) },
      status: { addresses: [{ type: 'InternalIP', address: ip(10, n) }, { type: 'Hostname', address: name }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
    });
  }

  for (let w = 0; w < (o.windowsNodes ?? 0); w++) {
    const name = `win-${w}`;
    nodes.push({
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'windows' } },
      spec: { providerID: `aws:///zone-a/i-win${w}`, taints: [{ key: 'os', value: 'windows', effect: 'NoSchedule' }] },
      status: { addresses: [{ type: 'InternalIP', address: ip(11, w) }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
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
  // Pods by app, once: filtering every pod for every Service made a 150,000-pod cluster take minutes.
  const byApp = new Map<string, PodObject[]>();
  for (const p of pods) {
    const app = p.metadata.labels?.app;
    if (app !== undefined) byApp.set(app, [...(byApp.get(app) ?? []), p]);
  }
  for (let a = 0; a < apps; a += serviceEvery) {
    const app = `app-${a}`;
    const ns = `team-${a % 7}`;
    const members = (byApp.get(app) ?? []).filter((p) => p.status?.podIP !== undefined && p.metadata.namespace === ns);
    const annotations: Record<string, string> = a % (2 * serviceEvery) === 0 ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/probe': 'true' } : {};
    services.push({ metadata: { name: app, namespace: ns, annotations }, spec: { type: 'ClusterIP', clusterIP: ip(40, a), ports: [{ name: 'http', port: 8080 }] } });
    const epList = members.map((m) => ({ addresses: [m.status!.podIP!], conditions: { ready: true }, nodeName: m.spec?.nodeName, targetRef: { kind: 'Pod', name: m.metadata.name, namespace: ns } }));
    endpointslices.push({ metadata: { name: `${app}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': app } }, addressType: 'IPv4', endpoints: epList, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    endpoints.push({ metadata: { name: app, namespace: ns }, subsets: [{ addresses: epList.map((e) => ({ ip: e.addresses[0]!, nodeName: e.nodeName, targetRef: e.targetRef })), ports: [{ name: 'http', port: 8080 }] }] });
    // As Ingresses come: most route one host's `/` to the app; some split paths (`/api`, `/static`) on that
    // host; some also answer on a second host name. Each (host, path) is a probe target, and a host's paths
    // share an address, so they land on one shard together: clumps of the sizes real clusters have.
    const host = `${app}.${ns}.example.com`;
    const paths = a % 4 === 0 ? ['/', '/api', '/static'].slice(0, 2 + (a % 8 === 0 ? 1 : 0)) : ['/'];
    const hosts = a % 5 === 0 ? [host, `www.${host}`] : [host];
    ingresses.push({
      metadata: { name: app, namespace: ns, annotations: { 'prometheus.io/probe': 'true' } },
      spec: { tls: a % 3 === 0 ? [{ hosts: [`*.${ns}.example.com`] }] : [], rules: hosts.map((h) => ({ host: h, http: { paths: paths.map((path) => ({ path })) } })) },
    });
  }
  realisticShapes(nodes.slice(0, o.nodes), controlPlanes, { pods, services, endpoints, endpointslices });
  workloadPods(o.workloads ?? [], nodes, pods);
  return { nodes, pods, services, endpoints, endpointslices, ingresses, apiVersions: ['v1', 'apps/v1', 'rbac.authorization.k8s.io/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1', 'policy/v1'] };
}

/** A Service with its EndpointSlice and Endpoints over `members` (ready when Running), as the controllers write them. */
function serviceOver(
  into: { services: ServiceObject[]; endpoints: EndpointsObject[]; endpointslices: EndpointSliceObject[] },
  service: ServiceObject,
  members: readonly PodObject[],
): void {
  into.services.push(service);
  if (service.spec?.type === 'ExternalName') return; // no endpoints: it is a DNS name
  const name = service.metadata.name;
  const ns = service.metadata.namespace!;
  const ports = (service.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' }));
  const withIP = members.filter((m) => m.status?.podIP !== undefined);
  const eps = withIP.map((m) => ({
    addresses: [m.status!.podIP!],
    conditions: { ready: m.status?.phase === 'Running' },
    nodeName: m.spec?.nodeName,
    targetRef: { kind: 'Pod', name: m.metadata.name, namespace: ns },
  }));
  into.endpointslices.push({ metadata: { name: `${name}-xyz`, namespace: ns, labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', endpoints: eps, ports });
  const address = (e: (typeof eps)[number]) => ({ ip: e.addresses[0]!, nodeName: e.nodeName, targetRef: e.targetRef });
  into.endpoints.push({
    metadata: { name, namespace: ns },
    subsets: [{ addresses: eps.filter((e) => e.conditions.ready).map(address), notReadyAddresses: eps.filter((e) => !e.conditions.ready).map(address), ports }],
  });
}

/** The shapes of a real cluster (see the module comment), on top of the generated apps, on the Linux nodes. */
function realisticShapes(
  nodes: readonly NodeObject[],
  controlPlanes: number,
  into: { pods: PodObject[]; services: ServiceObject[]; endpoints: EndpointsObject[]; endpointslices: EndpointSliceObject[] },
): void {
  const nodeIP = (n: NodeObject): string => n.status!.addresses![0]!.address;
  const hostNetwork = (p: PodObject): PodObject => ({ ...p, spec: { ...p.spec, hostNetwork: true } });
  // kubeadm's static control-plane pods and kube-proxy: on the host network, no ports declared.
  nodes.forEach((n, i) => {
    const onNode = { owner: { kind: 'Node', name: n.metadata.name }, hostIP: nodeIP(n) };
    if (i < controlPlanes) {
      for (const component of ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager']) {
        into.pods.push(hostNetwork(pod(`${component}-${n.metadata.name}`, 'kube-system', n.metadata.name, nodeIP(n), { component, tier: 'control-plane' }, {}, [{ name: component }], 'Running', onNode)));
      }
    }
    into.pods.push(hostNetwork(pod(`kube-proxy-${i.toString(36).padStart(5, '0')}`, 'kube-system', n.metadata.name, nodeIP(n), { 'k8s-app': 'kube-proxy' }, {}, [{ name: 'kube-proxy' }], 'Running', { owner: { kind: 'DaemonSet', name: 'kube-proxy' }, hostIP: nodeIP(n) })));
  });
  // CoreDNS behind kube-dns, which kubeadm annotates for scraping on the metrics port.
  const coredns = into.pods.filter((p) => p.metadata.namespace === 'kube-system' && p.metadata.labels?.['k8s-app'] === 'kube-dns');
  serviceOver(
    into,
    {
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }] },
    },
    coredns,
  );
  if (nodes.length === 0) return;
  const on = (i: number): string => nodes[i % nodes.length]!.metadata.name;
  const scrape = (port?: string): Record<string, string> => ({ 'prometheus.io/scrape': 'true', ...(port !== undefined ? { 'prometheus.io/port': port } : {}) });
  // A chart that annotates its pods and their Service alike; the pods carry a mesh sidecar and an init container with ports.
  const web = [0, 1].map((r) =>
    pod(`web-${r}`, 'shop', on(r), ip(60, r), { app: 'web' }, scrape('8080'), [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] }], 'Running'),
  );
  for (const p of web) p.spec!.initContainers = [{ name: 'migrate', ports: [{ name: 'debug', containerPort: 5005 }] }];
  into.pods.push(...web);
  serviceOver(into, { metadata: { name: 'web', namespace: 'shop', annotations: scrape('8080') }, spec: { type: 'ClusterIP', clusterIP: '10.96.1.1', ports: [{ name: 'http', port: 8080 }] } }, web);
  // A pod annotated without a port (every declared port is scraped) behind a Service annotated on one of them.
  const cart = pod('cart-0', 'shop', on(1), ip(60, 10), { app: 'cart' }, scrape(), [{ name: 'cart', ports: [{ name: 'http', containerPort: 8080 }, { name: 'grpc', containerPort: 9090 }] }], 'Running');
  into.pods.push(cart);
  serviceOver(into, { metadata: { name: 'cart', namespace: 'shop', annotations: scrape('8080') }, spec: { type: 'ClusterIP', clusterIP: '10.96.1.2', ports: [{ name: 'http', port: 8080 }] } }, [cart]);
  // An annotated Service over pods that are not annotated, with a Pending and a Succeeded pod among them.
  const api = ['Running', 'Running', 'Pending', 'Succeeded'].map((phase, r) =>
    pod(`api-${r}`, 'shop', on(r), phase === 'Pending' ? undefined : ip(60, 20 + r), { app: 'api' }, {}, [{ name: 'api', ports: [{ name: 'metrics', containerPort: 9102 }] }], phase),
  );
  into.pods.push(...api);
  serviceOver(into, { metadata: { name: 'api', namespace: 'shop', annotations: scrape('9102') }, spec: { type: 'ClusterIP', clusterIP: '10.96.1.3', ports: [{ name: 'metrics', port: 9102 }] } }, api);
  // A headless Service over a StatefulSet's pods, annotated; and an ExternalName Service, annotated for scraping and probing.
  const db = [0, 1].map((r) => pod(`db-${r}`, 'data', on(r), ip(60, 30 + r), { app: 'db' }, {}, [{ name: 'db', ports: [{ name: 'metrics', containerPort: 9187 }] }], 'Running', { owner: { kind: 'StatefulSet', name: 'db' } }));
  into.pods.push(...db);
  serviceOver(into, { metadata: { name: 'db', namespace: 'data', annotations: scrape('9187') }, spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'metrics', port: 9187 }] } }, db);
  serviceOver(
    into,
    { metadata: { name: 'legacy', namespace: 'data', annotations: { ...scrape('443'), 'prometheus.io/probe': 'true' } }, spec: { type: 'ExternalName', externalName: 'legacy.example.com', ports: [{ name: 'https', port: 443 }] } },
    [],
  );
}

/**
 * The pods of each workload, appended to `pods`, on the nodes the scheduler
 * would give them (node selector, affinity, taints): on the node's address
 * with hostNetwork, else a pod address of their own.
 */
function workloadPods(workloads: readonly WorkloadManifest[], allNodes: readonly NodeObject[], pods: PodObject[]): void {
  let podIndex = 0;
  for (const w of workloads) {
    const template = w.spec?.template;
    const nodes = allNodes.filter((n) => whyNotOn(template?.spec ?? {}, n) === undefined);
    const replicas = nodes.length === 0 ? 0 : w.kind === 'DaemonSet' ? nodes.length : w.kind === 'Deployment' || w.kind === 'StatefulSet' ? (w.spec?.replicas ?? 1) : 0;
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
