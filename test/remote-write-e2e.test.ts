/**
 * The remote_write sender end to end: Debian's Prometheus 2.42 as the
 * receiver (--web.enable-remote-write-receiver), queried through its HTTP
 * API for every series and value; and a scripted receiver (decoding each
 * request with the test's own decoders) for the faults a real one does not
 * produce on demand: 400, 429 with Retry-After, and acknowledgement exactly
 * where the receiver took the samples.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { senderSettings } from '../src/runtime/remote-write/config.js';
import { RemoteWriteSender, type LogEntry } from '../src/runtime/remote-write/sender.js';
import type { RemoteSample, RemoteWriteYaml } from '../src/runtime/remote-write/types.js';
import { PrometheusReceiver, ScriptedReceiver } from './support/remote-write.js';

const walDir = (): string => mkdtempSync(join(tmpdir(), 'k8smon-wal-'));

function sender(yaml: RemoteWriteYaml, dir = walDir(), logs: LogEntry[] = []): RemoteWriteSender {
  return new RemoteWriteSender(senderSettings(yaml), { wal: { dir }, log: (e) => logs.push(e), random: () => 0.5 });
}

/** `n` series of metric `name`, with labels in no particular order and some awkward values. */
function series(name: string, n: number): Record<string, string>[] {
  return Array.from({ length: n }, (_, i) => ({ pod: `pod-${i % 7}`, __name__: name, job: 'e2e', idx: String(i), zone: i % 3 === 0 ? 'ü "quoted" \\ zone' : 'a', namespace: 'monitoring' }));
}

function samplesAt(sets: Record<string, string>[], t: number, value: (i: number) => number): RemoteSample[] {
  return sets.map((labels, i) => ({ labels, value: value(i), timestampMs: t }));
}

/** Prometheus' JSON value text for a float. */
function promValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

describe('remote_write to Debian’s Prometheus 2.42 (--web.enable-remote-write-receiver)', () => {
  let prom: PrometheusReceiver;
  beforeAll(async () => {
    prom = await PrometheusReceiver.start();
  });
  afterAll(async () => {
    await prom.stop();
  });

  it('Prometheus stores every series and every value sent, labels as sent', async () => {
    const sets = series('rw_e2e_basic', 250);
    const s = sender({ url: prom.writeUrl, queue_config: { max_samples_per_send: 100, max_shards: 4, min_shards: 4, batch_send_deadline: '50ms' } });
    const t0 = Date.now() - 60_000;
    const special = [Infinity, -Infinity, NaN, 0, -1.5e-300, 2 ** 60];
    const value = (k: number) => (i: number) => (i < special.length && k === 2 ? special[i]! : i * 1000 + k + 0.25);
    for (let k = 0; k < 5; k++) s.append(samplesAt(sets, t0 + k * 1000, value(k)));
    expect(await s.flush(20_000)).toBe(true);
    const c = s.counters();
    s.close();
    expect(c.samplesSent).toBe(1250);
    expect(c.samplesFailed + c.samplesRetried).toBe(0);
    const got = await prom.rawSamples('rw_e2e_basic');
    expect(got.length).toBe(250);
    for (const r of got) {
      const i = Number(r.metric.idx);
      expect(r.metric).toEqual(sets[i]);
      expect(r.values).toEqual([0, 1, 2, 3, 4].map((k) => [(t0 + k * 1000) / 1000, promValue(value(k)(i))]));
    }
  });

  it('write_relabel_configs run before sending: dropped series never reach Prometheus, rewritten labels do', async () => {
    const s = sender({
      url: prom.writeUrl,
      write_relabel_configs: [
        { source_labels: ['pod'], regex: 'pod-[0-2]', action: 'drop' },
        { source_labels: ['namespace'], target_label: 'ns' },
        { action: 'labeldrop', regex: 'namespace' },
      ],
      queue_config: { batch_send_deadline: '50ms' },
    });
    s.append(samplesAt(series('rw_e2e_relabel', 70), Date.now() - 5000, (i) => i));
    expect(await s.flush(20_000)).toBe(true);
    const c = s.counters();
    s.close();
    const got = await prom.rawSamples('rw_e2e_relabel');
    expect(got.length).toBe(40);
    expect(c.samplesDroppedByRelabel).toBe(30);
    for (const r of got) {
      expect(r.metric.pod).toMatch(/^pod-[3-6]$/);
      expect(r.metric.ns).toBe('monitoring');
      expect(r.metric.namespace).toBeUndefined();
    }
  });

  it('receiver stopped, then started again: nothing lost, no sample refused as out of order', async () => {
    const sets = series('rw_e2e_outage', 120);
    const logs: LogEntry[] = [];
    const s = sender({ url: prom.writeUrl, queue_config: { max_samples_per_send: 50, min_backoff: '20ms', max_backoff: '200ms', batch_send_deadline: '20ms', capacity: 100 } }, walDir(), logs);
    const t0 = Date.now() - 120_000;
    s.append(samplesAt(sets, t0, (i) => i));
    expect(await s.flush(20_000)).toBe(true);
    await prom.stop();
    // Twenty scrapes' worth during the outage: more than the shards' buffers hold, so most wait in the WAL.
    for (let k = 1; k <= 20; k++) {
      s.append(samplesAt(sets, t0 + k * 1000, (i) => i + k * 10_000));
      await new Promise((r) => setTimeout(r, 30));
    }
    const during = s.counters();
    expect(during.samplesRetried).toBeGreaterThan(0);
    expect(during.queueLength).toBe(20 * 120);
    await prom.resume();
    expect(await s.flush(30_000)).toBe(true);
    const c = s.counters();
    s.close();
    expect(c.samplesSent).toBe(21 * 120);
    expect(c.samplesFailed).toBe(0);
    const got = await prom.rawSamples('rw_e2e_outage', '10m');
    expect(got.length).toBe(120);
    for (const r of got) {
      const i = Number(r.metric.idx);
      expect(r.values).toEqual(Array.from({ length: 21 }, (_, k) => [(t0 + k * 1000) / 1000, String(i + k * 10_000)]));
    }
    expect(logs.some((l) => l.level === 'warn' && l.msg.includes('retrying'))).toBe(true);
  });

  it('a new sender on the same WAL directory sends what the previous one left unacknowledged (restart during an outage)', async () => {
    const dir = walDir();
    const sets = series('rw_e2e_restart', 60);
    const t0 = Date.now() - 90_000;
    const first = sender({ url: prom.writeUrl, queue_config: { batch_send_deadline: '20ms', min_backoff: '20ms', max_backoff: '100ms' } }, dir);
    first.append(samplesAt(sets, t0, (i) => i));
    expect(await first.flush(20_000)).toBe(true);
    await prom.stop();
    for (let k = 1; k <= 5; k++) first.append(samplesAt(sets, t0 + k * 1000, (i) => i + k));
    await new Promise((r) => setTimeout(r, 200));
    first.close(); // as if killed: nothing more is sent
    await prom.resume();
    const second = sender({ url: prom.writeUrl, queue_config: { batch_send_deadline: '20ms' } }, dir);
    expect(second.counters().queueLength).toBe(5 * 60);
    expect(await second.flush(20_000)).toBe(true);
    const c = second.counters();
    second.close();
    expect(c.samplesSent).toBe(5 * 60);
    expect(c.samplesFailed).toBe(0);
    const got = await prom.rawSamples('rw_e2e_restart', '10m');
    expect(got.length).toBe(60);
    for (const r of got) {
      const i = Number(r.metric.idx);
      expect(r.values).toEqual(Array.from({ length: 6 }, (_, k) => [(t0 + k * 1000) / 1000, String(i + k)]));
    }
  });
});

describe('remote_write faults and request details, against a scripted receiver', () => {
  it('a 400 is not retried: the samples are counted as failed and the error is logged', async () => {
    const rx = await ScriptedReceiver.start();
    rx.respond = () => ({ status: 400, body: 'out of bounds' });
    const logs: LogEntry[] = [];
    const s = sender({ url: rx.url, queue_config: { batch_send_deadline: '10ms', min_backoff: '5ms', max_shards: 1 } }, walDir(), logs);
    s.append(samplesAt(series('bad', 10), 1000, (i) => i));
    expect(await s.flush(5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const c = s.counters();
    s.close();
    await rx.close();
    expect(rx.requests.length).toBe(1);
    expect(c).toMatchObject({ samplesFailed: 10, samplesSent: 0, samplesRetried: 0, requestsFailed: 1, queueLength: 0 });
    expect(logs.find((l) => l.level === 'error')?.err).toContain('400: out of bounds');
  });

  it('a 429 waits for Retry-After (not the 5 ms backoff), then the same samples are sent again; a 503 is retried with backoff', async () => {
    const rx = await ScriptedReceiver.start();
    rx.respond = (_req, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : n === 2 ? { status: 503 } : { status: 204 });
    const s = sender({ url: rx.url, queue_config: { batch_send_deadline: '10ms', min_backoff: '5ms', max_backoff: '5s', max_shards: 1 } });
    s.append(samplesAt(series('limited', 10), 1000, (i) => i));
    expect(await s.flush(10_000)).toBe(true);
    const c = s.counters();
    s.close();
    await rx.close();
    expect(rx.requests.length).toBe(3);
    expect(rx.requests[1]!.at - rx.requests[0]!.at).toBeGreaterThanOrEqual(990);
    // After the 503: the first backoff, min_backoff with jitter, well under a second.
    expect(rx.requests[2]!.at - rx.requests[1]!.at).toBeLessThan(900);
    expect(rx.requests[2]!.series).toEqual(rx.requests[0]!.series);
    expect(c).toMatchObject({ samplesSent: 10, samplesRetried: 20, requestsRetried: 2, samplesFailed: 0 });
  });

  it('an outage longer than the WAL holds: the oldest unsent samples are dropped and counted, every other one is sent', async () => {
    const rx = await ScriptedReceiver.start();
    rx.respond = () => ({ status: 503 });
    const sets = series('bounded', 50);
    const s = new RemoteWriteSender(senderSettings({ url: rx.url, queue_config: { batch_send_deadline: '10ms', min_backoff: '10ms', max_backoff: '50ms', capacity: 100, max_shards: 2, min_shards: 2 } }), {
      wal: { dir: walDir(), segmentBytes: 4096, maxBytes: 16_384 },
    });
    for (let k = 0; k < 60; k++) s.append(samplesAt(sets, 1000 + k * 1000, (i) => i));
    const during = s.counters();
    expect(during.samplesDroppedByWal).toBeGreaterThan(0);
    expect(during.walBytes).toBeLessThanOrEqual(16_384 + 4096);
    const accepted = new Set<object>();
    rx.respond = (req) => {
      accepted.add(req);
      return { status: 204 };
    };
    expect(await s.flush(10_000)).toBe(true);
    const c = s.counters();
    s.close();
    await rx.close();
    expect(c.samplesSent + c.samplesDroppedByWal).toBe(60 * 50);
    expect(rx.requests.filter((r) => accepted.has(r)).reduce((n, r) => n + r.series.reduce((m, x) => m + x.samples.length, 0), 0)).toBe(c.samplesSent);
    // What arrived is, per series, in time order and ends with the newest.
    const got = new Map<string, number[]>();
    for (const r of rx.requests) if (accepted.has(r)) for (const x of r.series) for (const y of x.samples) got.set(x.labels.find(([k]) => k === 'idx')![1], [...(got.get(x.labels.find(([k]) => k === 'idx')![1]) ?? []), y.timestamp]);
    for (const ts of got.values()) {
      expect(ts.at(-1)).toBe(60_000);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    }
  });

  it('after a restart, only what the receiver did not acknowledge is sent again, in order', async () => {
    const dir = walDir();
    const rx = await ScriptedReceiver.start();
    const sets = series('exact', 40);
    const first = sender({ url: rx.url, queue_config: { batch_send_deadline: '10ms', min_backoff: '10ms', max_backoff: '50ms', max_shards: 3, min_shards: 3 } }, dir);
    first.append(samplesAt(sets, 1000, (i) => i));
    expect(await first.flush(5000)).toBe(true);
    const acknowledged = rx.samples();
    expect(acknowledged.length).toBe(40);
    rx.respond = () => ({ status: 503 });
    for (let k = 2; k <= 4; k++) first.append(samplesAt(sets, k * 1000, (i) => i + k));
    await new Promise((r) => setTimeout(r, 150));
    first.close();
    // A request already on the wire when the sender closed still lands (and is refused) before the count.
    await new Promise((r) => setTimeout(r, 200));
    const refused = rx.requests.length;
    rx.respond = () => ({ status: 204 });
    const second = sender({ url: rx.url, queue_config: { batch_send_deadline: '10ms', max_shards: 3, min_shards: 3 } }, dir);
    expect(await second.flush(5000)).toBe(true);
    second.close();
    await rx.close();
    const resent = rx.requests.slice(refused).flatMap((r) => r.series.flatMap((x) => x.samples.map((y) => `${x.labels.find(([k]) => k === 'idx')![1]}@${y.timestamp}`)));
    expect(resent.length).toBe(3 * 40);
    expect(resent.filter((x) => x.endsWith('@1000'))).toEqual([]);
    // Per series, in time order.
    for (let i = 0; i < 40; i++) expect(resent.filter((x) => x.startsWith(`${i}@`))).toEqual([`${i}@2000`, `${i}@3000`, `${i}@4000`]);
  });

  it('sends the remote_write 1.0 headers, custom headers, and basic auth with the password re-read from its file', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = walDir();
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, 'first\n');
    const rx = await ScriptedReceiver.start();
    const s = sender({ url: rx.url, headers: { 'X-Scope-OrgID': 'tenant-1' }, basic_auth: { username: 'agent', password_file: passwordFile }, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } }, join(dir, 'wal'));
    s.append(samplesAt(series('hdr', 1), 1000, () => 1));
    await s.flush(5000);
    writeFileSync(passwordFile, 'second');
    s.append(samplesAt(series('hdr', 1), 2000, () => 1));
    await s.flush(5000);
    s.close();
    await rx.close();
    const [a, b] = rx.requests;
    expect(a!.headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      'x-scope-orgid': 'tenant-1',
      authorization: `Basic ${Buffer.from('agent:first').toString('base64')}`,
    });
    expect(a!.headers['user-agent']).toMatch(/^k8smon/);
    expect(b!.headers.authorization).toBe(`Basic ${Buffer.from('agent:second').toString('base64')}`);
  });

  it('authorization credentials_file: the bearer token is re-read for every request', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = walDir();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'token-1\n');
    const rx = await ScriptedReceiver.start();
    const s = sender({ url: rx.url, authorization: { credentials_file: tokenFile }, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } }, join(dir, 'wal'));
    s.append(samplesAt(series('bearer', 1), 1000, () => 1));
    await s.flush(5000);
    writeFileSync(tokenFile, 'token-2\n');
    s.append(samplesAt(series('bearer', 1), 2000, () => 1));
    await s.flush(5000);
    s.close();
    await rx.close();
    expect(rx.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('oauth2 client credentials: one token fetched and reused until it expires, the secret read from its file', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = walDir();
    writeFileSync(join(dir, 'secret'), 's3cret\n');
    const tokenRequests: { auth: string; body: string }[] = [];
    const rx = await ScriptedReceiver.start((req, res) => {
      if (req.url !== '/token') return false;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        tokenRequests.push({ auth: String(req.headers.authorization), body });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: `tok-${tokenRequests.length}`, token_type: 'bearer', expires_in: 11 }));
      });
      return true;
    });
    const tokenUrl = rx.url.replace('/api/v1/write', '/token');
    const s = sender({ url: rx.url, oauth2: { client_id: 'agent', client_secret_file: join(dir, 'secret'), token_url: tokenUrl, scopes: ['write', 'metrics'] }, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } }, join(dir, 'wal'));
    for (let k = 1; k <= 2; k++) {
      s.append(samplesAt(series('oauth', 1), k * 1000, () => 1));
      await s.flush(5000);
    }
    // expires_in 11 s is kept for 1 s (10 s early).
    await new Promise((r) => setTimeout(r, 1100));
    s.append(samplesAt(series('oauth', 1), 3000, () => 1));
    await s.flush(5000);
    s.close();
    await rx.close();
    expect(rx.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
    expect(tokenRequests.length).toBe(2);
    expect(tokenRequests[0]!.auth).toBe(`Basic ${Buffer.from('agent:s3cret').toString('base64')}`);
    expect(new URLSearchParams(tokenRequests[0]!.body).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(tokenRequests[0]!.body).get('scope')).toBe('write metrics');
  });

  it('sigv4: the request carries an AWS4-HMAC-SHA256 signature for service aps with the credentials from the environment', async () => {
    const rx = await ScriptedReceiver.start();
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'session';
    try {
      const s = sender({ url: rx.url, sigv4: { region: 'eu-west-1' }, queue_config: { batch_send_deadline: '10ms' } });
      s.append(samplesAt(series('aws', 1), 1000, () => 1));
      await s.flush(5000);
      s.close();
    } finally {
      process.env = saved;
    }
    await rx.close();
    const h = rx.requests[0]!.headers;
    expect(h.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aps\/aws4_request, SignedHeaders=content-encoding;content-type;host;x-amz-date;x-amz-security-token;x-prometheus-remote-write-version, Signature=[0-9a-f]{64}$/);
    expect(h['x-amz-security-token']).toBe('session');
    expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('sigv4 with IRSA’s web identity: the token file is exchanged at STS once, and the temporary credentials sign the requests', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = walDir();
    writeFileSync(join(dir, 'token'), 'projected-jwt\n');
    const stsCalls: URLSearchParams[] = [];
    const rx = await ScriptedReceiver.start((req, res) => {
      if (req.url !== '/sts/') return false;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        stsCalls.push(new URLSearchParams(body));
        const expires = new Date(Date.now() + 3_600_000).toISOString();
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(
          `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIATEMP</AccessKeyId><SecretAccessKey>tempsecret</SecretAccessKey><SessionToken>temptoken</SessionToken><Expiration>${expires}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
        );
      });
      return true;
    });
    const saved = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/agent';
    process.env.AWS_WEB_IDENTITY_TOKEN_FILE = join(dir, 'token');
    process.env.AWS_ENDPOINT_URL_STS = rx.url.replace('/api/v1/write', '/sts/');
    try {
      const s = sender({ url: rx.url, sigv4: { region: 'us-west-2' }, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } }, join(dir, 'wal'));
      for (let k = 1; k <= 2; k++) {
        s.append(samplesAt(series('irsa', 1), k * 1000, () => 1));
        expect(await s.flush(5000)).toBe(true);
      }
      s.close();
    } finally {
      process.env = saved;
    }
    await rx.close();
    expect(stsCalls.length).toBe(1);
    expect(stsCalls[0]!.get('Action')).toBe('AssumeRoleWithWebIdentity');
    expect(stsCalls[0]!.get('RoleArn')).toBe('arn:aws:iam::123456789012:role/agent');
    expect(stsCalls[0]!.get('WebIdentityToken')).toBe('projected-jwt');
    expect(rx.requests.length).toBe(2);
    for (const r of rx.requests) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIATEMP\/\d{8}\/us-west-2\/aps\/aws4_request, /);
      expect(r.headers['x-amz-security-token']).toBe('temptoken');
    }
  });

  it('sigv4 role_arn: AssumeRole at STS, signed with the base keys; the role’s credentials sign the requests', async () => {
    const stsCalls: { params: URLSearchParams; authorization: string }[] = [];
    const rx = await ScriptedReceiver.start((req, res) => {
      if (req.url !== '/sts/') return false;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        stsCalls.push({ params: new URLSearchParams(body), authorization: String(req.headers.authorization) });
        res.writeHead(200).end(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>roletoken</SessionToken><Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`);
      });
      return true;
    });
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDBASE';
    process.env.AWS_SECRET_ACCESS_KEY = 'basesecret';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_ROLE_ARN;
    process.env.AWS_ENDPOINT_URL_STS = rx.url.replace('/api/v1/write', '/sts/');
    try {
      const s = sender({ url: rx.url, sigv4: { region: 'ap-southeast-2', role_arn: 'arn:aws:iam::123456789012:role/writer' }, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } });
      s.append(samplesAt(series('assume', 1), 1000, () => 1));
      expect(await s.flush(5000)).toBe(true);
      s.close();
    } finally {
      process.env = saved;
    }
    await rx.close();
    expect(stsCalls.length).toBe(1);
    expect(stsCalls[0]!.params.get('Action')).toBe('AssumeRole');
    expect(stsCalls[0]!.params.get('RoleArn')).toBe('arn:aws:iam::123456789012:role/writer');
    expect(stsCalls[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDBASE\/\d{8}\/ap-southeast-2\/sts\/aws4_request, /);
    expect(rx.requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAROLE\/\d{8}\/ap-southeast-2\/aps\/aws4_request, /);
    expect(rx.requests[0]!.headers['x-amz-security-token']).toBe('roletoken');
  });

  it('proxy_url: an http destination is requested through the proxy with its absolute URI', async () => {
    const { createServer, request } = await import('node:http');
    const rx = await ScriptedReceiver.start();
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url!);
      const up = request({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    const s = sender({ url: rx.url, proxy_url: `http://127.0.0.1:${port}`, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } });
    s.append(samplesAt(series('proxied', 3), 1000, (i) => i));
    expect(await s.flush(5000)).toBe(true);
    s.close();
    proxy.closeAllConnections();
    proxy.close();
    await rx.close();
    expect(seen).toEqual([`POST ${rx.url}`]);
    expect(rx.samples().length).toBe(3);
  });
});

describe('remote_write over TLS', () => {
  it('https through a CONNECT proxy, verifying the receiver against ca_file and server_name (openssl certificate)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { createServer: createHttps } = await import('node:https');
    const { createServer: createHttp } = await import('node:http');
    const { connect } = await import('node:net');
    const { decodeWriteRequest, snappyDecode } = await import('./support/protobuf-decode.js');
    const { freePort } = await import('./support/prometheus.js');
    const { requireTool } = await import('./support/tools.js');
    requireTool('openssl', 'apt-get install openssl');
    const d = walDir();
    const cfg = join(d, 'san.cnf');
    writeFileSync(cfg, '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=DNS:receiver.test\n');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=receiver.test', '-config', cfg, '-extensions', 'ext', '-keyout', join(d, 'key.pem'), '-out', join(d, 'cert.pem')], { stdio: 'ignore' });
    const received: string[] = [];
    const server = createHttps({ key: readFileSync(join(d, 'key.pem')), cert: readFileSync(join(d, 'cert.pem')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        for (const s of decodeWriteRequest(snappyDecode(Buffer.concat(chunks)))) received.push(s.labels.map(([k, v]) => `${k}=${v}`).join(','));
        res.writeHead(204).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const tunnels: string[] = [];
    const proxy = createHttp();
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(String(req.url));
      const [host, p] = String(req.url).split(':');
      const up = connect(Number(p), host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
    });
    const proxyPort = await freePort();
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${port}/api/v1/write`;
      const ok = sender({ url, proxy_url: `http://127.0.0.1:${proxyPort}`, tls_config: { ca_file: join(d, 'cert.pem'), server_name: 'receiver.test' }, queue_config: { batch_send_deadline: '10ms', max_shards: 1 } }, join(d, 'wal-ok'));
      ok.append(samplesAt(series('tls', 2), 1000, (i) => i));
      expect(await ok.flush(10_000)).toBe(true);
      ok.close();
      expect(received.length).toBe(2);
      expect(tunnels).toEqual([`127.0.0.1:${port}`]);
      // The wrong name: the certificate is refused, and the samples wait for a retry.
      const logs: LogEntry[] = [];
      const wrong = sender({ url, tls_config: { ca_file: join(d, 'cert.pem'), server_name: 'other.test' }, queue_config: { batch_send_deadline: '10ms', max_shards: 1, min_backoff: '10ms' } }, join(d, 'wal-wrong'), logs);
      wrong.append(samplesAt(series('tls', 2), 2000, (i) => i));
      expect(await wrong.flush(500)).toBe(false);
      wrong.close();
      expect(String(logs.find((l) => l.level === 'warn')?.err)).toMatch(/other\.test|altnames|certificate/i);
      expect(received.length).toBe(2);
    } finally {
      proxy.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('remote_write survives SIGKILL (Debian’s Prometheus 2.42 as receiver)', () => {
  it('a sender process killed with SIGKILL during a receiver outage loses nothing: the next one sends its WAL backlog', async () => {
    const { spawn } = await import('node:child_process');
    const prom = await PrometheusReceiver.start();
    try {
      const dir = walDir();
      const t0 = Date.now() - 100_000;
      await prom.stop();
      // A separate process built from dist/ (the suite's global setup builds it): appends 10 scrapes of 80 series, then waits to be killed.
      const script = `
        const { RemoteWriteSender, senderSettings } = await import(${JSON.stringify(new URL('../dist/runtime/index.js', import.meta.url).href)});
        const s = new RemoteWriteSender(senderSettings({ url: ${JSON.stringify(prom.writeUrl)}, queue_config: { min_backoff: '20ms', max_backoff: '100ms', batch_send_deadline: '10ms' } }), { wal: { dir: ${JSON.stringify(dir)} } });
        for (let k = 0; k < 10; k++) s.append(Array.from({ length: 80 }, (_, i) => ({ labels: { __name__: 'rw_e2e_killed', idx: String(i) }, value: i * 100 + k, timestampMs: ${t0} + k * 1000 })));
        process.stdout.write('appended\\n');
        setInterval(() => {}, 1000);
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('appended') && resolve());
        child.on('exit', (code) => reject(new Error(`sender process exited ${code}`)));
      });
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await prom.resume();
      const next = sender({ url: prom.writeUrl, queue_config: { batch_send_deadline: '10ms' } }, dir);
      expect(next.counters().queueLength).toBe(800);
      expect(await next.flush(20_000)).toBe(true);
      const c = next.counters();
      next.close();
      expect(c).toMatchObject({ samplesSent: 800, samplesFailed: 0 });
      const got = await prom.rawSamples('rw_e2e_killed', '10m');
      expect(got.length).toBe(80);
      for (const r of got) expect(r.values).toEqual(Array.from({ length: 10 }, (_, k) => [(t0 + k * 1000) / 1000, String(Number(r.metric.idx) * 100 + k)]));
    } finally {
      await prom.stop();
    }
  });
});
