/**
 * blackbox-exporter and the probes of Services and Ingresses annotated
 * prometheus.io/probe: "true". Probes run once, from the cluster agent, at the
 * blackbox Service of the render's own namespace; the probed URL is the
 * `instance`, the object's name and namespace are labels.
 * prometheus.io/probe-module picks another module than http_2xx.
 */
import { stringifyYaml } from '../../util/yaml.js';
import type { RelabelConfig, ScrapeJob } from '../types.js';
import { serviceAddress, type ComponentContext, type ComponentParts } from './context.js';
import { simpleWorkload } from './workload.js';

export const BLACKBOX_NAME = 'k8smon-blackbox-exporter';
const BLACKBOX_PORT = 9115;
const CONFIG_KEY = 'blackbox.yml';

export function blackboxModules(icmp: boolean): Record<string, unknown> {
  const modules: Record<string, unknown> = {
    http_2xx: { prober: 'http', timeout: '5s', http: { preferred_ip_protocol: 'ip4' } },
    http_post_2xx: { prober: 'http', timeout: '5s', http: { method: 'POST', preferred_ip_protocol: 'ip4' } },
    tcp_connect: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4' } },
    dns: { prober: 'dns', timeout: '5s', dns: { query_name: 'kubernetes.default.svc.cluster.local', query_type: 'A', preferred_ip_protocol: 'ip4' } },
  };
  if (icmp) modules.icmp = { prober: 'icmp', timeout: '5s', icmp: { preferred_ip_protocol: 'ip4' } };
  return { modules };
}

export function blackboxConfigText(icmp: boolean): string {
  return stringifyYaml(blackboxModules(icmp), { lineWidth: 0 });
}

export function blackboxExporterComponent(ctx: ComponentContext): ComponentParts {
  const bb = ctx.profile.components.blackboxExporter;
  const address = serviceAddress(ctx, BLACKBOX_NAME, BLACKBOX_PORT);
  const notices = bb.icmp
    ? [{ path: 'components.blackboxExporter.icmp', message: 'the icmp module needs the NET_RAW capability, so blackbox-exporter runs under the "baseline" Pod Security profile instead of "restricted"' }]
    : [];
  return {
    notices,
    workloads: [
      simpleWorkload({
        name: BLACKBOX_NAME,
        component: 'blackbox-exporter',
        image: ctx.images.blackboxExporter,
        args: [`--config.file=/etc/blackbox-exporter/${CONFIG_KEY}`, `--web.listen-address=:${BLACKBOX_PORT}`],
        port: { name: 'http', number: BLACKBOX_PORT },
        readinessPath: '/-/healthy',
        resources: bb.resources,
        configMap: { name: BLACKBOX_NAME, data: { [CONFIG_KEY]: blackboxConfigText(bb.icmp) }, mountPath: '/etc/blackbox-exporter' },
        addCapabilities: bb.icmp ? ['NET_RAW'] : [],
      }),
    ],
    jobs: [probeJob('service', address), probeJob('ingress', address)],
  };
}

function probeJob(role: 'service' | 'ingress', blackboxAddress: string): ScrapeJob {
  const meta = `__meta_kubernetes_${role}`;
  const target: RelabelConfig[] =
    role === 'service'
      ? [{ source_labels: ['__address__'], target_label: '__param_target' }]
      : [
          // Ingress discovery gives one target per rule host and path; hosts listed under tls are https.
          { source_labels: ['__address__'], action: 'keep', regex: '.+' },
          { source_labels: [`${meta}_scheme`, '__address__', `${meta}_path`], regex: '(.+);(.+);(.+)', replacement: '${1}://${2}${3}', target_label: '__param_target' },
        ];
  return {
    component: 'blackboxExporter',
    scope: 'cluster',
    config: {
      job_name: role === 'service' ? 'kubernetes-services' : 'kubernetes-ingresses',
      metrics_path: '/probe',
      params: { module: ['http_2xx'] },
      kubernetes_sd_configs: [{ role }],
      relabel_configs: [
        { source_labels: [`${meta}_annotation_prometheus_io_probe`], action: 'keep', regex: 'true' },
        ...target,
        { source_labels: [`${meta}_annotation_prometheus_io_probe_module`], regex: '(.+)', target_label: '__param_module' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: blackboxAddress },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: [`${meta}_name`], target_label: role },
      ],
    },
    scrapeAccess: [],
  };
}
