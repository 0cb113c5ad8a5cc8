/**
 * `k8smon snapshot`, `targets` and `check`: the embedded runtime applied to a
 * render (or an agent config) and a cluster snapshot.
 */
import { readFileSync } from 'node:fs';
import { ExitCode, InvalidInputError, K8smonError } from '../../errors.js';
import { didYouMean } from '../../util/text.js';
import { captureSnapshot } from '../../kube/capture.js';
import { runKubectl, type KubectlTarget } from '../../kube/kubectl.js';
import { renderBundle } from '../../pipeline.js';
import type { KubernetesObject } from '../../render/templates.js';
import { agentsFromFile, agentsFromManifests, jobNames, resourcesRead, type AgentSpec } from '../../runtime/agent-config.js';
import { checkDeployment } from '../../runtime/check/index.js';
import { previewCluster, scrapeCount, type Preview, type Problem } from '../../runtime/preview.js';
import type { RelabelConfig, RelabelStep } from '../../runtime/semantics/relabel/relabel.js';
import { writePieces, writePrettyJson } from '../../output/report.js';
import { labelValue, sortedByName } from '../../runtime/semantics/labels.js';
import { readJsonFile } from '../../runtime/snapshot-file.js';
import { SNAPSHOT_RESOURCES, snapshotProblems, type Snapshot, type SnapshotResource } from '../../runtime/semantics/snapshot.js';
import type { CommandContext } from './render.js';

export interface PreviewSources {
  file?: string;
  preset?: string;
  sets: string[];
  /** An agent config file instead of a profile. */
  config?: string;
  /** The namespace the --config agent runs in. */
  namespace?: string;
  snapshot?: string;
  target: KubectlTarget;
  /** Read the cluster live (through kubectl) when no --snapshot is given. */
  live: boolean;
}

/** kubectl's current context, when no --context names one; undefined when it has none. */
async function currentContext(target: KubectlTarget): Promise<string | undefined> {
  const r = await runKubectl(['config', 'current-context'], { target });
  return r.exitCode === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

/** The cluster read live, page by page, with progress on stderr. */
function captureFor(target: KubectlTarget, ctx: CommandContext, resources?: readonly SnapshotResource[]): Promise<Snapshot> {
  return captureSnapshot({ target, progress: (m) => ctx.reporter.progress(m), warn: (m) => ctx.reporter.warn({ path: 'snapshot', message: m }), ...(resources !== undefined ? { resources } : {}) });
}

/** `{"nodes":[…],…}` exactly as JSON.stringify writes it, one object at a time (a large cluster's snapshot is hundreds of MB). */
function* snapshotPieces(snapshot: Snapshot): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(snapshot).filter(([, v]) => v !== undefined)) {
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      yield JSON.stringify(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) yield `${i > 0 ? ',' : ''}${JSON.stringify(value[i])}`;
    yield ']';
  }
  yield first ? '{}\n' : '}\n';
}

export async function snapshotCommand(target: KubectlTarget, ctx: CommandContext): Promise<void> {
  // Checked before the cluster is read: capturing a large one takes minutes, and its JSON is no use on a screen.
  if ((ctx.stdout as { isTTY?: boolean }).isTTY === true) {
    throw new InvalidInputError('Not writing a snapshot to a terminal.', [
      { path: 'stdout', message: 'a snapshot is JSON for --snapshot (hundreds of MB on a large cluster); redirect it: k8smon snapshot --context prod > cluster.json' },
    ]);
  }
  if (target.context === undefined) {
    // Which cluster is read is said before anything is: a snapshot of the wrong one is a classic.
    const current = await currentContext(target);
    if (current === undefined) throw new InvalidInputError('No cluster to read.', [{ path: '--context', message: 'not given, and kubectl has no current context; pass --context (see kubectl config get-contexts)' }]);
    ctx.reporter.progress(`reading the cluster of kubectl context ${current}`);
  }
  await writePieces(ctx.stdout, snapshotPieces(await captureFor(target, ctx)));
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

interface Loaded {
  objects: KubernetesObject[];
  agents: AgentSpec[];
  snapshot: Snapshot;
}

/** The agents to preview: from an agent config file, or from rendering the profile. */
function loadAgents(sources: PreviewSources, ctx: CommandContext): Pick<Loaded, 'objects' | 'agents'> {
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

/** The cluster: the --snapshot file, or read live through kubectl. */
/** The cluster to preview against; read live, only `resources` are listed (all when not given). */
async function loadSnapshot(sources: PreviewSources, ctx: CommandContext, resources?: readonly SnapshotResource[]): Promise<Snapshot> {
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

async function load(sources: PreviewSources, ctx: CommandContext): Promise<Loaded> {
  const { objects, agents } = loadAgents(sources, ctx);
  return { objects, agents, snapshot: await loadSnapshot(sources, ctx) };
}

/**
 * The node --node means: by name, or by one of its addresses (at 2 a.m. the
 * IP in an alert is what one has); an error listing the nodes otherwise.
 */
function nodeNamed(asked: string, snapshot: Snapshot, ctx: CommandContext): string {
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

export interface TargetsOptions extends PreviewSources {
  job?: string;
  node?: string;
  explain?: string;
  output: string;
}

function allProblems(loaded: Loaded, preview: Preview): Problem[] {
  return [...preview.problems, ...checkDeployment(loaded.objects, loaded.agents, loaded.snapshot, preview.targets)];
}

/** -o: table (for people) or json (for scripts and CI). */
function checkOutputFormat(output: string): void {
  if (!['table', 'json'].includes(output)) throw new InvalidInputError('Invalid flags.', [{ path: '--output', message: `must be one of: table, json (got "${output}")` }]);
}

export async function targetsCommand(options: TargetsOptions, ctx: CommandContext): Promise<void> {
  checkOutputFormat(options.output);
  const { objects, agents } = loadAgents(options, ctx);
  // A typo in --job or --node is reported before a large snapshot is read, not after a whole preview.
  if (options.job !== undefined) {
    const jobs = jobNames(agents);
    if (!jobs.includes(options.job)) throw new InvalidInputError('Unknown job.', [{ path: '--job', message: `no job "${options.job}"${didYouMean(options.job, jobs)}; jobs: ${jobs.join(', ')}` }]);
  }
  // Read live, a large cluster's pods take minutes to list: only what the jobs shown discover is read.
  const loaded: Loaded = { objects, agents, snapshot: await loadSnapshot(options, ctx, resourcesRead(agents, options.job)) };
  const node = options.node === undefined ? undefined : nodeNamed(options.node, loaded.snapshot, ctx);
  const preview = previewCluster(loaded.agents, loaded.snapshot, {
    ...(node !== undefined ? { node } : {}),
    ...(options.job !== undefined ? { job: options.job } : {}),
    keepSteps: options.explain !== undefined,
    ...(options.explain !== undefined ? { stepsOf: explainMatcher(options.explain) } : {}),
    // Only -o json and --explain show them: a table of 60,000 targets need not hold them.
    discoveredLabels: options.output === 'json' || options.explain !== undefined,
  });
  const problems = options.node === undefined ? allProblems(loaded, preview) : preview.problems;
  const jobFilter = (job: string): boolean => options.job === undefined || job === options.job;
  if (options.explain !== undefined) {
    const explained = explainedTargets(options.explain, preview, options.job, loaded.snapshot);
    if (options.output === 'json') await writePrettyJson(ctx.stdout, { explained, problems });
    else ctx.stdout.write(explainText(explained));
    return;
  }
  const targets = preview.targets.filter((t) => jobFilter(t.job));
  const dropped = Object.fromEntries(Object.entries(preview.droppedCounts).filter(([job]) => jobFilter(job)));
  if (options.output === 'json') {
    const report = targets.map((t) => ({
      job: t.job,
      agent: t.agent,
      ...(t.instances !== undefined ? { instances: t.instances } : {}),
      url: t.url,
      labels: t.labels,
      discoveredLabels: sortedByName(t.discoveredLabels ?? {}),
    }));
    await writePrettyJson(ctx.stdout, { targets: report, dropped, problems });
    return;
  }
  const byJob = new Map<string, typeof targets>();
  for (const t of targets) {
    const list = byJob.get(t.job);
    if (list === undefined) byJob.set(t.job, [t]);
    else list.push(t);
  }
  const bold = ctx.reporter.color.bold;
  await writePieces(
    ctx.stdout,
    (function* () {
      for (const job of preview.jobs.filter(jobFilter)) {
        const active = byJob.get(job) ?? [];
        // A target every pod of a DaemonSet scrapes alike is listed once (agent <daemonset>/*) but scraped by each.
        const scrapes = scrapeCount(active);
        yield `${bold(job)}  ${active.length} active${scrapes !== active.length ? ` (${scrapes} scrapes)` : ''}, ${dropped[job] ?? 0} dropped\n`;
        for (const t of active) yield `  ${t.agent}  ${t.url}  ${formatLabels(t.labels)}\n`;
      }
    })(),
  );
  reportProblems(problems, ctx);
}

/** Each problem on stderr, as an error or a warning, tagged with its rule. */
function reportProblems(problems: readonly Problem[], ctx: CommandContext): void {
  for (const p of problems) {
    if (p.severity === 'error') ctx.reporter.error(`[${p.rule}] ${p.message}`);
    else ctx.reporter.warn({ path: '', message: `[${p.rule}] ${p.message}` });
  }
}

/** `a="x",b="y"`, in the label set's order. */
function formatLabels(labels: Record<string, string>): string {
  let out = '';
  for (const k in labels) out += `${out === '' ? '' : ','}${k}="${labels[k]}"`;
  return out;
}

/** The targets --explain WHAT is about: by URL, address, instance, pod or node name. */
function explainMatcher(what: string): (labels: Record<string, string>, url?: string) => boolean {
  return (labels, url) => url === what || labels.__address__ === what || labels.instance === what || labels.__meta_kubernetes_pod_name === what || labels.__meta_kubernetes_node_name === what;
}

/** One target --explain is about: its discovered labels, every relabel step, and what came of it. */
interface ExplainedTarget {
  job: string;
  agent: string;
  outcome: 'kept' | 'dropped';
  url?: string;
  labels?: Record<string, string>;
  reason?: string;
  discoveredLabels: Record<string, string>;
  steps: { index: number; rule: RelabelConfig; before: Record<string, string>; after: Record<string, string> | null }[];
}

function explainedTargets(what: string, preview: Preview, job: string | undefined, snapshot: Snapshot): ExplainedTarget[] {
  const matches = explainMatcher(what);
  const ofJob = (j: string): boolean => job === undefined || j === job;
  const steps = (list: readonly RelabelStep[] | undefined): ExplainedTarget['steps'] => (list ?? []).map((st) => ({ index: st.index, rule: st.rule, before: sortedByName(st.before), after: st.after === null ? null : sortedByName(st.after) }));
  const explained: ExplainedTarget[] = [];
  for (const t of preview.targets) {
    if (!ofJob(t.job) || !matches(t.discoveredLabels ?? {}, t.url)) continue;
    explained.push({ job: t.job, agent: t.agent, outcome: 'kept', url: t.url, labels: t.labels, discoveredLabels: sortedByName(t.discoveredLabels ?? {}), steps: steps(t.steps) });
  }
  for (const d of preview.dropped) {
    if (!ofJob(d.job) || !matches(d.discoveredLabels)) continue;
    explained.push({ job: d.job, agent: d.agent, outcome: 'dropped', reason: d.reason, discoveredLabels: sortedByName(d.discoveredLabels), steps: steps(d.steps) });
  }
  if (explained.length === 0) throw new InvalidInputError('No such target.', [{ path: '--explain', message: whyNoTarget(what, snapshot) }]);
  return explained;
}

/** Why nothing matched --explain WHAT: a pod discovery cannot see yet, or no such name at all. */
function whyNoTarget(what: string, snapshot: Snapshot): string {
  const none = `no discovered target has URL, __address__, instance, pod or node name "${what}"`;
  const pod = (snapshot.pods ?? []).find((p) => p.metadata?.name === what);
  if (pod !== undefined && (pod.status?.podIP ?? '') === '') {
    return `${none}: pod ${pod.metadata.namespace ?? ''}/${what} has no IP yet (phase ${pod.status?.phase ?? 'unknown'}), and pod discovery gives a pod no target until it has one`;
  }
  if (pod !== undefined) return `${none}: pod ${pod.metadata.namespace ?? ''}/${what} is in the snapshot, but no job's discovery covers it (namespaces, selectors, role)`;
  return `${none}; pass what \`k8smon targets\` lists, e.g. a pod or node name`;
}

/** --explain as text: each step as the rule and what it changed. */
function explainText(explained: readonly ExplainedTarget[]): string {
  const lines: string[] = [];
  for (const e of explained) {
    lines.push(e.outcome === 'kept' ? `${e.job} on ${e.agent}: kept → ${e.url}` : `${e.job} on ${e.agent}: DROPPED — ${e.reason}`);
    lines.push(`  discovered labels: ${JSON.stringify(e.discoveredLabels)}`);
    for (const st of e.steps) {
      lines.push(`  rule ${st.index}: ${JSON.stringify(st.rule)}`);
      const sources = (st.rule.source_labels ?? []).map((l) => `${l}=${JSON.stringify(labelValue(st.before, l) ?? '')}`).join(' ');
      if (st.after === null) lines.push(`    dropped the target (${sources || 'no source labels'})`);
      else {
        const changed = diffLabels(st.before, st.after);
        lines.push(`    ${Object.keys(changed).length === 0 ? 'no change' : `changed: ${JSON.stringify(changed)}`}`);
      }
    }
    if (e.outcome === 'kept') lines.push(`  final labels: ${JSON.stringify(e.labels)}`);
  }
  return `${lines.join('\n')}\n`;
}

function diffLabels(before: Record<string, string>, after: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) out[k] = v;
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = null;
  return out;
}

export async function checkCommand(options: PreviewSources & { output: string }, ctx: CommandContext): Promise<number> {
  checkOutputFormat(options.output);
  const loaded = await load(options, ctx);
  const preview = previewCluster(loaded.agents, loaded.snapshot, { discoveredLabels: false });
  const problems = allProblems(loaded, preview);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const scrapes = scrapeCount(preview.targets);
  if (options.output === 'json') {
    await writePrettyJson(ctx.stdout, { targets: preview.targets.length, scrapes, errors, warnings: problems.length - errors, problems });
  } else {
    reportProblems(problems, ctx);
    ctx.stdout.write(`${preview.targets.length} targets${scrapes !== preview.targets.length ? ` (${scrapes} scrapes)` : ''}, ${errors} errors, ${problems.length - errors} warnings\n`);
  }
  if (errors > 0) throw new K8smonError(`${errors} problem(s) would break this deployment on this cluster`, ExitCode.failure);
  return ExitCode.ok;
}
