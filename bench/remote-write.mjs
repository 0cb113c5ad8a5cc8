#!/usr/bin/env node
// remote_write encode + compress throughput: the series of the recorded
// cAdvisor, kubelet and kube-state-metrics payloads (test/fixtures/metrics),
// one sample each per scrape as an agent sends them, cut into requests of
// max_samples_per_send (default 2000) samples. Each series' labels are encoded
// once (the sender caches them with the series), so a request costs the
// protobuf framing of its samples, copying the cached labels and snappy.
// Prints samples/s and MB/s of protobuf for the sender's encoder (protobuf
// written straight as snappy) and, for comparison, protobuf encoding alone,
// the hash-table snappy compressor alone and both, as medians of several
// rounds. Usage: npm run bench:remote-write [-- --rounds 9 --batch 2000]
import { arg, median } from './args.mjs';
import { readFileSync } from 'node:fs';
import { parseExposition } from '../dist/runtime/index.js';
import { encodeLabels, encodeWriteRequest } from '../dist/runtime/remote-write/protobuf.js';
import { snappyCompress } from '../dist/runtime/remote-write/snappy.js';
import { LabelPairTable, encodeSnappyWriteRequest, groupBySeries } from '../dist/runtime/remote-write/request.js';
import { RemoteWriteSender, senderSettings } from '../dist/runtime/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const rounds = Number(arg('rounds', 9));
const batch = Number(arg('batch', 2000));

const series = [];
for (const file of ['cadvisor.prom', 'kubelet.prom', 'kube-state-metrics.prom']) {
  const text = readFileSync(new URL(`../test/fixtures/metrics/${file}`, import.meta.url), 'utf8');
  for (const s of parseExposition(text)) series.push({ ...s.labels, job: file.replace('.prom', ''), instance: '10.0.0.1:10250', cluster: 'bench' });
}

const encoded = series.map((labels) => encodeLabels(labels));
let t0 = 0;

// Requests as the queue builds them: `batch` consecutive series, one sample each.
const table = new LabelPairTable();
const interned = series.map((labels) => table.series(labels));
const requests = [];
const directRequests = [];
const now = Date.now();
for (let i = 0; i < encoded.length; i += batch) {
  const part = [];
  const end = Math.min(i + batch, encoded.length);
  // The sender queues samples as columns: set number, timestamp, value.
  const direct = { series: new Int32Array(end - i), t: new Float64Array(end - i), v: new Float64Array(end - i) };
  for (let j = i; j < end; j++) {
    part.push({ labels: encoded[j], timestamps: [now + j], values: Float64Array.of(j * 1.5) });
    direct.series[j - i] = interned[j];
    direct.t[j - i] = now + j;
    direct.v[j - i] = j * 1.5;
  }
  requests.push(part);
  directRequests.push(direct);
}

const encodeRates = [];
const compressRates = [];
const bothRates = [];
const directRates = [];
let protoBytes = 0;
let snappyBytes = 0;
let directBytes = 0;
const minMs = 400;
// Rates are per CPU second of this process (user + system), not per wall
// second: this VM's two cores are shared, and wall time mostly measures the
// neighbours.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let r = 0; r < rounds; r++) {
  // encode alone
  let n = 0;
  let bodies = [];
  t0 = cpuMs();
  do {
    bodies = requests.map((req) => encodeWriteRequest(req));
    n += series.length;
  } while (cpuMs() - t0 < minMs);
  encodeRates.push(n / ((cpuMs() - t0) / 1000));
  protoBytes = bodies.reduce((s, b) => s + b.length, 0);
  // compress alone
  n = 0;
  t0 = cpuMs();
  do {
    snappyBytes = 0;
    for (const b of bodies) snappyBytes += snappyCompress(b).length;
    n += series.length;
  } while (cpuMs() - t0 < minMs);
  compressRates.push(n / ((cpuMs() - t0) / 1000));
  // both, as the sender does per request
  n = 0;
  t0 = cpuMs();
  do {
    for (const req of requests) snappyCompress(encodeWriteRequest(req));
    n += series.length;
  } while (cpuMs() - t0 < minMs);
  bothRates.push(n / ((cpuMs() - t0) / 1000));
  // the sender's path: protobuf written straight into snappy's format
  n = 0;
  t0 = cpuMs();
  do {
    directBytes = 0;
    for (const q of directRequests) directBytes += encodeSnappyWriteRequest(table, groupBySeries(q.series, q.t, q.v, 0, q.series.length)).body.length;
    n += series.length;
  } while (cpuMs() - t0 < minMs);
  directRates.push(n / ((cpuMs() - t0) / 1000));
}

// append(): series lookup (and interning on first sight), the WAL write and
// the shard buffers; nothing is sent (the batch deadline is an hour away).
const appendRates = [];
for (let r = 0; r < Math.max(3, Math.floor(rounds / 3)); r++) {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-bench-wal-'));
  const sender = new RemoteWriteSender(senderSettings({ url: 'http://127.0.0.1:9/', queue_config: { capacity: 10_000_000, max_samples_per_send: 10_000_000, batch_send_deadline: '1h' } }), { wal: { dir } });
  const scrape = (k) => series.map((labels, i) => ({ labels, value: i + k, timestampMs: now + k * 15_000 }));
  sender.append(scrape(0)); // first sight: interning
  const scrapes = Array.from({ length: 20 }, (_, k) => scrape(k + 1));
  t0 = cpuMs();
  for (const s of scrapes) sender.append(s);
  appendRates.push((scrapes.length * series.length) / ((cpuMs() - t0) / 1000));
  sender.close();
  rmSync(dir, { recursive: true, force: true });
}

const perSample = protoBytes / series.length;
const fmt = (rate) => `${(rate / 1e6).toFixed(2)} M samples/s (${((rate * perSample) / 1e6).toFixed(0)} MB/s of protobuf)`;
console.log(`${series.length} series from the fixtures, ${requests.length} requests of up to ${batch} samples; ${rounds} rounds, medians`);
console.log(`protobuf ${(protoBytes / 1e6).toFixed(2)} MB (${perSample.toFixed(0)} B/sample), hash-table snappy ${(snappyBytes / 1e6).toFixed(2)} MB (ratio ${(protoBytes / snappyBytes).toFixed(2)})`);
console.log(`protobuf ${(protoBytes / 1e6).toFixed(2)} MB; the sender's encoder: ${(directBytes / 1e6).toFixed(2)} MB (ratio ${(protoBytes / directBytes).toFixed(2)})`);
console.log(`the sender's encoder (protobuf written as snappy) ${fmt(median(directRates))}`);
console.log(`append() of known series, WAL write included     ${(median(appendRates) / 1e6).toFixed(2)} M samples/s`);
console.log(`protobuf encode alone                            ${fmt(median(encodeRates))}`);
console.log(`snappy hash-table compressor alone               ${fmt(median(compressRates))}`);
console.log(`protobuf encode + hash-table compressor          ${fmt(median(bothRates))}`);
