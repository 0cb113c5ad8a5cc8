/**
 * What snapshot, targets and check read: the agents (from an agent config
 * file, or from rendering the profile) and the cluster (a --snapshot file, or
 * read live through kubectl).
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../../errors.js';
import { didYouMean } from '../../util/text.js';
import { captureSnapshot } from '../../kube/capture.js';
import { runKubectl, type KubectlTarget } from '../../kube/kubectl.js';
import { renderBundle } from '../../pipeline.js';
import type { KubernetesObject } from '../../render/templates.js';
import { agentsFromFile, agentsFromManifests } from '../../agents/find.js';
import { anyInstanceConfig, type AgentSpec } from '../../runtime/plan/plan.js';
import { monitoringProblems } from '../../rules/check.js';
import { checkDeployment } from '../../runtime/check/index.js';
import type { Preview, Problem } from '../../runtime/preview/preview.js';
import { readJsonFile } from '../../runtime/snapshot-file.js';
import { SNAPSHOT_RESOURCES, snapshotProblems, type Snapshot, type SnapshotResource } from '../../runtime/semantics/snapshot.js';
import type { CommandContext } from '../context.js';
import type { PreviewSources } from '../options.js';

/** kubectl's current context, when no --context names one; undefined when it has none. */
export async function currentContext(target: KubectlTarget): Promise<string | undefined> {
  const r = await runKubectl(['config', 'current-context'], { target });
  return r.exitCode === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

/** The cluster read live, page by page, with progress on stderr. */
export function captureFor(target: KubectlTarget, ctx: CommandContext, resources?: readonly SnapshotResource[]): Promise<Snapshot> {
  return captureSnapshot({ target, progress: (m) => ctx.reporter.progress(m), warn: (m) => ctx.reporter.warn({ path: 'snapshot', message: m }), ...(resources !== undefined ? { resources } : {}) });
}

function readSnapshotFile(path: string): Snapshot {
  let doc: unknown;
  try {
    doc = readJsonFile(path);
  } catch (err) {
    throw new InvalidInputError('Cannot read the snapshot.', [{ path, message: `${(err as Error).message}; create one with: k8smon snapshot > cluster.json` }]);
  }
  const problems = snapshotProblems(doc);
  if (problems.length > 0) throw new InvalidInputError('Not a snapshot.', problems.map((p) => ({ path: p.path === '' ? path : `${path}: ${p.path}`, message: p.message })));
  return doc as Snapshot;
}

/** A deployment to preview: its objects, the agents among them, and the cluster. */
export interface Loaded {
  objects: KubernetesObject[];
  agents: AgentSpec[];
  snapshot: Snapshot;
}

/** The agents to preview: from an agent config file, or from rendering the profile. */
export function loadAgents(sources: PreviewSources, ctx: CommandContext): Pick<Loaded, 'objects' | 'agents'> {
  if (sources.config !== undefined && (sources.file !== undefined || sources.preset !== undefined)) {
    throw new InvalidInputError('Conflicting flags.', [{ path: '--config', message: 'takes an agent config or manifests instead of a profile; drop -f/--profile' }]);
  }
  if (sources.namespace !== undefined && sources.config === undefined) {
    throw new InvalidInputError('Conflicting flags.', [{ path: '--namespace', message: "goes with --config; a rendered agent runs in the profile's namespace (set it with --set namespace=…)" }]);
  }
  if (sources.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.config, 'utf8');
    } catch (err) {
      throw new InvalidInputError('Cannot read the agent config.', [{ path: sources.config, message: (err as Error).message }]);
    }
    try {
      const { agents, manifests } = agentsFromFile(text, sources.config, sources.namespace);
      return { objects: manifests as KubernetesObject[], agents };
    } catch (err) {
      throw new InvalidInputError('Not an agent config.', [{ path: sources.config, message: `${(err as Error).message}; --config takes a grafana-agent static or Prometheus config, or the manifests that deploy one` }]);
    }
  }
  const bundle = renderBundle({ ...(sources.file !== undefined ? { file: sources.file } : {}), ...(sources.preset !== undefined ? { preset: sources.preset } : {}), sets: sources.sets }, ctx.env);
  return { objects: bundle.objects, agents: agentsFromManifests(bundle.objects) };
}

/** The cluster to preview against: the --snapshot file, or read live through kubectl (then only `resources` are listed; all when not given). */
export async function loadSnapshot(sources: PreviewSources, ctx: CommandContext, resources?: readonly SnapshotResource[]): Promise<Snapshot> {
  if (sources.snapshot === undefined && !sources.live) {
    throw new InvalidInputError('No cluster to preview against.', [{ path: '--snapshot', message: 'pass --snapshot cluster.json (from `k8smon snapshot`) or --context to read the cluster live' }]);
  }
  if (sources.snapshot === undefined && sources.target.context === undefined) {
    const current = await currentContext(sources.target);
    if (current === undefined) {
      throw new InvalidInputError('No cluster to preview against.', [
        { path: '--snapshot', message: 'not given, and kubectl has no current context; pass --snapshot cluster.json (from `k8smon snapshot`) or --context' },
      ]);
    }
    ctx.reporter.progress(`reading the cluster of kubectl context ${current} (use --snapshot to preview offline)`);
  }
  if (sources.snapshot !== undefined) return readSnapshotFile(sources.snapshot);
  if (resources !== undefined && resources.length < SNAPSHOT_RESOURCES.length) ctx.reporter.progress(`listing only what these jobs read: ${resources.join(', ') || 'no objects'}`);
  return await captureFor(sources.target, ctx, resources);
}

export async function load(sources: PreviewSources, ctx: CommandContext): Promise<Loaded> {
  const { objects, agents } = loadAgents(sources, ctx);
  return { objects, agents, snapshot: await loadSnapshot(sources, ctx) };
}

/**
 * The node --node means: by name, or by one of its addresses (at 2 a.m. the
 * IP in an alert is what one has); an error listing the nodes otherwise.
 */
export function nodeNamed(asked: string, snapshot: Snapshot, ctx: CommandContext): string {
  const nodes = snapshot.nodes ?? [];
  if (nodes.some((n) => n.metadata?.name === asked)) return asked;
  const byAddress = nodes.find((n) => (n.status?.addresses ?? []).some((a) => a.address === asked));
  if (byAddress !== undefined) {
    ctx.reporter.progress(`--node ${asked}: the address of node ${byAddress.metadata.name}`);
    return byAddress.metadata.name;
  }
  const names = nodes.map((n) => n.metadata?.name).filter((n): n is string => typeof n === 'string').sort();
  throw new InvalidInputError('Unknown node.', [
    { path: '--node', message: names.length === 0 ? `no node "${asked}": the snapshot has no nodes` : `no node named "${asked}" or with that address in the snapshot${didYouMean(asked, names)}; its ${names.length} nodes: ${someOf(names)}` },
  ]);
}

/** At most `max` names, then how many more. */
function someOf(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** The preview's own problems plus what the consistency rules find in the deployment. */
export function allProblems(loaded: Loaded, preview: Preview): Problem[] {
  const scrapeConfigs = loaded.agents.flatMap((a) => anyInstanceConfig(a).scrapeConfigs);
  return [...preview.problems, ...checkDeployment(loaded.objects, loaded.agents, loaded.snapshot, preview.targets), ...monitoringProblems(loaded.objects, scrapeConfigs)];
}
