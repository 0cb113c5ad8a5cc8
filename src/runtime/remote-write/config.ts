/**
 * A remote_write entry in Prometheus' YAML shape → the sender's settings,
 * with Prometheus' defaults (config/config.go, DefaultQueueConfig of 2.4x):
 * capacity 10000, max_shards 50, min_shards 1, max_samples_per_send 2000,
 * batch_send_deadline 5s, min_backoff 30ms, max_backoff 5s, remote_timeout 30s.
 */
import { compileRelabelConfigs, type CompiledRelabel } from '../semantics/relabel/relabel.js';
import type { RemoteWriteYaml } from './types.js';

export class RemoteWriteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteWriteConfigError';
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** A Prometheus duration ("30s", "1m30s", "250ms") in milliseconds. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let ms = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) throw new RemoteWriteConfigError(`not a valid duration string: "${text}"`);
    ms += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (text === '') throw new RemoteWriteConfigError('empty duration string');
  return ms;
}

export interface QueueSettings {
  capacity: number;
  shards: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retryOn429: boolean;
}

export interface SenderSettings {
  name: string;
  url: URL;
  timeoutMs: number;
  headers: Record<string, string>;
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  bearer?: { type: string; credentials?: string; credentialsFile?: string };
  oauth2?: { clientId: string; clientSecret?: string; clientSecretFile?: string; tokenUrl: string; scopes: string[]; endpointParams: Record<string, string> };
  sigv4?: { region: string; accessKey?: string; secretKey?: string; roleArn?: string };
  tls: { ca?: string; caFile?: string; certFile?: string; keyFile?: string; serverName?: string; insecureSkipVerify: boolean };
  proxyUrl?: URL;
  writeRelabel: CompiledRelabel[];
  queue: QueueSettings;
}

/** Headers Prometheus refuses in `headers` (it sets them itself). */
const RESERVED_HEADERS = ['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'accept-encoding', 'x-prometheus-remote-write-version', 'x-prometheus-remote-read-version', 'x-prometheus-scrape-timeout-seconds', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

/**
 * Settings from one remote_write entry. `shards` is fixed (Prometheus
 * reshards between min_shards and max_shards by throughput; this sender runs
 * max(min_shards, min(4, max_shards)) shards for its lifetime).
 */
export function senderSettings(entry: RemoteWriteYaml, index = 0): SenderSettings {
  if (typeof entry.url !== 'string' || entry.url === '') throw new RemoteWriteConfigError(`remote_write[${index}]: url is required`);
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    throw new RemoteWriteConfigError(`remote_write[${index}]: url ${JSON.stringify(entry.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RemoteWriteConfigError(`remote_write[${index}]: url scheme must be http or https`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry.headers ?? {})) {
    if (RESERVED_HEADERS.includes(k.toLowerCase())) throw new RemoteWriteConfigError(`remote_write[${index}]: ${k} is a reserved header. It must not be changed`);
    headers[k] = String(v);
  }
  const auths = [entry.basic_auth, entry.authorization ?? (entry.bearer_token ?? entry.bearer_token_file) ?? undefined, entry.oauth2, entry.sigv4].filter((a) => a !== undefined);
  if (auths.length > 1) throw new RemoteWriteConfigError(`remote_write[${index}]: at most one of basic_auth, authorization, oauth2 and sigv4 may be configured`);
  const q = entry.queue_config ?? {};
  const maxShards = q.max_shards ?? 50;
  const minShards = q.min_shards ?? 1;
  const settings: SenderSettings = {
    name: entry.name ?? `remote-write-${index}`,
    url,
    timeoutMs: parseDuration(entry.remote_timeout ?? '30s'),
    headers,
    tls: {
      ...(entry.tls_config?.ca !== undefined ? { ca: entry.tls_config.ca } : {}),
      ...(entry.tls_config?.ca_file !== undefined ? { caFile: entry.tls_config.ca_file } : {}),
      ...(entry.tls_config?.cert_file !== undefined ? { certFile: entry.tls_config.cert_file } : {}),
      ...(entry.tls_config?.key_file !== undefined ? { keyFile: entry.tls_config.key_file } : {}),
      ...(entry.tls_config?.server_name !== undefined ? { serverName: entry.tls_config.server_name } : {}),
      insecureSkipVerify: entry.tls_config?.insecure_skip_verify === true,
    },
    writeRelabel: compileRelabelConfigs(entry.write_relabel_configs ?? []),
    queue: {
      capacity: positive(q.capacity ?? 10000, 'capacity', index),
      shards: Math.max(positive(minShards, 'min_shards', index), Math.min(4, positive(maxShards, 'max_shards', index))),
      maxSamplesPerSend: positive(q.max_samples_per_send ?? 2000, 'max_samples_per_send', index),
      batchSendDeadlineMs: parseDuration(q.batch_send_deadline ?? '5s'),
      minBackoffMs: parseDuration(q.min_backoff ?? '30ms'),
      maxBackoffMs: parseDuration(q.max_backoff ?? '5s'),
      // Prometheus 2.4x retries a 429 by default; the old switch can turn it off.
      retryOn429: q.retry_on_http_429 !== false,
    },
  };
  if (entry.basic_auth !== undefined) {
    const b = entry.basic_auth;
    settings.basicAuth = { username: b.username ?? '', ...(b.password !== undefined ? { password: b.password } : {}), ...(b.password_file !== undefined ? { passwordFile: b.password_file } : {}) };
  }
  if (entry.authorization !== undefined) {
    const a = entry.authorization;
    settings.bearer = { type: a.type ?? 'Bearer', ...(a.credentials !== undefined ? { credentials: a.credentials } : {}), ...(a.credentials_file !== undefined ? { credentialsFile: a.credentials_file } : {}) };
  } else if (entry.bearer_token !== undefined || entry.bearer_token_file !== undefined) {
    settings.bearer = { type: 'Bearer', ...(entry.bearer_token !== undefined ? { credentials: entry.bearer_token } : {}), ...(entry.bearer_token_file !== undefined ? { credentialsFile: entry.bearer_token_file } : {}) };
  }
  if (entry.oauth2 !== undefined) {
    const o = entry.oauth2;
    settings.oauth2 = {
      clientId: o.client_id,
      ...(o.client_secret !== undefined ? { clientSecret: o.client_secret } : {}),
      ...(o.client_secret_file !== undefined ? { clientSecretFile: o.client_secret_file } : {}),
      tokenUrl: o.token_url,
      scopes: o.scopes ?? [],
      endpointParams: o.endpoint_params ?? {},
    };
  }
  if (entry.sigv4 !== undefined) {
    const s = entry.sigv4;
    const region = s.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (region === undefined || region === '') throw new RemoteWriteConfigError(`remote_write[${index}]: sigv4 needs a region (or AWS_REGION)`);
    settings.sigv4 = { region, ...(s.access_key !== undefined ? { accessKey: s.access_key } : {}), ...(s.secret_key !== undefined ? { secretKey: s.secret_key } : {}), ...(s.role_arn !== undefined ? { roleArn: s.role_arn } : {}) };
  }
  if (entry.proxy_url !== undefined && entry.proxy_url !== '') {
    const proxy = new URL(entry.proxy_url);
    if (proxy.protocol !== 'http:') throw new RemoteWriteConfigError(`remote_write[${index}]: proxy_url must be an http:// proxy`);
    settings.proxyUrl = proxy;
  }
  if (settings.queue.minBackoffMs > settings.queue.maxBackoffMs) throw new RemoteWriteConfigError(`remote_write[${index}]: min_backoff exceeds max_backoff`);
  return settings;
}

function positive(n: number, field: string, index: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RemoteWriteConfigError(`remote_write[${index}]: queue_config.${field} must be a positive integer`);
  return n;
}
