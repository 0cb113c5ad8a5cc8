/**
 * An Alertmanager for the in-cluster Prometheus, which evaluates k8smon's
 * alerting rules: one replica (no gossip peers), its config in a ConfigMap
 * with no credential in it — Slack URLs, SMTP passwords and webhook tokens are
 * read from the user's Secrets, mounted, through Alertmanager's `*_file` fields.
 */
import type { AlertmanagerProfile, AlertReceiverProfile, SecretKeyRef } from '../../profile/types.js';
import { stringifyYaml } from '../../util/yaml.js';
import { LINUX_NODES, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security.js';
import type { WorkloadModel } from '../types.js';
import type { ComponentContext } from './context.js';
import { NO_RBAC } from './workload.js';

export const ALERTMANAGER_NAME = 'k8smon-alertmanager';
const PORT = 9093;
const CONFIG_DIR = '/etc/alertmanager';
const CONFIG_KEY = 'alertmanager.yml';
const SECRETS_DIR = '/etc/alertmanager/secrets';

/** The address the in-cluster Prometheus sends alerts to. */
export function alertmanagerAddress(namespace: string): string {
  return `${ALERTMANAGER_NAME}.${namespace}.svc:${PORT}`;
}

/** Where a Secret's key is mounted in the Alertmanager container. */
function secretPath(ref: SecretKeyRef): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

function receiverConfig(r: AlertReceiverProfile): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name };
  if (r.slack !== undefined) {
    out.slack_configs = [{ api_url_file: secretPath(r.slack.apiUrlFrom.secret), channel: r.slack.channel, send_resolved: true }];
  }
  if (r.email !== undefined) {
    const e = r.email;
    out.email_configs = [
      {
        to: e.to,
        from: e.from,
        smarthost: e.smarthost,
        ...(e.authUsername !== undefined ? { auth_username: e.authUsername } : {}),
        ...(e.authPasswordFrom !== undefined ? { auth_password_file: secretPath(e.authPasswordFrom.secret) } : {}),
        send_resolved: true,
      },
    ];
  }
  if (r.webhook !== undefined) {
    const w = r.webhook;
    out.webhook_configs = [
      {
        url: w.url,
        send_resolved: true,
        ...(w.bearerTokenFrom !== undefined ? { http_config: { authorization: { type: 'Bearer', credentials_file: secretPath(w.bearerTokenFrom.secret) } } } : {}),
      },
    ];
  }
  return out;
}

/** Every Secret key the receivers read, by Secret. */
export function alertmanagerSecretRefs(am: AlertmanagerProfile): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const add = (ref: SecretKeyRef | undefined): void => {
    if (ref === undefined) return;
    refs.set(ref.name, (refs.get(ref.name) ?? new Set()).add(ref.key));
  };
  for (const r of am.receivers) {
    add(r.slack?.apiUrlFrom.secret);
    add(r.email?.authPasswordFrom?.secret);
    add(r.webhook?.bearerTokenFrom?.secret);
  }
  return refs;
}

/**
 * alertmanager.yml: every receiver gets every alert, grouped as the rules
 * label them. A child route per receiver (continue: true) matches all alerts;
 * the top route's receiver only answers if none did, which cannot happen.
 */
export function alertmanagerConfigText(am: AlertmanagerProfile): string {
  const config = {
    route: {
      receiver: am.receivers[0]!.name,
      group_by: ['alertname', 'cluster', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: am.receivers.map((r) => ({ receiver: r.name, continue: true })),
    },
    // A firing critical alert silences the warning of the same name and place.
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'cluster', 'namespace'] }],
    receivers: am.receivers.map(receiverConfig),
  };
  return `# Rendered by k8smon from the profile's alertmanager section; credentials are read from mounted Secrets.\n${stringifyYaml(config, { lineWidth: 0 })}`;
}

export function alertmanagerWorkload(ctx: ComponentContext): WorkloadModel {
  const am = ctx.profile.alertmanager!;
  const secrets = [...alertmanagerSecretRefs(am).entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    name: ALERTMANAGER_NAME,
    component: 'alertmanager',
    kind: 'Deployment',
    automountToken: false,
    rbac: NO_RBAC,
    configMaps: [{ name: ALERTMANAGER_NAME, data: { [CONFIG_KEY]: alertmanagerConfigText(am) } }],
    service: [{ name: 'http-web', port: PORT, targetPort: 'http-web' }],
    podSecurity: 'restricted',
    pod: {
      nodeSelector: LINUX_NODES,
      securityContext: restrictedPodSecurityContext(),
      containers: [
        {
          name: 'alertmanager',
          image: ctx.images.alertmanager,
          args: [
            `--config.file=${CONFIG_DIR}/${CONFIG_KEY}`,
            '--storage.path=/alertmanager',
            `--web.listen-address=:${PORT}`,
            // One replica: no peers to gossip silences and notifications with.
            '--cluster.listen-address=',
          ],
          ports: [{ name: 'http-web', containerPort: PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/-/ready', port: 'http-web' }, periodSeconds: 10 },
          resources: am.resources,
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'data', mountPath: '/alertmanager' },
            ...secrets.map(([name]) => ({ name: `secret-${name}`, mountPath: `${SECRETS_DIR}/${name}`, readOnly: true })),
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: ALERTMANAGER_NAME } },
        { name: 'data', emptyDir: { sizeLimit: '256Mi' } },
        ...secrets.map(([name, keys]) => ({ name: `secret-${name}`, secret: { secretName: name, items: [...keys].sort().map((key) => ({ key, path: key })) } })),
      ],
    },
  };
}
