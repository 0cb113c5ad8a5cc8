/**
 * The default destination: a single-replica Prometheus that only receives
 * remote_write (bounded retention, emptyDir or a PersistentVolumeClaim).
 */
import { LINUX_NODES, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security.js';
import type { Profile } from '../../profile/types.js';
import type { WorkloadModel } from '../types.js';
import type { ComponentContext } from './context.js';
import { NO_RBAC } from './workload.js';
import { RULES_FILE } from '../../rules/index.js';

export const LOCAL_PROMETHEUS_NAME = 'k8smon-prometheus';
export const LOCAL_PROMETHEUS_PORT = 9090;
export const LOCAL_PROMETHEUS_PORT_NAME = 'http-web';

/** Whether the render brings its own receiver: the profile names no remote_write destination. */
export function usesLocalPrometheus(profile: Pick<Profile, 'remoteWrite'>): boolean {
  return (profile.remoteWrite ?? []).length === 0;
}

export function localPrometheusUrl(namespace: string): string {
  return `http://${LOCAL_PROMETHEUS_NAME}.${namespace}.svc:${LOCAL_PROMETHEUS_PORT}/api/v1/write`;
}

export const LOCAL_PROMETHEUS_RULES = `${LOCAL_PROMETHEUS_NAME}-rules`;
const RULES_DIR = '/etc/prometheus-rules';

/** `rules`: the rule file it evaluates (src/rules), if any; `alertmanager`: where it sends the alerts, if anywhere. */
export function localPrometheusWorkload(ctx: ComponentContext, rules?: string, alertmanager?: string): { workload: WorkloadModel; volumeClaim?: { name: string; size: string; storageClassName?: string } } {
  const p = ctx.profile.localPrometheus;
  const persistent = p.storage.kind === 'persistentVolumeClaim';
  let configText = '# Receives samples over remote_write from the k8smon agents; it scrapes nothing itself.\nscrape_configs: []\n';
  if (rules !== undefined) configText += `# Evaluates k8smon's alerting and recording rules over what it receives.\nrule_files:\n  - ${RULES_DIR}/*.yaml\n`;
  if (alertmanager !== undefined) configText += `# Sends the alerts to k8smon's Alertmanager.\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets:\n            - ${alertmanager}\n`;
  const workload: WorkloadModel = {
    name: LOCAL_PROMETHEUS_NAME,
    component: 'remote-write-receiver',
    kind: 'Deployment',
    automountToken: false,
    rbac: NO_RBAC,
    configMaps: [
      { name: LOCAL_PROMETHEUS_NAME, data: { 'prometheus.yml': configText } },
      ...(rules !== undefined ? [{ name: LOCAL_PROMETHEUS_RULES, data: { [RULES_FILE]: rules } }] : []),
    ],
    service: [{ name: LOCAL_PROMETHEUS_PORT_NAME, port: LOCAL_PROMETHEUS_PORT, targetPort: LOCAL_PROMETHEUS_PORT_NAME }],
    podSecurity: 'restricted',
    pod: {
      nodeSelector: LINUX_NODES,
      securityContext: restrictedPodSecurityContext(),
      containers: [
        {
          name: 'prometheus',
          image: ctx.images.prometheus,
          args: [
            '--config.file=/etc/prometheus/prometheus.yml',
            '--storage.tsdb.path=/prometheus',
            `--storage.tsdb.retention.time=${p.retention}`,
            `--storage.tsdb.retention.size=${p.retentionSize}`,
            '--web.enable-remote-write-receiver',
            `--web.listen-address=:${LOCAL_PROMETHEUS_PORT}`,
          ],
          ports: [{ name: LOCAL_PROMETHEUS_PORT_NAME, containerPort: LOCAL_PROMETHEUS_PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/-/ready', port: LOCAL_PROMETHEUS_PORT_NAME }, periodSeconds: 10 },
          resources: p.resources,
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
            ...(rules !== undefined ? [{ name: 'rules', mountPath: RULES_DIR, readOnly: true }] : []),
            { name: 'data', mountPath: '/prometheus' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: LOCAL_PROMETHEUS_NAME } },
        ...(rules !== undefined ? [{ name: 'rules', configMap: { name: LOCAL_PROMETHEUS_RULES } }] : []),
        persistent ? { name: 'data', persistentVolumeClaim: { claimName: LOCAL_PROMETHEUS_NAME } } : { name: 'data', emptyDir: { sizeLimit: p.storage.size } },
      ],
    },
  };
  if (!persistent) return { workload };
  const claim: { name: string; size: string; storageClassName?: string } = { name: LOCAL_PROMETHEUS_NAME, size: p.storage.size };
  if (p.storage.storageClassName !== undefined) claim.storageClassName = p.storage.storageClassName;
  return { workload, volumeClaim: claim };
}
