/**
 * One list + watch of one resource (in one namespace or cluster-wide), as
 * client-go's reflector runs it: list, then watch from the list's
 * resourceVersion with bookmarks; a watch that times out is reopened from the
 * last resourceVersion seen; 410 Gone (as a status or as an ERROR event)
 * re-lists; any other error is retried with an exponential backoff. The
 * objects are kept slimmed (slimObject), keyed by namespace/name.
 */
import { slimObject, type Snapshot, type SnapshotResource } from '../semantics/snapshot.js';
import { KubeApiError, type KubeClient, type KubeObject, type WatchEvent } from './client.js';
import type { ClusterSourceStatus } from '../cluster-source.js';

export interface InformerTimings {
  /** First retry delay after a failure (default 800 ms, doubled up to maxBackoffMs). */
  initialBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  /** The watch's timeoutSeconds: default a random 300-600 s, as client-go picks it. */
  watchTimeoutSeconds?: () => number;
  /** Told of each failed request (list or watch), e.g. to log it. */
  onError?: (status: ClusterSourceStatus) => void;
}

export interface InformerSpec {
  resource: SnapshotResource;
  /** e.g. /api/v1 or /apis/discovery.k8s.io/v1. */
  groupVersion: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

type Item = NonNullable<Snapshot[SnapshotResource]>[number];

interface Entry {
  resourceVersion: string | undefined;
  object: Item;
}

const key = (o: KubeObject): string => (o.metadata.namespace !== undefined && o.metadata.namespace !== '' ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** Waits `ms`, or less when aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePromise) => {
    if (signal.aborted) return resolvePromise();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolvePromise();
    }
    signal.addEventListener('abort', done);
  });
}

export class Informer {
  private readonly store = new Map<string, Entry>();
  private resourceVersion = '';
  private needList = true;
  /**
   * The resourceVersion a list asks for, as client-go's reflector picks it:
   * "0" at first (any version: the API server answers from its watch cache, not
   * etcd — what keeps a DaemonSet of agents cheap), "" after 410 Gone (the
   * latest, from etcd, since the cache was too old).
   */
  private listFrom = '0';
  private items: Item[] | undefined;
  private readonly counters: ClusterSourceStatus;
  private readonly path: string;
  private readonly selectorQuery: Record<string, string> = {};
  /** Bumped on every change of the stored objects. */
  version = 0;

  constructor(
    readonly spec: InformerSpec,
    private readonly client: KubeClient,
    private readonly onChange: () => void,
    private readonly onListed: () => void,
    private readonly timings: InformerTimings = {},
  ) {
    this.path = `${spec.groupVersion}${spec.namespace !== undefined ? `/namespaces/${encodeURIComponent(spec.namespace)}` : ''}/${spec.resource}`;
    if (spec.labelSelector !== undefined && spec.labelSelector !== '') this.selectorQuery.labelSelector = spec.labelSelector;
    if (spec.fieldSelector !== undefined && spec.fieldSelector !== '') this.selectorQuery.fieldSelector = spec.fieldSelector;
    this.counters = { resource: spec.resource, ...(spec.namespace !== undefined ? { namespace: spec.namespace } : {}), synced: false, lists: 0, events: 0, failures: 0 };
  }

  status(): ClusterSourceStatus {
    return { ...this.counters };
  }

  /** Records why run() ended other than by its signal (it no longer watches). */
  stopped(e: unknown): void {
    this.counters.lastError = `stopped watching: ${e instanceof Error ? e.message : String(e)}`;
  }

  /** The stored objects, the same array until the next change. */
  objects(): Item[] {
    if (this.items === undefined) this.items = [...this.store.values()].map((e) => e.object);
    return this.items;
  }

  private changed(): void {
    this.items = undefined;
    this.version++;
    this.onChange();
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const initial = this.timings.initialBackoffMs ?? 800;
    const max = this.timings.maxBackoffMs ?? 30_000;
    let backoff = initial;
    /** 410s in a row. */
    let gone = 0;
    const failed = async (e: unknown): Promise<void> => {
      this.counters.failures++;
      this.counters.lastError = e instanceof Error ? e.message : String(e);
      this.timings.onError?.(this.status());
      // Jittered like client-go's backoff manager, so many informers do not reconnect in step.
      await sleep(backoff * (1 + Math.random() * 0.2), signal);
      backoff = Math.min(backoff * 2, max);
    };
    while (!signal.aborted) {
      if (this.needList) {
        try {
          await this.list(signal);
          if (gone === 0) backoff = initial;
        } catch (e) {
          if (signal.aborted) return;
          await failed(e);
          continue;
        }
      }
      const opened = Date.now();
      let received = false;
      try {
        await this.watch(
          signal,
          () => (received = true),
          () => {
            // Connected: the server is back; the next failure starts the backoff over.
            if (gone === 0) backoff = initial;
            delete this.counters.lastError;
          },
        );
        gone = 0;
        // A watch the server closed at once, having sent nothing, is not a timeout: do not hammer the server.
        if (!received && Date.now() - opened < 1000) await sleep(backoff, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof KubeApiError && e.code === 410) {
          // The resourceVersion is too old (compacted): list again, at once — unless the fresh list's was too old as well.
          this.needList = true;
          this.listFrom = '';
          delete this.counters.lastError;
          if (++gone > 1 && !received) {
            await sleep(backoff, signal);
            backoff = Math.min(backoff * 2, max);
          }
          continue;
        }
        await failed(e);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const query = this.listFrom === '' ? this.selectorQuery : { ...this.selectorQuery, resourceVersion: this.listFrom };
    let result;
    try {
      // Each object is slimmed (or its unchanged stored copy reused) as its page arrives: the full objects of a page are dropped before the next is read.
      result = await this.client.list(this.path, query, signal, (o) => {
        const k = key(o);
        const old = this.store.get(k);
        const unchanged = old !== undefined && old.resourceVersion !== undefined && old.resourceVersion === o.metadata.resourceVersion;
        return { key: k, unchanged, entry: unchanged ? old : { resourceVersion: o.metadata.resourceVersion, object: slimObject(this.spec.resource, o as unknown as Item) } };
      });
    } catch (e) {
      // A list at a version the server no longer has: the next one asks for the latest.
      if (e instanceof KubeApiError && e.code === 410) this.listFrom = '';
      throw e;
    }
    const { items, resourceVersion } = result;
    this.counters.lists++;
    this.resourceVersion = resourceVersion;
    this.needList = false;
    delete this.counters.lastError;
    // Replace the store; a change only when an object came, went or has another resourceVersion.
    let changed = items.length !== this.store.size;
    const next = new Map<string, Entry>();
    for (const o of items) {
      next.set(o.key, o.entry);
      if (!o.unchanged) changed = true;
    }
    this.store.clear();
    for (const [k, v] of next) this.store.set(k, v);
    const first = !this.counters.synced;
    this.counters.synced = true;
    if (changed) this.changed();
    if (first) this.onListed();
  }

  private async watch(signal: AbortSignal, onReceived: () => void, onOpen: () => void): Promise<void> {
    const timeoutSeconds = Math.max(1, Math.round(this.timings.watchTimeoutSeconds?.() ?? 300 * (1 + Math.random())));
    const query = { ...this.selectorQuery, resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds) };
    await this.client.watch(this.path, query, signal, (timeoutSeconds + 30) * 1000, (event: WatchEvent) => {
      const o = event.object;
      switch (event.type) {
        case 'ADDED':
        case 'MODIFIED': {
          const k = key(o);
          const old = this.store.get(k);
          this.counters.events++;
          // The same version again (a watch from "" replays every object as ADDED): nothing changed.
          if (old !== undefined && old.resourceVersion !== undefined && old.resourceVersion === o.metadata.resourceVersion) break;
          this.store.set(k, { resourceVersion: o.metadata.resourceVersion, object: slimObject(this.spec.resource, o as unknown as Item) });
          this.changed();
          break;
        }
        case 'DELETED': {
          this.store.delete(key(o));
          this.counters.events++;
          this.changed();
          break;
        }
        case 'BOOKMARK':
          break;
        case 'ERROR':
          throw new KubeApiError(typeof o.code === 'number' ? o.code : 500, `watch ${this.path}: ${o.message ?? 'error event'}`, o.reason);
        default:
          throw new Error(`watch ${this.path}: unknown event type ${String((event as { type?: unknown }).type)}`);
      }
      onReceived();
      const rv = o.metadata?.resourceVersion;
      if (typeof rv === 'string' && rv !== '') this.resourceVersion = rv;
    }, onOpen);
  }
}
