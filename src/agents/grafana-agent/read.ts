/**
 * grafana-agent static mode read back into the neutral plan: every
 * `metrics.configs[]` instance's scrape configs, each under its instance's
 * host filter, after `-config.expand-env` as the agent on a node would read
 * it (HOSTNAME is the node).
 */
import { AgentConfigError, type AgentInstanceConfig, type AgentSpec, type RuntimeScrapeConfig } from '../../runtime/plan/plan.js';
import { commandLine, configMapFile, containerEnv, flagSet, flagValue, placement, type ContainerFiles } from '../shared/manifests.js';
import { globalDefaults, httpClientsOf, parseConfig } from '../shared/read-config.js';
import { expandEnv, ExpandEnvError } from './expand-env.js';
import { HostFilter } from './host-filter.js';

const KIND = 'grafana-agent';
const SEMANTICS = 'prometheus-2';

/** The scrape configs of a parsed config: every metrics.configs[] instance's, each with its instance's host filter. */
function scrapeConfigsOf(doc: any): RuntimeScrapeConfig[] {
  return ((doc?.metrics?.configs ?? []) as any[]).flatMap((c) => {
    const configs: RuntimeScrapeConfig[] = c?.scrape_configs ?? [];
    if (c?.host_filter !== true) return configs;
    const filter = new HostFilter(c.host_filter_relabel_configs ?? []);
    return configs.map((sc) => ({ ...sc, nodeFilter: filter }));
  });
}

function isGrafanaAgentConfig(doc: any): boolean {
  return doc?.metrics?.configs !== undefined;
}

interface Source {
  name: string;
  text: string;
  perNode: boolean;
  /** Whether the agent runs with -config.expand-env. */
  expandEnv: boolean;
  /** The environment the instance on a node sees. */
  env: (node: string | undefined, pod?: string) => Map<string, string>;
}

function agentSpec(source: Source, where: Partial<AgentSpec>): AgentSpec {
  const read = (node: string | undefined, pod?: string): AgentInstanceConfig => {
    let text = source.text;
    if (source.expandEnv) {
      const env = source.env(node, pod);
      try {
        text = expandEnv(text, (n) => env.get(n));
      } catch (err) {
        if (err instanceof ExpandEnvError) throw new AgentConfigError(`${source.name}: -config.expand-env: ${err.message}`);
        throw err;
      }
    }
    const doc = parseConfig(text, source.name);
    return { global: globalDefaults(doc?.metrics?.global), scrapeConfigs: scrapeConfigsOf(doc) };
  };
  const httpClients = (): [string, unknown][] => {
    const doc = parseConfig(source.text, source.name);
    const out = httpClientsOf(doc?.metrics?.global, 'metrics.global.');
    ((doc?.metrics?.configs ?? []) as any[]).forEach((c, i) => out.push(...httpClientsOf(c, `metrics.configs[${typeof c?.name === 'string' ? c.name : i}].`)));
    return out;
  };
  return { name: source.name, kind: KIND, semantics: SEMANTICS, perNode: source.perNode, text: source.text, read, httpClients, ...where };
}

/** A container running grafana-agent static mode with its config from a ConfigMap. */
export function recogniseGrafanaAgent(found: ContainerFiles): AgentSpec | undefined {
  const flags = commandLine(found.container);
  const path = flagValue(flags, 'config.file');
  if (path === undefined) return undefined;
  const expand = flagSet(flags, 'config.expand-env');
  if (!/grafana\/agent/.test(found.container.image ?? '') && !expand) return undefined;
  const text = configMapFile(found, path);
  if (text === undefined) return undefined;
  const where = placement(found);
  if (!isGrafanaAgentConfig(parseConfig(expand ? expandEnv(text, () => '') : text, where.name))) return undefined;
  const { name, perNode, ...rest } = where;
  return agentSpec({ name, text, perNode, expandEnv: expand, env: (node, pod) => containerEnv(found.container, node, pod) }, rest);
}

/** A grafana-agent static config file: it has metrics.configs. */
export function readGrafanaAgentFile(file: { text: string; doc: unknown; name: string; namespace?: string }): AgentSpec | undefined {
  if (!isGrafanaAgentConfig(file.doc)) return undefined;
  // A config file says nothing of how it is deployed: one that filters by host is meant for a DaemonSet,
  // whose HOSTNAME (and NODE_NAME, as the field notes set it) is the node.
  const perNode = ((file.doc as any).metrics.configs as any[]).some((c) => c?.host_filter === true);
  const env = (node: string | undefined): Map<string, string> => new Map(node === undefined ? [] : [['HOSTNAME', node], ['NODE_NAME', node]]);
  return agentSpec({ name: file.name, text: file.text, perNode, expandEnv: true, env }, file.namespace !== undefined ? { namespace: file.namespace } : {});
}
