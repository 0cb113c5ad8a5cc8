/**
 * In-cluster addresses that name a Service neither the cluster nor the render
 * has: the field notes probe through `blackbox-exporter.default.svc` while
 * applying everything into another namespace, and every probe fails.
 *
 * And the pods of a StatefulSet of shards behind a headless Service
 * (kube-state-metrics sharded): a target `<pod>.<service>.<ns>.svc` naming a
 * pod the StatefulSet does not run (`shard-not-found`), and a pod of it that
 * no target names while its siblings are scraped by name (`shard-not-scraped`:
 * its share of the series is missing).
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
  return [
    ...[...missing.values()].map(({ job, url, service, n }) => ({
      severity: 'error' as const,
      rule: 'service-not-found',
      message: `job ${job}: ${url}${n > 1 ? ` (and ${n - 1} more)` : ''} names Service ${service}, which neither the cluster nor the render has: a Service in another namespace?`,
    })),
    ...shardProblems(objects, targets),
  ];
}

/** `<pod>.<service>.<namespace>.svc[.cluster.local]`: one pod of a StatefulSet, through its headless Service. */
const POD_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/;

function shardProblems(objects: readonly Manifest[], targets: readonly ActiveTarget[]): Problem[] {
  // The StatefulSets of the manifests, by the headless Service that names their pods.
  const sets = new Map<string, { name: string; replicas: number }>();
  for (const o of objects) {
    if (o.kind !== 'StatefulSet' || typeof o.spec?.serviceName !== 'string') continue;
    sets.set(`${o.metadata.namespace ?? 'default'}/${o.spec.serviceName}`, { name: o.metadata.name, replicas: typeof o.spec.replicas === 'number' ? o.spec.replicas : 1 });
  }
  if (sets.size === 0) return [];
  const named = new Map<string, { jobs: Set<string>; pods: Set<string> }>();
  const problems: Problem[] = [];
  for (const t of targets) {
    if (!t.url.includes('.svc')) continue;
    const m = POD_HOST.exec(hostnameOf(t.url));
    if (m === null) continue;
    const key = `${m[5]}/${m[3]}`;
    const set = sets.get(key);
    if (set === undefined) continue;
    const pod = m[1]!;
    const ordinal = pod.startsWith(`${set.name}-`) ? Number(pod.slice(set.name.length + 1)) : NaN;
    if (!(Number.isInteger(ordinal) && ordinal >= 0 && ordinal < set.replicas)) {
      problems.push({ severity: 'error', rule: 'shard-not-found', message: `job ${t.job}: ${t.url} names pod ${pod}, which statefulset/${set.name} (${set.replicas} replicas) does not run` });
      continue;
    }
    const seen = named.get(key) ?? { jobs: new Set<string>(), pods: new Set<string>() };
    seen.jobs.add(t.job);
    seen.pods.add(pod);
    named.set(key, seen);
  }
  for (const [key, seen] of named) {
    const set = sets.get(key)!;
    const missing = Array.from({ length: set.replicas }, (_, i) => `${set.name}-${i}`).filter((p) => !seen.pods.has(p));
    if (missing.length === 0) continue;
    problems.push({
      severity: 'error',
      rule: 'shard-not-scraped',
      message: `statefulset/${set.name}: job ${[...seen.jobs].sort().join(', ')} scrapes its pods by name but not ${missing.join(', ')}: ${missing.length === 1 ? 'that shard\'s' : 'their'} series are missing`,
    });
  }
  return problems;
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return ''; // not a URL the agent could scrape either: nothing to say of its host here
  }
}
