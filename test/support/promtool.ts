/**
 * Turning a rendered agent config into a file `promtool check config` can
 * check: Debian's Prometheus is built without Kubernetes SD, so
 * kubernetes_sd_configs become file_sd_configs, and every file the config
 * names (token, CA, passwords) is created under a sandbox directory, as the
 * pod's mounts would provide it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { PrometheusView } from './render.js';
import { requireTool } from './tools.js';

const FILE_FIELDS = new Set(['credentials_file', 'password_file', 'ca_file', 'cert_file', 'key_file', 'bearer_token_file', 'client_secret_file']);

/** Every file path the config names, with the field that names it. */
export function referencedFiles(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => referencedFiles(v, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (FILE_FIELDS.has(k) && typeof v === 'string') out.push(v);
      else referencedFiles(v, out);
    }
  }
  return out;
}

function relocateFiles(value: unknown, sandbox: string): unknown {
  if (Array.isArray(value)) return value.map((v) => relocateFiles(v, sandbox));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, FILE_FIELDS.has(k) && typeof v === 'string' ? join(sandbox, v) : relocateFiles(v, sandbox)]),
    );
  }
  return value;
}

export function promtoolConfig(agent: PrometheusView, sandbox: string): unknown {
  const { remote_write, global } = agent;
  const swapped = agent.scrape_configs.map(({ kubernetes_sd_configs: _sd, ...rest }) => ({
    ...rest,
    file_sd_configs: [{ files: [join(sandbox, 'targets', '*.json')] }],
  }));
  for (const file of referencedFiles({ remote_write, swapped })) {
    mkdirSync(dirname(join(sandbox, file)), { recursive: true });
    writeFileSync(join(sandbox, file), 'placeholder\n');
  }
  return relocateFiles({ global, remote_write, scrape_configs: swapped }, sandbox);
}

export interface PromtoolResult {
  ok: boolean;
  output: string;
}

export function promtoolCheckConfig(config: unknown): PromtoolResult {
  const promtool = requireTool('promtool', 'apt-get install prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-promtool-'));
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  try {
    const output = execFileSync(promtool, ['check', 'config', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, output };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export function newSandbox(): string {
  return mkdtempSync(join(tmpdir(), 'k8smon-sandbox-'));
}
