/**
 * TypeScript view of a profile after defaults, preset, file and --set are merged
 * and the result has passed schema validation (see resolve.ts). Keep in step with
 * schema.ts; test/profile.test.ts checks that the defaults validate.
 */
import type { ScrapeConfig } from '../model/types.js';
import type { COMPONENT_NAMES, IMAGE_NAMES, KSM_COLLECTORS, KUBELET_ACCESS_MODES, PLATFORMS } from './vocabulary.js';

export type Platform = (typeof PLATFORMS)[number];
/** A name from the registry of agent kinds (src/agents/registry.ts); the schema's enum refuses any other. */
export type AgentKind = string;
export type KubeletAccess = (typeof KUBELET_ACCESS_MODES)[number];
export type ComponentName = (typeof COMPONENT_NAMES)[number];
export type ImageName = (typeof IMAGE_NAMES)[number];
export type KsmCollector = (typeof KSM_COLLECTORS)[number];

export interface MetricsFilter {
  allowlist: boolean;
  keep: string[];
  drop: string[];
}

export interface ImageOverride {
  registry?: string;
  repository?: string;
  tag?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

/** podDefaults, and the per-workload override of it. */
export interface PodSettings {
  imagePullSecrets?: string[];
  priorityClassName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Record<string, unknown>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Components {
  kubelet: { enabled: boolean; resourceMetrics: boolean; probeMetrics: boolean; metrics: MetricsFilter };
  cadvisor: { enabled: boolean; metrics: MetricsFilter };
  apiserver: { enabled: boolean; metrics: MetricsFilter };
  kubeStateMetrics: { enabled: boolean; collectors: KsmCollector[]; metrics: MetricsFilter; resources?: Resources; pod?: PodSettings; shards?: number };
  nodeExporter: { enabled: boolean; metrics: MetricsFilter; resources: Resources; pod?: PodSettings };
  blackboxExporter: { enabled: boolean; icmp: boolean; resources: Resources; pod?: PodSettings };
  annotatedPods: { enabled: boolean };
  annotatedServices: { enabled: boolean };
  kubeProxy: { enabled: boolean };
  kubeScheduler: { enabled: boolean };
  kubeControllerManager: { enabled: boolean };
  etcd: { enabled: boolean };
  coreDns: { enabled: boolean };
  kubeDns: { enabled: boolean };
  eksControlPlane: { enabled: boolean };
  selfMonitoring: { enabled: boolean; metrics: MetricsFilter };
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export type ValueFrom = { env: string; secret?: undefined } | { secret: SecretKeyRef; env?: undefined };

export interface ResourceValues {
  cpu?: string;
  memory?: string;
}
export interface Resources {
  requests?: ResourceValues;
  limits?: ResourceValues;
}

export interface RemoteWriteProfile {
  url: string;
  name?: string;
  basicAuth?: { username: string; password?: string; passwordFrom?: ValueFrom };
  bearerToken?: string;
  bearerTokenFrom?: ValueFrom;
  headers?: Record<string, string>;
  tls?: { insecureSkipVerify?: boolean; serverName?: string; ca?: string };
  writeRelabelConfigs?: RelabelConfigProfile[];
  queue?: RemoteWriteQueue;
  proxyUrl?: string;
  sigv4?: { region: string; roleArn?: string };
  oauth2?: { clientId: string; clientSecret?: string; clientSecretFrom?: ValueFrom; tokenUrl: string; scopes?: string[] };
}

/** A Prometheus relabel config as the profile takes it (Prometheus' own field names). */
export interface RelabelConfigProfile {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: string;
}

export interface RemoteWriteQueue {
  capacity?: number;
  maxShards?: number;
  minShards?: number;
  maxSamplesPerSend?: number;
  batchSendDeadline?: string;
  minBackoff?: string;
  maxBackoff?: string;
}

export interface Profile {
  preset?: string;
  cluster: { name: string; platform: Platform; controlPlane: 'managed' | 'self-hosted'; nodes: number; podsPerNode?: number };
  imageRegistry?: string;
  images?: Partial<Record<ImageName, ImageOverride>>;
  components: Components;
  networkPolicies: { enabled: boolean };
  /** Alerting and recording rules for the jobs rendered (src/rules/). */
  rules: { enabled: boolean; prometheusRule: boolean; runbookBaseUrl: string };
  /** Grafana dashboards as ConfigMaps for Grafana's sidecar (src/dashboards/). */
  dashboards: { enabled: boolean };
  /** An Alertmanager for the in-cluster Prometheus' alerts; off unless enabled, with at least one receiver. */
  alertmanager?: AlertmanagerProfile;
  namespace: string;
  /** Where apply records what it created; the name defaults to k8smon-<cluster.name>. */
  inventory?: { name?: string };
  agent: {
    kind: AgentKind;
    scrapeInterval: string;
    scrapeTimeout: string;
    /** Sized from cluster.nodes and podsPerNode (src/model/sizing.ts) unless given; a given figure replaces that one. */
    resources?: { node?: Resources; cluster?: Resources };
    pod?: PodSettings;
    serviceAccount?: { annotations?: Record<string, string> };
    /** The cluster-scope agent; shards default from cluster.nodes (src/agents/shared/sharding.ts). */
    cluster?: { shards?: number };
    /** The node-local agent's WAL on its node instead of an emptyDir (agent kinds with walOnHost). */
    wal?: { hostPath?: string };
  };
  kubelet: { access: KubeletAccess; insecureSkipVerify: boolean };
  remoteWrite?: RemoteWriteProfile[];
  localPrometheus: {
    retention: string;
    retentionSize: string;
    storage: { kind: 'emptyDir' | 'persistentVolumeClaim'; size: string; storageClassName?: string };
    resources: Resources;
    pod?: PodSettings;
  };
  podDefaults?: PodSettings;
  externalLabels?: Record<string, string>;
  /** The user's own jobs, in Prometheus' scrape_config shape (the fields every agent kind renders), run by the cluster agent. */
  extraScrapeConfigs?: (Omit<ScrapeConfig, 'relabel_configs'> & { relabel_configs?: ScrapeConfig['relabel_configs'] })[];
}

/** Where an alert goes: Slack, e-mail and/or a webhook; credentials only from existing Secrets. */
export interface AlertReceiverProfile {
  name: string;
  slack?: { channel: string; apiUrlFrom: { secret: SecretKeyRef } };
  email?: { to: string; from: string; smarthost: string; authUsername?: string; authPasswordFrom?: { secret: SecretKeyRef } };
  webhook?: { url: string; bearerTokenFrom?: { secret: SecretKeyRef } };
}

export interface AlertmanagerProfile {
  enabled: boolean;
  receivers: AlertReceiverProfile[];
  resources: Resources;
  pod?: PodSettings;
}
