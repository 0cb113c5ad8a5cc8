/**
 * Pod Security Standards "restricted", rule by rule, on every pod of every
 * preset; automounted tokens only where the pod calls the API; RBAC with no
 * wildcards that still grants everything discovery and exporters need.
 */
import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '../src/render/templates.js';
import { AGENT_KINDS } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import { jobsOf } from './support/jobs.js';
import { PRESETS, renderPreset } from './support/render.js';

const pods = (objects: readonly KubernetesObject[]): { name: string; spec: any }[] =>
  objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment' || o.kind === 'StatefulSet').map((o) => ({ name: o.metadata.name, spec: (o.spec as any).template.spec }));

/** Pods allowed to need more than "restricted", and why. */
function exemptFromRestricted(name: string, spec: any): boolean {
  if (name === 'k8smon-node-exporter') return true; // host namespaces and hostPath by design
  if (name === 'k8smon-agent-node' && spec.hostNetwork === true) return true; // 127.0.0.1-bound control plane
  if (name === 'k8smon-agent-node' && (spec.volumes ?? []).some((v: any) => v.hostPath !== undefined)) return true; // agent.wal.hostPath: the WAL kept on the node
  return false;
}

/** Each check of https://kubernetes.io/docs/concepts/security/pod-security-standards/ (baseline + restricted). */
const RESTRICTED_RULES: { rule: string; violates: (spec: any) => string[] }[] = [
  { rule: 'host namespaces', violates: (s) => (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => s[k] === true) },
  { rule: 'privileged containers', violates: (s) => containers(s).filter((c) => c.securityContext?.privileged === true).map((c) => c.name) },
  {
    rule: 'capabilities: drop ALL, add at most NET_BIND_SERVICE',
    violates: (s) =>
      containers(s)
        .filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL') || (c.securityContext?.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE'))
        .map((c) => c.name),
  },
  { rule: 'no hostPath volumes', violates: (s) => (s.volumes ?? []).filter((v: any) => v.hostPath !== undefined).map((v: any) => v.name) },
  {
    rule: 'volume types',
    violates: (s) =>
      (s.volumes ?? [])
        .filter((v: any) => !Object.keys(v).some((k) => ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'].includes(k)))
        .map((v: any) => v.name),
  },
  { rule: 'no hostPorts', violates: (s) => containers(s).filter((c) => (c.ports ?? []).some((p: any) => p.hostPort !== undefined)).map((c) => c.name) },
  {
    rule: 'allowPrivilegeEscalation: false',
    violates: (s) => containers(s).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name),
  },
  {
    rule: 'runAsNonRoot',
    violates: (s) => containers(s).filter((c) => (c.securityContext?.runAsNonRoot ?? s.securityContext?.runAsNonRoot) !== true).map((c) => c.name),
  },
  {
    rule: 'runAsUser is not 0',
    violates: (s) => [s.securityContext?.runAsUser, ...containers(s).map((c) => c.securityContext?.runAsUser)].filter((u) => u === 0).map(String),
  },
  {
    rule: 'seccompProfile RuntimeDefault or Localhost',
    violates: (s) =>
      containers(s)
        .filter((c) => !['RuntimeDefault', 'Localhost'].includes(c.securityContext?.seccompProfile?.type ?? s.securityContext?.seccompProfile?.type))
        .map((c) => c.name),
  },
  { rule: 'no procMount, sysctls or SELinux/AppArmor overrides', violates: (s) => [s.securityContext?.sysctls, s.securityContext?.seLinuxOptions, ...containers(s).map((c) => c.securityContext?.procMount)].filter((x) => x !== undefined).map(String) },
];

function containers(spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

// The sharded cluster agent (a StatefulSet) too: its pods get the pod name from the downward API, nothing more.
// And the sizes issue 13 names: sharded cluster agent and kube-state-metrics (StatefulSets, and kube-state-metrics' Role) from 500 nodes.
const LARGE = [10, 500, 2000, 5000].map((nodes) => ({ preset: 'eks', access: 'direct', sets: [`cluster.nodes=${nodes}`] }));
const ALERTMANAGER = { preset: 'kubeadm', access: 'direct', sets: ['alertmanager.enabled=true', 'alertmanager.receivers[0].name=ops', 'alertmanager.receivers[0].webhook.url=https://hooks.example.com/x', 'alertmanager.receivers[0].webhook.bearerTokenFrom.secret.name=pager', 'alertmanager.receivers[0].webhook.bearerTokenFrom.secret.key=token'] };
// Every agent kind, its cluster agent sharded; and the WAL on the node where a kind keeps it there (agent.wal.hostPath).
const KINDS = AGENT_KINDS.map((k) => ({ preset: 'eks', access: 'direct', sets: [`agent.kind=${k.name}`, ...(k.shardable ? ['agent.cluster.shards=3'] : [])] }));
const WAL_ON_HOST = AGENT_KINDS.filter((k) => k.walOnHost === true).map((k) => ({ preset: 'eks', access: 'direct', sets: [`agent.kind=${k.name}`, 'agent.wal.hostPath=/var/lib/k8smon-agent'] }));
const VARIANTS = [...PRESETS.flatMap((preset) => ['direct', 'proxy'].map((access) => ({ preset, access, sets: [] as string[] }))), { preset: 'eks', access: 'direct', sets: ['agent.cluster.shards=3'] }, ...LARGE, ALERTMANAGER, ...KINDS, ...WAL_ON_HOST];

describe.each(VARIANTS)('Pod Security "restricted": $preset, $access $sets', ({ preset, access, sets }) => {
  const { objects } = renderPreset(preset, [`kubelet.access=${access}`, ...sets]);
  const checked = pods(objects).filter((p) => !exemptFromRestricted(p.name, p.spec));
  it.each(RESTRICTED_RULES.map((r) => [r.rule, r] as const))('%s', (_rule, r) => {
    expect(checked.length).toBeGreaterThan(0);
    for (const p of checked) expect(r.violates(p.spec), p.name).toEqual([]);
  });

  it('every container has a read-only root filesystem and resource requests and limits', () => {
    for (const p of pods(objects)) {
      for (const c of containers(p.spec)) {
        expect(c.securityContext.readOnlyRootFilesystem, p.name).toBe(true);
        expect(c.resources.requests, p.name).toBeDefined();
        expect(c.resources.limits?.memory, p.name).toBeDefined();
      }
    }
  });

  it('labels the namespace with the least Pod Security level its pods need', () => {
    const ns = objects.find((o) => o.kind === 'Namespace')!;
    const needsPrivileged = pods(objects).some((p) => exemptFromRestricted(p.name, p.spec));
    expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe(needsPrivileged ? 'privileged' : 'restricted');
  });

  it('mounts a ServiceAccount token only into pods that call the API', () => {
    const callsApi = new Set(['k8smon-agent-node', 'k8smon-agent-cluster', 'k8smon-kube-state-metrics']);
    for (const p of pods(objects)) expect(p.spec.automountServiceAccountToken, p.name).toBe(callsApi.has(p.name));
  });
});

describe('the Pod Security checks themselves', () => {
  it('flag a pod that breaks them', () => {
    const bad = { hostNetwork: true, containers: [{ name: 'x', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } }, ports: [{ hostPort: 80 }] }], volumes: [{ name: 'h', hostPath: { path: '/' } }] };
    const failed = RESTRICTED_RULES.filter((r) => r.violates(bad).length > 0).map((r) => r.rule);
    expect(failed.length).toBeGreaterThanOrEqual(8);
  });
});

// ---- RBAC ------------------------------------------------------------------------------------------

/**
 * What Prometheus' Kubernetes SD lists and watches per role — written out here
 * independently of src/model/rbac.ts, from discovery/kubernetes/*.go.
 */
const SD_NEEDS: Record<string, [group: string, resource: string][]> = {
  node: [['', 'nodes']],
  pod: [['', 'pods']],
  service: [['', 'services']],
  endpoints: [['', 'endpoints'], ['', 'services'], ['', 'pods']],
  endpointslice: [['discovery.k8s.io', 'endpointslices'], ['', 'services'], ['', 'pods']],
  ingress: [['networking.k8s.io', 'ingresses']],
};

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

function grantsOf(objects: readonly KubernetesObject[], serviceAccount: string): { cluster: Rule[]; byNamespace: Map<string, Rule[]> } {
  const cluster: Rule[] = [];
  const byNamespace = new Map<string, Rule[]>();
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    if (!(b.subjects as any[]).some((s) => s.name === serviceAccount)) continue;
    const roleKind = (b.roleRef as any).kind as string;
    const role = objects.find((o) => o.kind === roleKind && o.metadata.name === (b.roleRef as any).name && (roleKind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace))!;
    if (roleKind === 'ClusterRole') cluster.push(...(role.rules as Rule[]));
    else byNamespace.set(b.metadata.namespace!, [...(byNamespace.get(b.metadata.namespace!) ?? []), ...(role.rules as Rule[])]);
  }
  return { cluster, byNamespace };
}

function allows(rules: readonly Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb));
}

describe.each(VARIANTS)('RBAC: $preset, $access $sets', ({ preset, access, sets }) => {
  const { objects } = renderPreset(preset, [`kubelet.access=${access}`, ...sets]);
  const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');

  it('has no wildcard verbs, resources or apiGroups', () => {
    for (const r of roles) for (const rule of r.rules as Rule[]) expect(JSON.stringify(rule)).not.toMatch(/"\*"/);
  });

  it('grants no access to Secrets', () => {
    for (const r of roles) for (const rule of r.rules as Rule[]) expect(rule.resources ?? []).not.toContain('secrets');
  });

  it('grants nodes/proxy only in proxy mode, nodes/metrics only in direct mode', () => {
    const all = roles.flatMap((r) => r.rules as Rule[]);
    expect(allows(all, '', 'nodes/proxy', 'get')).toBe(access === 'proxy');
    expect(allows(all, '', 'nodes/metrics', 'get')).toBe(access === 'direct');
  });

  it.each(['node', 'cluster'] as const)('grants the %s agent everything its discovery lists and watches (no 403 at run time)', (agent) => {
    const { cluster, byNamespace } = grantsOf(objects, `k8smon-agent-${agent}`);
    for (const job of jobsOf(objects, agent)) {
      for (const sd of job.kubernetes_sd_configs ?? []) {
        for (const [group, resource] of SD_NEEDS[sd.role]!) {
          for (const verb of ['list', 'watch']) {
            const namespaces = sd.namespaces?.names ?? [];
            const ok =
              allows(cluster, group, resource, verb) ||
              (namespaces.length > 0 && resource !== 'nodes' && namespaces.every((ns) => allows(byNamespace.get(ns) ?? [], group, resource, verb)));
            expect(ok, `${job.job_name}: ${verb} ${group}/${resource}`).toBe(true);
          }
        }
      }
    }
  });

  it('grants kube-state-metrics get on its own pods and StatefulSet by name, only when it shards itself', () => {
    const ksm = objects.find((o) => o.metadata.name === 'k8smon-kube-state-metrics' && (o.kind === 'Deployment' || o.kind === 'StatefulSet'));
    if (ksm === undefined) return;
    const { byNamespace } = grantsOf(objects, 'k8smon-kube-state-metrics');
    const own = [...byNamespace.values()].flat();
    if (ksm.kind === 'Deployment') {
      expect(own).toEqual([]);
      return;
    }
    const replicas = (ksm.spec as any).replicas as number;
    expect([...byNamespace.keys()]).toEqual([ksm.metadata.namespace]);
    expect(own).toEqual([
      { apiGroups: [''], resources: ['pods'], resourceNames: Array.from({ length: replicas }, (_, i) => `k8smon-kube-state-metrics-${i}`), verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['k8smon-kube-state-metrics'], verbs: ['get'] },
    ]);
  });

  it('grants kube-state-metrics list/watch on every resource of its --resources', () => {
    const ksm = objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === 'k8smon-kube-state-metrics');
    if (ksm === undefined) return;
    const arg: string = (ksm.spec as any).template.spec.containers[0].args.find((a: string) => a.startsWith('--resources='));
    const { cluster } = grantsOf(objects, 'k8smon-kube-state-metrics');
    for (const resource of arg.slice('--resources='.length).split(',')) {
      expect(cluster.some((r) => r.resources?.includes(resource) && r.verbs.includes('list') && r.verbs.includes('watch')), resource).toBe(true);
    }
  });
});

describe('RBAC with Secrets opted in', () => {
  it('grants list/watch on Secrets to kube-state-metrics only', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: ['components.kubeStateMetrics.collectors=[pods, secrets]'] }, {});
    const withSecrets = objects.filter((o) => (o.kind === 'ClusterRole' || o.kind === 'Role') && JSON.stringify(o.rules).includes('"secrets"'));
    expect(withSecrets.map((o) => o.metadata.name)).toEqual(['k8smon-kube-state-metrics-monitoring']);
  });
});
