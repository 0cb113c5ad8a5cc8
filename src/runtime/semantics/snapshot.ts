/**
 * A cluster snapshot: the objects Kubernetes service discovery reads, keyed by
 * resource plural, each an array of objects as the Kubernetes API returns them
 * (`kubectl get -o json` items). Only the fields discovery reads (or a field
 * selector can name) are typed, and slimObject keeps exactly those.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}

export interface ContainerPortSpec {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  ports?: ContainerPortSpec[];
}

/*
 * Besides what discovery turns into labels, the interfaces keep the fields an
 * API server lets a field selector name (kubernetes_sd_configs.selectors[].field):
 * pods' spec.restartPolicy, schedulerName, serviceAccountName, hostNetwork and
 * status.nominatedNodeName, nodes' spec.unschedulable.
 */
export interface PodObject {
  metadata: ObjectMeta;
  spec?: {
    nodeName?: string;
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    restartPolicy?: string;
    schedulerName?: string;
    serviceAccountName?: string;
    hostNetwork?: boolean;
  };
  status?: {
    phase?: string;
    nominatedNodeName?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; containerID?: string }[];
    initContainerStatuses?: { name: string; containerID?: string }[];
  };
}

export interface NodeObject {
  metadata: ObjectMeta;
  spec?: { providerID?: string; unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
  status?: {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
    /** Prometheus 3 labels node targets with each (`__meta_kubernetes_node_condition_<type>`). */
    conditions?: { type: string; status: string }[];
  };
}

/** Namespaces: their labels and annotations (attach_metadata.namespace, Prometheus 3). */
export interface NamespaceObject {
  metadata: ObjectMeta;
}

/** ReplicaSets: the Deployment owning a pod's ReplicaSet (attach_metadata.deployment, Prometheus 3). */
export interface ReplicaSetObject {
  metadata: ObjectMeta;
}

/** Jobs: the CronJob owning a pod's Job (attach_metadata.cronjob, Prometheus 3). */
export interface JobObject {
  metadata: ObjectMeta;
}

export interface ServiceObject {
  metadata: ObjectMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    externalName?: string;
    loadBalancerIP?: string;
    ipFamilyPolicy?: string;
    ipFamilies?: string[];
    ports?: { name?: string; port: number; protocol?: string }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

export interface ObjectReference {
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface EndpointsObject {
  metadata: ObjectMeta;
  subsets?: {
    addresses?: { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReference }[];
    notReadyAddresses?: { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReference }[];
    ports?: { name?: string; port: number; protocol?: string }[];
  }[];
}

export interface EndpointSliceObject {
  metadata: ObjectMeta;
  addressType?: string;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    hostname?: string;
    nodeName?: string;
    zone?: string;
    targetRef?: ObjectReference;
    deprecatedTopology?: Record<string, string>;
  }[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

export interface IngressObject {
  metadata: ObjectMeta;
  spec?: {
    ingressClassName?: string;
    tls?: { hosts?: string[] }[];
    rules?: { host?: string; http?: { paths?: { path?: string }[] } }[];
  };
}

export interface Snapshot {
  nodes?: NodeObject[];
  pods?: PodObject[];
  services?: ServiceObject[];
  endpoints?: EndpointsObject[];
  endpointslices?: EndpointSliceObject[];
  ingresses?: IngressObject[];
  namespaces?: NamespaceObject[];
  replicasets?: ReplicaSetObject[];
  jobs?: JobObject[];
  /** API versions the cluster serves (`kubectl api-versions`), when captured. */
  apiVersions?: string[];
}

export const SNAPSHOT_RESOURCES = ['nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'ingresses', 'namespaces', 'replicasets', 'jobs'] as const;
export type SnapshotResource = (typeof SNAPSHOT_RESOURCES)[number];

/**
 * What makes `doc` unusable as a snapshot, each as a path and what it must be
 * (at most `max`): an object whose resource members are lists of objects that
 * each have a metadata.name, and string API versions. Discovery assumes that
 * shape; anything else would fail deep inside it with a TypeError.
 */
export function snapshotProblems(doc: unknown, max = 5): { path: string; message: string }[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return [{ path: '', message: `must be an object keyed by resource (${SNAPSHOT_RESOURCES.join(', ')}); create one with: k8smon snapshot > cluster.json` }];
  }
  const problems: { path: string; message: string }[] = [];
  const members = doc as Record<string, unknown>;
  for (const resource of SNAPSHOT_RESOURCES) {
    const list = members[resource];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push({ path: resource, message: `must be a list of ${resource} (the items of kubectl get ${resource} -o json)` });
      continue;
    }
    for (let i = 0; i < list.length && problems.length < max; i++) {
      const o = list[i] as { metadata?: { name?: unknown } } | null;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) problems.push({ path: `${resource}[${i}]`, message: 'must be an object (a Kubernetes object)' });
      else if (typeof o.metadata?.name !== 'string') problems.push({ path: `${resource}[${i}].metadata.name`, message: 'must be a string: every object has a name' });
    }
  }
  const versions = members.apiVersions;
  if (versions !== undefined && !(Array.isArray(versions) && versions.every((v) => typeof v === 'string'))) {
    problems.push({ path: 'apiVersions', message: 'must be a list of strings (kubectl api-versions)' });
  }
  return problems.slice(0, max);
}

/** The keys a list of objects is indexed by: metadata.name, metadata.namespace, spec.nodeName. */
export type IndexKey = 'name' | 'namespace' | 'nodeName';

const listIndexes = new WeakMap<readonly object[], Map<IndexKey, Map<string, object[]>>>();

/**
 * The objects of one list by name, namespace or spec.nodeName, built once per
 * list however many discoveries read it: the selectors every node agent uses
 * (metadata.name=<node>, spec.nodeName=<node>) and the lookups of the pods
 * behind endpoints cost a lookup, not a scan of the whole cluster.
 */
export function indexBy<T extends { metadata: ObjectMeta }>(items: readonly T[], key: IndexKey): Map<string, T[]> {
  let perList = listIndexes.get(items);
  if (perList === undefined) listIndexes.set(items, (perList = new Map()));
  let index = perList.get(key) as Map<string, T[]> | undefined;
  if (index === undefined) {
    index = new Map();
    for (const o of items) {
      const k = key === 'name' ? o.metadata.name : key === 'namespace' ? (o.metadata.namespace ?? '') : ((o as { spec?: { nodeName?: string } }).spec?.nodeName ?? '');
      const list = index.get(k);
      if (list === undefined) index.set(k, [o]);
      else list.push(o);
    }
    perList.set(key, index);
  }
  return index;
}

/** The object named `name` in `namespace` (names are unique within a namespace). */
function byNamespacedName<T extends { metadata: ObjectMeta }>(items: readonly T[], namespace: string, name: string): T | undefined {
  const inNamespace = indexBy(items, 'namespace').get(namespace);
  return inNamespace === undefined ? undefined : indexBy(inNamespace, 'name').get(name)?.[0];
}

/** Lookups discovery needs, on the indexes of the snapshot's lists. */
export class SnapshotIndex {
  readonly snapshot: Snapshot;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  pod(namespace: string, name: string): PodObject | undefined {
    return byNamespacedName(this.snapshot.pods ?? [], namespace, name);
  }

  service(namespace: string, name: string): ServiceObject | undefined {
    return byNamespacedName(this.snapshot.services ?? [], namespace, name);
  }

  node(name: string): NodeObject | undefined {
    return indexBy(this.snapshot.nodes ?? [], 'name').get(name)?.[0];
  }

  namespace(name: string): NamespaceObject | undefined {
    return indexBy(this.snapshot.namespaces ?? [], 'name').get(name)?.[0];
  }

  replicaSet(namespace: string, name: string): ReplicaSetObject | undefined {
    return byNamespacedName(this.snapshot.replicasets ?? [], namespace, name);
  }

  job(namespace: string, name: string): JobObject | undefined {
    return byNamespacedName(this.snapshot.jobs ?? [], namespace, name);
  }
}

/**
 * Every key of T present (a value may be undefined). The projections below are
 * typed with it, so each lists every field its interface declares: a field
 * added to an interface above (because discovery now reads it) fails to compile
 * here until the snapshot keeps it too.
 */
type Every<T> = { [K in keyof Required<T>]: T[K] };
type Item<L> = NonNullable<L> extends readonly (infer E)[] ? E : never;

/** The object without its undefined members (what JSON.stringify would write anyway). */
function defined<T>(o: Every<T>): T {
  for (const k in o) if (o[k] === undefined) delete o[k];
  return o as T;
}

function each<T, U>(list: readonly T[] | undefined, project: (x: T) => U): U[] | undefined {
  return Array.isArray(list) ? list.map(project) : undefined;
}

function slimMeta(m: ObjectMeta): ObjectMeta {
  return defined<ObjectMeta>({
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    labels: m.labels,
    annotations: m.annotations,
    ownerReferences: each(m.ownerReferences, (r) => defined<Item<ObjectMeta['ownerReferences']>>({ kind: r.kind, name: r.name, controller: r.controller })),
  });
}

function slimReference(r: ObjectReference | undefined): ObjectReference | undefined {
  return r === undefined ? undefined : defined<ObjectReference>({ kind: r.kind, name: r.name, namespace: r.namespace });
}

function slimContainer(c: ContainerSpec): ContainerSpec {
  return defined<ContainerSpec>({ name: c.name, image: c.image, ports: each(c.ports, (p) => defined<ContainerPortSpec>({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) });
}

type PodSpec = NonNullable<PodObject['spec']>;
type PodStatus = NonNullable<PodObject['status']>;
type ContainerStatus = Item<PodStatus['containerStatuses']>;
const slimContainerStatus = (s: ContainerStatus): ContainerStatus => defined<ContainerStatus>({ name: s.name, containerID: s.containerID });

function slimPod(p: PodObject): PodObject {
  const spec = p.spec;
  const status = p.status;
  return defined<PodObject>({
    metadata: slimMeta(p.metadata),
    spec:
      spec &&
      defined<PodSpec>({
        nodeName: spec.nodeName,
        containers: each(spec.containers, slimContainer),
        initContainers: each(spec.initContainers, slimContainer),
        restartPolicy: spec.restartPolicy,
        schedulerName: spec.schedulerName,
        serviceAccountName: spec.serviceAccountName,
        hostNetwork: spec.hostNetwork,
      }),
    status:
      status &&
      defined<PodStatus>({
        phase: status.phase,
        nominatedNodeName: status.nominatedNodeName,
        podIP: status.podIP,
        hostIP: status.hostIP,
        conditions: each(status.conditions, (c) => defined<Item<PodStatus['conditions']>>({ type: c.type, status: c.status })),
        containerStatuses: each(status.containerStatuses, slimContainerStatus),
        initContainerStatuses: each(status.initContainerStatuses, slimContainerStatus),
      }),
  });
}

type NodeStatus = NonNullable<NodeObject['status']>;

function slimNode(n: NodeObject): NodeObject {
  const status = n.status;
  const kubelet = status?.daemonEndpoints?.kubeletEndpoint;
  return defined<NodeObject>({
    metadata: slimMeta(n.metadata),
    spec:
      n.spec &&
      defined<NonNullable<NodeObject['spec']>>({
        providerID: n.spec.providerID,
        unschedulable: n.spec.unschedulable,
        // Which DaemonSets run on the node (the agents', node-exporter's): what `check` says of uncovered nodes.
        taints: each(n.spec.taints, (t) => defined<Item<NonNullable<NodeObject['spec']>['taints']>>({ key: t.key, value: t.value, effect: t.effect })),
      }),
    status:
      status &&
      defined<NodeStatus>({
        addresses: each(status.addresses, (a) => defined<Item<NodeStatus['addresses']>>({ type: a.type, address: a.address })),
        daemonEndpoints: status.daemonEndpoints && defined<NonNullable<NodeStatus['daemonEndpoints']>>({ kubeletEndpoint: kubelet && defined<typeof kubelet>({ Port: kubelet.Port }) }),
        conditions: each(status.conditions, (c) => defined<Item<NodeStatus['conditions']>>({ type: c.type, status: c.status })),
      }),
  });
}

type ServiceSpec = NonNullable<ServiceObject['spec']>;
type ServiceStatus = NonNullable<ServiceObject['status']>;
type LoadBalancerStatus = NonNullable<ServiceStatus['loadBalancer']>;

function slimService(s: ServiceObject): ServiceObject {
  const spec = s.spec;
  return defined<ServiceObject>({
    metadata: slimMeta(s.metadata),
    spec:
      spec &&
      defined<ServiceSpec>({
        type: spec.type,
        clusterIP: spec.clusterIP,
        externalName: spec.externalName,
        loadBalancerIP: spec.loadBalancerIP,
        ipFamilyPolicy: spec.ipFamilyPolicy,
        ipFamilies: spec.ipFamilies,
        ports: each(spec.ports, (p) => defined<Item<ServiceSpec['ports']>>({ name: p.name, port: p.port, protocol: p.protocol })),
      }),
    status:
      s.status &&
      defined<ServiceStatus>({
        loadBalancer: s.status.loadBalancer && defined<LoadBalancerStatus>({ ingress: each(s.status.loadBalancer.ingress, (i) => defined<Item<LoadBalancerStatus['ingress']>>({ ip: i.ip })) }),
      }),
  });
}

type Subset = Item<EndpointsObject['subsets']>;
type EndpointAddress = Item<Subset['addresses']>;
const slimAddress = (a: EndpointAddress): EndpointAddress => defined<EndpointAddress>({ ip: a.ip, hostname: a.hostname, nodeName: a.nodeName, targetRef: slimReference(a.targetRef) });

function slimEndpoints(e: EndpointsObject): EndpointsObject {
  return defined<EndpointsObject>({
    metadata: slimMeta(e.metadata),
    subsets: each(e.subsets, (s) =>
      defined<Subset>({
        addresses: each(s.addresses, slimAddress),
        notReadyAddresses: each(s.notReadyAddresses, slimAddress),
        ports: each(s.ports, (p) => defined<Item<Subset['ports']>>({ name: p.name, port: p.port, protocol: p.protocol })),
      }),
    ),
  });
}

type SliceEndpoint = Item<EndpointSliceObject['endpoints']>;

function slimEndpointSlice(e: EndpointSliceObject): EndpointSliceObject {
  return defined<EndpointSliceObject>({
    metadata: slimMeta(e.metadata),
    addressType: e.addressType,
    endpoints: each(e.endpoints, (ep) =>
      defined<SliceEndpoint>({
        addresses: ep.addresses,
        conditions: ep.conditions && defined<NonNullable<SliceEndpoint['conditions']>>({ ready: ep.conditions.ready, serving: ep.conditions.serving, terminating: ep.conditions.terminating }),
        hostname: ep.hostname,
        nodeName: ep.nodeName,
        zone: ep.zone,
        targetRef: slimReference(ep.targetRef),
        deprecatedTopology: ep.deprecatedTopology,
      }),
    ),
    ports: each(e.ports, (p) => defined<Item<EndpointSliceObject['ports']>>({ name: p.name, port: p.port, protocol: p.protocol, appProtocol: p.appProtocol })),
  });
}

type IngressSpec = NonNullable<IngressObject['spec']>;
type IngressRule = Item<IngressSpec['rules']>;
type IngressHttp = NonNullable<IngressRule['http']>;

function slimIngress(i: IngressObject): IngressObject {
  const spec = i.spec;
  return defined<IngressObject>({
    metadata: slimMeta(i.metadata),
    spec:
      spec &&
      defined<IngressSpec>({
        ingressClassName: spec.ingressClassName,
        tls: each(spec.tls, (t) => defined<Item<IngressSpec['tls']>>({ hosts: t.hosts })),
        rules: each(spec.rules, (r) => defined<IngressRule>({ host: r.host, http: r.http && defined<IngressHttp>({ paths: each(r.http.paths, (p) => defined<Item<IngressHttp['paths']>>({ path: p.path })) }) })),
      }),
  });
}

/** Namespaces, ReplicaSets and Jobs: discovery reads their metadata only (labels, annotations, owners). */
function slimMetaOnly<T extends { metadata: ObjectMeta }>(o: T): T {
  return { metadata: slimMeta(o.metadata) } as T;
}

const SLIM: { [R in SnapshotResource]: (o: NonNullable<Snapshot[R]>[number]) => NonNullable<Snapshot[R]>[number] } = {
  nodes: slimNode,
  pods: slimPod,
  services: slimService,
  endpoints: slimEndpoints,
  endpointslices: slimEndpointSlice,
  ingresses: slimIngress,
  namespaces: slimMetaOnly,
  replicasets: slimMetaOnly,
  jobs: slimMetaOnly,
};

/**
 * An object as the snapshot keeps it: the fields discovery reads (the
 * interfaces above), nothing else. A pod as the API returns it is 5-20 KB
 * (managedFields, env, volumes, probes); this is a few hundred bytes, so a
 * large cluster's snapshot stays small enough to capture, store and load.
 */
export function slimObject<R extends SnapshotResource>(resource: R, object: NonNullable<Snapshot[R]>[number]): NonNullable<Snapshot[R]>[number] {
  return (SLIM[resource] as (o: typeof object) => typeof object)(object);
}
