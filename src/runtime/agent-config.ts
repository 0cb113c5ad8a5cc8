/**
 * Reading agent configurations: grafana-agent static mode (metrics.configs[]
 * with host_filter) and plain Prometheus (scrape_configs), from a file or from
 * rendered manifests (the ConfigMap each DaemonSet or Deployment mounts).
 */
import { parse as parseYaml } from 'yaml';
import { expandEnv } from './agent-config/expand-env.js';
import type { KubernetesSdOptions, DiscoveryRole } from './discovery/discover.js';
import type { RelabelConfig } from './relabel/relabel.js';
import type { ScrapeJobDefaults } from './target.js';

export interface RuntimeScrapeConfig extends ScrapeJobDefaults {
  kubernetes_sd_configs?: (KubernetesSdOptions & { role: DiscoveryRole })[];
  static_configs?: { targets?: string[]; labels?: Record<string, string> }[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
  authorization?: { credentials_file?: string };
  bearer_token_file?: string;
  /**
   * grafana-agent's host_filter of the metrics instance this scrape config is
   * in, with that instance's host_filter_relabel_configs (k8smon's own field:
   * in the file they belong to the instance, not the scrape config).
   */
  hostFilter?: { relabelConfigs: RelabelConfig[] };
}

/** One agent deployment: a DaemonSet (one instance per node) or a single instance. */
export interface AgentSpec {
  /** `daemonset/<name>` or `deployment/<name>` or `config`. */
  name: string;
  perNode: boolean;
  /** grafana-agent host_filter on in some metrics instance: that instance keeps only targets on its node. */
  hostFilter: boolean;
  /** The raw config text; read per instance, since ${HOSTNAME} differs. */
  text: string;
  flavor: 'grafana-agent' | 'prometheus';
  expandEnv: boolean;
  /** The ServiceAccount the pods run as, and their namespace (for RBAC checks). */
  serviceAccount?: { name: string; namespace: string };
  /** The namespace the agent runs in: what `namespaces.own_namespace` discovers. */
  namespace?: string;
}

export interface AgentInstanceConfig {
  global: { scrape_interval: string; scrape_timeout: string };
  scrapeConfigs: RuntimeScrapeConfig[];
}

export class AgentConfigError extends Error {}

/** The scrape configs of a parsed config: every metrics.configs[] instance's for grafana-agent, each with its instance's host filter. */
function scrapeConfigsOf(doc: any, flavor: AgentSpec['flavor']): RuntimeScrapeConfig[] {
  if (flavor !== 'grafana-agent') return doc?.scrape_configs ?? [];
  return ((doc?.metrics?.configs ?? []) as any[]).flatMap((c) => {
    const configs: RuntimeScrapeConfig[] = c?.scrape_configs ?? [];
    return c?.host_filter === true ? configs.map((sc) => ({ ...sc, hostFilter: { relabelConfigs: c.host_filter_relabel_configs ?? [] } })) : configs;
  });
}

/** grafana-agent's host_filter: on when any metrics instance sets it. */
function hostFilterOf(doc: any): boolean {
  return ((doc?.metrics?.configs ?? []) as any[]).some((c) => c.host_filter === true);
}

/** Parses one instance's config: ${HOSTNAME} is the node it runs on (empty for a Deployment). */
/** The job names of every agent's scrape configs, in config order, each once (known before any snapshot is read). */
export function jobNames(agents: readonly AgentSpec[]): string[] {
  const names = new Set<string>();
  for (const agent of agents) for (const sc of readInstanceConfig(agent, agent.perNode ? 'node' : undefined).scrapeConfigs) names.add(sc.job_name);
  return [...names];
}

export function readInstanceConfig(agent: AgentSpec, nodeName: string | undefined): AgentInstanceConfig {
  const env: Record<string, string> = nodeName === undefined ? {} : { HOSTNAME: nodeName, NODE_NAME: nodeName };
  const text = agent.expandEnv ? expandEnv(agent.text, (n) => env[n]) : agent.text;
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AgentConfigError(`${agent.name}: not YAML: ${(err as Error).message}`);
  }
  if (agent.flavor === 'grafana-agent') {
    const g = doc?.metrics?.global ?? {};
    return {
      global: { scrape_interval: g.scrape_interval ?? '1m', scrape_timeout: g.scrape_timeout ?? '10s' },
      scrapeConfigs: scrapeConfigsOf(doc, agent.flavor),
    };
  }
  const g = doc?.global ?? {};
  return { global: { scrape_interval: g.scrape_interval ?? '1m', scrape_timeout: g.scrape_timeout ?? '10s' }, scrapeConfigs: scrapeConfigsOf(doc, agent.flavor) };
}

/** An agent config file given with --config: grafana-agent if it has metrics.configs, else Prometheus. */
export function agentFromConfigFile(text: string, name = 'config', namespace?: string): AgentSpec {
  const doc: any = parseYaml(expandEnv(text, () => ''));
  const runsIn = namespace !== undefined ? { namespace } : {};
  if (doc?.metrics?.configs !== undefined) {
    const hostFilter = hostFilterOf(doc);
    return { name, perNode: hostFilter, hostFilter, text, flavor: 'grafana-agent', expandEnv: true, ...runsIn };
  }
  if (doc?.scrape_configs !== undefined) return { name, perNode: false, hostFilter: false, text, flavor: 'prometheus', expandEnv: false, ...runsIn };
  throw new AgentConfigError(`${name}: neither a grafana-agent static config (metrics.configs) nor a Prometheus config (scrape_configs)`);
}

interface ManifestLike {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: any;
}

/** Every agent among rendered manifests: workloads whose container reads a -config.file from a mounted ConfigMap. */
export function agentsFromManifests(objects: readonly ManifestLike[]): AgentSpec[] {
  const agents: AgentSpec[] = [];
  for (const w of objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment')) {
    const pod = w.spec?.template?.spec;
    for (const c of pod?.containers ?? []) {
      const arg: string | undefined = (c.args ?? []).find((a: string) => /^--?config\.file=/.test(a));
      if (arg === undefined) continue;
      const path = arg.slice(arg.indexOf('=') + 1);
      const mount = (c.volumeMounts ?? []).find((m: any) => path.startsWith(`${m.mountPath}/`));
      const volume = (pod.volumes ?? []).find((v: any) => v.name === mount?.name);
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name && o.metadata.namespace === w.metadata.namespace);
      const text = cm?.data?.[path.slice(mount.mountPath.length + 1)];
      if (text === undefined) continue;
      const grafana = /grafana\/agent/.test(c.image ?? '') || (c.args ?? []).includes('-config.expand-env=true');
      const doc: any = parseYaml(text);
      if (scrapeConfigsOf(doc, grafana ? 'grafana-agent' : 'prometheus').length === 0) continue; // not an agent (blackbox modules, a receive-only Prometheus)
      const hostFilter = grafana && hostFilterOf(doc);
      const spec: AgentSpec = {
        name: `${w.kind.toLowerCase()}/${w.metadata.name}`,
        perNode: w.kind === 'DaemonSet',
        hostFilter,
        text,
        flavor: grafana ? 'grafana-agent' : 'prometheus',
        expandEnv: (c.args ?? []).some((a: string) => /^-config\.expand-env(=true)?$/.test(a)),
        namespace: w.metadata.namespace ?? 'default',
      };
      if (pod.serviceAccountName !== undefined) spec.serviceAccount = { name: pod.serviceAccountName, namespace: w.metadata.namespace ?? 'default' };
      agents.push(spec);
    }
  }
  return agents;
}
