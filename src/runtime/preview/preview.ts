/**
 * What every agent instance of a deployment would scrape, from a cluster
 * snapshot: discovery, the kind's node-local filter, relabeling and target
 * finalisation, per instance (one per node for a DaemonSet), with the
 * Prometheus semantics the agent follows, plus the problems that show across
 * instances (a target scraped twice, colliding label sets). It reads the
 * neutral plan (../plan/plan.ts) only, never an agent kind's own format.
 */
import { anyInstanceConfig, type AgentInstanceConfig, type AgentSpec, type CompiledNodeFilter, type RuntimeScrapeConfig } from '../plan/plan.js';
import { DiscoveryError, discoverGroups, type KubernetesSdOptions } from '../semantics/discovery/discover.js';
import { SelectorError } from '../semantics/discovery/selectors.js';
import { BuiltGroup, type GroupView } from '../semantics/discovery/group.js';
import { labelValue, mergeLabels, type Labels } from '../semantics/labels.js';
import { compileRelabelConfigs, type CompiledRelabel, type RelabelConfig, type RelabelStep } from '../semantics/relabel/relabel.js';
import type { Snapshot } from '../semantics/snapshot.js';
import { discoveredLabels, finalizeInPlace, finalizeTarget, GroupDiscoveredLabels, isLoopbackUrl } from '../semantics/target.js';
import type { PromSemantics } from '../semantics/version.js';
import { whyNotOn } from '../plan/placement.js';

export interface ActiveTarget {
  job: string;
  agent: string;
  url: string;
  labels: Labels;
  /** The labels before relabeling; absent when the preview was asked without them (PreviewOptions.discoveredLabels). */
  discoveredLabels?: Labels;
  /**
   * How many agent instances scrape this target alike, when more than one: a
   * DaemonSet job that neither filters by host nor mentions the node is the
   * same on every node, previewed once with agent `<daemonset>/*`.
   */
  instances?: number;
  /** Every relabel step, for the targets PreviewOptions.stepsOf asks about (--explain). */
  steps?: RelabelStep[];
}

export interface DroppedTarget {
  job: string;
  agent: string;
  discoveredLabels: Labels;
  reason: string;
  steps: RelabelStep[];
}

export interface Problem {
  severity: 'error' | 'warning';
  rule: string;
  message: string;
}

export interface Preview {
  targets: ActiveTarget[];
  /** Dropped targets per job. */
  droppedCounts: Record<string, number>;
  /** Details of dropped targets: only with keepSteps (they are most targets of a large cluster). */
  dropped: DroppedTarget[];
  problems: Problem[];
  /** Every scrape config seen, by job_name, for "zero targets" checks. */
  jobs: string[];
  /**
   * Jobs whose targets are not all shown, each reported once as a problem: an
   * invalid relabel or discovery config, or a service discovery k8smon does
   * not run (file_sd_configs, consul_sd_configs, …). "No targets" is not said of them.
   */
  incomplete: string[];
}

export interface PreviewOptions {
  /** Only the instance on this node (plus nothing from cluster-scope agents). */
  node?: string;
  /** Only this job: the other scrape configs are not discovered at all. */
  job?: string;
  /** Keep the relabel steps of dropped targets (for --explain); costs memory. */
  keepSteps?: boolean;
  /**
   * With keepSteps: keep the steps only of the targets whose discovered labels
   * pass this test (what --explain asks about); the others take the quick path,
   * early drops included. It is given a view of the discovered labels that
   * answers reads by name (`d.__address__`), not enumeration.
   */
  stepsOf?: (discovered: Labels) => boolean;
  /** Keep each active target's discovered labels (default true); a table of targets does not need them. */
  discoveredLabels?: boolean;
  /** The namespace `namespaces.own_namespace` means, for agents that do not say where they run (AgentSpec.namespace). */
  ownNamespace?: string;
}

/**
 * Discovery results kept for reuse, per DaemonSet agent: questions that do not
 * mention the node (a cluster-wide service discovery) are asked by every
 * instance alike and are kept for all of them; node-local ones
 * (spec.nodeName=<node>) only while that instance is previewed, so the groups
 * of 150,000 pods are not all alive at once. A single-instance agent keeps
 * nothing: what it discovers is read once, and holding it only makes the
 * garbage collector copy it.
 */
interface DiscoveryCache {
  shared?: Map<string, GroupView[]>;
  instance?: Map<string, GroupView[]>;
}

function groupsFor(
  sc: RuntimeScrapeConfig,
  snapshot: Snapshot,
  node: string | undefined,
  nodeFilter: CompiledNodeFilter | undefined,
  context: { ownNamespace?: string; semantics: PromSemantics },
  cache: DiscoveryCache,
): GroupView[] {
  const groups: GroupView[] = [];
  for (const sd of sc.kubernetes_sd_configs ?? []) {
    // The kind's node-local filter may narrow what the instance discovers (grafana-agent's PatchSD).
    const options: KubernetesSdOptions = nodeFilter !== undefined && node !== undefined ? nodeFilter.sdOptions(sd, node) : sd;
    const key = cache.shared === undefined && cache.instance === undefined ? '' : `${sd.role}\0${JSON.stringify(options)}`;
    // Memoisation only: a node name that happens to occur in a key only costs a recomputation.
    const memo = key === '' ? undefined : node !== undefined && key.includes(node) ? cache.instance : cache.shared;
    let found = memo?.get(key);
    if (found === undefined) {
      found = discoverGroups(sd.role, snapshot, options, context);
      memo?.set(key, found);
    }
    groups.push(...found);
  }
  (sc.static_configs ?? []).forEach((s, i) => {
    groups.push(new BuiltGroup({ source: `${i}`, targets: (s.targets ?? []).map((t) => ({ __address__: t })), labels: { ...(s.labels ?? {}) } }));
  });
  return groups;
}

function emptyPreview(): Preview {
  return { targets: [], droppedCounts: {}, dropped: [], problems: [], jobs: [], incomplete: [] };
}

/**
 * The service discoveries of a scrape config that the preview does not run
 * (any `*_sd_configs` but Kubernetes', with entries, and the sources its kind
 * named as not previewed).
 */
function sdNotPreviewed(sc: RuntimeScrapeConfig): string[] {
  let found: string[] | undefined; // asked once per scrape config and node: no allocation when there is none
  for (const key in sc) {
    const value = (sc as unknown as Record<string, unknown>)[key];
    if (key.endsWith('_sd_configs') && key !== 'kubernetes_sd_configs' && Array.isArray(value) && value.length > 0) (found ??= []).push(key);
  }
  if (sc.notPreviewed !== undefined && sc.notPreviewed.length > 0) (found ??= []).push(...sc.notPreviewed);
  return found ?? [];
}

/** The name of an agent's instance: `<daemonset>/<node>`, `<daemonset>/*` for every node alike, `<statefulset>/<pod>`, or the agent's. */
function instanceName(agent: AgentSpec, node: string | undefined, pod?: string): string {
  if (pod !== undefined) return `${agent.name}/${pod}`;
  return agent.perNode ? `${agent.name}/${node ?? '*'}` : agent.name;
}

/** Whether an instance of `agent` scrapes the target. */
export function scrapedByAgent(target: ActiveTarget, agent: AgentSpec): boolean {
  return target.agent === agent.name || target.agent.startsWith(`${agent.name}/`);
}

export function previewAgent(
  agent: AgentSpec,
  snapshot: Snapshot,
  node: string | undefined,
  options: PreviewOptions = {},
  config: AgentInstanceConfig = agent.read(node),
  cache: DiscoveryCache = {},
  pod?: string,
): Preview {
  const instance = instanceName(agent, node, pod);
  const preview = emptyPreview();
  for (const sc of config.scrapeConfigs) {
    if (options.job !== undefined && sc.job_name !== options.job) continue;
    preview.jobs.push(sc.job_name);
    const incomplete = (problem: Problem): void => {
      preview.problems.push(problem);
      if (!preview.incomplete.includes(sc.job_name)) preview.incomplete.push(sc.job_name);
    };
    const notPreviewed = sdNotPreviewed(sc);
    if (notPreviewed.length > 0) {
      incomplete({
        severity: 'warning',
        rule: 'not-previewed',
        message: `${agent.name} job ${sc.job_name}: ${notPreviewed.join(', ')} not previewed (k8smon runs kubernetes_sd_configs and static_configs only): the targets shown for this job are not all it scrapes`,
      });
    }
    let rules: CompiledRelabel[];
    let nodeFilter: CompiledNodeFilter | undefined;
    let compiling = 'relabel_configs';
    try {
      rules = compiledFor(sc.relabel_configs, agent.semantics);
      compiling = sc.nodeFilter?.relabelField ?? compiling;
      nodeFilter = sc.nodeFilter?.compile(agent.semantics);
    } catch (err) {
      incomplete({ severity: 'error', rule: 'invalid-relabel', message: `${agent.name} job ${sc.job_name}: ${compiling}: ${(err as Error).message}` });
      continue;
    }
    // Which targets keep their relabel steps: every one (keepSteps alone), the asked-about ones (keepSteps
    // and stepsOf; the others take the quick path, early drops included), or none.
    const stepsOf = options.keepSteps === true ? options.stepsOf : undefined;
    const everyStep = options.keepSteps === true && stepsOf === undefined;
    const jobDefaults = stepsOf === undefined ? undefined : discoveredLabels(sc, {}, {}, config.global, agent.semantics);
    const asked = (t: Labels, group: GroupView): boolean => everyStep || (stepsOf !== undefined && stepsOf(discoveredView(t, group, jobDefaults!)));
    const filters = everyStep ? [] : leadingFilters(rules);
    let groups: GroupView[];
    try {
      const ownNamespace = agent.namespace ?? options.ownNamespace;
      groups = groupsFor(sc, snapshot, node, nodeFilter, { semantics: agent.semantics, ...(ownNamespace !== undefined ? { ownNamespace } : {}) }, cache);
    } catch (err) {
      if (!(err instanceof DiscoveryError || err instanceof SelectorError)) throw err;
      incomplete({ severity: 'error', rule: 'invalid-sd-config', message: `${agent.name} job ${sc.job_name}: kubernetes_sd_configs: ${err.message}` });
      continue;
    }
    for (const group of groups) {
      // Leading filters that read no target label decide for the whole group at once.
      const groupFilters = groupLevel(filters, group);
      const groupPasses = passesFilters(groupFilters, NO_LABELS, group);
      const filtered = nodeFilter !== undefined && node !== undefined ? nodeFilter : undefined;
      const dropsGroup = !groupPasses && (filtered === undefined || filtered.keepsGroup(group, node!));
      if (dropsGroup && (stepsOf === undefined || !group.targets().some((t) => asked(t, group)))) {
        // Every target the host filter keeps is dropped: count them without building them.
        const size = group.size();
        if (size > 0) preview.droppedCounts[sc.job_name] = (preview.droppedCounts[sc.job_name] ?? 0) + size;
        continue;
      }
      let discovered: GroupDiscoveredLabels | undefined;
      for (const t of group.targets()) {
        if (filtered !== undefined && !filtered.keeps(t, group, node!)) continue;
        const withSteps = asked(t, group);
        if (!withSteps && (!groupPasses || (filters.length > 0 && !passesFilters(filters, t, group)))) {
          preview.droppedCounts[sc.job_name] = (preview.droppedCounts[sc.job_name] ?? 0) + 1;
          continue;
        }
        discovered ??= new GroupDiscoveredLabels(sc, group.labels(), config.global, agent.semantics);
        const disc = discovered.of(t);
        if (withSteps) {
          const outcome = finalizeTarget(disc, rules, true, agent.semantics);
          if (outcome.kind === 'active') {
            const target: ActiveTarget = { job: sc.job_name, agent: instance, url: outcome.url, labels: outcome.labels, discoveredLabels: outcome.discoveredLabels };
            if (stepsOf !== undefined) target.steps = outcome.steps;
            preview.targets.push(target);
            continue;
          }
          preview.droppedCounts[sc.job_name] = (preview.droppedCounts[sc.job_name] ?? 0) + 1;
          preview.dropped.push({ job: sc.job_name, agent: instance, discoveredLabels: outcome.discoveredLabels, reason: outcome.reason, steps: outcome.steps });
          continue;
        }
        // Without discovered labels to show, the one label set is relabeled in place.
        const outcome = finalizeInPlace(options.discoveredLabels === false ? disc : mergeLabels(disc), rules, agent.semantics);
        if (outcome.kind === 'active') {
          const target: ActiveTarget = { job: sc.job_name, agent: instance, url: outcome.url, labels: outcome.labels };
          if (options.discoveredLabels !== false) target.discoveredLabels = disc;
          preview.targets.push(target);
        } else {
          preview.droppedCounts[sc.job_name] = (preview.droppedCounts[sc.job_name] ?? 0) + 1;
        }
      }
    }
  }
  return preview;
}

/**
 * The keep/drop rules that read only discovered labels (`__meta_*`,
 * `__address__`) no earlier rule can have changed: each sees the value it would
 * see in its place, so a target can be dropped by them before its label set is
 * built. Earlier rules that write fixed labels (`__tmp_port`, `__scheme__`) do
 * not stop the search; a labelmap, labeldrop, labelkeep or templated
 * target_label (which may change any label) does. Most pod targets of a large
 * cluster end here. Not used when the steps are wanted (--explain).
 */
function leadingFilters(rules: readonly CompiledRelabel[]): CompiledRelabel[] {
  let filters = leadingFiltersOf.get(rules);
  if (filters === undefined) {
    filters = [];
    const written = new Set<string>();
    for (const r of rules) {
      if (r.action === 'keep' || r.action === 'drop') {
        if (r.sourceLabels.every((l) => (l.startsWith('__meta_') || l === '__address__') && !written.has(l))) filters.push(r);
      } else if (r.action === 'keepequal' || r.action === 'dropequal') {
        // Filters too, and they write nothing.
      } else if ((r.action === 'replace' || r.action === 'lowercase' || r.action === 'uppercase' || r.action === 'hashmod') && !r.targetLabel.includes('$')) {
        written.add(r.targetLabel);
      } else {
        break;
      }
    }
    leadingFiltersOf.set(rules, filters);
  }
  return filters;
}

const leadingFiltersOf = new WeakMap<readonly CompiledRelabel[], CompiledRelabel[]>();

/** The filters that read group labels only (the same array when that is all of them). */
function groupLevel(filters: CompiledRelabel[], group: GroupView): CompiledRelabel[] {
  let out: CompiledRelabel[] | undefined;
  for (let i = 0; i < filters.length; i++) {
    const readsTarget = filters[i]!.sourceLabels.some((l) => group.isTargetLabel(l));
    if (readsTarget) out ??= filters.slice(0, i);
    else out?.push(filters[i]!);
  }
  return out ?? filters;
}

const NO_LABELS: Labels = Object.freeze({}) as Labels;

/**
 * A target's discovered labels (as discoveredLabels builds them: target over
 * group labels, job defaults where empty or missing, empty ones gone), read by
 * name without building the set.
 */
function discoveredView(target: Labels, group: GroupView, jobDefaults: Labels): Labels {
  return new Proxy({} as Labels, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      const own = labelValue(target, name);
      const value = own !== undefined ? own : group.label(name);
      if (value !== undefined && value !== '') return value;
      return labelValue(jobDefaults, name);
    },
  });
}

function passesFilters(filters: readonly CompiledRelabel[], target: Labels, group: GroupView): boolean {
  for (const r of filters) {
    let value = '';
    for (let i = 0; i < r.sourceLabels.length; i++) {
      const l = r.sourceLabels[i]!;
      value += (i > 0 ? r.separator : '') + (labelValue(target, l) ?? group.label(l) ?? '');
    }
    if (r.regex.matches(value) !== (r.action === 'keep')) return false;
  }
  return true;
}

/** Stands in for the node name while a DaemonSet's config is read once for all nodes. */
const NODE_PLACEHOLDER = 'K8SMONNODEPLACEHOLDER';

/** `value` with the node placeholder replaced by the node name. */
function substitute<T>(value: T, node: string): T {
  if (typeof value === 'string') return (value.includes(NODE_PLACEHOLDER) ? value.split(NODE_PLACEHOLDER).join(node) : value) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, node)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, node)])) as T;
  return value;
}

/**
 * The template config for one node. Only the fields that mention the node are
 * copied (`nodeFields`, per scrape config, from fieldsMentioningNode); the rest
 * (relabel rules, mostly) stays shared, so its compiled form is too.
 */
function withNode(template: AgentInstanceConfig, nodeFields: readonly (readonly string[])[], node: string): AgentInstanceConfig {
  return {
    global: template.global,
    scrapeConfigs: template.scrapeConfigs.map((sc, i) => {
      const fields = nodeFields[i]!;
      if (fields.length === 0) return sc;
      const copy: Record<string, unknown> = { ...sc };
      for (const f of fields) copy[f] = substitute(copy[f], node);
      return copy as unknown as RuntimeScrapeConfig;
    }),
  };
}

/** The fields of a scrape config whose value mentions the node placeholder. */
function fieldsMentioningNode(sc: RuntimeScrapeConfig): string[] {
  return Object.entries(sc).filter(([, v]) => JSON.stringify(v)?.includes(NODE_PLACEHOLDER) === true).map(([k]) => k);
}

/** Compiled relabel rules per rule list and semantics: shared by every instance that shares the list. */
const compiledRules: Record<PromSemantics, WeakMap<object, CompiledRelabel[]>> = { 'prometheus-3': new WeakMap(), 'prometheus-2': new WeakMap() };

function compiledFor(list: RelabelConfig[] | undefined, semantics: PromSemantics): CompiledRelabel[] {
  if (list === undefined) return [];
  let rules = compiledRules[semantics].get(list);
  if (rules === undefined) {
    rules = compileRelabelConfigs(list, { semantics });
    compiledRules[semantics].set(list, rules);
  }
  return rules;
}

/** Reports of nodes a DaemonSet leaves out before the rest are counted. */
const UNCOVERED_NODES_SHOWN = 5;

/** The number of pods on each node, counted once and only when asked. */
function lazyPodCounts(snapshot: Snapshot): (node: string) => number {
  let counts: Map<string, number> | undefined;
  return (node) => {
    if (counts === undefined) {
      counts = new Map();
      for (const p of snapshot.pods ?? []) {
        const n = p.spec?.nodeName;
        if (n !== undefined) counts.set(n, (counts.get(n) ?? 0) + 1);
      }
    }
    return counts.get(node) ?? 0;
  };
}

/**
 * The nodes among `candidates` a DaemonSet agent runs on (its tolerations,
 * node selector and affinity against each node's taints and labels); each
 * node left out is a warning that says why and what goes unscraped.
 */
function nodesRunning(agent: AgentSpec, snapshot: Snapshot, candidates: readonly string[], podsOn: (node: string) => number, problems: Problem[]): string[] {
  if (agent.placement === undefined) return [...candidates];
  const byName = new Map((snapshot.nodes ?? []).map((n) => [n.metadata.name, n]));
  const runs: string[] = [];
  const left: string[] = [];
  for (const name of candidates) {
    const node = byName.get(name);
    const why = node === undefined ? undefined : whyNotOn(agent.placement, node);
    if (why === undefined) {
      runs.push(name);
      continue;
    }
    left.push(name);
    if (left.length > UNCOVERED_NODES_SHOWN) continue;
    problems.push({
      severity: 'warning',
      rule: 'node-not-covered',
      message: `node ${name}: ${agent.name} does not run there (${why}): its kubelet, cAdvisor and ${podsOn(name)} pods will not be scraped`,
    });
  }
  if (left.length > UNCOVERED_NODES_SHOWN) {
    problems.push({ severity: 'warning', rule: 'node-not-covered', message: `${left.length - UNCOVERED_NODES_SHOWN} more nodes are left out by ${agent.name} (${left.length} in all)` });
  }
  return runs;
}

/** Every instance of every agent (or those on one node), and the problems across them. */
export function previewCluster(agents: readonly AgentSpec[], snapshot: Snapshot, options: PreviewOptions = {}): Preview {
  const out = emptyPreview();
  const seenProblems = new Set<string>();
  const nodeNames = (snapshot.nodes ?? []).map((n) => n.metadata.name).sort();
  /** Adds one preview to the whole; `times` instances had it alike. */
  const merge = (p: Preview, times: number): void => {
    for (const t of p.targets) {
      if (times > 1) t.instances = times;
      out.targets.push(t);
    }
    for (const d of p.dropped) out.dropped.push(d);
    for (const [job, n] of Object.entries(p.droppedCounts)) out.droppedCounts[job] = (out.droppedCounts[job] ?? 0) + n * times;
    // A DaemonSet's instances share a config: a problem in it is said once, not once per node.
    for (const problem of p.problems) {
      const key = `${problem.severity}\0${problem.rule}\0${problem.message}`;
      if (!seenProblems.has(key)) out.problems.push(problem);
      seenProblems.add(key);
    }
    for (const j of p.jobs) if (!out.jobs.includes(j)) out.jobs.push(j);
    for (const j of p.incomplete) if (!out.incomplete.includes(j)) out.incomplete.push(j);
  };
  const podsOnNode = lazyPodCounts(snapshot);
  for (const agent of agents) {
    const shared = new Map<string, GroupView[]>();
    const nodes = agent.perNode ? nodesRunning(agent, snapshot, options.node === undefined ? nodeNames : [options.node], podsOnNode, out.problems) : [];
    const instances: (string | undefined)[] = agent.perNode ? nodes : options.node !== undefined ? [] : [undefined];
    if (!agent.perNode && agent.pods !== undefined) {
      if (options.node !== undefined) continue;
      // Each replica of a StatefulSet reads the config with its own pod name (a shard keeps its share); discovery is shared.
      const cache: DiscoveryCache = { shared };
      const before = out.targets.length;
      for (const pod of agent.pods) merge(previewAgent(agent, snapshot, undefined, options, agent.read(undefined, pod), cache, pod), 1);
      out.problems.push(...unownedTargets(agent, snapshot, options, out.targets.slice(before), cache));
      continue;
    }
    if (!agent.perNode) {
      for (const node of instances) merge(previewAgent(agent, snapshot, node, options, anyInstanceConfig(agent)), 1);
      continue;
    }
    const template = agent.read(NODE_PLACEHOLDER);
    // Listed in config order, even when the DaemonSet runs nowhere (a snapshot without nodes: warned of, no targets).
    for (const sc of template.scrapeConfigs) if ((options.job === undefined || sc.job_name === options.job) && !out.jobs.includes(sc.job_name)) out.jobs.push(sc.job_name);
    let perNode = { template, nodeFields: template.scrapeConfigs.map(fieldsMentioningNode) };
    if (instances.length > 1) {
      // A scrape config without node-local filter that does not mention the node is the same on every node
      // (the field notes' DaemonSet: every pod scrapes every kubelet). Previewed once for all of them:
      // on 5,000 nodes, 5,000 alike previews would hold 5,000 copies of every target.
      const alike = template.scrapeConfigs.map((sc, i) => sc.nodeFilter === undefined && perNode.nodeFields[i]!.length === 0);
      if (alike.some(Boolean)) {
        merge(previewAgent(agent, snapshot, undefined, options, { global: template.global, scrapeConfigs: template.scrapeConfigs.filter((_, i) => alike[i]) }), instances.length);
        perNode = { template: { global: template.global, scrapeConfigs: template.scrapeConfigs.filter((_, i) => !alike[i]) }, nodeFields: perNode.nodeFields.filter((_, i) => !alike[i]) };
      }
    }
    if (perNode.template.scrapeConfigs.length === 0) continue;
    for (const node of instances) merge(previewAgent(agent, snapshot, node, options, withNode(perNode.template, perNode.nodeFields, node!), { shared, instance: new Map() }), 1);
  }
  out.problems.push(...crossInstanceProblems(out));
  return out;
}

/**
 * The labels hashmod rules write, and the config without the rules that
 * shard on them: the hashmod itself and every keep/drop that reads (or, for
 * keepequal/dropequal, compares with) its result. What is left is what one
 * unsharded replica would keep.
 */
function withoutSharding(config: AgentInstanceConfig, pod: string): AgentInstanceConfig | undefined {
  let found = false;
  const scrapeConfigs = config.scrapeConfigs.map((sc) => {
    const rules = sc.relabel_configs ?? [];
    // What decides the share: a hashmod's result, or a label set from the pod's own name (its ordinal),
    // which static targets dealt at render time are compared with.
    const hashes = new Set(rules.filter((r) => r.action === 'hashmod' && typeof r.target_label === 'string').map((r) => r.target_label!));
    const owners = new Set(rules.filter((r) => (r.action ?? 'replace') === 'replace' && typeof r.target_label === 'string' && (r.replacement ?? '').includes(pod)).map((r) => r.target_label!));
    const deciding = new Set([...hashes, ...owners]);
    const filters = new Set(['keep', 'drop', 'keepequal', 'dropequal']);
    const shards = (r: RelabelConfig): boolean =>
      r.action === 'hashmod' ||
      (filters.has(r.action ?? '') && ((r.source_labels ?? []).some((l) => deciding.has(l)) || (r.action?.endsWith('equal') === true && deciding.has(r.target_label ?? ''))));
    const kept = rules.filter((r) => !shards(r));
    if (kept.length === rules.length) return sc;
    found = true;
    return { ...sc, relabel_configs: kept };
  });
  return found ? { global: config.global, scrapeConfigs } : undefined;
}

/**
 * Targets no shard of a StatefulSet keeps: its replicas' targets, per job,
 * against what one replica keeps with the hashmod rules taken out. A target
 * two shards keep is the scraped-more-than-once rule's; a target none keeps
 * (a modulus other than the replica count, an ordinal the config never sees)
 * goes unscraped without a sign, so it is an error here.
 */
function unownedTargets(agent: AgentSpec, snapshot: Snapshot, options: PreviewOptions, kept: readonly ActiveTarget[], cache: DiscoveryCache): Problem[] {
  const pods = agent.pods ?? [];
  if (pods.length === 0) return [];
  const unsharded = withoutSharding(agent.read(undefined, pods[0]), pods[0]!);
  if (unsharded === undefined) return [];
  const whole = previewAgent(agent, snapshot, undefined, { ...options, keepSteps: false, discoveredLabels: false }, unsharded, cache, pods[0]);
  const keptUrls = new Map<string, Set<string>>();
  for (const t of kept) {
    let urls = keptUrls.get(t.job);
    if (urls === undefined) keptUrls.set(t.job, (urls = new Set()));
    urls.add(t.url);
  }
  const missing = new Map<string, string[]>();
  for (const t of whole.targets) if (keptUrls.get(t.job)?.has(t.url) !== true) pushTo(missing, t.job, t.url);
  return [...missing].map(([job, urls]) => ({
    severity: 'error' as const,
    rule: 'kept-by-no-shard',
    message: `${agent.name} job ${job}: ${urls.length} targets are kept by none of its ${pods.length} shards (${urls.slice(0, 3).join(', ')}${urls.length > 3 ? ', …' : ''}): the hashmod modulus (or the shards static targets are dealt to) must match the replicas, and each pod must read its own ordinal`,
  }));
}

/** A key equal exactly for equal label sets (values are JSON-quoted, so no value can fake a separator). */
function labelKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const n of names) key += `${n}=${JSON.stringify(labels[n])},`;
  return key;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Targets grouped by two keys, for finding the few that share them among tens
 * of thousands: no key strings are concatenated, and a group of one (nearly
 * all of them) is kept without an array.
 */
class TargetBuckets {
  private readonly outer = new Map<string, Map<string, ActiveTarget | ActiveTarget[]>>();

  add(first: string, second: string, t: ActiveTarget): void {
    let inner = this.outer.get(first);
    if (inner === undefined) this.outer.set(first, (inner = new Map()));
    const current = inner.get(second);
    if (current === undefined) inner.set(second, t);
    else if (Array.isArray(current)) current.push(t);
    else inner.set(second, [current, t]);
  }

  /** The groups of two or more. */
  *shared(): Generator<ActiveTarget[]> {
    for (const inner of this.outer.values()) for (const v of inner.values()) if (Array.isArray(v)) yield v;
  }

  /** Every group, a group of one as itself. */
  *groups(): Generator<ActiveTarget | ActiveTarget[]> {
    for (const inner of this.outer.values()) yield* inner.values();
  }
}

/** How many scrapes targets cost: a target every pod of a DaemonSet scrapes alike (`instances`) counts once per pod. */
export function scrapeCount(targets: readonly ActiveTarget[]): number {
  let n = 0;
  for (const t of targets) n += t.instances ?? 1;
  return n;
}

/** How many scrapes of one URL a group of targets means; on loopback, each node's agent scrapes its own endpoint. */
function scrapesOf(group: ActiveTarget | ActiveTarget[]): number {
  const ts = Array.isArray(group) ? group : [group];
  return isLoopbackUrl(ts[0]!.url) ? ts.length : scrapeCount(ts);
}

/** Individual reports of double scrapes per job before the rest are summed up: a DaemonSet without host filter doubles every target. */
const DOUBLE_SCRAPES_SHOWN_PER_JOB = 3;

/** `job` for one job, `jobs a and b` for several: whose scrapes of one URL repeat. */
function jobsOf(ts: readonly ActiveTarget[]): string[] {
  return [...new Set(ts.map((t) => t.job))].sort();
}

export function crossInstanceProblems(p: Preview): Problem[] {
  const problems: Problem[] = [];
  // The same URL is the same endpoint whichever job or agent scrapes it (a different metrics_path or
  // param makes another URL); a loopback address is a different endpoint on every node, so it is the
  // same target only within one agent instance.
  const byUrl = new TargetBuckets();
  // Colliding label sets share job and instance: only those are compared label by label.
  const byJobInstance = new TargetBuckets();
  for (const t of p.targets) {
    byUrl.add(isLoopbackUrl(t.url) ? t.agent : '', t.url, t);
    byJobInstance.add(t.labels.job ?? '', t.labels.instance ?? '', t);
  }
  const byLabels = new Map<string, ActiveTarget[]>();
  for (const candidates of byJobInstance.shared()) for (const t of candidates) pushTo(byLabels, labelKey(t.labels), t);
  const doubledPerJobs = new Map<string, number>();
  for (const group of byUrl.groups()) {
    const times = scrapesOf(group);
    if (times < 2) continue;
    const ts = Array.isArray(group) ? group : [group];
    const jobs = jobsOf(ts);
    const who = jobs.length === 1 ? `job ${jobs[0]}` : `jobs ${jobs.join(' and ')}`;
    const seen = (doubledPerJobs.get(who) ?? 0) + 1;
    doubledPerJobs.set(who, seen);
    if (seen > DOUBLE_SCRAPES_SHOWN_PER_JOB) continue;
    const by = (t: ActiveTarget): string => `${jobs.length > 1 ? `${t.job} on ` : ''}${t.agent}${t.instances !== undefined ? ` (each of its ${t.instances} pods)` : ''}`;
    const agents = [...new Set(ts.map(by))];
    problems.push({
      severity: 'error',
      rule: 'scraped-more-than-once',
      message: `${who}: ${ts[0]!.url} is scraped ${times} times (by ${agents.slice(0, 5).join(', ')}${agents.length > 5 ? ', …' : ''})${jobs.length > 1 ? ': the same series twice, one set per job' : ''}`,
    });
  }
  for (const [who, n] of doubledPerJobs) {
    if (n > DOUBLE_SCRAPES_SHOWN_PER_JOB) {
      problems.push({ severity: 'error', rule: 'scraped-more-than-once', message: `${who}: ${n - DOUBLE_SCRAPES_SHOWN_PER_JOB} more targets are scraped more than once (${n} in all)` });
    }
  }
  for (const ts of byLabels.values()) {
    const urls = new Set(ts.map((t) => t.url));
    if (urls.size > 1) {
      problems.push({
        severity: 'error',
        rule: 'colliding-label-sets',
        message: `${urls.size} targets end with the same labels ${JSON.stringify(ts[0]!.labels)} (${[...urls].slice(0, 3).join(', ')}): their series would overwrite each other`,
      });
    }
  }
  const counts = new Map<string, number>();
  for (const t of p.targets) counts.set(t.job, (counts.get(t.job) ?? 0) + 1);
  for (const job of p.jobs) {
    if (!counts.has(job) && !p.incomplete.includes(job)) problems.push({ severity: 'warning', rule: 'no-targets', message: `job ${job} has no targets in this snapshot` });
  }
  problems.push(...suspiciousPaths(p.targets));
  return problems;
}

/**
 * Scrape paths that show a shell got at the config before the agent did (the
 * field notes write it in an unquoted `cat <<EOF`): `\${1}` leaves a backslash,
 * `${1}` is replaced with nothing, and a `$` nothing expanded stays. One
 * problem per job and sign, with the first such URL and how many there are.
 */
const ANY_SUSPICIOUS_SIGN = /%5C|\/\/|\$/i;

function suspiciousPaths(targets: readonly ActiveTarget[]): Problem[] {
  const signs: [RegExp, string][] = [
    [/%5C/i, 'holds a backslash: a "\\$" written for a shell heredoc, left in the config?'],
    [/\/\//, 'has an empty segment (//): a ${1} or $VAR that a shell replaced with nothing (cat <<EOF without quotes)?'],
    [/\$/, 'holds a "$" that nothing expanded'],
  ];
  const found = new Map<string, { url: string; n: number; why: string }>();
  for (const t of targets) {
    const path = t.url.slice(t.url.indexOf('/', t.url.indexOf('://') + 3));
    if (!ANY_SUSPICIOUS_SIGN.test(path)) continue; // every target passes here: one test rules most out
    for (const [sign, why] of signs) {
      if (!sign.test(path)) continue;
      const key = `${t.job}\0${why}`;
      const seen = found.get(key);
      if (seen === undefined) found.set(key, { url: t.url, n: 1, why });
      else seen.n++;
    }
  }
  return [...found].map(([key, { url, n, why }]) => ({
    severity: 'warning' as const,
    rule: 'suspicious-scrape-path',
    message: `job ${key.slice(0, key.indexOf('\0'))}: the path of ${url}${n > 1 ? ` (and ${n - 1} more)` : ''} ${why}`,
  }));
}
