/**
 * What every agent instance of a deployment would scrape, from a cluster
 * snapshot: discovery, grafana-agent's host filter, relabeling and target
 * finalisation, per instance (one per node for a DaemonSet), plus the problems
 * that show across instances (a target scraped twice, colliding label sets).
 */
import { readInstanceConfig, type AgentSpec, type RuntimeScrapeConfig } from './agent-config.js';
import { discover, type KubernetesSdOptions } from './discovery/discover.js';
import type { Labels, TargetGroup } from './discovery/roles.js';
import { compileRelabelConfigs, relabel, type CompiledRelabel, type RelabelStep } from './relabel/relabel.js';
import type { Snapshot } from './snapshot.js';
import { discoveredLabels, finalizeTarget } from './target.js';

export interface ActiveTarget {
  job: string;
  agent: string;
  url: string;
  labels: Labels;
  discoveredLabels: Labels;
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
  dropped: DroppedTarget[];
  problems: Problem[];
  /** Every scrape config seen, by job_name, for "zero targets" checks. */
  jobs: string[];
}

export interface PreviewOptions {
  /** Only the instance on this node (plus nothing from cluster-scope agents). */
  node?: string;
  /** Keep the relabel steps of dropped targets (for --explain); costs memory. */
  keepSteps?: boolean;
  ownNamespace?: string;
}

/** Labels grafana-agent's host filter compares with the node name (besides __address__). */
const HOST_FILTER_LABELS = [
  '__meta_consul_node',
  '__meta_dockerswarm_node_id',
  '__meta_dockerswarm_node_hostname',
  '__meta_dockerswarm_node_address',
  '__meta_kubernetes_pod_node_name',
  '__meta_kubernetes_node_name',
  '__host__',
];

function hostOf(value: string): string {
  const m = /^\[?([^\]]*?)\]?(?::\d+)?$/.exec(value);
  return m?.[1] ?? value;
}

/** grafana-agent static mode's host filter (static/metrics/instance host_filter.go). */
export function keptByHostFilter(labels: Labels, host: string, hostFilterRelabel: readonly CompiledRelabel[]): boolean {
  const processed = hostFilterRelabel.length > 0 ? relabel(labels, hostFilterRelabel) ?? labels : labels;
  const keep = (v: string | undefined): boolean => {
    if (v === undefined || v === '') return false;
    const h = hostOf(v);
    return h === 'localhost' || h === '127.0.0.1' || h === host;
  };
  const address = processed.__address__;
  if (address === undefined || address === '') return true;
  if (keep(address)) return true;
  return HOST_FILTER_LABELS.some((l) => keep(processed[l]));
}

function groupsFor(sc: RuntimeScrapeConfig, snapshot: Snapshot, node: string | undefined, hostFilter: boolean, ownNamespace: string | undefined): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const sd of sc.kubernetes_sd_configs ?? []) {
    let options: KubernetesSdOptions = sd;
    // PatchSD: with host_filter, pod discovery is narrowed to the node by a field selector.
    if (hostFilter && node !== undefined && sd.role === 'pod') options = { ...sd, selectors: [{ role: 'pod', field: `spec.nodeName=${node}` }] };
    groups.push(...discover(sd.role, snapshot, options, ownNamespace !== undefined ? { ownNamespace } : {}));
  }
  (sc.static_configs ?? []).forEach((s, i) => {
    groups.push({ source: `${i}`, targets: (s.targets ?? []).map((t) => ({ __address__: t })), labels: { ...(s.labels ?? {}) } });
  });
  return groups;
}

export function previewAgent(agent: AgentSpec, snapshot: Snapshot, node: string | undefined, options: PreviewOptions = {}): Preview {
  const config = readInstanceConfig(agent, node);
  const instance = agent.perNode ? `${agent.name.replace(/^daemonset\//, 'daemonset/')}/${node ?? ''}` : agent.name;
  const hostFilterRules = compileRelabelConfigs(agent.hostFilterRelabel);
  const preview: Preview = { targets: [], dropped: [], problems: [], jobs: [] };
  for (const sc of config.scrapeConfigs) {
    preview.jobs.push(sc.job_name);
    let rules: CompiledRelabel[];
    try {
      rules = compileRelabelConfigs(sc.relabel_configs ?? []);
    } catch (err) {
      preview.problems.push({ severity: 'error', rule: 'invalid-relabel', message: `${agent.name} job ${sc.job_name}: ${(err as Error).message}` });
      continue;
    }
    for (const group of groupsFor(sc, snapshot, node, agent.hostFilter, options.ownNamespace)) {
      for (const t of group.targets) {
        if (agent.hostFilter && node !== undefined && !keptByHostFilter({ ...group.labels, ...t }, node, hostFilterRules)) continue;
        const disc = discoveredLabels(sc, t, group.labels, config.global);
        const outcome = finalizeTarget(disc, rules);
        if (outcome.kind === 'active') {
          preview.targets.push({ job: sc.job_name, agent: instance, url: outcome.url, labels: outcome.labels, discoveredLabels: outcome.discoveredLabels });
        } else {
          preview.dropped.push({ job: sc.job_name, agent: instance, discoveredLabels: outcome.discoveredLabels, reason: outcome.reason, steps: options.keepSteps ? outcome.steps : [] });
        }
      }
    }
  }
  return preview;
}

/** Every instance of every agent (or those on one node), and the problems across them. */
export function previewCluster(agents: readonly AgentSpec[], snapshot: Snapshot, options: PreviewOptions = {}): Preview {
  const out: Preview = { targets: [], dropped: [], problems: [], jobs: [] };
  const nodeNames = (snapshot.nodes ?? []).map((n) => n.metadata.name).sort();
  for (const agent of agents) {
    const instances: (string | undefined)[] = agent.perNode ? (options.node !== undefined ? [options.node] : nodeNames) : options.node !== undefined ? [] : [undefined];
    for (const node of instances) {
      const p = previewAgent(agent, snapshot, node, options);
      out.targets.push(...p.targets);
      out.dropped.push(...p.dropped);
      out.problems.push(...p.problems);
      for (const j of p.jobs) if (!out.jobs.includes(j)) out.jobs.push(j);
    }
  }
  out.problems.push(...crossInstanceProblems(out));
  return out;
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function crossInstanceProblems(p: Preview): Problem[] {
  const problems: Problem[] = [];
  const byUrl = new Map<string, ActiveTarget[]>();
  const byLabels = new Map<string, ActiveTarget[]>();
  for (const t of p.targets) {
    // A loopback address is a different endpoint on every node: it is the same target only within one instance.
    const loopback = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(t.url);
    const urlKey = `${t.job}\0${loopback ? t.agent : ''}\0${t.url}`;
    byUrl.set(urlKey, [...(byUrl.get(urlKey) ?? []), t]);
    const lk = labelKey(t.labels);
    byLabels.set(lk, [...(byLabels.get(lk) ?? []), t]);
  }
  for (const ts of byUrl.values()) {
    if (ts.length > 1) {
      problems.push({
        severity: 'error',
        rule: 'scraped-more-than-once',
        message: `job ${ts[0]!.job}: ${ts[0]!.url} is scraped ${ts.length} times (by ${[...new Set(ts.map((t) => t.agent))].slice(0, 5).join(', ')}${ts.length > 5 ? ', …' : ''})`,
      });
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
    if (!counts.has(job)) problems.push({ severity: 'warning', rule: 'no-targets', message: `job ${job} has no targets in this snapshot` });
  }
  return problems;
}
