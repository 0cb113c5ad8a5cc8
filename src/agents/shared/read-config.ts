/**
 * Reading the Prometheus-format parts every kind's config shares (global
 * defaults, scrape configs, remote_write entries) into the neutral plan.
 */
import { parse as parseYaml } from 'yaml';
import { AgentConfigError, type AgentInstanceConfig } from '../../runtime/plan/plan.js';

/** Parses a config text; a YAML error names the agent. */
export function parseConfig(text: string, name: string): any {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new AgentConfigError(`${name}: not YAML: ${(err as Error).message}`);
  }
}

/** Prometheus' global scrape defaults, where the config does not set them. */
export function globalDefaults(global: any): AgentInstanceConfig['global'] {
  return { scrape_interval: global?.scrape_interval ?? '1m', scrape_timeout: global?.scrape_timeout ?? '10s' };
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Every HTTP client config of a Prometheus-format block (remote_write entries and scrape configs), with where it is. */
export function httpClientsOf(block: any, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  list(block?.remote_write).forEach((e, i) => out.push([`${prefix}remote_write[${i}]`, e]));
  list(block?.scrape_configs).forEach((e: any, i) => out.push([`${prefix}scrape_configs[${typeof e?.job_name === 'string' ? e.job_name : i}]`, e]));
  return out;
}
