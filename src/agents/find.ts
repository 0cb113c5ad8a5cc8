/**
 * Finding agents in what a user gives `targets`/`check`: rendered or
 * hand-made manifests (several YAML documents, or the List `kubectl get -o
 * yaml` prints), or one agent config file. Each kind in the registry
 * recognises its own; the result is the neutral plan the preview reads.
 */
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { AgentConfigError, type AgentSpec } from '../runtime/plan/plan.js';
import type { Manifest } from '../runtime/plan/manifests.js';
import { AGENT_KINDS } from './registry.js';

/** An agent config file given with --config: the first kind whose format it is. */
export function agentFromConfigFile(text: string, name = 'config', namespace?: string): AgentSpec {
  let doc: unknown;
  let notYaml: string | undefined;
  try {
    // A grafana-agent config may hold ${VAR} references where a plain parse would choke: those only hide values.
    doc = parseYaml(text.replace(/\$\{[^}]*\}/g, ''));
  } catch (err) {
    // Not every format is YAML (an Alloy config is not): the kinds look at the text too.
    notYaml = (err as Error).message;
  }
  const file = { text, doc, name, ...(namespace !== undefined ? { namespace } : {}) };
  for (const kind of AGENT_KINDS) {
    const agent = kind.readConfigFile(file);
    if (agent !== undefined) return agent;
  }
  if (notYaml !== undefined) throw new AgentConfigError(`${name}: not YAML: ${notYaml}`);
  throw new AgentConfigError(`${name}: not an agent config of a kind k8smon knows (${AGENT_KINDS.map((k) => k.configFormat).join('; ')})`);
}

/** Kinds whose objects live in a namespace: a manifest without one is applied to `kubectl apply -n`'s. */
const NAMESPACED_KINDS = new Set(['ConfigMap', 'DaemonSet', 'Deployment', 'StatefulSet', 'Secret', 'Service', 'ServiceAccount', 'Role', 'RoleBinding']);

/**
 * What a file given with --config holds: Kubernetes manifests, whose agents
 * are found as in a render, or one agent config. `namespace` is where the
 * agent runs: for a config file, and for manifests that do not say (as
 * `kubectl apply -n` would place them; else "default").
 */
export function agentsFromFile(text: string, name: string, namespace?: string): { agents: AgentSpec[]; manifests: Manifest[] } {
  let manifests: Manifest[] | undefined;
  try {
    manifests = manifestsIn(text);
  } catch (err) {
    // Not YAML: perhaps a config in another format (Alloy's); that reading says what is wrong.
    if (!(err instanceof AgentConfigError)) throw err;
    manifests = undefined;
  }
  if (manifests === undefined) return { agents: [agentFromConfigFile(text, name, namespace)], manifests: [] };
  const placed = manifests.map((m) =>
    m.metadata.namespace === undefined && NAMESPACED_KINDS.has(m.kind) ? { ...m, metadata: { ...m.metadata, namespace: namespace ?? 'default' } } : m,
  );
  const agents = agentsFromManifests(placed);
  if (agents.length === 0) {
    throw new AgentConfigError(
      `${name}: no agent among its ${manifests.length} manifests (a DaemonSet, Deployment or StatefulSet whose container reads its config file from a ConfigMap it mounts, directly or through prometheus-config-reloader, and that ConfigMap)`,
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

/** Every agent among manifests: a container of a DaemonSet, Deployment or StatefulSet that some kind recognises as its own. */
export function agentsFromManifests(objects: readonly Manifest[]): AgentSpec[] {
  const agents: AgentSpec[] = [];
  for (const workload of objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const pod = workload.spec?.template?.spec;
    for (const container of pod?.containers ?? []) {
      const found = { workload, pod, container, objects };
      for (const kind of AGENT_KINDS) {
        const agent = kind.recognise(found);
        if (agent === undefined) continue;
        agents.push(agent);
        break;
      }
    }
  }
  return agents;
}
