/**
 * alertmanager.enabled: an Alertmanager the in-cluster Prometheus sends its
 * alerts to, its config checked by the real `amtool check-config` (Debian
 * prometheus-alertmanager), credentials only as mounted Secret files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { problemsOf } from './support/problems.js';
import { promtoolCheckConfig } from './support/promtool.js';
import { findObject } from './support/render.js';
import { requireTool } from './support/tools.js';

const PROFILE = {
  preset: 'kubeadm',
  alertmanager: {
    enabled: true,
    receivers: [
      {
        name: 'ops',
        slack: { channel: '#alerts', apiUrlFrom: { secret: { name: 'alert-creds', key: 'slack-url' } } },
        email: { to: 'oncall@example.com', from: 'k8smon@example.com', smarthost: 'smtp.example.com:587', authUsername: 'k8smon', authPasswordFrom: { secret: { name: 'alert-creds', key: 'smtp-password' } } },
      },
      { name: 'pager', webhook: { url: 'https://hooks.example.com/k8smon', bearerTokenFrom: { secret: { name: 'pager', key: 'token' } } } },
    ],
  },
};

function render(doc: unknown): KubernetesObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-am-'));
  writeFileSync(join(dir, 'k8smon.yaml'), stringify(doc));
  return renderBundle({ file: join(dir, 'k8smon.yaml') }, {}).objects;
}

const configMapText = (objects: readonly KubernetesObject[], name: string, key: string): string => ((findObject(objects, 'ConfigMap', name) as any).data as Record<string, string>)[key]!;

/** The config with every file it names moved under a sandbox, where each file is created. */
function sandboxed(text: string, prefix: string): { file: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-am-sandbox-'));
  const config = text.replaceAll(prefix, `${dir}${prefix}`);
  for (const m of config.matchAll(/_file: (\S+)/g)) {
    mkdirSync(dirname(m[1]!), { recursive: true });
    writeFileSync(m[1]!, 'placeholder\n');
  }
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, config);
  return { file, config };
}

describe('the rendered Alertmanager', () => {
  const objects = render(PROFILE);

  it('amtool check-config (Debian prometheus-alertmanager) accepts its config, with the Secret files where the pod mounts them', () => {
    const amtool = requireTool('amtool', 'apt-get install prometheus-alertmanager');
    const { file } = sandboxed(configMapText(objects, 'k8smon-alertmanager', 'alertmanager.yml'), '/etc/alertmanager/secrets');
    const output = execFileSync(amtool, ['check-config', file], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS');
    expect(output).toContain(' - 2 receivers');
  });

  it('sends every alert to every receiver: amtool config routes test names both for any alert', () => {
    const amtool = requireTool('amtool', 'apt-get install prometheus-alertmanager');
    const { file } = sandboxed(configMapText(objects, 'k8smon-alertmanager', 'alertmanager.yml'), '/etc/alertmanager/secrets');
    for (const labels of [['alertname=KubePodCrashLooping', 'severity=warning'], ['alertname=TargetDown', 'severity=critical', 'namespace=monitoring']]) {
      const routed = execFileSync(amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { encoding: 'utf8' }).trim();
      expect(routed.split(',').sort()).toEqual(['ops', 'pager']);
    }
  });

  it('amtool refuses a config with an error (so the check above can fail)', () => {
    const amtool = requireTool('amtool', 'apt-get install prometheus-alertmanager');
    const broken = configMapText(objects, 'k8smon-alertmanager', 'alertmanager.yml').replace('receiver: ops', 'receiver: nobody');
    const { file } = sandboxed(broken, '/etc/alertmanager/secrets');
    const result = spawnSync(amtool, ['check-config', file], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/undefined receiver "nobody"/);
  });

  it('reads each credential from a mounted Secret key, and holds none itself', () => {
    const config = parseYaml(configMapText(objects, 'k8smon-alertmanager', 'alertmanager.yml'));
    expect(config.receivers[0].slack_configs[0].api_url_file).toBe('/etc/alertmanager/secrets/alert-creds/slack-url');
    expect(config.receivers[0].email_configs[0].auth_password_file).toBe('/etc/alertmanager/secrets/alert-creds/smtp-password');
    expect(config.receivers[1].webhook_configs[0].http_config.authorization.credentials_file).toBe('/etc/alertmanager/secrets/pager/token');
    const pod = (findObject(objects, 'Deployment', 'k8smon-alertmanager').spec as any).template.spec;
    const secrets = pod.volumes.filter((v: any) => v.secret !== undefined).map((v: any) => [v.secret.secretName, v.secret.items.map((i: any) => i.key)]);
    expect(secrets).toEqual([['alert-creds', ['slack-url', 'smtp-password']], ['pager', ['token']]]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('is where the in-cluster Prometheus sends its alerts: promtool check config accepts the receiver config with the alerting section', () => {
    const text = configMapText(objects, 'k8smon-prometheus', 'prometheus.yml');
    const config = parseYaml(text);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['k8smon-alertmanager.monitoring.svc:9093']);
    const { rule_files: _rules, ...withoutRuleFiles } = config;
    const result = promtoolCheckConfig(withoutRuleFiles);
    expect(result.output).toContain('SUCCESS');
  });

  it('is not rendered unless enabled', () => {
    const plain = render({ preset: 'kubeadm' });
    expect(plain.filter((o) => o.metadata.name === 'k8smon-alertmanager')).toEqual([]);
    expect(parseYaml(configMapText(plain, 'k8smon-prometheus', 'prometheus.yml')).alerting).toBeUndefined();
  });
});

describe('an Alertmanager that cannot work is refused, naming the field', () => {
  it('enabled with no receiver, or a receiver that sends nowhere', () => {
    expect(problemsOf(() => render({ preset: 'eks', alertmanager: { enabled: true } })).map((p) => p.path)).toEqual(['alertmanager.receivers']);
    expect(problemsOf(() => render({ preset: 'eks', alertmanager: { enabled: true, receivers: [{ name: 'x' }] } })).map((p) => p.path)).toEqual(['alertmanager.receivers[0]']);
  });

  it('with a remote_write destination, where no in-cluster Prometheus evaluates the rules', () => {
    const [problem] = problemsOf(() => render({ ...PROFILE, remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push' }] }));
    expect(problem).toMatchObject({ path: 'alertmanager.enabled', message: expect.stringMatching(/ruler/) });
  });

  it('a credential given inline rather than from a Secret', () => {
    const inline = { preset: 'eks', alertmanager: { enabled: true, receivers: [{ name: 'x', slack: { channel: '#a', apiUrl: 'https://hooks.slack.com/services/T/B/secret' } }] } };
    const problems = problemsOf(() => render(inline));
    expect(problems.map((p) => p.path)).toContain('alertmanager.receivers[0].slack.apiUrl');
    expect(JSON.stringify(problems)).not.toContain('hooks.slack.com/services/T/B/secret');
  });
});
