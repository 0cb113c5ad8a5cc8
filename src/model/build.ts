/** profile → model: which agents run which jobs, which workloads exist, with what rights and credentials. */
import { agentKind } from '../agents/registry.js';
import { defaultShards } from '../agents/shared/sharding.js';
import { InvalidInputError, type InputProblem } from '../errors.js';
import type { Profile } from '../profile/types.js';
import { apiserverComponent } from './components/apiserver.js';
import { annotationsComponent } from './components/annotations.js';
import { blackboxExporterComponent } from './components/blackbox-exporter.js';
import type { ComponentContext, ComponentParts } from './components/context.js';
import { controlPlaneComponent } from './components/control-plane.js';
import { kubeStateMetricsComponent } from './components/kube-state-metrics.js';
import { kubeletComponent } from './components/kubelet.js';
import { LOCAL_PROMETHEUS_NAME, localPrometheusUrl, localPrometheusWorkload, usesLocalPrometheus } from './components/local-prometheus.js';
import { nodeExporterComponent } from './components/node-exporter.js';
import { ALERTMANAGER_NAME, alertmanagerAddress, alertmanagerWorkload } from './components/alertmanager.js';
import { selfMonitoringComponent } from './components/self-monitoring.js';
import { CREDENTIALS_SECRET_NAME, mountPathOf, resolveRemoteWrite } from './credentials.js';
import { inventoryOf } from '../render/applyset.js';
import { resolveImages } from './images.js';
import { deriveRbac } from './rbac.js';
import { mergePodSettings, ownPodSettings } from './pod-settings.js';
import { KSM_NAME, ksmTargets } from './components/kube-state-metrics.js';
import { deepMerge } from '../profile/merge.js';
import { clusterAgentResources, DEFAULT_PODS_PER_NODE, nodeAgentResources } from './sizing.js';
import { NODE_EXPORTER_NAME } from './components/node-exporter.js';
import { BLACKBOX_NAME } from './components/blackbox-exporter.js';
import type { PodSettings, Resources } from '../profile/types.js';
import type { AgentModel, AgentScope, Model, ScrapeJob, WorkloadModel } from './types.js';
import { coverageMessage, ruleCoverageProblems, ruleFileText, selectRuleGroups } from '../rules/index.js';
import { renderedJobs } from '../rules/coverage.js';
import { dashboardCoverageProblems, dashboardText, selectDashboards } from '../dashboards/index.js';

export const AGENT_NAMES: Record<AgentScope, string> = {
  node: 'k8smon-agent-node',
  cluster: 'k8smon-agent-cluster',
};

export interface BuildResult {
  model: Model;
  /** Things the user should know, printed on stderr. */
  notices: InputProblem[];
  /** Things that are probably not what the user wants (a rule or panel whose metric an allow-list drops). */
  warnings: InputProblem[];
}

/** Every component builder, in the order its jobs appear in the agent configs. */
const COMPONENT_BUILDERS: { enabled: (p: Profile) => boolean; build: (ctx: ComponentContext) => ComponentParts }[] = [
  { enabled: () => true, build: kubeletComponent },
  { enabled: (p) => p.components.apiserver.enabled, build: apiserverComponent },
  { enabled: () => true, build: controlPlaneComponent },
  { enabled: (p) => p.components.kubeStateMetrics.enabled, build: kubeStateMetricsComponent },
  { enabled: (p) => p.components.nodeExporter.enabled, build: nodeExporterComponent },
  { enabled: (p) => p.components.blackboxExporter.enabled, build: blackboxExporterComponent },
  { enabled: () => true, build: annotationsComponent },
  { enabled: (p) => p.components.selfMonitoring.enabled, build: selfMonitoringComponent },
];

export function buildModel(profile: Profile, env: Readonly<Record<string, string | undefined>>): BuildResult {
  const kind = agentKind(profile.agent.kind);
  const derived = defaultShards(profile.cluster.nodes);
  const shards = profile.agent.cluster?.shards ?? (kind.shardable ? derived : 1);
  const ctx: ComponentContext = {
    profile,
    namespace: profile.namespace,
    images: resolveImages(profile),
    agentNames: AGENT_NAMES,
    agentMetricsPorts: kind.metricsPorts,
    clusterShards: shards,
  };
  const notices: InputProblem[] = [];
  const jobs: ScrapeJob[] = [];
  const workloads: WorkloadModel[] = [];
  for (const builder of COMPONENT_BUILDERS) {
    if (!builder.enabled(profile)) continue;
    const parts = builder.build(ctx);
    jobs.push(...parts.jobs);
    workloads.push(...(parts.workloads ?? []));
    notices.push(...(parts.notices ?? []));
  }
  jobs.push(...extraJobs(profile, jobs));

  if (profile.agent.cluster?.shards === undefined && !kind.shardable && derived > 1) {
    notices.push({
      path: 'agent.cluster.shards',
      message: `${profile.cluster.nodes} nodes would get ${derived} cluster-scope shards, but agent.kind ${kind.name} does not run sharded: one replica scrapes every cluster-scope target`,
    });
  }
  // Sized from the cluster (src/model/sizing.ts); a figure the profile gives replaces the computed one.
  const nodes = profile.cluster.nodes;
  const podsPerNode = profile.cluster.podsPerNode ?? DEFAULT_PODS_PER_NODE;
  const ksmAddresses = profile.components.kubeStateMetrics.enabled ? ksmTargets(ctx) : [];
  const sized: Record<AgentScope, Resources> = {
    node: nodeAgentResources(podsPerNode),
    cluster: clusterAgentResources(nodes, podsPerNode, shards, ksmAddresses),
  };
  const agents: AgentModel[] = (['node', 'cluster'] as const).map((scope) => {
    const scoped = jobs.filter((j) => j.scope === scope);
    return {
      scope,
      name: AGENT_NAMES[scope],
      jobs: scoped,
      rbac: deriveRbac(scoped),
      resources: deepMerge(sized[scope], profile.agent.resources?.[scope]) as Resources,
      hostNetwork: scoped.some((j) => j.hostNetwork === true),
      shards: scope === 'cluster' ? shards : 1,
    };
  });
  if (agents[0]!.hostNetwork) {
    const which = agents[0]!.jobs.filter((j) => j.hostNetwork).map((j) => j.config.job_name);
    notices.push({
      path: 'components',
      message: `${which.join(', ')} listen on the node's 127.0.0.1, so the node agent runs on the host network and the namespace allows "privileged" pods`,
    });
  }

  const monitoring = rulesAndDashboards(profile, jobs);
  const volumeClaims: Model['volumeClaims'] = [];
  let destinations = profile.remoteWrite ?? [];
  if (usesLocalPrometheus(profile)) {
    const alerting = profile.alertmanager?.enabled === true;
    const local = localPrometheusWorkload(ctx, monitoring.rules?.text, alerting ? alertmanagerAddress(profile.namespace) : undefined);
    workloads.push(local.workload);
    if (alerting) workloads.push(alertmanagerWorkload(ctx));
    if (local.volumeClaim !== undefined) volumeClaims.push(local.volumeClaim);
    destinations = [{ name: 'local', url: localPrometheusUrl(profile.namespace) }];
    const p = profile.localPrometheus;
    notices.push({
      path: 'remoteWrite',
      message: `no destination configured: adding a single-replica Prometheus (${LOCAL_PROMETHEUS_NAME} in namespace ${profile.namespace}, retention ${p.retention} / ${p.retentionSize}, ${p.storage.kind} storage) as the remote_write receiver`,
    });
  }

  const credentials = resolveRemoteWrite(destinations, env);
  if (credentials.problems.length > 0) throw new InvalidInputError('Credentials are missing.', credentials.problems);

  const model: Model = {
    namespace: profile.namespace,
    clusterName: profile.cluster.name,
    externalLabels: { ...profile.externalLabels },
    agentKind: profile.agent.kind,
    ...(profile.agent.wal?.hostPath !== undefined ? { agentWal: { hostPath: profile.agent.wal.hostPath } } : {}),
    scrapeInterval: profile.agent.scrapeInterval,
    scrapeTimeout: profile.agent.scrapeTimeout,
    agents,
    remoteWrite: credentials.targets,
    mountedSecrets: [...credentials.mounts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([secretName, keys]) => ({ secretName, keys: [...keys].sort(), mountPath: mountPathOf(secretName) })),
    workloads,
    volumeClaims,
    images: ctx.images,
    networkPolicies: profile.networkPolicies.enabled,
    inventory: inventoryOf(profile),
    podSettings: podSettingsByWorkload(profile),
    serviceAccountAnnotations: serviceAccountAnnotations(profile),
    dashboards: monitoring.dashboards,
  };
  if (monitoring.rules !== undefined) model.rules = monitoring.rules;
  if (Object.keys(credentials.secretData).length > 0) {
    model.credentialsSecret = { name: CREDENTIALS_SECRET_NAME, data: credentials.secretData };
  }
  return { model, notices, warnings: monitoring.warnings };
}

/**
 * The rules and dashboards for these jobs, and a warning for each rule or
 * panel whose metric the jobs' metric relabeling (the allow-lists, the
 * user's drop) removes.
 */
function rulesAndDashboards(profile: Profile, jobs: readonly ScrapeJob[]): { rules?: NonNullable<Model['rules']>; dashboards: Model['dashboards']; warnings: InputProblem[] } {
  const rendered = renderedJobs(jobs.map((j) => j.config));
  const groups = profile.rules.enabled ? selectRuleGroups(profile, rendered) : [];
  const dashboards = profile.dashboards.enabled ? selectDashboards(rendered) : [];
  const problems = [...ruleCoverageProblems(groups, rendered), ...dashboardCoverageProblems(dashboards, rendered)];
  const componentOf = new Map(jobs.map((j) => [j.config.job_name, j.component]));
  const warnings = problems.map((p) => {
    const components = [...new Set(p.droppedBy.map((name) => componentOf.get(name)))].filter((c) => c !== undefined);
    const path = components.length > 0 ? components.map((c) => `components.${c}.metrics`).join(', ') : 'components';
    return { path, message: coverageMessage(p, components.length > 0 ? components.map((c) => `components.${c}.metrics.keep`).join(' or ') : undefined) };
  });
  return {
    ...(profile.rules.enabled ? { rules: { groups, text: ruleFileText(groups), prometheusRule: profile.rules.prometheusRule } } : {}),
    dashboards: dashboards.map((d) => ({ name: d.name, fileName: d.fileName, text: dashboardText(d) })),
    warnings,
  };
}

/**
 * The user's extraScrapeConfigs, on the cluster agent. Their discovery RBAC
 * is derived like every job's; what scraping needs beyond it (nodes/metrics,
 * a nonResourceURL) is not known, so none is granted.
 */
function extraJobs(profile: Profile, rendered: readonly ScrapeJob[]): ScrapeJob[] {
  const taken = new Set(rendered.map((j) => j.config.job_name));
  const problems: InputProblem[] = [];
  const extra = (profile.extraScrapeConfigs ?? []).map((config, i): ScrapeJob => {
    if (taken.has(config.job_name)) {
      problems.push({ path: `extraScrapeConfigs[${i}].job_name`, message: `"${config.job_name}" is the name of a job k8smon renders; pick another (the render's jobs: ${[...taken].sort().join(', ')})` });
    }
    return { component: 'extraScrapeConfigs', scope: 'cluster', config: { ...config, relabel_configs: config.relabel_configs ?? [] }, scrapeAccess: [] };
  });
  if (problems.length > 0) throw new InvalidInputError('extraScrapeConfigs clash with the render.', problems);
  return extra;
}

function podSettingsByWorkload(profile: Profile): Record<string, PodSettings> {
  const own = ownPodSettings(profile);
  const defaults = profile.podDefaults;
  return {
    [AGENT_NAMES.node]: mergePodSettings(defaults, own.agent),
    [AGENT_NAMES.cluster]: mergePodSettings(defaults, own.agent),
    [KSM_NAME]: mergePodSettings(defaults, own.kubeStateMetrics),
    [NODE_EXPORTER_NAME]: mergePodSettings(defaults, own.nodeExporter),
    [BLACKBOX_NAME]: mergePodSettings(defaults, own.blackboxExporter),
    [LOCAL_PROMETHEUS_NAME]: mergePodSettings(defaults, own.localPrometheus),
    [ALERTMANAGER_NAME]: mergePodSettings(defaults, own.alertmanager),
  };
}

function serviceAccountAnnotations(profile: Profile): Record<string, Record<string, string>> {
  const annotations = profile.agent.serviceAccount?.annotations ?? {};
  if (Object.keys(annotations).length === 0) return {};
  return { [AGENT_NAMES.node]: { ...annotations }, [AGENT_NAMES.cluster]: { ...annotations } };
}
