/**
 * In-cluster addresses that name a Service neither the cluster nor the render
 * has: the field notes probe through `blackbox-exporter.default.svc` while
 * applying everything into another namespace, and every probe fails.
 */
import type { ActiveTarget, Problem } from '../preview/preview.js';
import type { Snapshot } from '../semantics/snapshot.js';
import type { Manifest } from '../plan/manifests.js';

/** `<service>.<namespace>.svc[.cluster.local]`, the only host form read as a Service (two labels could be any domain). */
const SERVICE_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/;

export function serviceProblems(objects: readonly Manifest[], snapshot: Snapshot, targets: readonly ActiveTarget[]): Problem[] {
  if (snapshot.services === undefined) return []; // not read (a live preview of jobs that discover no Services): nothing to compare with
  const known = new Set<string>();
  for (const s of snapshot.services ?? []) known.add(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`);
  for (const o of objects) if (o.kind === 'Service') known.add(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`);
  const missing = new Map<string, { job: string; url: string; service: string; n: number }>();
  for (const t of targets) {
    if (!t.url.includes('.svc')) continue; // most targets are addresses: no need to take the URL apart
    const m = SERVICE_HOST.exec(hostnameOf(t.url));
    if (m === null) continue;
    const service = `${m[3]}/${m[1]}`;
    if (known.has(service)) continue;
    const key = `${t.job}\0${service}`;
    const seen = missing.get(key);
    if (seen === undefined) missing.set(key, { job: t.job, url: t.url, service, n: 1 });
    else seen.n++;
  }
  return [...missing.values()].map(({ job, url, service, n }) => ({
    severity: 'error' as const,
    rule: 'service-not-found',
    message: `job ${job}: ${url}${n > 1 ? ` (and ${n - 1} more)` : ''} names Service ${service}, which neither the cluster nor the render has: a Service in another namespace?`,
  }));
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return ''; // not a URL the agent could scrape either: nothing to say of its host here
  }
}
