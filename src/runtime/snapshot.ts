/**
 * A cluster snapshot: the objects Kubernetes service discovery reads, keyed by
 * resource plural, each an array of objects as the Kubernetes API returns them
 * (`kubectl get -o json` items). Only the fields discovery reads are typed.
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

export interface PodObject {
  metadata: ObjectMeta;
  spec?: { nodeName?: string; containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
  status?: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; containerID?: string }[];
    initContainerStatuses?: { name: string; containerID?: string }[];
  };
}

export interface NodeObject {
  metadata: ObjectMeta;
  spec?: { providerID?: string };
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
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
  /** API versions the cluster serves (`kubectl api-versions`), when captured. */
  apiVersions?: string[];
}

export const SNAPSHOT_RESOURCES = ['nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'ingresses'] as const;
export type SnapshotResource = (typeof SNAPSHOT_RESOURCES)[number];

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
}
