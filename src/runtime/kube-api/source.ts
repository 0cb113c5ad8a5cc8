/**
 * A ClusterSource that reads a live API server: the informers Prometheus'
 * Kubernetes SD starts for one `kubernetes_sd_configs` entry (which resources:
 * watchedResources; one per discovered namespace, or cluster-wide; each
 * role's selectors sent as labelSelector / fieldSelector), their objects
 * joined into one Snapshot.
 */
import type { ClusterSource, ClusterSourceFactory, ClusterSourceStatus, SdConfigEntry } from '../cluster-source.js';
import { DiscoveryError, type DiscoveryRole } from '../semantics/discovery/discover.js';
import { isClusterScoped, watchedResources, type WatchedResource } from '../semantics/discovery/watched.js';
import type { Snapshot, SnapshotResource } from '../semantics/snapshot.js';
import { KubeClient, type KubeClientOptions } from './client.js';
import { sdConnection, type InClusterOptions, type KubeConnection } from './config.js';
import { Informer, type InformerSpec, type InformerTimings } from './informer.js';

/** The API group/version each watched resource is read with (those Prometheus 3 uses). */
const GROUP_VERSION: Record<string, string> = {
  '': '/api/v1',
  'discovery.k8s.io': '/apis/discovery.k8s.io/v1',
  'networking.k8s.io': '/apis/networking.k8s.io/v1',
  apps: '/apis/apps/v1',
  batch: '/apis/batch/v1',
};

/** The selector role whose `label` / `field` narrow a resource's list/watch (namespaces, ReplicaSets and Jobs are never narrowed). */
const SELECTOR_ROLE_OF: Partial<Record<string, DiscoveryRole>> = {
  nodes: 'node',
  pods: 'pod',
  services: 'service',
  endpoints: 'endpoints',
  endpointslices: 'endpointslice',
  ingresses: 'ingress',
};

/**
 * The namespaces the entry's namespaced informers watch, as Prometheus picks
 * them: names plus the agent's own (own_namespace); none → cluster-wide
 * (undefined in the list).
 */
export function sdNamespaces(sd: SdConfigEntry, ownNamespace: string | undefined): (string | undefined)[] {
  const names = [...(sd.namespaces?.names ?? [])];
  if (sd.namespaces?.own_namespace === true) {
    if (ownNamespace === undefined || ownNamespace === '') throw new DiscoveryError('namespaces.own_namespace: the namespace the agent runs in is not known');
    names.push(ownNamespace);
  }
  return names.length === 0 ? [undefined] : [...new Set(names)];
}

/** The list/watch requests one SD entry makes: resource, namespace, server-side selectors. */
export function informerSpecs(sd: SdConfigEntry, ownNamespace: string | undefined): InformerSpec[] {
  const namespaces = sdNamespaces(sd, ownNamespace);
  const specs: InformerSpec[] = [];
  const seen = new Set<string>();
  const add = (r: WatchedResource, namespace: string | undefined): void => {
    const id = `${r.apiGroup}/${r.resource}/${namespace ?? ''}`;
    if (seen.has(id)) return;
    seen.add(id);
    const groupVersion = GROUP_VERSION[r.apiGroup];
    if (groupVersion === undefined) throw new Error(`no API version known for ${r.apiGroup}/${r.resource}`);
    const spec: InformerSpec = { resource: r.resource as SnapshotResource, groupVersion };
    if (namespace !== undefined) spec.namespace = namespace;
    const role = SELECTOR_ROLE_OF[r.resource];
    const selector = role === undefined ? undefined : (sd.selectors ?? []).find((s) => s.role === role);
    if (selector?.label !== undefined && selector.label !== '') spec.labelSelector = selector.label;
    if (selector?.field !== undefined && selector.field !== '') spec.fieldSelector = selector.field;
    specs.push(spec);
  };
  for (const r of watchedResources(sd)) {
    if (isClusterScoped(r)) add(r, undefined);
    else for (const ns of namespaces) add(r, ns);
  }
  return specs;
}

export interface LiveSourceOptions extends InformerTimings, KubeClientOptions, InClusterOptions {
  /** Listeners are called this long after the first of a burst of changes (default 50 ms). */
  coalesceMs?: number;
  /** The connection to use instead of the one the SD entry describes. */
  connection?: KubeConnection;
}

class LiveClusterSource implements ClusterSource {
  private readonly informers: Informer[];
  private readonly abort = new AbortController();
  private readonly listeners = new Set<() => void>();
  private readonly runs: Promise<void>[];
  private readonly readyPromise: Promise<void>;
  private current: Snapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Per resource, the joined list and the informer versions it was joined at (an unchanged resource keeps its array, and discovery's indexes of it). */
  private readonly joined = new Map<SnapshotResource, { versions: string; items: unknown[] }>();

  constructor(specs: InformerSpec[], client: KubeClient, options: LiveSourceOptions) {
    let unlisted = specs.length;
    let resolveReady!: () => void;
    this.readyPromise = new Promise((r) => (resolveReady = r));
    if (unlisted === 0) resolveReady();
    const coalesceMs = options.coalesceMs ?? 50;
    const changed = (): void => {
      this.current = undefined;
      if (this.timer !== undefined || this.abort.signal.aborted) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        for (const l of [...this.listeners]) l();
      }, coalesceMs);
    };
    const listed = (): void => {
      if (--unlisted === 0) resolveReady();
    };
    this.informers = specs.map((s) => new Informer(s, client, changed, listed, options));
    // run() handles its requests' errors itself; anything else (an onError hook that throws) must not become an unhandled rejection.
    this.runs = this.informers.map((inf) => inf.run(this.abort.signal).catch((e: unknown) => inf.stopped(e)));
  }

  snapshot(): Snapshot {
    if (this.current !== undefined) return this.current;
    const byResource = new Map<SnapshotResource, Informer[]>();
    for (const inf of this.informers) {
      const list = byResource.get(inf.spec.resource);
      if (list === undefined) byResource.set(inf.spec.resource, [inf]);
      else list.push(inf);
    }
    const snapshot: Snapshot = {};
    for (const [resource, infs] of byResource) {
      const versions = infs.map((i) => i.version).join(',');
      let cached = this.joined.get(resource);
      if (cached === undefined || cached.versions !== versions) {
        cached = { versions, items: infs.length === 1 ? infs[0]!.objects() : infs.flatMap((i) => i.objects()) };
        this.joined.set(resource, cached);
      }
      (snapshot as Record<string, unknown>)[resource] = cached.items;
    }
    this.current = snapshot;
    return snapshot;
  }

  onChange(listener: () => void): () => void {
    const l = (): void => listener();
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  status(): ClusterSourceStatus[] {
    return this.informers.map((i) => i.status());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled(this.runs);
  }
}

/** A live source for one SD entry, with injectable connection settings and timings (tests). */
export function liveClusterSourceWith(options: LiveSourceOptions = {}): ClusterSourceFactory {
  return (sd, context) => {
    const connection = options.connection ?? sdConnection(sd, options);
    const own = context.ownNamespace ?? (sd.api_server === undefined && sd.kubeconfig_file === undefined ? connection.namespace : undefined);
    return new LiveClusterSource(informerSpecs(sd, own), new KubeClient(connection, options), options);
  };
}

/** The live source with the defaults: the SD entry's connection (or the pod's service account), client-go's timings. */
export const liveClusterSource: ClusterSourceFactory = liveClusterSourceWith();
