/**
 * The embedded agent read back from manifests: a container that runs `node`
 * on the loader from its ConfigMap with `--config FILE`. Its config is in
 * Prometheus' format and the agent itself fills in `$(NAME)` from its own
 * environment, as prometheus-config-reloader would: the prometheus kind's
 * reading, with the container's environment.
 */
import type { AgentSpec } from '../../runtime/plan/plan.js';
import { prometheusFormatAgent, readPrometheusFile } from '../prometheus/read.js';
import { commandLine, configMapFile, containerEnv, flagValue, placement, type ContainerFiles } from '../shared/manifests.js';
import { parseConfig } from '../shared/read-config.js';
import { LOADER_KEY } from './bundle.js';

export const KIND = 'embedded';

/** Where the loader is in a command line `node [node options] …/k8smon-agent-loader.mjs …`; -1 when it is not such a line. */
export function loaderIndex(line: readonly string[]): number {
  if (!/(^|\/)node$/.test(line[0] ?? '')) return -1;
  let i = 1;
  while ((line[i] ?? '').startsWith('-')) i++;
  const path = line[i] ?? '';
  return path === LOADER_KEY || path.endsWith(`/${LOADER_KEY}`) ? i : -1;
}

export function recogniseEmbedded(found: ContainerFiles): AgentSpec | undefined {
  const line = commandLine(found.container);
  const loader = loaderIndex(line);
  if (loader === -1) return undefined;
  const path = flagValue(line.slice(loader + 1), 'config');
  const text = path === undefined ? undefined : configMapFile(found, path);
  if (text === undefined) return undefined;
  const where = placement(found);
  const doc = parseConfig(text, where.name);
  if (!Array.isArray(doc?.scrape_configs) || doc.scrape_configs.length === 0) return undefined;
  const { name, perNode, ...rest } = where;
  const env = (node: string | undefined, pod?: string): Map<string, string> => containerEnv(found.container, node, pod);
  return prometheusFormatAgent({ kind: KIND, name, text, perNode, semantics: 'prometheus-3', env }, rest);
}

/** A config file alone is a Prometheus config: the same reading, under this kind's name (the prometheus kind, listed first, claims it). */
export function readEmbeddedFile(file: { text: string; doc: unknown; name: string; namespace?: string }): AgentSpec | undefined {
  return readPrometheusFile(file, KIND);
}
