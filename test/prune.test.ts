/**
 * Upgrades: apply prunes what a new render no longer contains, diff shows it,
 * delete removes it, all through an inventory kept in kubectl's ApplySet
 * convention. Driven against the recording kubectl stand-in with a state file,
 * so objects applied, listed by label and deleted persist between commands.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planPrune, resourceName } from '../src/kube/inventory.js';
import { applySetId, inventoryName } from '../src/render/applyset.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { runCli } from './support/cli.js';

const FAKE_DIR = fileURLToPath(new URL('./support/fake-kubectl', import.meta.url));
const PART_OF = 'applyset.kubernetes.io/part-of';

interface Call {
  args: string[];
  stdin: string;
}

function cluster(mode = 'ok', initial: KubernetesObject[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-prune-'));
  const log = join(dir, 'calls.jsonl');
  const state = join(dir, 'state.json');
  writeFileSync(state, JSON.stringify({ objects: initial }));
  const env = { PATH: `${FAKE_DIR}${delimiter}${process.env.PATH}`, FAKE_KUBECTL_LOG: log, FAKE_KUBECTL_STATE: state, FAKE_KUBECTL_MODE: mode };
  return {
    env,
    calls: (): Call[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call) : []),
    objects: (): KubernetesObject[] => (JSON.parse(readFileSync(state, 'utf8')) as { objects: KubernetesObject[] }).objects,
    setObjects: (objects: KubernetesObject[]): void => writeFileSync(state, JSON.stringify({ objects })),
    k8smon: (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra } }),
  };
}

const key = (o: KubernetesObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const BASE = ['--profile', 'eks', '--set', 'cluster.name=prod'];
const NO_BLACKBOX = [...BASE, '--set', 'components.blackboxExporter.enabled=false'];
const BLACKBOX = [
  'ServiceAccount/monitoring/k8smon-blackbox-exporter',
  'ConfigMap/monitoring/k8smon-blackbox-exporter',
  'Service/monitoring/k8smon-blackbox-exporter',
  'Deployment/monitoring/k8smon-blackbox-exporter',
];
const ID = `applyset-${createHash('sha256').update('k8smon-prod.monitoring.ConfigMap.').digest('base64url')}-v1`;
const isDelete = (c: Call): boolean => c.args.includes('delete');
const isRenderApply = (c: Call): boolean => c.args.includes('apply') && !c.stdin.includes('applyset.kubernetes.io/id');

describe('the inventory', () => {
  it('is a ConfigMap ApplySet parent that kubectl understands, and every member names it', async () => {
    const c = cluster();
    // Without annotated Services, the cluster agent's discovery is confined to Roles in default and kube-system.
    const r = await c.k8smon(['apply', ...BASE, '--set', 'components.annotatedServices.enabled=false']);
    expect(r.exitCode, r.stderr).toBe(0);
    const findParent = (): KubernetesObject => c.objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'k8smon-prod')!;
    const parent = findParent();
    expect(parent.metadata.namespace).toBe('monitoring');
    expect(parent.metadata.labels?.['applyset.kubernetes.io/id']).toBe(ID);
    expect(ID).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
    const a = parent.metadata.annotations!;
    expect(a['applyset.kubernetes.io/tooling']).toMatch(/^k8smon\/v\d+\.\d+\.\d+/);
    expect(a['applyset.kubernetes.io/contains-group-kinds']).toBe(
      'ClusterRole.rbac.authorization.k8s.io,ClusterRoleBinding.rbac.authorization.k8s.io,ConfigMap,DaemonSet.apps,Deployment.apps,Role.rbac.authorization.k8s.io,RoleBinding.rbac.authorization.k8s.io,Service,ServiceAccount',
    );
    expect(a['applyset.kubernetes.io/additional-namespaces']).toBe('default,kube-system');
    expect(a['k8smon.dev/cluster-name']).toBe('prod');
    for (const o of c.objects().filter((o) => key(o) !== key(parent))) {
      expect(o.metadata.labels?.[PART_OF], key(o)).toBe(o.kind === 'Namespace' ? undefined : ID);
    }
    // The parent is written before the members, so an interrupted apply leaves no member it does not list.
    const calls = c.calls();
    expect(calls.findIndex((x) => x.stdin.includes('applyset.kubernetes.io/id'))).toBeLessThan(calls.findIndex(isRenderApply));

    // With them back on, the Roles in the other namespaces are pruned and the parent narrowed to what remains.
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    expect(c.objects().filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
    const narrowed = findParent().metadata.annotations!;
    expect(narrowed['applyset.kubernetes.io/contains-group-kinds']).toBe(
      'ClusterRole.rbac.authorization.k8s.io,ClusterRoleBinding.rbac.authorization.k8s.io,ConfigMap,DaemonSet.apps,Deployment.apps,Service,ServiceAccount',
    );
    expect(narrowed['applyset.kubernetes.io/additional-namespaces']).toBe('');
  });

  it('is named after cluster.name unless inventory.name says otherwise, which must be a valid object name', async () => {
    expect(inventoryName({ cluster: { name: 'Prod EU_1' } as never })).toBe('k8smon-prod-eu-1');
    expect(inventoryName({ cluster: { name: 'x' } as never, inventory: { name: 'mine' } })).toBe('mine');
    expect(applySetId('k8smon-prod', 'monitoring')).toBe(ID);
    const r = await runCli(['render', ...BASE, '--set', 'inventory.name=Not_Valid']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/inventory\.name/);
  });
});

describe('apply prunes', () => {
  it('deletes the objects of a component switched off, cluster-scoped ones too', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    expect(c.objects().map(key)).toEqual(expect.arrayContaining([...BLACKBOX, 'ClusterRole//k8smon-kube-state-metrics-monitoring']));
    const r = await c.k8smon(['apply', ...NO_BLACKBOX, '--set', 'components.kubeStateMetrics.enabled=false']);
    expect(r.exitCode, r.stderr).toBe(0);
    const left = c.objects().map(key);
    for (const gone of [...BLACKBOX, 'ClusterRole//k8smon-kube-state-metrics-monitoring', 'ClusterRoleBinding//k8smon-kube-state-metrics-monitoring', 'Deployment/monitoring/k8smon-kube-state-metrics']) {
      expect(left).not.toContain(gone);
    }
    expect(left).toContain('DaemonSet/monitoring/k8smon-agent-node');
    expect(r.stdout).toMatch(/deployment "k8smon-blackbox-exporter" deleted/);
  });

  it('on a kind change, deletes old objects only after the new render is applied and its agents are ready', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE, '--set', 'agent.kind=grafana-agent'])).exitCode).toBe(0);
    const agentConfig = (): Record<string, string> => c.objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'k8smon-agent-node')!.data as Record<string, string>;
    expect(Object.keys(agentConfig())).toEqual(['agent.yaml']);
    const before = c.calls().length;

    const r = await c.k8smon(['apply', ...NO_BLACKBOX, '--set', 'agent.kind=prometheus', '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = c.calls().slice(before);
    const applied = calls.findIndex(isRenderApply);
    const lastRollout = calls.map((x) => x.args[0]).lastIndexOf('rollout');
    const deleted = calls.findIndex(isDelete);
    expect(applied).toBeGreaterThan(-1);
    expect(lastRollout).toBeGreaterThan(applied);
    expect(deleted).toBeGreaterThan(lastRollout);
    // The new kind's objects are in place, the switched-off component is gone.
    expect(Object.keys(agentConfig())).toEqual(['prometheus.yaml']);
    const node = c.objects().find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'k8smon-agent-node') as any;
    expect(node.spec.template.spec.containers.map((x: { name: string }) => x.name)).toContain('config-reloader');
    expect(c.objects().map(key)).not.toEqual(expect.arrayContaining([BLACKBOX[3]]));

    // And back: grafana-agent again.
    expect((await c.k8smon(['apply', ...NO_BLACKBOX, '--set', 'agent.kind=grafana-agent', '--wait'])).exitCode).toBe(0);
    expect(Object.keys(agentConfig())).toEqual(['agent.yaml']);
  });

  it('prunes nothing when a new workload does not become ready: the old objects keep running', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    const r = await c.k8smon(['apply', ...NO_BLACKBOX, '--wait', '--timeout', '1s'], { FAKE_KUBECTL_MODE: 'notready' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/nothing was pruned/);
    expect(c.objects().map(key)).toEqual(expect.arrayContaining(BLACKBOX));
    expect(c.calls().some(isDelete)).toBe(false);
  });

  it('never touches an object without its ApplySet label, even one with the same name', async () => {
    const theirs = (namespace: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k8smon-blackbox-exporter', namespace }, data: { mine: 'yes' } });
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    // Someone replaced k8smon's ConfigMap with their own, and keeps another of that name elsewhere.
    c.setObjects([...c.objects().filter((o) => key(o) !== 'ConfigMap/monitoring/k8smon-blackbox-exporter'), theirs('monitoring'), theirs('team-a')]);
    const r = await c.k8smon(['apply', ...NO_BLACKBOX]);
    expect(r.exitCode, r.stderr).toBe(0);
    const left = c.objects().map(key);
    expect(left).toContain('ConfigMap/monitoring/k8smon-blackbox-exporter');
    expect(left).toContain('ConfigMap/team-a/k8smon-blackbox-exporter');
    expect(left).not.toContain('Deployment/monitoring/k8smon-blackbox-exporter');
  });

  it('--dry-run=server deletes nothing and says what it would prune', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    const before = c.objects();
    const r = await c.k8smon(['apply', ...NO_BLACKBOX, '--dry-run=server'], { FAKE_KUBECTL_REJECT_DRY_RUN_DELETE: '1' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment.apps/k8smon-blackbox-exporter -n monitoring would be pruned (server dry run)');
    expect(r.stdout).toContain('serviceaccount/k8smon-blackbox-exporter -n monitoring would be pruned (server dry run)');
    expect(c.objects()).toEqual(before);
    expect(c.calls().some(isDelete)).toBe(false);
  });

  it('--prune=false applies and deletes nothing', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    expect((await c.k8smon(['apply', ...NO_BLACKBOX, '--prune=false'])).exitCode).toBe(0);
    expect(c.objects().map(key)).toEqual(expect.arrayContaining(BLACKBOX));
    expect(c.calls().some(isDelete)).toBe(false);
    // The inventory still lists them, so a later apply prunes them.
    expect((await c.k8smon(['apply', ...NO_BLACKBOX])).exitCode).toBe(0);
    expect(c.objects().map(key)).not.toContain(BLACKBOX[3]);
  });
});

describe('guard rails', () => {
  it('refuses a profile whose inventory name belongs to another profile, naming both', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE, '--set', 'inventory.name=shared'])).exitCode).toBe(0);
    const before = c.calls().length;
    const r = await c.k8smon(['apply', '--profile', 'eks', '--set', 'cluster.name=staging', '--set', 'inventory.name=shared']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/inventory monitoring\/shared belongs to the profile of cluster "prod".*this profile \(cluster "staging"\)/);
    expect(c.calls().slice(before).some((x) => x.args.includes('apply') || isDelete(x))).toBe(false);
  });

  it('refuses a second profile in the same namespace that would take over the first one\'s objects', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    const before = c.calls().length;
    const r = await c.k8smon(['apply', '--profile', 'eks', '--set', 'cluster.name=staging']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/this profile \(cluster "staging", inventory monitoring\/k8smon-staging\)/);
    expect(r.stderr).toMatch(/daemonset\.apps\/k8smon-agent-node -n monitoring belongs to inventory monitoring\/k8smon-prod of the profile of cluster "prod"/);
    expect(c.calls().slice(before).some((x) => x.args.includes('apply') || isDelete(x))).toBe(false);
  });
});

describe('diff and delete', () => {
  it('diff lists what apply would delete and exits 1; 0 when nothing differs', async () => {
    const c = cluster();
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    const same = await c.k8smon(['diff', ...BASE]);
    expect(same.exitCode, same.stderr).toBe(0);
    expect(same.stdout).not.toMatch(/would delete/);
    const r = await c.k8smon(['diff', ...NO_BLACKBOX]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/apply would delete 4 objects the render no longer contains \(inventory monitoring\/k8smon-prod\)/);
    expect(r.stdout).toContain('-  deployment.apps/k8smon-blackbox-exporter -n monitoring');
    expect(c.objects().map(key)).toEqual(expect.arrayContaining(BLACKBOX));
  });

  it('delete removes what an older render created, then the inventory, and nothing else', async () => {
    const other: KubernetesObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'k8smon-blackbox-exporter', namespace: 'team-a' } };
    const c = cluster('ok', [other]);
    expect((await c.k8smon(['apply', ...BASE])).exitCode).toBe(0);
    const r = await c.k8smon(['delete', ...NO_BLACKBOX]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(c.objects().map(key).sort()).toEqual(['Deployment/team-a/k8smon-blackbox-exporter', 'Namespace//monitoring']);
  });
});

describe('planPrune', () => {
  const inv = { name: 'k8smon-prod', namespace: 'monitoring', id: ID, clusterName: 'prod' };
  const obj = (apiVersion: string, kind: string, name: string, partOf?: string): KubernetesObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace: 'monitoring', ...(partOf !== undefined ? { labels: { [PART_OF]: partOf } } : {}) },
  });

  it('treats a Deployment that became a StatefulSet of the same name as stale', () => {
    const plan = planPrune(inv, [obj('apps/v1', 'Deployment', 'k8smon-agent-cluster', ID)], [obj('apps/v1', 'StatefulSet', 'k8smon-agent-cluster', ID)]);
    expect(plan.stale.map((o) => o.kind)).toEqual(['Deployment']);
  });

  it('keeps members across apiVersion changes, ignores unlabelled objects and reports another set\'s objects as conflicts', () => {
    const plan = planPrune(
      inv,
      [obj('apps/v1beta2', 'Deployment', 'a', ID), obj('v1', 'ConfigMap', 'b'), obj('v1', 'ConfigMap', 'c', 'applyset-other-v1')],
      [obj('apps/v1', 'Deployment', 'a'), obj('v1', 'ConfigMap', 'c')],
    );
    expect(plan.stale).toEqual([]);
    expect(plan.conflicts.map((x) => [x.object.metadata.name, x.otherId])).toEqual([['c', 'applyset-other-v1']]);
  });

  it('names group-kinds as kubectl takes them', () => {
    expect(['ConfigMap', 'Deployment.apps', 'NetworkPolicy.networking.k8s.io', 'ClusterRole.rbac.authorization.k8s.io'].map(resourceName)).toEqual([
      'configmaps',
      'deployments.apps',
      'networkpolicies.networking.k8s.io',
      'clusterroles.rbac.authorization.k8s.io',
    ]);
  });
});
