/**
 * The model: a plain, typed description of what to deploy, independent of
 * templates and of the agent kind. profile → model → render.
 *
 * Scrape configs are kept in Prometheus' own YAML shape (snake_case field names),
 * because that is what every agent kind consumes and what promtool checks.
 */

/** Where a job runs: on every node's agent (DaemonSet) or once (cluster-scope Deployment). */
export type AgentScope = 'node' | 'cluster';

export type { DiscoveryRole as KubernetesSdRole } from '../runtime/semantics/discovery/discover.js';
import type { DiscoveryRole as KubernetesSdRole } from '../runtime/semantics/discovery/discover.js';

export interface KubernetesSdConfig {
  role: KubernetesSdRole;
  namespaces?: { names: string[] };
  selectors?: { role: KubernetesSdRole; label?: string; field?: string }[];
  attach_metadata?: { node?: boolean };
}

/** A relabel rule as the runtime reads it, with the action narrowed to the ones that exist. */
export type RelabelConfig = Omit<RuntimeRelabelConfig, 'action'> & { action?: RelabelAction };

export interface TlsConfig {
  ca_file?: string;
  server_name?: string;
  insecure_skip_verify?: boolean;
}

export interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  scheme?: 'http' | 'https';
  metrics_path?: string;
  params?: Record<string, string[]>;
  honor_labels?: boolean;
  authorization?: { type?: string; credentials_file?: string };
  tls_config?: TlsConfig;
  kubernetes_sd_configs?: KubernetesSdConfig[];
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
}

/** One RBAC rule, as in a (Cluster)Role. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
  /** Only these objects (a workload that reads itself: kube-state-metrics' automated sharding). */
  resourceNames?: string[];
}

export interface ScrapeJob {
  /** The profile component this job belongs to; extraScrapeConfigs for the user's own jobs. */
  component: ComponentName | 'extraScrapeConfigs';
  scope: AgentScope;
  /** The target listens on the node's loopback, so the node agent must share the host network. */
  hostNetwork?: boolean;
  config: ScrapeConfig;
  /**
   * What the agent must be allowed to do to *scrape* the targets (the kubelet's
   * nodes/metrics, the apiserver's /metrics). What it needs to *discover* them is
   * derived from config.kubernetes_sd_configs, so it cannot drift.
   */
  scrapeAccess: PolicyRule[];
}

/** RBAC for one agent: cluster-wide rules, and rules confined to namespaces. */
export interface RbacGrant {
  clusterRules: PolicyRule[];
  namespacedRules: { namespace: string; rules: PolicyRule[] }[];
}

/** A file the agent reads a credential from: a key of a Secret, mounted. */
export interface CredentialFile {
  secretName: string;
  key: string;
  /** Absolute path inside the agent container. */
  path: string;
}

export interface RemoteWriteTarget {
  name: string;
  url: string;
  basicAuth?: { username: string; passwordFile: CredentialFile };
  bearerTokenFile?: CredentialFile;
  headers?: Record<string, string>;
  tls?: { insecureSkipVerify?: boolean; serverName?: string; caFile?: CredentialFile };
  writeRelabelConfigs?: RelabelConfig[];
  queue?: RemoteWriteQueue;
  proxyUrl?: string;
  sigv4?: { region: string; roleArn?: string };
  oauth2?: { clientId: string; clientSecretFile: CredentialFile; tokenUrl: string; scopes?: string[] };
}

/** Container resources pass through from the profile unchanged. */
export type { ResourceValues, Resources } from '../profile/types.js';
import type { ComponentName, ImageName, PodSettings, RemoteWriteQueue, Resources } from '../profile/types.js';
import type { RelabelAction, RelabelConfig as RuntimeRelabelConfig } from '../runtime/semantics/relabel/relabel.js';

export interface AgentModel {
  scope: AgentScope;
  /** Name of the workload, its ServiceAccount, RBAC and ConfigMap. */
  name: string;
  jobs: ScrapeJob[];
  rbac: RbacGrant;
  resources: Resources;
  /** Derived from the jobs: some target is bound to the node's 127.0.0.1. */
  hostNetwork: boolean;
  /** Replicas that share the targets (hashmod of __address__); 1 for the node agent and an unsharded cluster agent. */
  shards: number;
}

/** Pod Security Standards level a pod needs. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: 'TCP';
}

export interface ContainerModel {
  name: string;
  image: string;
  /** Replaces the image's entrypoint; absent: the image's own. */
  command?: string[];
  args: string[];
  env?: Record<string, unknown>[];
  ports?: ContainerPort[];
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  resources: Resources;
  securityContext: Record<string, unknown>;
  volumeMounts: Record<string, unknown>[];
}

/** Everything k8smon runs in the cluster: one Deployment, DaemonSet or StatefulSet with what belongs to it. */
export interface WorkloadModel {
  name: string;
  /** app.kubernetes.io/component */
  component: string;
  kind: 'DaemonSet' | 'Deployment' | 'StatefulSet';
  /** A StatefulSet's replicas. */
  replicas?: number;
  /** A StatefulSet's governing Service (headless): its pods get DNS names `<pod>.<service>.<namespace>.svc`. */
  serviceName?: string;
  /** A PodDisruptionBudget over its pods: at most this many evicted at once (voluntary disruptions: drains, upgrades). */
  maxUnavailable?: number;
  /** Whether the pod gets a ServiceAccount token (only pods that call the API). */
  automountToken: boolean;
  rbac: RbacGrant;
  /** binaryData: base64 of bytes that are not UTF-8 text (the embedded agent's gzip bundle). */
  configMaps: { name: string; data: Record<string, string>; binaryData?: Record<string, string> }[];
  /** Ports of a ClusterIP Service in front of the pods, if any. */
  service?: { name: string; port: number; targetPort: string }[];
  /** The Service has no cluster IP: each pod is reached (and scraped) on its own. */
  headlessService?: boolean;
  podSecurity: PodSecurityLevel;
  pod: {
    hostNetwork?: boolean;
    hostPID?: boolean;
    dnsPolicy?: string;
    tolerations?: Record<string, unknown>[];
    nodeSelector?: Record<string, string>;
    securityContext: Record<string, unknown>;
    /** Run to completion, in order, before the containers start. */
    initContainers?: ContainerModel[];
    containers: ContainerModel[];
    volumes: Record<string, unknown>[];
  };
  /** With networkPolicies on: the agents allowed to reach the Service ports. */
  scrapedBy?: AgentScope[];
}

export interface ContainerImage {
  registry: string;
  repository: string;
  tag: string;
}


export interface Model {
  namespace: string;
  clusterName: string;
  /** externalLabels of the profile; `cluster` is clusterName and never among them. */
  externalLabels: Record<string, string>;
  /** The profile's agent.kind: the plug-in in src/agents/ that renders the agents. */
  agentKind: string;
  scrapeInterval: string;
  scrapeTimeout: string;
  agents: AgentModel[];
  /** agent.wal.hostPath: the node-local agent keeps its WAL in this directory of its node (kinds with walOnHost only). */
  agentWal?: { hostPath: string };
  remoteWrite: RemoteWriteTarget[];
  /** The Secret k8smon renders with credentials it was given; absent when there are none. */
  credentialsSecret?: { name: string; data: Record<string, string> };
  /** Every Secret (rendered or pre-existing) the agents mount, with the keys they read. */
  mountedSecrets: { secretName: string; keys: string[]; mountPath: string }[];
  /** Exporters and the in-cluster Prometheus; the agents are rendered from `agents`. */
  workloads: WorkloadModel[];
  /** PersistentVolumeClaims the workloads use. */
  volumeClaims: { name: string; size: string; storageClassName?: string }[];
  images: Record<ImageName, string>;
  networkPolicies: boolean;
  /** The ApplySet parent that records what apply created, and the id its members carry. */
  inventory: { name: string; namespace: string; id: string };
  /** Pod settings from podDefaults and the per-component overrides, by workload name. */
  podSettings: Record<string, PodSettings>;
  /** Extra ServiceAccount annotations (IRSA, Workload Identity), by workload name. */
  serviceAccountAnnotations: Record<string, Record<string, string>>;
  /** Alerting and recording rules for the jobs above (absent with rules.enabled false). */
  rules?: { groups: PromRuleGroup[]; text: string; prometheusRule: boolean };
  /** Grafana dashboards for the jobs above, as JSON text (empty with dashboards.enabled false). */
  dashboards: { name: string; fileName: string; text: string }[];
}

import type { PromRuleGroup } from '../rules/index.js';
