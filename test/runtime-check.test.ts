/**
 * The audit rules of `k8smon check` one by one (runtime/check/): credentials
 * written into agent configs and addresses naming Services nobody has.
 */
import { describe, expect, it } from 'vitest';
import { agentFromConfigFile } from '../src/runtime/agent-config.js';
import { credentialProblems } from '../src/runtime/check/credentials.js';
import { serviceProblems } from '../src/runtime/check/services.js';
import type { ActiveTarget } from '../src/runtime/preview.js';

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
