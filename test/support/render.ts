/** Rendering helpers shared by the tests. */
import { parse as parseYaml } from 'yaml';
import { renderBundle, type Bundle } from '../../src/pipeline.js';
import type { KubernetesObject } from '../../src/render/templates.js';
import { presetNames } from '../../src/profile/presets.js';
import { expandEnv } from '../../src/runtime/agent-config/expand-env.js';

export const PRESETS = presetNames();

export function renderPreset(preset: string, sets: string[] = [], env: Record<string, string> = {}): Bundle {
  return renderBundle({ preset, sets }, env);
}

export function findObject(objects: readonly KubernetesObject[], kind: string, name: string, namespace?: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found === undefined) throw new Error(`no ${kind} ${name} in the render`);
  return found;
}

/** The agent config text of a ConfigMap, as the agent reads it after -config.expand-env. */
export function agentConfigAsRead(objects: readonly KubernetesObject[], agentName: string, env: Record<string, string> = { HOSTNAME: 'node-a' }): GrafanaAgentConfig {
  const cm = findObject(objects, 'ConfigMap', agentName);
  const text = (cm.data as Record<string, string>)['agent.yaml']!;
  return parseYaml(expandEnv(text, (n) => env[n])) as GrafanaAgentConfig;
}

export interface GrafanaAgentConfig {
  metrics: {
    global: { scrape_interval: string; scrape_timeout: string; external_labels: Record<string, string>; remote_write: Record<string, unknown>[] };
    configs: { name: string; host_filter: boolean; scrape_configs: Record<string, unknown>[] }[];
  };
}

/** The renders the validator tests check: every preset, both kubelet modes, each kind of destination. */
export interface RenderVariant {
  name: string;
  preset: string;
  sets: string[];
  env: Record<string, string>;
}

const DESTINATIONS: { name: string; sets: string[]; env: Record<string, string> }[] = [
  { name: 'in-cluster prometheus', sets: [], env: {} },
  {
    name: 'basic auth from env',
    sets: [
      'remoteWrite[0].url=https://mimir.example/api/v1/push',
      'remoteWrite[0].basicAuth.username=tenant-1',
      'remoteWrite[0].basicAuth.passwordFrom.env=RW_PASSWORD',
      'remoteWrite[0].headers.X-Scope-OrgID=tenant-1',
      'remoteWrite[0].tls.ca=-----BEGIN CERTIFICATE-----',
      'remoteWrite[1].url=https://backup.example/push',
      'remoteWrite[1].bearerTokenFrom.secret.name=backup-token',
      'remoteWrite[1].bearerTokenFrom.secret.key=token',
    ],
    env: { RW_PASSWORD: 's3cret' },
  },
];

export function renderVariants(): RenderVariant[] {
  return PRESETS.flatMap((preset) =>
    ['direct', 'proxy'].flatMap((access) =>
      DESTINATIONS.map((d) => ({ name: `${preset}, ${access}, ${d.name}`, preset, sets: [`kubelet.access=${access}`, ...d.sets], env: d.env })),
    ),
  );
}
