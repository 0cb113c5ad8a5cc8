/**
 * Large clusters (issue 13): sizes follow cluster.nodes by the formula of
 * src/model/sizing.ts, whose series counts are recounted here on the real
 * payloads; kube-state-metrics shards itself beyond 400 nodes and each of its
 * shards is scraped once; on Kubernetes' scale target (5,000 nodes, 150,000
 * pods) every cluster-scope target is kept by exactly one shard, shards are
 * within 10% of even, and a real Prometheus keeps each sampled target on the
 * shard the runtime says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentsFromManifests } from '../src/agents/find.js';
import { assignedShardRelabelConfigs, shardingRelabelConfigs } from '../src/agents/shared/sharding.js';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { previewCluster, type ActiveTarget, type Preview } from '../src/runtime/preview/preview.js';
import { compileRelabelConfigs, relabel } from '../src/runtime/semantics/relabel/relabel.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { MEASURED_SERIES } from '../src/model/sizing.js';
import { checkDeployment } from '../src/runtime/check/index.js';
import { fixtureSamples, FIXTURE_FILES } from './support/fixtures.js';
import { findJob } from './support/jobs.js';
import { PrometheusOracle, type PromTargets } from './support/prometheus.js';
import { findObject } from './support/render.js';

const CLUSTER = 'k8smon-agent-cluster';
const KSM = 'k8smon-kube-state-metrics';
const render = (sets: string[]): KubernetesObject[] => renderBundle({ preset: 'eks', sets }, {}).objects;

const millis = (q: string | undefined): number => (q === undefined ? 0 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const mebibytes = (q: string | undefined): number => {
  if (q === undefined) return 0;
  const m = /^([0-9.]+)(Mi|Gi)?$/.exec(q);
  if (m === null) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : m[2] === 'Mi' ? 1 : 1 / (1024 * 1024));
};

/** A workload's requests and memory limit, all containers, times its replicas. */
function totals(objects: readonly KubernetesObject[], name: string): { replicas: number; cpu: number; memory: number; limit: number } {
  const w = objects.find((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) && o.metadata.name === name)!;
  const spec = w.spec as any;
  const replicas = w.kind === 'DaemonSet' ? 1 : (spec.replicas as number);
  const cs: any[] = spec.template.spec.containers;
  const sum = (f: (c: any) => number): number => replicas * cs.reduce((n, c) => n + f(c), 0);
  return { replicas, cpu: sum((c) => millis(c.resources.requests?.cpu)), memory: sum((c) => mebibytes(c.resources.requests?.memory)), limit: sum((c) => mebibytes(c.resources.limits?.memory)) };
}

describe('the series counts of the sizing formula', () => {
  const objects = render(['cluster.nodes=10']);
  const kept = (component: keyof typeof FIXTURE_FILES, job: string): number => {
    const rules = compileRelabelConfigs((findJob(objects, job).metric_relabel_configs ?? []) as never);
    return fixtureSamples(FIXTURE_FILES[component]).filter((s) => relabel(s.labels, rules) !== null).length;
  };

  it('are what the default allow-lists keep of the real payloads in test/fixtures/metrics', () => {
    expect({
      kubelet: kept('kubelet', 'kubelet'),
      nodeExporter: kept('nodeExporter', 'node-exporter'),
      cadvisor: kept('cadvisor', 'kubelet-cadvisor'),
      kubeStateMetrics: kept('kubeStateMetrics', 'kube-state-metrics'),
      apiserver: kept('apiserver', 'apiserver'),
    }).toEqual(Object.fromEntries(Object.entries(MEASURED_SERIES).map(([k, v]) => [k, v.series])));
  });

  it('count the pods the cAdvisor and kube-state-metrics payloads cover (SOURCES.md: 18 pods, 25 pods)', () => {
    const pods = (file: string, metric: string): number => new Set(fixtureSamples(file).filter((s) => s.labels.__name__ === metric).map((s) => `${s.labels.namespace}/${s.labels.pod}`)).size;
    expect(pods(FIXTURE_FILES.kubeStateMetrics, 'kube_pod_info')).toBe(MEASURED_SERIES.kubeStateMetrics.pods);
    expect(pods(FIXTURE_FILES.cadvisor, 'container_cpu_usage_seconds_total')).toBeGreaterThanOrEqual(MEASURED_SERIES.cadvisor.pods - 1);
  });
});

describe('sizes follow cluster.nodes', () => {
  const SIZES = [10, 100, 400, 401, 500, 501, 1000, 1001, 2000, 2500, 2501, 5000, 10000];
  const renders = SIZES.map((nodes) => ({ nodes, objects: render([`cluster.nodes=${nodes}`]) }));

  it.each([CLUSTER, KSM])('%s: requests and limits, over all its replicas, never shrink as nodes grow, and grow from 10 to 5,000 nodes', (name) => {
    let last = { cpu: 0, memory: 0, limit: 0 };
    for (const { nodes, objects } of renders) {
      const t = totals(objects, name);
      expect(t.cpu, `${nodes} nodes cpu`).toBeGreaterThanOrEqual(last.cpu);
      expect(t.memory, `${nodes} nodes memory`).toBeGreaterThanOrEqual(last.memory);
      expect(t.limit, `${nodes} nodes limit`).toBeGreaterThanOrEqual(last.limit);
      expect(t.limit, `${nodes} nodes: limit ≥ request`).toBeGreaterThanOrEqual(t.memory / t.replicas);
      last = t;
    }
    const small = totals(renders[0]!.objects, name);
    const large = totals(renders.find((r) => r.nodes === 5000)!.objects, name);
    expect(large.memory).toBeGreaterThan(10 * small.memory);
  });

  it('the node agent follows pods per node, not the node count', () => {
    const at = (sets: string[]) => totals(render(sets), 'k8smon-agent-node');
    expect(at(['cluster.nodes=10'])).toEqual(at(['cluster.nodes=5000']));
    const few = at(['cluster.podsPerNode=10']);
    const many = at(['cluster.podsPerNode=110']);
    expect(many.memory).toBeGreaterThan(few.memory);
    expect(many.limit).toBeGreaterThan(few.limit);
  });

  it('every figure the profile gives replaces the computed one, and only that one', () => {
    const computed = findObject(render(['cluster.nodes=2000']), 'StatefulSet', CLUSTER);
    const given = findObject(render(['cluster.nodes=2000', 'agent.resources.cluster.limits.memory=3Gi']), 'StatefulSet', CLUSTER);
    const res = (o: KubernetesObject) => (o.spec as any).template.spec.containers[0].resources;
    expect(res(given)).toEqual({ ...res(computed), limits: { memory: '3Gi' } });
    const ksm = findObject(render(['cluster.nodes=2000', 'components.kubeStateMetrics.shards=3', 'components.kubeStateMetrics.resources.requests.cpu=2']), 'StatefulSet', KSM);
    expect((ksm.spec as any).replicas).toBe(3);
    expect((ksm.spec as any).template.spec.containers[0].resources.requests.cpu).toBe('2');
  });
});

describe('kube-state-metrics shards', () => {
  it('stays one Deployment behind a ClusterIP Service up to 400 nodes', () => {
    const objects = render(['cluster.nodes=400']);
    expect(findObject(objects, 'Deployment', KSM)).toBeDefined();
    expect((findObject(objects, 'Service', KSM).spec as any).clusterIP).toBeUndefined();
    expect(findJob(objects, 'kube-state-metrics').static_configs).toEqual([{ targets: [`${KSM}.monitoring.svc:8080`] }]);
  });

  it.each([500, 2000, 5000])('on %i nodes: a StatefulSet with automated sharding, a headless Service, its PodDisruptionBudget, every replica a target of the cluster agent', (nodes) => {
    const objects = render([`cluster.nodes=${nodes}`]);
    const ss = findObject(objects, 'StatefulSet', KSM).spec as any;
    const agentShards = objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name === CLUSTER) ? (findObject(objects, 'StatefulSet', CLUSTER).spec as any).replicas : 1;
    // One shard per 400 nodes at least, and as many on every cluster agent shard.
    expect(ss.replicas).toBeGreaterThanOrEqual(Math.ceil(nodes / 400));
    expect(ss.replicas % agentShards).toBe(0);
    expect(ss.serviceName).toBe(KSM);
    const c = ss.template.spec.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(['--pod=$(POD_NAME)', '--pod-namespace=$(POD_NAMESPACE)', '--port=8080', '--telemetry-port=8081']));
    expect(c.env.map((e: any) => [e.name, e.valueFrom.fieldRef.fieldPath])).toEqual([
      ['POD_NAME', 'metadata.name'],
      ['POD_NAMESPACE', 'metadata.namespace'],
    ]);
    expect((findObject(objects, 'Service', KSM).spec as any).clusterIP).toBe('None');
    expect(findObject(objects, 'PodDisruptionBudget', KSM).spec).toEqual({ maxUnavailable: 1, selector: ss.selector });
    // Read as the cluster agent's replicas read it: each kube-state-metrics shard's own DNS name, once, on one agent shard.
    const agents = agentsFromManifests(objects).filter((a) => a.name.endsWith(`/${CLUSTER}`));
    const pods = agents[0]!.pods ?? [undefined];
    const kept = pods.flatMap((pod) =>
      agents[0]!.read(undefined, pod)
        .scrapeConfigs.filter((sc) => sc.job_name === 'kube-state-metrics')
        .flatMap((sc) => {
          const rules = compileRelabelConfigs(sc.relabel_configs as never);
          return (sc.static_configs ?? []).flatMap((g) => (g.targets ?? []).filter((t) => relabel({ __address__: t, ...g.labels }, rules) !== null).map((t) => ({ pod, t })));
        }),
    );
    expect(kept.map((k) => k.t).sort()).toEqual(Array.from({ length: ss.replicas }, (_, i) => `${KSM}-${i}.${KSM}.monitoring.svc:8080`).sort());
    const perShard = new Map<string | undefined, number>();
    for (const k of kept) perShard.set(k.pod, (perShard.get(k.pod) ?? 0) + 1);
    expect(new Set(perShard.values()).size).toBe(1);
  });
});

describe('k8smon check on kube-state-metrics\' shards', () => {
  const objects = render(['cluster.nodes=500']);
  const check = (os: KubernetesObject[]) => {
    const snapshot = syntheticCluster({ nodes: 20, podsPerNode: 5, workloads: os as never });
    const agents = agentsFromManifests(os);
    const preview = previewCluster(agents, snapshot, { discoveredLabels: false });
    return { preview, problems: [...preview.problems, ...checkDeployment(os, agents, snapshot, preview.targets)] };
  };
  const withReplicas = (n: number): KubernetesObject[] =>
    objects.map((o) => (o.kind === 'StatefulSet' && o.metadata.name === KSM ? ({ ...o, spec: { ...(o.spec as any), replicas: n } } as KubernetesObject) : o));

  it('previews each shard as a target of the cluster agent, and finds nothing wrong', () => {
    const { preview, problems } = check(objects);
    expect(preview.targets.filter((t) => t.job === 'kube-state-metrics').map((t) => t.url).sort()).toEqual([0, 1].map((i) => `http://${KSM}-${i}.${KSM}.monitoring.svc:8080/metrics`));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('names a shard that runs but is not scraped (replicas raised by hand): shard-not-scraped', () => {
    const found = check(withReplicas(3)).problems.filter((p) => p.rule === 'shard-not-scraped');
    expect(found.map((p) => p.message)).toEqual([`statefulset/${KSM}: job kube-state-metrics scrapes its pods by name but not ${KSM}-2: that shard's series are missing`]);
  });

  it('names a target whose shard does not run (replicas lowered by hand): shard-not-found', () => {
    const found = check(withReplicas(1)).problems.filter((p) => p.rule === 'shard-not-found');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(`names pod ${KSM}-1, which statefulset/${KSM} (1 replicas) does not run`);
  });
});

describe('kube-state-metrics\' targets dealt to a shard that does not run', () => {
  it('are reported kept-by-no-shard (the replica count lowered by hand below what the config deals to)', () => {
    // Only kube-state-metrics among the cluster-scope jobs, so nothing hashed can be what is reported.
    const off = ['apiserver', 'blackboxExporter', 'annotatedServices', 'coreDns', 'selfMonitoring'].map((c) => `components.${c}.enabled=false`);
    const objects = render(['agent.cluster.shards=2', 'components.kubeStateMetrics.shards=2', ...off]);
    const fewer = objects.map((o) => (o.kind === 'StatefulSet' && o.metadata.name === CLUSTER ? ({ ...o, spec: { ...(o.spec as any), replicas: 1 } } as KubernetesObject) : o));
    const snapshot = syntheticCluster({ nodes: 5, podsPerNode: 2, workloads: fewer as never });
    const whole = previewCluster(agentsFromManifests(objects), snapshot, { discoveredLabels: false });
    expect(whole.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const preview = previewCluster(agentsFromManifests(fewer), snapshot, { discoveredLabels: false });
    const found = preview.problems.filter((p) => p.rule === 'kept-by-no-shard');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('job kube-state-metrics: 1 targets are kept by none of its 1 shards');
  });
});

describe('Kubernetes\' scale target: 5,000 nodes, 150,000 pods, the derived 8 shards', () => {
  const objects = render(['cluster.nodes=5000']);
  let preview: Preview;
  let sharded: ActiveTarget[];
  const SHARDS = 8;
  const shardOf = (t: ActiveTarget): number => Number(/-(\d+)$/.exec(t.agent)![1]);

  // Each step runs synchronously for tens of seconds on a busy machine: yield between them so the test runner's worker stays responsive.
  const breathe = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
  beforeAll(async () => {
    const snapshot = syntheticCluster({ nodes: 5000, podsPerNode: 30, workloads: objects as never });
    await breathe();
    // The cluster agent's replicas only: the 5,000 node agents are not what is sharded.
    const agents = agentsFromManifests(objects).filter((a) => a.name === `statefulset/${CLUSTER}`);
    expect(agents[0]!.pods).toHaveLength(SHARDS);
    preview = previewCluster(agents, snapshot);
    sharded = preview.targets;
  }, 600_000);

  it('keeps every cluster-scope target on exactly one shard (no scraped-more-than-once, no kept-by-no-shard)', () => {
    expect(sharded.length).toBeGreaterThan(15_000);
    const byUrl = new Map<string, number>();
    for (const t of sharded) byUrl.set(`${t.job} ${t.url}`, (byUrl.get(`${t.job} ${t.url}`) ?? 0) + 1);
    expect([...byUrl.values()].filter((n) => n !== 1)).toEqual([]);
    expect(preview.problems.filter((p) => p.rule === 'scraped-more-than-once' || p.rule === 'kept-by-no-shard')).toEqual([]);
    expect(preview.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('gives every shard within 10% of an even share', () => {
    const perShard = Array.from({ length: SHARDS }, (_, i) => sharded.filter((t) => shardOf(t) === i).length);
    const even = sharded.length / SHARDS;
    for (const n of perShard) expect(Math.abs(n - even), `${perShard.join(', ')}`).toBeLessThanOrEqual(even * 0.1);
  });

  describe('real Prometheus oracle (Debian 2.42, file_sd): the shard that keeps a sample of targets', () => {
    let oracle: PrometheusOracle;
    let answer: PromTargets;
    const sample = (): ActiveTarget[] => {
      const hashed = sharded.filter((t) => t.job !== 'kube-state-metrics');
      const step = Math.max(1, Math.floor(hashed.length / 250));
      return [...hashed.filter((_, i) => i % step === 0), ...sharded.filter((t) => t.job === 'kube-state-metrics')];
    };
    let picked: ActiveTarget[];

    beforeAll(async () => {
      picked = sample();
      const jobs = Array.from({ length: SHARDS }, (_, i) => {
        const pod = `${CLUSTER}-${i}`;
        const targets = picked.map((t, n): Record<string, string> => {
          const address = t.discoveredLabels!.__address__!;
          const dealt: Record<string, string> = t.job === 'kube-state-metrics' ? { __tmp_shard_assigned: String(dealtShard(address)) } : {};
          return { __address__: address, __meta_id: `t${n}`, __meta_dealt: t.job === 'kube-state-metrics' ? 'yes' : 'no', ...dealt };
        });
        // Static targets carry their dealt shard; the others are hashed. One job each, as the agent's replica reads it.
        return [
          { job_name: `hashed-${i}`, relabel_configs: [{ source_labels: ['__meta_dealt'], regex: 'no', action: 'keep' }, ...shardingRelabelConfigs(SHARDS, pod)], targets },
          { job_name: `dealt-${i}`, relabel_configs: [{ source_labels: ['__meta_dealt'], regex: 'yes', action: 'keep' }, ...assignedShardRelabelConfigs(pod)], targets },
        ];
      }).flat();
      oracle = await PrometheusOracle.start(jobs);
      answer = await oracle.targets(jobs.length * picked.length);
    }, 120_000);

    afterAll(async () => {
      await oracle?.stop();
    });

    /** The shard a kube-state-metrics target is dealt, read from the render (its static group's label). */
    const dealtShard = (address: string): number => {
      const sc = findJob(objects, 'kube-state-metrics');
      const group = (sc.static_configs as { targets: string[]; labels?: Record<string, string> }[]).find((g) => g.targets.includes(address))!;
      return Number(group.labels!.__tmp_shard_assigned);
    };

    it('agrees with the runtime on every sampled target: hashmod for discovered targets, the dealt shard for static ones', () => {
      expect(picked.length).toBeGreaterThan(200);
      const shardsOf = new Map<string, number[]>();
      for (const a of answer.activeTargets) {
        const id = a.discoveredLabels.__meta_id!;
        shardsOf.set(id, [...(shardsOf.get(id) ?? []), Number(/-(\d+)$/.exec(a.scrapePool)![1])]);
      }
      const disagree = picked.map((t, n) => ({ target: `${t.job} ${t.url}`, runtime: [shardOf(t)], prometheus: shardsOf.get(`t${n}`) ?? [] })).filter((d) => JSON.stringify(d.runtime) !== JSON.stringify(d.prometheus));
      expect(disagree).toEqual([]);
    });
  });
});
