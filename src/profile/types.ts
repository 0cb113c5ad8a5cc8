/**
 * TypeScript view of a profile after defaults, preset, file and --set are merged
 * and the result has passed schema validation (see resolve.ts). Keep in step with
 * schema.ts; test/profile.test.ts checks that the defaults validate.
 */
import type { AGENT_KINDS, KUBELET_ACCESS_MODES, PLATFORMS } from './schema.js';

export type Platform = (typeof PLATFORMS)[number];
export type AgentKind = (typeof AGENT_KINDS)[number];
export type KubeletAccess = (typeof KUBELET_ACCESS_MODES)[number];

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
}

export interface Profile {
  preset?: string;
  cluster: { name: string; platform: Platform; controlPlane: 'managed' | 'self-hosted' };
  namespace: string;
  agent: {
    kind: AgentKind;
    scrapeInterval: string;
    scrapeTimeout: string;
    resources: { node: Resources; cluster: Resources };
  };
  kubelet: { access: KubeletAccess; insecureSkipVerify: boolean };
  remoteWrite?: RemoteWriteProfile[];
  localPrometheus: {
    retention: string;
    retentionSize: string;
    storage: { kind: 'emptyDir' | 'persistentVolumeClaim'; size: string; storageClassName?: string };
    resources: Resources;
  };
}
