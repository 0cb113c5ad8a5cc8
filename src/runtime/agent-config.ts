/**
 * Reading agent configurations: grafana-agent static mode (metrics.configs[]
 * with host_filter) and plain Prometheus (scrape_configs), from a file or from
 * rendered manifests (the ConfigMap each DaemonSet or Deployment mounts).
 */
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { expandEnv } from './agent-config/expand-env.js';
import type { KubernetesSdOptions, DiscoveryRole } from './semantics/discovery/discover.js';
import { watchedResources } from './semantics/discovery/watched.js';
import type { Manifest } from './manifests.js';
import { SNAPSHOT_RESOURCES, type SnapshotResource } from './semantics/snapshot.js';
import type { RelabelConfig } from './semantics/relabel/relabel.js';
import type { ScrapeJobDefaults } from './semantics/target.js';

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
  /** The raw config text; read per instance, since ${HOSTNAME} differs. */
  text: string;
  flavor: 'grafana-agent' | 'prometheus';
  expandEnv: boolean;
  /** The ServiceAccount the pods run as, and their namespace (for RBAC checks). */
  serviceAccount?: { name: string; namespace: string };
  /** The namespace the agent runs in: what `namespaces.own_namespace` discovers. */
  namespace?: string;
  /** Whether its pods share the node's network (and so its loopback); unknown for an agent config file. */
  hostNetwork?: boolean;
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

/** grafana-agent's host_filter on in some metrics instance (that instance's scrape configs carry it: RuntimeScrapeConfig.hostFilter). */
function hostFilterOf(doc: any): boolean {
  return ((doc?.metrics?.configs ?? []) as any[]).some((c) => c.host_filter === true);
}

/** Each agent's config as any of its instances reads it, parsed once (read by job names, discovery, RBAC checks). */
const anyInstance = new WeakMap<AgentSpec, AgentInstanceConfig>();

/**
 * An agent's config as one of its instances reads it: what does not depend
 * on the node (job names, roles, selectors' kinds). Parsed once per agent;
 * callers only read it.
 */
export function anyInstanceConfig(agent: AgentSpec): AgentInstanceConfig {
  let config = anyInstance.get(agent);
  if (config === undefined) anyInstance.set(agent, (config = readInstanceConfig(agent, agent.perNode ? 'node' : undefined)));
  return config;
}

/**
 * The snapshot resources a preview of these agents reads (of one job, when
 * given): what their discovery watches, and the nodes a DaemonSet runs on.
 */
export function resourcesRead(agents: readonly AgentSpec[], job?: string): SnapshotResource[] {
  const needed = new Set<string>();
  for (const agent of agents) {
    if (agent.perNode) needed.add('nodes');
    for (const sc of anyInstanceConfig(agent).scrapeConfigs) {
      if (job !== undefined && sc.job_name !== job) continue;
      for (const sd of sc.kubernetes_sd_configs ?? []) for (const w of watchedResources(sd)) needed.add(w.resource);
    }
  }
  return SNAPSHOT_RESOURCES.filter((r) => needed.has(r));
}

/** The job names of every agent's scrape configs, in config order, each once (known before any snapshot is read). */
export function jobNames(agents: readonly AgentSpec[]): string[] {
  const names = new Set<string>();
  for (const agent of agents) for (const sc of anyInstanceConfig(agent).scrapeConfigs) names.add(sc.job_name);
  return [...names];
}

/** Parses one instance's config: ${HOSTNAME} is the node it runs on (empty for a Deployment). */
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
    // A config file says nothing of how it is deployed: one that filters by host is meant for a DaemonSet.
    return { name, perNode: hostFilterOf(doc), text, flavor: 'grafana-agent', expandEnv: true, ...runsIn };
  }
  if (doc?.scrape_configs !== undefined) return { name, perNode: false, text, flavor: 'prometheus', expandEnv: false, ...runsIn };
  throw new AgentConfigError(`${name}: neither a grafana-agent static config (metrics.configs) nor a Prometheus config (scrape_configs)`);
}

/** Kinds whose objects live in a namespace: a manifest without one is applied to `kubectl apply -n`'s. */
const NAMESPACED_KINDS = new Set(['ConfigMap', 'DaemonSet', 'Deployment', 'StatefulSet', 'Secret', 'Service', 'ServiceAccount', 'Role', 'RoleBinding']);

/**
 * What a file given with --config holds: Kubernetes manifests (several YAML
 * documents, or a List as `kubectl get -o yaml` prints it), whose agents are
 * found as in a render, or one agent config. `namespace` is where the agent
 * runs: for a config file, and for manifests that do not say (as `kubectl
 * apply -n` would place them; else "default").
 */
export function agentsFromFile(text: string, name: string, namespace?: string): { agents: AgentSpec[]; manifests: Manifest[] } {
  const manifests = manifestsIn(text);
  if (manifests === undefined) return { agents: [agentFromConfigFile(text, name, namespace)], manifests: [] };
  const placed = manifests.map((m) =>
    m.metadata.namespace === undefined && NAMESPACED_KINDS.has(m.kind) ? { ...m, metadata: { ...m.metadata, namespace: namespace ?? 'default' } } : m,
  );
  const agents = agentsFromManifests(placed);
  if (agents.length === 0) {
    throw new AgentConfigError(
      `${name}: no agent among its ${manifests.length} manifests (a DaemonSet or Deployment whose container reads -config.file from a ConfigMap it mounts, and that ConfigMap)`,
    );
  }
  return { agents, manifests: placed };
}

/** The Kubernetes objects of a YAML stream, Lists flattened; undefined when it is not manifests (an agent config). */
function manifestsIn(text: string): Manifest[] | undefined {
  const docs = parseAllDocuments(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken !== undefined) throw new AgentConfigError(`not YAML: ${broken.errors[0]!.message}`);
  const values: unknown[] = docs.map((d) => d.toJS()).filter((v) => v !== null && v !== undefined);
  const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (values.length === 0 || !values.every((v) => isObject(v) && typeof v.kind === 'string' && typeof v.apiVersion === 'string')) return undefined;
  const out: Manifest[] = [];
  for (const v of values as Record<string, any>[]) {
    const items: unknown[] = v.kind === 'List' || (v.kind.endsWith('List') && Array.isArray(v.items)) ? (v.items ?? []) : [v];
    for (const item of items) if (isObject(item) && typeof item.kind === 'string' && typeof item.metadata?.name === 'string') out.push(item as Manifest);
  }
  return out;
}

/** A Go flag's value in a command line: `-name=value`, `--name=value`, or the argument after `-name`. */
function flagValue(flags: readonly string[], name: string): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const m = /^--?([^=]+)(=(.*))?$/.exec(flags[i]!);
    if (m?.[1] !== name) continue;
    return m[2] !== undefined ? m[3] : flags[i + 1];
  }
  return undefined;
}

/**
 * The text of the file at `path` in a container, when a ConfigMap volume
 * provides it: mounted as a directory (a key per file, or renamed by
 * `items`) or as the one file (`subPath`).
 */
function configMapFile(objects: readonly Manifest[], namespace: string | undefined, pod: any, container: any, path: string): string | undefined {
  for (const m of container.volumeMounts ?? []) {
    const inDirectory = m.subPath === undefined && path.startsWith(`${m.mountPath}/`);
    if (!inDirectory && !(m.subPath !== undefined && path === m.mountPath)) continue;
    const volume = (pod.volumes ?? []).find((v: any) => v.name === m.name);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name && o.metadata.namespace === namespace);
    if (cm?.data === undefined) continue;
    const file: string = inDirectory ? path.slice(m.mountPath.length + 1) : m.subPath;
    const items: { key: string; path: string }[] | undefined = volume.configMap.items;
    const key = items === undefined ? file : items.find((it) => it.path === file)?.key;
    if (key !== undefined && cm.data[key] !== undefined) return cm.data[key];
  }
  return undefined;
}

/** Every agent among rendered manifests: workloads whose container reads a -config.file from a mounted ConfigMap. */
export function agentsFromManifests(objects: readonly Manifest[]): AgentSpec[] {
  const agents: AgentSpec[] = [];
  for (const w of objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment')) {
    const pod = w.spec?.template?.spec;
    for (const c of pod?.containers ?? []) {
      const flags: string[] = [...(c.command ?? []), ...(c.args ?? [])];
      const path = flagValue(flags, 'config.file');
      if (path === undefined) continue;
      const text = configMapFile(objects, w.metadata.namespace, pod, c, path);
      if (text === undefined) continue;
      const grafana = /grafana\/agent/.test(c.image ?? '') || flags.some((a) => /^--?config\.expand-env(=true)?$/.test(a));
      const doc: any = parseYaml(text);
      if (scrapeConfigsOf(doc, grafana ? 'grafana-agent' : 'prometheus').length === 0) continue; // not an agent (blackbox modules, a receive-only Prometheus)
      const spec: AgentSpec = {
        name: `${w.kind.toLowerCase()}/${w.metadata.name}`,
        perNode: w.kind === 'DaemonSet',
        text,
        flavor: grafana ? 'grafana-agent' : 'prometheus',
        expandEnv: flags.some((a) => /^--?config\.expand-env(=true)?$/.test(a)),
        namespace: w.metadata.namespace ?? 'default',
        hostNetwork: pod.hostNetwork === true,
      };
      // A pod that names no ServiceAccount runs as its namespace's "default" one.
      spec.serviceAccount = { name: pod.serviceAccountName ?? pod.serviceAccount ?? 'default', namespace: w.metadata.namespace ?? 'default' };
      agents.push(spec);
    }
  }
  return agents;
}
