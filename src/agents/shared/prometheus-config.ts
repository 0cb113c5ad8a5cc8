/**
 * Model → the Prometheus configuration blocks every agent kind embeds
 * (remote_write entries, global settings). Field names are Prometheus' own.
 */
import type { Model, RelabelConfig, RemoteWriteTarget } from '../../model/types.js';
import type { RemoteWriteQueue } from '../../profile/types.js';

export interface PrometheusRemoteWrite {
  name: string;
  url: string;
  basic_auth?: { username: string; password_file: string };
  authorization?: { type: 'Bearer'; credentials_file: string };
  headers?: Record<string, string>;
  tls_config?: { insecure_skip_verify?: boolean; server_name?: string; ca_file?: string };
  sigv4?: { region: string; role_arn?: string };
  oauth2?: { client_id: string; client_secret_file: string; token_url: string; scopes?: string[] };
  proxy_url?: string;
  write_relabel_configs?: RelabelConfig[];
  queue_config?: Record<string, string | number>;
}

/** The profile's camelCase queue fields, in Prometheus' queue_config names. */
const QUEUE_FIELDS: Record<keyof RemoteWriteQueue, string> = {
  capacity: 'capacity',
  maxShards: 'max_shards',
  minShards: 'min_shards',
  maxSamplesPerSend: 'max_samples_per_send',
  batchSendDeadline: 'batch_send_deadline',
  minBackoff: 'min_backoff',
  maxBackoff: 'max_backoff',
};

export function remoteWriteConfig(target: RemoteWriteTarget): PrometheusRemoteWrite {
  const out: PrometheusRemoteWrite = { name: target.name, url: target.url };
  if (target.basicAuth !== undefined) {
    out.basic_auth = { username: target.basicAuth.username, password_file: target.basicAuth.passwordFile.path };
  }
  if (target.bearerTokenFile !== undefined) {
    out.authorization = { type: 'Bearer', credentials_file: target.bearerTokenFile.path };
  }
  if (target.headers !== undefined) out.headers = sortedRecord(target.headers);
  if (target.tls !== undefined) {
    const tls: NonNullable<PrometheusRemoteWrite['tls_config']> = {};
    if (target.tls.caFile !== undefined) tls.ca_file = target.tls.caFile.path;
    if (target.tls.serverName !== undefined) tls.server_name = target.tls.serverName;
    if (target.tls.insecureSkipVerify !== undefined) tls.insecure_skip_verify = target.tls.insecureSkipVerify;
    out.tls_config = tls;
  }
  if (target.sigv4 !== undefined) {
    // No keys: the AWS SDK's default chain finds the pod's IRSA web identity.
    out.sigv4 = { region: target.sigv4.region, ...(target.sigv4.roleArn !== undefined ? { role_arn: target.sigv4.roleArn } : {}) };
  }
  if (target.oauth2 !== undefined) {
    const o = target.oauth2;
    out.oauth2 = { client_id: o.clientId, client_secret_file: o.clientSecretFile.path, token_url: o.tokenUrl, ...(o.scopes !== undefined ? { scopes: o.scopes } : {}) };
  }
  if (target.proxyUrl !== undefined) out.proxy_url = target.proxyUrl;
  if (target.queue !== undefined) {
    const queue: Record<string, string | number> = {};
    for (const [field, key] of Object.entries(QUEUE_FIELDS) as [keyof RemoteWriteQueue, string][]) {
      const value = target.queue[field];
      if (value !== undefined) queue[key] = value;
    }
    out.queue_config = queue;
  }
  if (target.writeRelabelConfigs !== undefined) out.write_relabel_configs = target.writeRelabelConfigs;
  return out;
}

export function globalConfig(model: Model): { scrape_interval: string; scrape_timeout: string; external_labels: Record<string, string> } {
  return {
    scrape_interval: model.scrapeInterval,
    scrape_timeout: model.scrapeTimeout,
    // `cluster` is always cluster.name: validation refuses it among externalLabels, and it is dropped here too.
    external_labels: { cluster: model.clusterName, ...sortedRecord(Object.fromEntries(Object.entries(model.externalLabels).filter(([k]) => k !== 'cluster'))) },
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
