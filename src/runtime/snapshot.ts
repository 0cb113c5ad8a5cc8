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

/** Lookups discovery needs, built once per snapshot. */
export class SnapshotIndex {
  readonly snapshot: Snapshot;
  private podsByKey?: Map<string, PodObject>;
  private servicesByKey?: Map<string, ServiceObject>;
  private nodesByName?: Map<string, NodeObject>;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  pod(namespace: string, name: string): PodObject | undefined {
    this.podsByKey ??= new Map((this.snapshot.pods ?? []).map((p) => [`${p.metadata.namespace ?? ''}/${p.metadata.name}`, p]));
    return this.podsByKey.get(`${namespace}/${name}`);
  }

  service(namespace: string, name: string): ServiceObject | undefined {
    this.servicesByKey ??= new Map((this.snapshot.services ?? []).map((s) => [`${s.metadata.namespace ?? ''}/${s.metadata.name}`, s]));
    return this.servicesByKey.get(`${namespace}/${name}`);
  }

  node(name: string): NodeObject | undefined {
    this.nodesByName ??= new Map((this.snapshot.nodes ?? []).map((n) => [n.metadata.name, n]));
    return this.nodesByName.get(name);
  }
}
