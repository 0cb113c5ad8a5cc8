/**
 * A Prometheus (agent mode or server) read back into the neutral plan: from
 * manifests, the container that runs it and — when its config file is the
 * reloader's output — the prometheus-config-reloader container that writes
 * that file from a ConfigMap, with the environment the reloader substitutes;
 * or a plain prometheus.yml given with --config.
 */
import type { AgentInstanceConfig, AgentSpec } from '../../runtime/plan/plan.js';
import type { PromSemantics } from '../../runtime/semantics/version.js';
import { commandLine, configMapFile, containerEnv, flagValue, placement, type ContainerFiles } from '../shared/manifests.js';
import { globalDefaults, httpClientsOf, parseConfig } from '../shared/read-config.js';
import { reloaderEnvsubst } from './envsubst.js';
import { NODE_NAME_ENV } from './config.js';

const KIND = 'prometheus';

/** A Prometheus-format config read back: the prometheus kind's, or another kind's that reads the same format. */
export interface PrometheusFormatSource {
  /** The agent kind that reads it. */
  kind: string;
  name: string;
  text: string;
  perNode: boolean;
  semantics: PromSemantics;
  /** The environment whose `$(NAME)` references are substituted (the reloader's, or the agent's own); undefined: none. */
  env?: (node: string | undefined, pod?: string) => Map<string, string>;
}

/** The neutral plan's view of a Prometheus-format config, `$(NAME)` substituted as prometheus-config-reloader does. */
export function prometheusFormatAgent(source: PrometheusFormatSource, where: Partial<AgentSpec>): AgentSpec {
  const read = (node: string | undefined, pod?: string): AgentInstanceConfig => {
    const env = source.env?.(node, pod);
    const text = env === undefined ? source.text : reloaderEnvsubst(source.text, (n) => env.get(n));
    const doc = parseConfig(text, source.name);
    return { global: globalDefaults(doc?.global), scrapeConfigs: doc?.scrape_configs ?? [] };
  };
  const httpClients = (): [string, unknown][] => httpClientsOf(parseConfig(source.text, source.name), '');
  return { name: source.name, kind: source.kind, semantics: source.semantics, perNode: source.perNode, text: source.text, read, httpClients, ...where };
}

/** Prometheus 2.x images follow 2.x semantics; anything else (v3, an unknown tag) Prometheus 3's. */
function semanticsOfImage(image: unknown): PromSemantics {
  return typeof image === 'string' && /:v?2\.\d+/.test(image) ? 'prometheus-2' : 'prometheus-3';
}

/** The pod's containers and init containers: a reloader may be either. */
function podContainers(pod: any): any[] {
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

/**
 * A container running Prometheus with a scrape config: its --config.file
 * from a ConfigMap, or from the file a config reloader in the same pod writes
 * (--config-envsubst-file) from a ConfigMap.
 */
export function recognisePrometheus(found: ContainerFiles): AgentSpec | undefined {
  const flags = commandLine(found.container);
  const path = flagValue(flags, 'config.file');
  if (path === undefined) return undefined;
  let text = configMapFile(found, path);
  let reloader: any;
  if (text === undefined) {
    reloader = podContainers(found.pod).find((c) => flagValue(commandLine(c), 'config-envsubst-file') === path);
    const source = reloader === undefined ? undefined : flagValue(commandLine(reloader), 'config-file');
    text = source === undefined ? undefined : configMapFile(found, source, reloader);
  }
  if (text === undefined) return undefined;
  const where = placement(found);
  const doc = parseConfig(text, where.name);
  // Not an agent: a grafana-agent config, blackbox modules, a Prometheus that only receives remote_write.
  if (!Array.isArray(doc?.scrape_configs) || doc.scrape_configs.length === 0) return undefined;
  const { name, perNode, ...rest } = where;
  const env = reloader === undefined ? undefined : (node: string | undefined, pod?: string) => containerEnv(reloader, node, pod);
  return prometheusFormatAgent({ kind: KIND, name, text, perNode, semantics: semanticsOfImage(found.container.image), ...(env !== undefined ? { env } : {}) }, rest);
}

/** A Prometheus config file (scrape_configs): one that names `$(NODE_NAME)` is meant for a DaemonSet behind the reloader. */
export function readPrometheusFile(file: { text: string; doc: unknown; name: string; namespace?: string }, kind = KIND): AgentSpec | undefined {
  if ((file.doc as any)?.scrape_configs === undefined) return undefined;
  const perNode = file.text.includes(`$(${NODE_NAME_ENV})`);
  const env = (node: string | undefined): Map<string, string> => new Map(node === undefined ? [] : [[NODE_NAME_ENV, node]]);
  return prometheusFormatAgent({ kind, name: file.name, text: file.text, perNode, semantics: 'prometheus-3', env }, file.namespace !== undefined ? { namespace: file.namespace } : {});
}

