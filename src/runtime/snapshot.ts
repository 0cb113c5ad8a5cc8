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

/** Objects by namespace and name, per object list: built once however many discoveries read the same list. */
const byNamespacedName = new WeakMap<readonly { metadata: ObjectMeta }[], Map<string, Map<string, unknown>>>();

function namespacedLookup<T extends { metadata: ObjectMeta }>(items: readonly T[], namespace: string, name: string): T | undefined {
  let index = byNamespacedName.get(items);
  if (index === undefined) {
    index = new Map();
    for (const o of items) {
      const ns = o.metadata.namespace ?? '';
      let names = index.get(ns);
      if (names === undefined) index.set(ns, (names = new Map()));
      names.set(o.metadata.name, o);
    }
    byNamespacedName.set(items, index);
  }
  return index.get(namespace)?.get(name) as T | undefined;
}

/** Lookups discovery needs. The indexes behind them are kept per object list, so an unfiltered list is indexed once. */
export class SnapshotIndex {
  readonly snapshot: Snapshot;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  pod(namespace: string, name: string): PodObject | undefined {
    return namespacedLookup(this.snapshot.pods ?? [], namespace, name);
  }

  service(namespace: string, name: string): ServiceObject | undefined {
    return namespacedLookup(this.snapshot.services ?? [], namespace, name);
  }

  node(name: string): NodeObject | undefined {
    return namespacedLookup(this.snapshot.nodes ?? [], '', name);
  }
}
