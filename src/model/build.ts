/** profile → model: which agents run which jobs, with what rights and credentials. */
import { InvalidInputError, type InputProblem } from '../errors.js';
import type { Profile } from '../profile/types.js';
import { CREDENTIALS_SECRET_NAME, mountPathOf, resolveRemoteWrite } from './credentials.js';
import { DEFAULT_IMAGES } from './images.js';
import { apiserverJob } from './jobs/apiserver.js';
import { kubeletJobs } from './jobs/kubelet.js';
import { deriveRbac } from './rbac.js';
import type { AgentModel, AgentScope, LocalPrometheusModel, Model, ScrapeJob } from './types.js';

export const AGENT_NAMES: Record<AgentScope, string> = {
  node: 'k8smon-agent-node',
  cluster: 'k8smon-agent-cluster',
};

export const LOCAL_PROMETHEUS_NAME = 'k8smon-prometheus';
const LOCAL_PROMETHEUS_PORT = 9090;

export interface BuildResult {
  model: Model;
  /** Things the user should know, printed on stderr. */
  notices: InputProblem[];
}

export function allJobs(profile: Profile): ScrapeJob[] {
  return [...kubeletJobs(profile.kubelet), apiserverJob()];
}

export function buildModel(profile: Profile, env: Readonly<Record<string, string | undefined>>): BuildResult {
  const notices: InputProblem[] = [];
  const jobs = allJobs(profile);
  const agents: AgentModel[] = (['node', 'cluster'] as const).map((scope) => {
    const scoped = jobs.filter((j) => j.scope === scope);
    return { scope, name: AGENT_NAMES[scope], jobs: scoped, rbac: deriveRbac(scoped), resources: profile.agent.resources[scope] };
  });

  let localPrometheus: LocalPrometheusModel | undefined;
  let destinations = profile.remoteWrite ?? [];
  if (destinations.length === 0) {
    localPrometheus = {
      name: LOCAL_PROMETHEUS_NAME,
      port: LOCAL_PROMETHEUS_PORT,
      ...profile.localPrometheus,
    };
    destinations = [{ name: 'local', url: `http://${LOCAL_PROMETHEUS_NAME}.${profile.namespace}.svc:${LOCAL_PROMETHEUS_PORT}/api/v1/write` }];
    notices.push({
      path: 'remoteWrite',
      message: `no destination configured: adding a single-replica Prometheus (${LOCAL_PROMETHEUS_NAME} in namespace ${profile.namespace}, retention ${profile.localPrometheus.retention} / ${profile.localPrometheus.retentionSize}, ${profile.localPrometheus.storage.kind} storage) as the remote_write receiver`,
    });
  }

  const credentials = resolveRemoteWrite(destinations, env);
  if (credentials.problems.length > 0) throw new InvalidInputError('Credentials are missing.', credentials.problems);

  const model: Model = {
    namespace: profile.namespace,
    clusterName: profile.cluster.name,
    agentKind: profile.agent.kind,
    scrapeInterval: profile.agent.scrapeInterval,
    scrapeTimeout: profile.agent.scrapeTimeout,
    agents,
    remoteWrite: credentials.targets,
    mountedSecrets: [...credentials.mounts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([secretName, keys]) => ({ secretName, keys: [...keys].sort(), mountPath: mountPathOf(secretName) })),
    images: { agent: { ...DEFAULT_IMAGES.agent }, prometheus: { ...DEFAULT_IMAGES.prometheus } },
  };
  if (Object.keys(credentials.secretData).length > 0) {
    model.credentialsSecret = { name: CREDENTIALS_SECRET_NAME, data: credentials.secretData };
  }
  if (localPrometheus !== undefined) model.localPrometheus = localPrometheus;
  return { model, notices };
}
