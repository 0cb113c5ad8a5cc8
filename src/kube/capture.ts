/**
 * `k8smon snapshot` and `targets --context`: the objects discovery reads,
 * listed from the API server a page at a time (`kubectl get --raw
 * <path>?limit=N&continue=…`) and slimmed to the fields discovery reads as each
 * page arrives. One `kubectl get pods -A -o json` would not do on a large
 * cluster: its output is one document (15,000 real pods is already past the
 * 100 MB kubectl output execa keeps, 50,000 past the longest string V8 can
 * hold), and every full object would sit in memory at once.
 */
import { KubectlFailedError, runKubectl, type KubectlResult, type KubectlTarget } from './kubectl.js';
import { SNAPSHOT_RESOURCES, slimObject, type Snapshot, type SnapshotResource } from '../runtime/semantics/snapshot.js';

/** Where each resource is listed: the API versions Prometheus' Kubernetes SD watches. */
export const SNAPSHOT_API_PATHS: Record<SnapshotResource, string> = {
  nodes: '/api/v1/nodes',
  pods: '/api/v1/pods',
  services: '/api/v1/services',
  endpoints: '/api/v1/endpoints',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  ingresses: '/apis/networking.k8s.io/v1/ingresses',
  // Prometheus 3's attach_metadata: namespace, deployment (through ReplicaSets), job/cronjob.
  namespaces: '/api/v1/namespaces',
  replicasets: '/apis/apps/v1/replicasets',
  jobs: '/apis/batch/v1/jobs',
};

/** Objects per page: kubectl's own --chunk-size is 500; larger pages mean fewer kubectl runs. */
export const PAGE_SIZE = 1000;

/** A page of 1,000 objects stays far below this even with 100 KB annotations per object. */
const PAGE_MAX_BYTES = 400 * 1024 * 1024;

export interface CaptureOptions {
  target: KubectlTarget;
  pageSize?: number;
  /** Told each resource's count as it is listed. */
  progress?: (message: string) => void;
  /** Told of a resource the cluster does not serve (it is left out of the snapshot). */
  warn?: (message: string) => void;
  /** Only these resources (default: every one discovery can read). */
  resources?: readonly SnapshotResource[];
}

interface ListPage {
  items?: unknown[];
  metadata?: { continue?: string };
}

/** Answers that asking again will not change: no such API, no permission, a stale continue token, a bad request, no such context. */
const FINAL_ERROR = /\((NotFound|Forbidden|Unauthorized|Expired|BadRequest)\)|continue parameter is too old|context "[^"]*" does not exist|no configuration has been provided/i;

/** Pauses before the second and third try of a page that failed for another reason (a timeout, a 5xx, a reset connection). */
const RETRY_DELAYS_MS = [500, 2000];

/** One page; a failure that may be transient is tried again, as a long capture (150 pages) meets one more often. */
async function getPage(path: string, options: CaptureOptions): Promise<KubectlResult> {
  for (let attempt = 0; ; attempt++) {
    const r = await runKubectl(['get', '--raw', path], { target: options.target, maxBuffer: PAGE_MAX_BYTES });
    if (r.exitCode === 0 || FINAL_ERROR.test(r.stderr) || attempt >= RETRY_DELAYS_MS.length) return r;
    const lastLine = r.stderr.trim().split('\n').pop() ?? '';
    options.progress?.(`retrying ${path} (${lastLine || `exit ${r.exitCode}`})`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
  }
}

/**
 * Resources only an attach_metadata option (Prometheus 3) reads: a snapshot
 * taken without the right to list them leaves them out with a warning instead
 * of failing, as the snapshots taken before they were listed did.
 */
const OPTIONAL_RESOURCES: Partial<Record<SnapshotResource, string>> = {
  namespaces: 'attach_metadata.namespace',
  replicasets: 'attach_metadata.deployment',
  jobs: 'attach_metadata.job and cronjob',
};

class ListForbidden extends Error {}

/** One resource, every page; undefined when the cluster does not serve its API. */
async function listAll(resource: SnapshotResource, options: CaptureOptions): Promise<unknown[] | undefined> {
  const items: unknown[] = [];
  let token = '';
  let pages = 0;
  do {
    const path = `${SNAPSHOT_API_PATHS[resource]}?limit=${options.pageSize ?? PAGE_SIZE}${token === '' ? '' : `&continue=${encodeURIComponent(token)}`}`;
    const r = await getPage(path, options);
    if (r.exitCode !== 0) {
      if (token === '' && /\(NotFound\)/.test(r.stderr)) return undefined;
      if (token === '' && OPTIONAL_RESOURCES[resource] !== undefined && /\(Forbidden\)/.test(r.stderr)) throw new ListForbidden();
      if (/\(Expired\)|continue parameter is too old/i.test(r.stderr)) {
        throw new KubectlFailedError(`get --raw ${path} (the ${resource} list changed too much while it was paged; run again)`, r, []);
      }
      throw new KubectlFailedError(`get --raw ${path}`, r, [], options.target);
    }
    let page: ListPage;
    try {
      page = JSON.parse(r.stdout) as ListPage;
    } catch (err) {
      // Not the output itself: a page is megabytes on one line.
      throw new KubectlFailedError(`get --raw ${path} (answered with something that is not JSON: ${(err as Error).message})`, { ...r, stdout: '', stderr: '' }, []);
    }
    for (const item of page.items ?? []) items.push(slimObject(resource, item as never));
    token = page.metadata?.continue ?? '';
    // A large list takes a while: a word every 10 pages, so a quiet minute does not look like a hang.
    if (token !== '' && ++pages % 10 === 0) options.progress?.(`${resource}: ${items.length} so far`);
  } while (token !== '');
  return items;
}

export async function captureSnapshot(options: CaptureOptions): Promise<Snapshot> {
  const snapshot: Snapshot = {};
  for (const resource of SNAPSHOT_RESOURCES) {
    if (options.resources !== undefined && !options.resources.includes(resource)) continue;
    let items: unknown[] | undefined;
    try {
      items = await listAll(resource, options);
    } catch (err) {
      if (!(err instanceof ListForbidden)) throw err;
      options.warn?.(`not allowed to list ${SNAPSHOT_API_PATHS[resource]}: no ${resource} in the snapshot (only ${OPTIONAL_RESOURCES[resource]} reads them)`);
      continue;
    }
    if (items === undefined) {
      options.warn?.(`the cluster does not serve ${SNAPSHOT_API_PATHS[resource]}: no ${resource} in the snapshot (Prometheus could not discover them there either)`);
      continue;
    }
    options.progress?.(`${resource}: ${items.length}`);
    (snapshot as Record<string, unknown>)[resource] = items;
  }
  const versions = await runKubectl(['api-versions'], { target: options.target });
  if (versions.exitCode === 0) snapshot.apiVersions = versions.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  return snapshot;
}
