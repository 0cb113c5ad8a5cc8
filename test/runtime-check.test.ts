/**
 * The audit rules of `k8smon check` one by one (runtime/check/): credentials
 * written into agent configs and addresses naming Services nobody has.
 */
import { describe, expect, it } from 'vitest';
import { agentFromConfigFile } from '../src/agents/find.js';
import { credentialProblems } from '../src/runtime/check/credentials.js';
import { serviceProblems } from '../src/runtime/check/services.js';
import type { ActiveTarget } from '../src/runtime/preview/preview.js';

describe('credentials-in-config', () => {
  const prometheus = (lines: string[]) => agentFromConfigFile(lines.join('\n'), 'prometheus.yml');

  it('names every plain-text secret field of remote_write and scrape configs, never its value', () => {
    const problems = credentialProblems([
      prometheus([
        'remote_write:',
        '  - url: https://rw',
        '    basic_auth: {username: u, password: s3cret-1}',
        '  - url: https://rw2',
        '    authorization: {credentials: s3cret-2}',
        'scrape_configs:',
        '  - job_name: app',
        '    bearer_token: s3cret-3',
        '    oauth2: {client_id: x, client_secret: s3cret-4, token_url: https://t}',
        '    static_configs: [{targets: [a:1]}]',
      ]),
    ]);
    expect(problems.map((p) => p.message.split(' is written')[0])).toEqual([
      'prometheus.yml: remote_write[0].basic_auth.password',
      'prometheus.yml: remote_write[1].authorization.credentials',
      'prometheus.yml: scrape_configs[app].bearer_token',
      'prometheus.yml: scrape_configs[app].oauth2.client_secret',
    ]);
    expect(JSON.stringify(problems)).not.toMatch(/s3cret/);
    expect(new Set(problems.map((p) => p.severity))).toEqual(new Set(['error']));
  });

  it('leaves files and ${VAR} references alone (grafana-agent fills them from its environment)', () => {
    const agent = agentFromConfigFile(
      [
        'metrics:',
        '  global:',
        '    remote_write: [{url: https://rw, basic_auth: {username: u, password: "${RW_PASSWORD}"}}]',
        '  configs:',
        '    - name: a',
        '      remote_write: [{url: https://rw, basic_auth: {username: u, password_file: /etc/secret/pw}}]',
        '      scrape_configs: [{job_name: x, bearer_token_file: /var/run/secrets/token, static_configs: [{targets: [a:1]}]}]',
      ].join('\n'),
    );
    expect(credentialProblems([agent])).toEqual([]);
  });
});

describe('service-not-found', () => {
  const target = (job: string, url: string): ActiveTarget => ({ job, agent: 'deployment/a', url, labels: {} });

  it('finds Services in the snapshot or the render, and reads only <svc>.<ns>.svc[.cluster.local] hosts as Services', () => {
    const problems = serviceProblems(
      [{ kind: 'Service', metadata: { name: 'k8smon-blackbox', namespace: 'monitoring' } }],
      { services: [{ metadata: { name: 'kubernetes', namespace: 'default' } }] },
      [
        target('probes', 'http://k8smon-blackbox.monitoring.svc:9115/probe?target=x'),
        target('api', 'https://kubernetes.default.svc:443/metrics'),
        target('probes-old', 'http://blackbox-exporter.default.svc.cluster.local:9115/probe?target=a'),
        target('probes-old', 'http://blackbox-exporter.default.svc.cluster.local:9115/probe?target=b'),
        target('external', 'https://metrics.example.com/metrics'),
        target('ip', 'http://[fd00::1]:9100/metrics'),
      ],
    );
    expect(problems).toEqual([
      {
        severity: 'error',
        rule: 'service-not-found',
        message: 'job probes-old: http://blackbox-exporter.default.svc.cluster.local:9115/probe?target=a (and 1 more) names Service default/blackbox-exporter, which neither the cluster nor the render has: a Service in another namespace?',
      },
    ]);
  });
});

describe('loopback-off-host-network', () => {
  it('flags the loopback targets of an agent whose pod is not on the host network, once per job', async () => {
    const { renderBundle } = await import('../src/pipeline.js');
    const { agentsFromManifests } = await import('../src/agents/find.js');
    const { checkDeployment } = await import('../src/runtime/check/index.js');
    const { previewCluster } = await import('../src/runtime/preview/preview.js');
    const { syntheticCluster } = await import('../src/runtime/synthetic.js');
    const { objects } = renderBundle({ preset: 'kubeadm', sets: [] }, {});
    const offHost = objects.map((o) => (o.kind === 'DaemonSet' && o.metadata.name === 'k8smon-agent-node' ? { ...o, spec: { ...(o.spec as any), template: { ...(o.spec as any).template, spec: { ...(o.spec as any).template.spec, hostNetwork: false } } } } : o));
    const rules = (manifests: typeof objects) => {
      const agents = agentsFromManifests(manifests);
      const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 2, workloads: manifests });
      return checkDeployment(manifests, agents, snapshot, previewCluster(agents, snapshot).targets).filter((p) => p.rule === 'loopback-off-host-network');
    };
    expect(rules(objects)).toEqual([]);
    expect(rules(offHost).map((p) => p.message.split(':')[0])).toEqual([
      'daemonset/k8smon-agent-node job kube-proxy',
      'daemonset/k8smon-agent-node job kube-scheduler',
      'daemonset/k8smon-agent-node job kube-controller-manager',
      'daemonset/k8smon-agent-node job etcd',
    ]);
    expect(rules(offHost)[0]!.message).toMatch(/http:\/\/127\.0\.0\.1:10249\/metrics is the pod's own loopback, not the node's/);
  });

  it('says nothing of an agent config file, whose pod it cannot see', async () => {
    const { loopbackProblems } = await import('../src/runtime/check/network.js');
    const agent = agentFromConfigFile('scrape_configs: [{job_name: local, static_configs: [{targets: ["127.0.0.1:9100"]}]}]');
    const target: ActiveTarget = { job: 'local', agent: 'config', url: 'http://127.0.0.1:9100/metrics', labels: {} };
    expect(loopbackProblems([agent], [target])).toEqual([]);
    expect(loopbackProblems([{ ...agent, hostNetwork: false }], [target]).map((p) => p.rule)).toEqual(['loopback-off-host-network']);
  });
});

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1:10249/metrics', true],
    ['http://127.1.2.3:2381/metrics', true],
    ['https://LOCALHOST:10257/metrics', true],
    ['http://[::1]:9100/metrics', true],
    ['http://127.0.0.1:2381', true],
    ['http://10.0.0.1:9100/metrics', false],
    ['http://1.2.3.4/metrics', false],
    ['http://localhost.example.com/metrics', false],
    ['https://kubernetes.default.svc:443/metrics', false],
  ])('%s → %s', async (url, loopback) => {
    const { isLoopbackUrl } = await import('../src/runtime/semantics/target.js');
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe('agents found in hand-made manifests', () => {
  const config = 'scrape_configs: [{job_name: x, static_configs: [{targets: ["a:1"]}]}]';
  const cm = (data: Record<string, string>) => ({ kind: 'ConfigMap', metadata: { name: 'prom', namespace: 'm' }, data });
  const deployment = (container: Record<string, unknown>, volume: Record<string, unknown> = { name: 'cfg', configMap: { name: 'prom' } }) => ({
    kind: 'Deployment',
    metadata: { name: 'prometheus', namespace: 'm' },
    spec: { template: { spec: { containers: [{ name: 'p', image: 'prom/prometheus', ...container }], volumes: [volume] } } },
  });

  it.each([
    ['--config.file=<path> in args', { args: ['--config.file=/etc/prom/prometheus.yml'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/prom' }] }, undefined, { 'prometheus.yml': config }],
    ['the flag and its value as two words, in command', { command: ['/bin/prometheus', '--config.file', '/etc/prom/prometheus.yml'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/prom' }] }, undefined, { 'prometheus.yml': config }],
    ['a subPath mount of the one file', { args: ['-config.file=/etc/prometheus.yml'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/prometheus.yml', subPath: 'main.yml' }] }, undefined, { 'main.yml': config }],
    ['a key renamed by items', { args: ['--config.file=/etc/prom/prometheus.yml'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/prom' }] }, { name: 'cfg', configMap: { name: 'prom', items: [{ key: 'main', path: 'prometheus.yml' }] } }, { main: config }],
  ])('reads the config file of %s', async (_, container, volume, data) => {
    const { agentsFromManifests } = await import('../src/agents/find.js');
    const agents = agentsFromManifests([cm(data), deployment(container, volume)]);
    expect(agents.map((a) => [a.name, a.kind, a.text])).toEqual([['deployment/prometheus', 'prometheus', config]]);
  });

  it('finds none when the file is not in a mounted ConfigMap', async () => {
    const { agentsFromManifests } = await import('../src/agents/find.js');
    expect(agentsFromManifests([cm({ 'prometheus.yml': config }), deployment({ args: ['--config.file=/elsewhere/prometheus.yml'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/prom' }] })])).toEqual([]);
  });
});
