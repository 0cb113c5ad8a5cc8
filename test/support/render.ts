/** Rendering helpers shared by the tests. */
import { parse as parseYaml } from 'yaml';
import { renderBundle, type Bundle } from '../../src/pipeline.js';
import type { KubernetesObject } from '../../src/render/templates.js';
import { presetNames } from '../../src/profile/presets.js';
import { agentsFromManifests } from '../../src/agents/find.js';
import { DEFAULT_AGENT_KIND } from '../../src/agents/registry.js';
import { expandEnv } from '../../src/agents/grafana-agent/expand-env.js';
import { reloaderEnvsubst } from '../../src/agents/prometheus/envsubst.js';
import { containerEnv } from '../../src/agents/shared/manifests.js';
import type { Manifest } from '../../src/runtime/plan/manifests.js';
import type { AgentSpec } from '../../src/runtime/plan/plan.js';
import { parseAlloy, unquote } from './alloy-parser.js';

export const PRESETS = presetNames();

export function renderPreset(preset: string, sets: string[] = [], env: Record<string, string> = {}): Bundle {
  return renderBundle({ preset, sets }, env);
}

export function findObject(objects: readonly KubernetesObject[], kind: string, name: string, namespace?: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found === undefined) throw new Error(`no ${kind} ${name} in the render`);
  return found;
}

/**
 * An agent's config as the agent on `node` reads it, in Prometheus' own
 * shape whatever the kind: grafana-agent's text after -config.expand-env, its
 * instances' scrape configs in one list; the prometheus kind's text after the
 * config reloader's $(VAR) substitution, with the external labels as
 * Prometheus 3 expands them; an Alloy config as the runtime reads it back
 * into the neutral plan (sys.env from the container), its remote_write
 * endpoints and external labels in Prometheus' field names. The environment
 * is the one the manifests give the container that reads the file.
 */
export function agentConfigAsRead(objects: readonly KubernetesObject[], agentName: string, node = 'node-a'): PrometheusView {
  const workload = objects.find((o) => (o.kind === 'DaemonSet' || o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === agentName);
  if (workload === undefined) throw new Error(`no agent workload ${agentName}`);
  const [agent] = agentsFromManifests([workload, findObject(objects, 'ConfigMap', agentName)] as Manifest[]);
  if (agent === undefined) throw new Error(`no agent kind recognises ${agentName}`);
  const pod = (workload.spec as any).template.spec;
  const containers: any[] = [...(pod.initContainers ?? []), ...pod.containers];
  // A StatefulSet's config is read as its first replica reads it (a shard names its own pod).
  const podName = workload.kind === 'StatefulSet' ? `${agentName}-0` : undefined;
  const env = (c: any): Map<string, string> => containerEnv(c, node, podName);
  if (agent.kind === 'grafana-agent') {
    const vars = env(pod.containers.find((c: any) => c.name === 'grafana-agent'));
    const doc = parseYaml(expandEnv(agent.text, (n) => vars.get(n))) as any;
    const { remote_write, ...global } = doc.metrics.global;
    return { global, remote_write, scrape_configs: doc.metrics.configs.flatMap((c: any) => c.scrape_configs) };
  }
  if (agent.kind === 'alloy') return alloyAsPrometheus(agent, node, podName);
  // The prometheus kind's reloader fills in $(NAME); the embedded agent (container "agent") does it itself.
  const vars = env(containers.find((c: any) => c.name === 'config-reloader') ?? containers.find((c: any) => c.name === 'agent'));
  const doc = parseYaml(reloaderEnvsubst(agent.text, (n) => vars.get(n))) as any;
  const labels = Object.fromEntries(Object.entries(doc.global.external_labels as Record<string, string>).map(([k, v]) => [k, goOsExpand(v, () => '')]));
  return { global: { ...doc.global, external_labels: labels }, remote_write: doc.remote_write, scrape_configs: doc.scrape_configs };
}

/** An Alloy agent's reading in Prometheus' shape: scrape configs from the neutral plan, destinations from its remote_write components. */
function alloyAsPrometheus(agent: AgentSpec, node: string, podName?: string): PrometheusView {
  const read = agent.read(agent.perNode ? node : undefined, podName);
  const scrape_configs = read.scrapeConfigs.map(({ nodeFilter: _f, notPreviewed: _n, ...sc }) => sc as Record<string, any>);
  const remote_write = agent
    .httpClients()
    .filter(([where]) => where.startsWith('prometheus.remote_write.'))
    .map(([, client]) => Object.fromEntries(Object.entries(client as Record<string, unknown>).filter(([, v]) => v !== undefined)));
  let external_labels: Record<string, string> = {};
  for (const s of parseAlloy(agent.text).body) {
    if (s.type !== 'block' || s.name.join('.') !== 'prometheus.remote_write') continue;
    const attr = s.body.find((a) => a.type === 'attribute' && a.name === 'external_labels');
    if (attr?.type === 'attribute' && attr.value.type === 'object') {
      external_labels = Object.fromEntries(attr.value.fields.map((f) => [f.name, f.value.type === 'literal' ? unquote(f.value.raw) : '']));
    }
  }
  return { global: { ...read.global, external_labels }, remote_write, scrape_configs };
}

/** Go's os.Expand as Prometheus applies it to external label values: `$$` is a `$`, `$NAME`/`${NAME}` the variable. */
export function goOsExpand(s: string, lookup: (name: string) => string): string {
  return s.replace(/\$(\$|\{([^}]*)\}|[A-Za-z0-9_]+|[*#@!?-])?/g, (whole, ref: string | undefined, braced: string | undefined) => {
    if (ref === undefined) return whole;
    if (ref === '$') return '$';
    return lookup(braced ?? ref);
  });
}

export interface PrometheusView {
  global: { scrape_interval: string; scrape_timeout: string; external_labels: Record<string, string> };
  remote_write: Record<string, any>[];
  scrape_configs: Record<string, any>[];
}

/** The renders the validator tests check: every preset, both kubelet modes, each kind of destination. */
export interface RenderVariant {
  name: string;
  preset: string;
  sets: string[];
  env: Record<string, string>;
}

/** Two destinations: basic auth from the environment with a header and a CA, and a bearer token from an existing Secret. */
export const BASIC_DESTINATION_SETS = [
  'remoteWrite[0].url=https://mimir.example/api/v1/push',
  'remoteWrite[0].basicAuth.username=tenant-1',
  'remoteWrite[0].basicAuth.passwordFrom.env=RW_PASSWORD',
  'remoteWrite[0].headers.X-Scope-OrgID=tenant-1',
  'remoteWrite[0].tls.ca=-----BEGIN CERTIFICATE-----',
  'remoteWrite[1].url=https://backup.example/push',
  'remoteWrite[1].bearerTokenFrom.secret.name=backup-token',
  'remoteWrite[1].bearerTokenFrom.secret.key=token',
];

const DESTINATIONS: { name: string; sets: string[]; env: Record<string, string> }[] = [
  { name: 'in-cluster prometheus', sets: [], env: {} },
  {
    name: 'basic auth from env',
    sets: [
      ...BASIC_DESTINATION_SETS,
      'remoteWrite[1].writeRelabelConfigs[0].source_labels=[__name__]',
      'remoteWrite[1].writeRelabelConfigs[0].regex=go_.*',
      'remoteWrite[1].writeRelabelConfigs[0].action=drop',
      'remoteWrite[1].queue.maxShards=20',
      'remoteWrite[1].queue.minBackoff=50ms',
      'remoteWrite[1].proxyUrl=http://proxy.example:3128',
      'remoteWrite[2].url=https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write',
      'remoteWrite[2].sigv4.region=eu-west-1',
      'remoteWrite[3].url=https://metrics.example/push',
      'remoteWrite[3].oauth2.clientId=k8smon',
      'remoteWrite[3].oauth2.clientSecretFrom.env=OAUTH_SECRET',
      'remoteWrite[3].oauth2.tokenUrl=https://auth.example/token',
    ],
    env: { RW_PASSWORD: 's3cret', OAUTH_SECRET: 'client-s3cret' },
  },
];

export function renderVariants(kinds: readonly string[] = [DEFAULT_AGENT_KIND]): RenderVariant[] {
  return kinds.flatMap((kind) =>
    PRESETS.flatMap((preset) =>
      ['direct', 'proxy'].flatMap((access) =>
        DESTINATIONS.map((d) => ({ name: `${kind}, ${preset}, ${access}, ${d.name}`, preset, sets: [`agent.kind=${kind}`, `kubelet.access=${access}`, ...d.sets], env: d.env })),
      ),
    ),
  );
}
