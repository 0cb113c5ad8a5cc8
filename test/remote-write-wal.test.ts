/**
 * The remote_write write-ahead log on its own: replay after a restart, a torn
 * write at the tail, the size and age bounds, segment removal once
 * acknowledged; and the sender's config reading and SigV4 signing.
 */
import { appendFileSync, mkdtempSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signV4 } from '../src/runtime/remote-write/auth.js';
import { parseDuration, senderSettings } from '../src/runtime/remote-write/config.js';
import { retryAfterMs } from '../src/runtime/remote-write/sender.js';
import { crc32, WriteAheadLog } from '../src/runtime/remote-write/wal.js';
import { remoteWriteConfig } from '../src/agents/shared/prometheus-config.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'k8smon-wal-'));
const labels: Record<number, Record<string, string>> = { 1: { __name__: 'a', job: 'x' }, 2: { __name__: 'b', job: 'y' } };
const labelsOf = (ref: number): Record<string, string> => labels[ref]!;

function appendN(wal: WriteAheadLog, n: number, t0 = 0): void {
  const refs = Array.from({ length: n }, (_, i) => 1 + (i % 2));
  wal.append(refs, refs.map((_, i) => t0 + i), Float64Array.from(refs, (_, i) => i * 0.5), n, labelsOf);
}

function readAll(wal: WriteAheadLog): { refs: number[]; timestamps: number[]; seqs: number[] } {
  const out = { refs: [] as number[], timestamps: [] as number[], seqs: [] as number[] };
  const { batches } = wal.read(wal.replay.cursor, 1e9);
  for (const b of batches) {
    out.refs.push(...b.refs);
    out.timestamps.push(...b.timestamps);
    b.refs.forEach((_, i) => out.seqs.push(b.firstSeq + i));
  }
  return out;
}

describe('write-ahead log', () => {
  it('CRC-32 is zlib’s', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });

  it('writes an append whose series records outgrow its buffer (a new segment of a large node) in pieces, and replays all of it', () => {
    const d = dir();
    const n = 30_000;
    const big = (ref: number): Record<string, string> => ({ __name__: 'container_cpu_usage_seconds_total', id: `/kubepods/burstable/pod${ref}/${'c'.repeat(60)}`, pod: `pod-${ref}`, ref: String(ref) });
    const refs = Array.from({ length: n }, (_, i) => 1000 + i);
    // One label set far larger than the buffer too.
    const huge = { __name__: 'huge', v: 'x'.repeat(3 << 20) };
    const labelsOfBig = (ref: number): Record<string, string> => (ref === 999 ? huge : big(ref));
    const a = new WriteAheadLog({ dir: d });
    const first = a.append([999, ...refs], [0, ...refs], Float64Array.from([0.5, ...refs]), n + 1, labelsOfBig);
    const second = a.append(refs, refs.map((r) => r + 1), Float64Array.from(refs, (r) => r + 1), n, labelsOfBig);
    expect(second.firstSeq).toBe(n + 1);
    expect(second.cursor.offset).toBeGreaterThan(first.cursor.offset);
    // The cursor of the last samples record is where it starts in the file, and the log counts every byte written.
    const segment = join(d, readdirSync(d).find((f) => f.endsWith('.seg'))!);
    expect(statSync(segment).size).toBe(second.cursor.offset + 8 + 5 + 20 * n);
    expect(a.bytes).toBe(statSync(segment).size);
    a.close();
    const b = new WriteAheadLog({ dir: d });
    expect(b.replay.series.size).toBe(n + 1);
    expect(b.replay.series.get(999)).toEqual(huge);
    expect(b.replay.series.get(1000 + n - 1)).toEqual(big(1000 + n - 1));
    const got = readAll(b);
    expect(got.refs).toEqual([999, ...refs, ...refs]);
    expect(got.timestamps.slice(-2)).toEqual([1000 + n - 1, 1000 + n]);
    b.close();
  });

  it('replays series and unacknowledged samples after a restart, and keeps numbering after them', () => {
    const d = dir();
    const a = new WriteAheadLog({ dir: d, segmentBytes: 300 });
    for (let i = 0; i < 5; i++) appendN(a, 10, i * 100);
    expect(a.segmentCount).toBeGreaterThan(2);
    // Shards 0 and 1 acknowledged up to 20 and 30.
    a.acknowledge([20, 30]);
    a.close();
    const b = new WriteAheadLog({ dir: d, segmentBytes: 300 });
    expect(b.replay.series).toEqual(new Map([[1, labels[1]], [2, labels[2]]]));
    expect(b.replay.watermarks).toEqual([20, 30]);
    expect(b.replay.cursor.seq).toBeLessThanOrEqual(20);
    const got = readAll(b);
    expect(got.seqs.at(-1)).toBe(49);
    expect(got.seqs[0]).toBe(b.replay.cursor.seq);
    expect(got.timestamps.slice(-10)).toEqual(Array.from({ length: 10 }, (_, i) => 400 + i));
    appendN(b, 2);
    expect(b.headSeq).toBe(52);
    b.close();
  });

  it('deletes a segment once every shard’s watermark has passed it, never the one being written', () => {
    const d = dir();
    const wal = new WriteAheadLog({ dir: d, segmentBytes: 300 });
    for (let i = 0; i < 6; i++) appendN(wal, 10);
    const before = wal.segmentCount;
    wal.acknowledge([60, 25]);
    expect(wal.segmentCount).toBeLessThan(before);
    expect(wal.firstSeq).toBeLessThanOrEqual(25);
    wal.acknowledge([60, 60]);
    expect(wal.segmentCount).toBe(1);
    expect(readdirSync(d).filter((f) => f.endsWith('.seg')).length).toBe(1);
    wal.close();
  });

  it('a torn write at the tail is cut on replay; the records before it survive', () => {
    const d = dir();
    const a = new WriteAheadLog({ dir: d });
    appendN(a, 10);
    appendN(a, 10, 100);
    a.close();
    const seg = readdirSync(d).filter((f) => f.endsWith('.seg')).sort().at(-1)!;
    const path = join(d, seg);
    const size = statSync(path).size;
    // The last record loses its final bytes, as when the process dies mid-write.
    truncateSync(path, size - 7);
    const b = new WriteAheadLog({ dir: d });
    expect(b.replay.corruptRecords).toBe(1);
    expect(readAll(b).timestamps).toEqual(Array.from({ length: 10 }, (_, i) => i));
    b.close();
    const cutSize = statSync(path).size;
    expect(cutSize).toBeLessThan(size - 7);
    // Garbage after a good record: cut too.
    appendFileSync(path, Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
    const c = new WriteAheadLog({ dir: d });
    expect(c.replay.corruptRecords).toBe(1);
    expect(statSync(path).size).toBe(cutSize);
    expect(readAll(c).timestamps.length).toBe(10);
    c.close();
  });

  it('beyond its size bound, the oldest segments go, and their unsent samples are counted', () => {
    const wal = new WriteAheadLog({ dir: dir(), segmentBytes: 400, maxBytes: 1200 });
    for (let i = 0; i < 20; i++) appendN(wal, 10);
    const dropped = wal.enforceBounds(0);
    expect(wal.bytes).toBeLessThanOrEqual(1200);
    expect(dropped).toBe(wal.firstSeq);
    expect(dropped).toBeGreaterThan(100);
    // Samples already read for sending are not counted twice.
    for (let i = 0; i < 20; i++) appendN(wal, 10);
    const before = wal.firstSeq;
    const again = wal.enforceBounds(wal.headSeq);
    expect(again).toBe(0);
    expect(wal.firstSeq).toBeGreaterThan(before);
    wal.close();
  });

  it('beyond its age bound, segments last written too long ago go', () => {
    let now = 1_000_000;
    const wal = new WriteAheadLog({ dir: dir(), segmentBytes: 300, maxAgeMs: 60_000, now: () => now });
    for (let i = 0; i < 4; i++) appendN(wal, 10);
    now += 61_000;
    appendN(wal, 10);
    const dropped = wal.enforceBounds(0);
    expect(dropped).toBe(40);
    expect(wal.firstSeq).toBe(40);
    wal.close();
  });
});

describe('remote_write settings', () => {
  it('parses Prometheus durations', () => {
    expect(parseDuration('30ms')).toBe(30);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('5s')).toBe(5000);
    expect(() => parseDuration('5 s')).toThrow(/not a valid duration/);
  });

  it('reads the remote_write entry k8smon renders for the other agent kinds, with Prometheus’ queue defaults', () => {
    const rendered = remoteWriteConfig({
      name: 'main',
      url: 'https://metrics.example/api/v1/write',
      basicAuth: { username: 'u', passwordFile: { secretName: 's', key: 'p', path: '/etc/k8smon/secrets/p' } },
      headers: { 'X-Scope-OrgID': 't' },
      tls: { serverName: 'metrics.internal', insecureSkipVerify: false },
      queue: { maxSamplesPerSend: 500, batchSendDeadline: '2s', minBackoff: '100ms', maxBackoff: '10s', capacity: 2500, maxShards: 8 },
      writeRelabelConfigs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }],
    });
    const s = senderSettings(JSON.parse(JSON.stringify(rendered)));
    expect(s.basicAuth).toEqual({ username: 'u', passwordFile: '/etc/k8smon/secrets/p' });
    expect(s.queue).toEqual({ capacity: 2500, shards: 4, maxSamplesPerSend: 500, batchSendDeadlineMs: 2000, minBackoffMs: 100, maxBackoffMs: 10_000, retryOn429: true });
    expect(s.tls.serverName).toBe('metrics.internal');
    expect(s.writeRelabel.length).toBe(1);
    expect(senderSettings({ url: 'http://x/' }).queue).toEqual({ capacity: 10000, shards: 4, maxSamplesPerSend: 2000, batchSendDeadlineMs: 5000, minBackoffMs: 30, maxBackoffMs: 5000, retryOn429: true });
  });

  it('refuses what Prometheus refuses: reserved headers, two kinds of auth, a non-http url', () => {
    expect(() => senderSettings({ url: 'http://x/', headers: { Authorization: 'x' } })).toThrow(/reserved header/);
    expect(() => senderSettings({ url: 'http://x/', basic_auth: { username: 'a' }, bearer_token: 't' })).toThrow(/at most one/);
    expect(() => senderSettings({ url: 'ftp://x/' })).toThrow(/http or https/);
  });

  it('Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('AWS Signature Version 4', () => {
  it('matches the signature of AWS’ documented S3 GET example', () => {
    const headers = signV4({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { Range: 'bytes=0-9', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      body: new Uint8Array(0),
      region: 'us-east-1',
      service: 's3',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      date: new Date('2013-05-24T00:00:00Z'),
      doubleEncodePath: false,
    });
    expect(headers.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['X-Amz-Date']).toBe('20130524T000000Z');
  });
});
