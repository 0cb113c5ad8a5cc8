/**
 * What the remote_write sender takes in and what it reports. A sample carries
 * its whole label set (`__name__` included), as a scrape produces it; the
 * sender interns the set into a series once and refers to it by number after.
 */
export interface RemoteSample {
  /** Every label of the series, `__name__` included; order does not matter. */
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the Unix epoch. */
  timestampMs: number;
}

/**
 * One destination in Prometheus' own remote_write YAML shape (snake_case), as
 * the rendered agent configs carry it (src/agents/shared/prometheus-config.ts).
 * Credentials are read from files, never taken inline, except `password` /
 * `credentials` / `client_secret` which Prometheus also accepts inline.
 */
export interface RemoteWriteYaml {
  url: string;
  name?: string;
  remote_timeout?: string;
  headers?: Record<string, string>;
  basic_auth?: { username?: string; password?: string; password_file?: string };
  authorization?: { type?: string; credentials?: string; credentials_file?: string };
  /** Prometheus' older spelling of `authorization`. */
  bearer_token?: string;
  bearer_token_file?: string;
  oauth2?: { client_id: string; client_secret?: string; client_secret_file?: string; token_url: string; scopes?: string[]; endpoint_params?: Record<string, string> };
  sigv4?: { region?: string; access_key?: string; secret_key?: string; profile?: string; role_arn?: string };
  tls_config?: { ca_file?: string; ca?: string; cert_file?: string; key_file?: string; server_name?: string; insecure_skip_verify?: boolean };
  proxy_url?: string;
  write_relabel_configs?: import('../semantics/relabel/relabel.js').RelabelConfig[];
  queue_config?: {
    capacity?: number;
    max_shards?: number;
    min_shards?: number;
    max_samples_per_send?: number;
    batch_send_deadline?: string;
    min_backoff?: string;
    max_backoff?: string;
    retry_on_http_429?: boolean;
  };
}

/** The sender's counters, as plain numbers for a /metrics endpoint to print. */
export interface RemoteWriteCounters {
  /** Samples the receiver accepted (2xx). */
  samplesSent: number;
  /** Samples the receiver refused for good (a 4xx other than 429): not retried. */
  samplesFailed: number;
  /** Samples sent again after a network error, a 5xx or a 429. */
  samplesRetried: number;
  /** Samples that write_relabel_configs dropped. */
  samplesDroppedByRelabel: number;
  /** Samples the write-ahead log dropped unsent because it reached its size or age bound. */
  samplesDroppedByWal: number;
  /** Compressed request bytes the receiver accepted. */
  bytesSent: number;
  /** Requests answered 2xx / refused for good / failed and retried. */
  requestsSucceeded: number;
  requestsFailed: number;
  requestsRetried: number;
  /** Samples appended and not yet acknowledged (in memory and on disk). */
  queueLength: number;
  /** Bytes the write-ahead log holds on disk. */
  walBytes: number;
  /** Segments the write-ahead log holds. */
  walSegments: number;
  /** Timestamp (ms) of the newest sample the receiver accepted; 0 before the first. */
  highestSentTimestampMs: number;
}
