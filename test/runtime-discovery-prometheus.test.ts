/**
 * Kubernetes discovery against Prometheus' own discovery tests (v3.13.0
 * discovery/kubernetes/*_test.go), transcribed into
 * test/fixtures/prometheus/discovery-v3.13.json: the same objects as a
 * snapshot must give the same target groups. Then what 2.x (grafana-agent)
 * discovers differently.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discover, DiscoveryError, type DiscoveryRole, type KubernetesSdOptions } from '../src/runtime/semantics/discovery/discover.js';
import type { TargetGroup } from '../src/runtime/semantics/discovery/group.js';
import type { Snapshot } from '../src/runtime/semantics/snapshot.js';
import { watchedResources } from '../src/runtime/semantics/discovery/watched.js';

interface Case {
  name: string;
  role: DiscoveryRole;
  options: KubernetesSdOptions;
  snapshot: Snapshot;
  groups: TargetGroup[];
  'prometheus-2'?: { groups: TargetGroup[] };
}

const table = JSON.parse(readFileSync(new URL('./fixtures/prometheus/discovery-v3.13.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Groups by source, targets in order: Prometheus' tests compare a map of groups. */
const bySource = (groups: TargetGroup[]): Record<string, TargetGroup> => Object.fromEntries(groups.map((g) => [g.source, g]));

describe('Prometheus 3 Kubernetes discovery tests', () => {
  it.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(bySource(discover(c.role, c.snapshot, c.options))).toEqual(bySource(c.groups));
  });
});

describe('prometheus-2 (grafana-agent) discovery', () => {
  const p2 = { semantics: 'prometheus-2' } as const;

  it.each(table.cases.filter((c) => c['prometheus-2'] !== undefined).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(bySource(discover(c.role, c.snapshot, c.options, p2))).toEqual(bySource(c['prometheus-2']!.groups));
  });

  it.each(['namespace', 'deployment', 'job', 'cronjob'])('refuses attach_metadata.%s, which 2.x does not have', (field) => {
    const c = table.cases[0]!;
    expect(() => discover('pod', c.snapshot, { attach_metadata: { [field]: true } }, p2)).toThrow(DiscoveryError);
    expect(() => discover('pod', c.snapshot, { attach_metadata: { [field]: true } }, p2)).toThrow(`attach_metadata.${field}`);
  });

  const slice: Snapshot = {
    services: [{ metadata: { name: 'web', namespace: 'shop' }, spec: { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'], ports: [{ port: 80 }] } }],
    pods: [
      {
        metadata: { name: 'web-0', namespace: 'shop' },
        spec: { nodeName: 'n1', containers: [{ name: 'app', ports: [{ containerPort: 80 }] }], initContainers: [{ name: 'sidecar', ports: [{ name: 'metrics', containerPort: 9090 }] }] },
        status: { podIP: '10.0.0.5' },
      },
    ],
    endpointslices: [
      {
        metadata: { name: 'web-v4', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.0.0.5'], nodeName: 'n1', zone: 'z1', targetRef: { kind: 'Pod', name: 'web-0', namespace: 'shop' } }],
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
      { metadata: { name: 'web-v6', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::5'] }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    ],
  };

  it('has no endpointslice node_name/zone labels, no init containers behind endpoints, no dual-stack check', () => {
    const [v4, v6] = discover('endpointslice', slice, {}, p2);
    expect(v4!.targets).toHaveLength(1);
    expect(v4!.targets[0]).not.toHaveProperty('__meta_kubernetes_endpointslice_endpoint_node_name');
    expect(v4!.targets[0]).not.toHaveProperty('__meta_kubernetes_endpointslice_endpoint_zone');
    expect(v4!.targets[0]).not.toHaveProperty('__meta_kubernetes_pod_container_init');
    expect(v6!.targets).toHaveLength(1);
  });

  it('where Prometheus 3 has them', () => {
    const [v4, v6] = discover('endpointslice', slice, {});
    expect(v4!.targets.map((t) => t.__address__)).toEqual(['10.0.0.5:80', '10.0.0.5:9090']);
    expect(v4!.targets[0]).toMatchObject({ __meta_kubernetes_endpointslice_endpoint_node_name: 'n1', __meta_kubernetes_endpointslice_endpoint_zone: 'z1', __meta_kubernetes_pod_container_init: 'false' });
    expect(v4!.targets[1]).toMatchObject({ __meta_kubernetes_pod_container_name: 'sidecar', __meta_kubernetes_pod_container_init: 'true' });
    expect(v6!.targets).toEqual([]);
  });
});

describe('what discovery reads', () => {
  it('lists namespaces, ReplicaSets and Jobs only for the options that need them', () => {
    expect(watchedResources({ role: 'pod' }).map((r) => r.resource)).toEqual(['pods']);
    expect(watchedResources({ role: 'pod', attach_metadata: { namespace: true, deployment: true, cronjob: true } }).map((r) => `${r.apiGroup}/${r.resource}`)).toEqual(['/pods', '/namespaces', 'apps/replicasets', 'batch/jobs']);
    expect(watchedResources({ role: 'service', attach_metadata: { namespace: true, deployment: true } }).map((r) => r.resource)).toEqual(['services', 'namespaces']);
    expect(watchedResources({ role: 'node', attach_metadata: { namespace: true } }).map((r) => r.resource)).toEqual(['nodes']);
  });

  it('names an option it does not implement instead of ignoring it', () => {
    expect(() => discover('pod', {}, { attach_metadata: { node: true, statefulset: true } } as never)).toThrow('attach_metadata.statefulset');
    expect(() => discover('pod', {}, { role: 'pod', enable_compression: true } as never)).toThrow('kubernetes_sd_configs: enable_compression');
    expect(() => discover('pod', {}, { namespaces: { names: ['a'], exclude: ['b'] } } as never)).toThrow('namespaces.exclude');
    expect(() => discover('pod', {}, { role: 'pod', api_server: 'https://k', tls_config: { insecure_skip_verify: true }, follow_redirects: true } as never)).not.toThrow();
  });

  it('reads a snapshot without the new resources as before (no namespace labels, no owners)', () => {
    const c = table.cases[0]!;
    const [group] = discover('pod', { pods: c.snapshot.pods }, { attach_metadata: { namespace: true, deployment: true } });
    expect(Object.keys(group!.labels).filter((k) => k.startsWith('__meta_kubernetes_namespace_'))).toEqual([]);
  });
});
