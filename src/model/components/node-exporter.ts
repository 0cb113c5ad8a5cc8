/**
 * node-exporter: a DaemonSet on the host network and PID namespace with
 * read-only host mounts, tolerating every taint, scraped by the agent on the
 * same node. It needs the "privileged" Pod Security level by design (host
 * namespaces and hostPath), so it is off where the platform forbids that.
 */
import { sanitizeLabelName } from '../../runtime/semantics/discovery/group.js';
import { LINUX_NODES, restrictedContainerSecurityContext, restrictedPodSecurityContext, TOLERATE_EVERYTHING } from '../security.js';
import { metricRelabelConfigs } from './allowlists.js';
import type { ComponentContext, ComponentParts } from './context.js';
import { NO_RBAC } from './workload.js';

export const NODE_EXPORTER_NAME = 'k8smon-node-exporter';
const NODE_EXPORTER_PORT = 9100;

export function nodeExporterComponent(ctx: ComponentContext): ComponentParts {
  const ne = ctx.profile.components.nodeExporter;
  const metricRelabel = metricRelabelConfigs('nodeExporter', ne.metrics);
  const hostMounts = [
    { name: 'proc', hostPath: '/proc', mountPath: '/host/proc' },
    { name: 'sys', hostPath: '/sys', mountPath: '/host/sys' },
    { name: 'root', hostPath: '/', mountPath: '/host/root' },
  ];
  const appLabel = `__meta_kubernetes_pod_label_${sanitizeLabelName('app.kubernetes.io/name')}`;
  return {
    workloads: [
      {
        name: NODE_EXPORTER_NAME,
        component: 'node-exporter',
        kind: 'DaemonSet',
        automountToken: false,
        rbac: NO_RBAC,
        configMaps: [],
        podSecurity: 'privileged',
        pod: {
          hostNetwork: true,
          hostPID: true,
          tolerations: TOLERATE_EVERYTHING,
          nodeSelector: LINUX_NODES,
          securityContext: restrictedPodSecurityContext(),
          containers: [
            {
              name: 'node-exporter',
              image: ctx.images.nodeExporter,
              args: [
                '--path.procfs=/host/proc',
                '--path.sysfs=/host/sys',
                '--path.rootfs=/host/root',
                `--web.listen-address=:${NODE_EXPORTER_PORT}`,
                '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/k3s/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
              ],
              ports: [{ name: 'http-metrics', containerPort: NODE_EXPORTER_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/', port: 'http-metrics' }, periodSeconds: 10 },
              resources: ne.resources,
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: hostMounts.map((m) => ({
                name: m.name,
                mountPath: m.mountPath,
                readOnly: true,
                ...(m.name === 'root' ? { mountPropagation: 'HostToContainer' } : {}),
              })),
            },
          ],
          volumes: hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })),
        },
      },
    ],
    jobs: [
      {
        component: 'nodeExporter',
        scope: 'node',
        config: {
          job_name: 'node-exporter',
          scheme: 'http',
          metrics_path: '/metrics',
          kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [ctx.namespace] } }],
          relabel_configs: [
            { source_labels: [appLabel], action: 'keep', regex: NODE_EXPORTER_NAME },
            { source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: String(NODE_EXPORTER_PORT) },
            { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
            { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
          ],
          ...(metricRelabel.length > 0 ? { metric_relabel_configs: metricRelabel } : {}),
        },
        scrapeAccess: [],
      },
    ],
  };
}

