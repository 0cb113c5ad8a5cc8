/**
 * Model → the Prometheus configuration blocks every agent kind embeds
 * (remote_write entries, global settings). Field names are Prometheus' own.
 */
import type { Model, RemoteWriteTarget } from '../../model/types.js';

export interface PrometheusRemoteWrite {
  name: string;
  url: string;
  basic_auth?: { username: string; password_file: string };
  authorization?: { type: 'Bearer'; credentials_file: string };
  headers?: Record<string, string>;
  tls_config?: { insecure_skip_verify?: boolean; server_name?: string; ca_file?: string };
}

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
  return out;
}

export function globalConfig(model: Model): { scrape_interval: string; scrape_timeout: string; external_labels: Record<string, string> } {
  return {
    scrape_interval: model.scrapeInterval,
    scrape_timeout: model.scrapeTimeout,
    external_labels: { cluster: model.clusterName },
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
