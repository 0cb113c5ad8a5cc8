/**
 * Where the agent's Kubernetes discovery reads the cluster from: the one
 * place a ClusterSourceFactory is chosen. `--snapshot F` gives a fixed
 * snapshot file (for tests and dry runs), re-read when the file changes;
 * otherwise the live API server (kube-api/), which is plugged in here.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { ClusterSource, ClusterSourceFactory, ClusterSourceStatus, SdConfigEntry } from '../cluster-source.js';
import { watchedResources } from '../semantics/discovery/watched.js';
import { snapshotProblems, type Snapshot } from '../semantics/snapshot.js';
import { KubeConfigError } from '../kube-api/config.js';
import { liveClusterSource } from '../kube-api/source.js';
import { readJsonFile } from '../snapshot-file.js';

export class SnapshotFileError extends Error {
  constructor(path: string, reason: string) {
    super(`--snapshot ${path}: ${reason}`);
    this.name = 'SnapshotFileError';
  }
}

/** The snapshot in a file, checked as `targets --snapshot` checks it. */
export function readSnapshotFile(path: string): Snapshot {
  let doc: unknown;
  try {
    doc = readJsonFile(path);
  } catch (err) {
    throw new SnapshotFileError(path, (err as Error).message);
  }
  const problems = snapshotProblems(doc);
  if (problems.length > 0) throw new SnapshotFileError(path, problems.map((p) => `${p.path === '' ? '' : `${p.path}: `}${p.message}`).join('; '));
  return doc as Snapshot;
}

/**
 * A fixed cluster from a snapshot file, shared by every source the agent
 * opens: each SD entry's discovery applies its own namespaces and selectors
 * to it. The file is polled (every `pollMs`) and re-read when it changes; a
 * file that cannot be read keeps the last good snapshot and counts a failure.
 */
export function snapshotFileSources(path: string, options: { pollMs?: number; log?: (level: 'warn' | 'info', msg: string, fields?: Record<string, unknown>) => void } = {}): ClusterSourceFactory & { close(): void } {
  let current = readSnapshotFile(path);
  let reads = 1;
  let failures = 0;
  let lastError: string | undefined;
  const listeners = new Set<() => void>();
  let watching = false;
  const onFileChange = (): void => {
    try {
      current = readSnapshotFile(path);
      reads++;
      lastError = undefined;
      options.log?.('info', 'snapshot file re-read', { path });
    } catch (err) {
      failures++;
      lastError = (err as Error).message;
      options.log?.('warn', 'snapshot file unreadable; keeping the last one', { path, err: lastError });
      return;
    }
    for (const l of [...listeners]) l();
  };
  const watch = (): void => {
    if (watching) return;
    watching = true;
    watchFile(path, { interval: options.pollMs ?? 1000, persistent: false }, (now, prev) => {
      if (now.mtimeMs !== prev.mtimeMs || now.size !== prev.size || now.ino !== prev.ino) onFileChange();
    });
  };
  const factory = (sd: SdConfigEntry): ClusterSource => {
    watch();
    const mine = new Set<() => void>();
    return {
      snapshot: () => current,
      onChange(listener) {
        listeners.add(listener);
        mine.add(listener);
        return () => {
          listeners.delete(listener);
          mine.delete(listener);
        };
      },
      ready: () => Promise.resolve(),
      status: (): ClusterSourceStatus[] =>
        watchedResources(sd).map((w) => ({
          resource: w.resource,
          synced: true,
          lists: reads,
          events: 0,
          failures,
          ...(lastError !== undefined ? { lastError } : {}),
        })),
      stop() {
        for (const l of mine) listeners.delete(l);
        mine.clear();
        return Promise.resolve();
      },
    };
  };
  return Object.assign(factory, {
    close(): void {
      if (watching) unwatchFile(path);
      watching = false;
    },
  });
}

/**
 * The live API server's sources: the default when no snapshot is given.
 * The implementation (kube-api/) is wired in here.
 */
export function liveSources(): ClusterSourceFactory {
  return (sd, context) => {
    try {
      return liveClusterSource(sd, context);
    } catch (err) {
      // No way to reach an API server (not in a pod, an unreadable kubeconfig or credentials file): the agent cannot start.
      if (err instanceof KubeConfigError) throw new DiscoveryUnavailableError(`${err.message}; or pass --snapshot to discover from a snapshot file`);
      throw err;
    }
  };
}

/** No source can be opened for a kubernetes_sd_configs entry. */
export class DiscoveryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryUnavailableError';
  }
}
