/**
 * Forgetting the label sets nothing writes any more (series/collect.ts): an
 * agent scraping a target whose series change every scrape (pods coming and
 * going) keeps its table bounded, and every sample and staleness marker
 * still reaches the receiver with its own labels; a sender whose sets were
 * renumbered during a receiver outage, restarted on the same write-ahead
 * log, sends the backlog of both numberings with the right labels.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/runtime/agent/agent.js';
import { parseAgentConfig } from '../src/runtime/agent/config.js';
import { senderSettings } from '../src/runtime/remote-write/config.js';
import { RemoteWriteSender } from '../src/runtime/remote-write/sender.js';
import { STALE_NAN_BITS } from '../src/runtime/scrape/stale.js';
import { collectSets } from '../src/runtime/series/collect.js';
import { LabelSets } from '../src/runtime/series/label-sets.js';
import { ScriptedReceiver } from './support/remote-write.js';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

const PODS_PER_SCRAPE = 300;

/** A target whose every scrape n exposes PODS_PER_SCRAPE new series, churn{pod="p-n-i"} = n * 1000 + i, and one that stays. */
async function churningTarget(): Promise<{ address: string; scrapes: () => number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    const lines = ['# TYPE churn gauge'];
    for (let i = 0; i < PODS_PER_SCRAPE; i++) lines.push(`churn{pod="p-${n}-${i}"} ${n * 1000 + i}`);
    lines.push('# TYPE steady gauge', 'steady{a="1"} 7', '');
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(lines.join('\n'));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, scrapes: () => n };
}

describe('label sets no longer written are forgotten', () => {
  it('an agent scraping a churning target keeps its table bounded, and every sample and marker keeps its labels (scripted receiver)', async () => {
    const target = await churningTarget();
    const rx = await ScriptedReceiver.start();
    const config = parseAgentConfig(`
global: {scrape_interval: 150ms, scrape_timeout: 140ms, external_labels: {cluster: c1}}
scrape_configs:
  - job_name: churn
    static_configs: [{targets: ['${target.address}']}]
remote_write:
  - url: ${rx.url}
    queue_config: {batch_send_deadline: 50ms, max_samples_per_send: 500}
`);
    const logs: string[] = [];
    const agent = new Agent(config, {
      sources: () => {
        throw new Error('no discovery in this test');
      },
      walDir: mkdtempSync(join(tmpdir(), 'k8smon-collect-')),
      forgetSetsMinGrowth: 500,
      log: (level, msg) => logs.push(`${level} ${msg}`),
    });
    // Sets of an earlier churn, before any of this target's: the target's sets move to lower numbers at the first collection.
    for (let i = 0; i < 1000; i++) agent.sets.intern({ __name__: 'churned_before', i: String(i) });
    agent.start();
    const largest: number[] = [];
    while (target.scrapes() < 40) {
      largest.push(agent.sets.size);
      await new Promise((r) => setTimeout(r, 20));
    }
    await agent.stop(5000);
    await rx.close();

    // 40 scrapes made 12,000 churning series; the table never held more than a few scrapes' worth. (Live at a
    // collection: this scrape's series, the last one's awaiting their markers, and any still in a send queue;
    // the table is collected when it has doubled from that.)
    expect(agent.setCollections).toBeGreaterThanOrEqual(5);
    expect(agent.setsForgotten).toBeGreaterThan(8_000);
    expect(Math.max(...largest)).toBeLessThan(10 * PODS_PER_SCRAPE);
    expect(logs.some((l) => l.startsWith('info forgot the label sets no longer written'))).toBe(true);

    const received = rx.requests.flatMap((r) => r.series).map((s) => ({ labels: Object.fromEntries(s.labels), samples: s.samples }));
    const values = new Map<string, number>();
    const stale = new Map<string, number>();
    for (const { labels, samples } of received) {
      if (labels.__name__ === 'steady') {
        expect(labels).toEqual({ __name__: 'steady', a: '1', cluster: 'c1', instance: target.address, job: 'churn' });
        // 7, or a marker after a scrape that failed (a loaded machine can miss the timeout).
        for (const x of samples) expect(x.value === 7 || x.valueBits === STALE_NAN_BITS).toBe(true);
        continue;
      }
      if (labels.__name__ === 'up') expect(labels).toEqual({ __name__: 'up', cluster: 'c1', instance: target.address, job: 'churn' });
      if (labels.__name__ !== 'churn') continue;
      expect(Object.keys(labels).sort()).toEqual(['__name__', 'cluster', 'instance', 'job', 'pod']);
      for (const x of samples) {
        if (x.valueBits === STALE_NAN_BITS) stale.set(labels.pod!, (stale.get(labels.pod!) ?? 0) + 1);
        else {
          // The value names the series it was exposed under: a sample sent under another series' labels fails here.
          expect(labels.pod).toBe(`p-${Math.floor(x.value / 1000)}-${x.value % 1000}`);
          values.set(labels.pod!, x.value);
        }
      }
    }
    // The series of every scrape of 2–35 that the agent took (not one that missed its timeout) arrived, and got
    // exactly one staleness marker when the next scrape lacked it (or failed).
    const taken = Array.from({ length: 34 }, (_, k) => k + 2).filter((n) => values.has(`p-${n}-0`));
    expect(taken.length).toBeGreaterThanOrEqual(25);
    for (const n of taken) {
      for (const i of [0, 137, PODS_PER_SCRAPE - 1]) {
        expect(values.get(`p-${n}-${i}`)).toBe(n * 1000 + i);
        expect(stale.get(`p-${n}-${i}`)).toBe(1);
      }
    }
    expect([...stale.values()].every((c) => c === 1)).toBe(true);
  }, 30_000);

  it('leaves a table that is mostly live as it is: renumbering costs each sender a rewrite of its WAL series records', () => {
    const sets = new LabelSets();
    for (let i = 0; i < 10; i++) sets.intern({ __name__: 'm', i: String(i) });
    const remapped: Int32Array[] = [];
    const holder = { markSets: (live: Uint8Array) => live.fill(1, 0, 6), remapSets: (remap: Int32Array) => remapped.push(remap) };
    expect(collectSets(sets, [holder])).toEqual({ before: 10, after: 10, live: 6 });
    expect(sets.generation).toBe(0);
    expect(remapped).toEqual([]);
    holder.markSets = (live: Uint8Array) => live.fill(1, 0, 5);
    expect(collectSets(sets, [holder])).toEqual({ before: 10, after: 5, live: 5 });
    expect(Array.from(remapped[0]!)).toEqual([0, 1, 2, 3, 4, -1, -1, -1, -1, -1]);
  });

  it('a sender reading its WAL back (an outage longer than its queue holds) refuses renumbering until it has caught up (scripted receiver)', async () => {
    const rx = await ScriptedReceiver.start();
    rx.respond = () => ({ status: 503 });
    const s = new RemoteWriteSender(senderSettings({ url: rx.url, queue_config: { batch_send_deadline: '10ms', min_backoff: '10ms', max_backoff: '20ms', capacity: 20 } }), {
      wal: { dir: mkdtempSync(join(tmpdir(), 'k8smon-collect-disk-')) },
    });
    expect(s.canRenumberSets()).toBe(true);
    for (let k = 0; k < 5; k++) s.append(Array.from({ length: 30 }, (_, i) => ({ labels: { __name__: 'backlog', idx: String(i) }, value: i, timestampMs: 1000 * (k + 1) })));
    expect(s.canRenumberSets()).toBe(false);
    rx.respond = () => ({ status: 204 });
    expect(await s.flush(5000)).toBe(true);
    expect(s.canRenumberSets()).toBe(true);
    s.close();
    await rx.close();
  });

  it('a sender renumbered during an outage, restarted on the same write-ahead log, sends the backlog of both numberings with the right labels (scripted receiver)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-collect-wal-'));
    const rx = await ScriptedReceiver.start();
    const sets = new LabelSets();
    const yaml = { url: rx.url, queue_config: { batch_send_deadline: '10ms', min_backoff: '10ms', max_backoff: '50ms' } };
    const first = new RemoteWriteSender(senderSettings(yaml), { wal: { dir }, sets });
    const series = (name: string, n: number) => Array.from({ length: n }, (_, i) => ({ __name__: name, idx: String(i) }));
    // Series of pods long gone, sent and acknowledged: their refs and series records stay in the WAL segment.
    first.append(series('gone', 500).map((labels, i) => ({ labels, value: i, timestampMs: 500 })));
    expect(await first.flush(5000)).toBe(true);
    rx.respond = () => ({ status: 503 });
    first.append(series('before', 40).map((labels, i) => ({ labels, value: i, timestampMs: 1000 })));
    expect(first.canRenumberSets()).toBe(true);
    // The 40 queued sets are kept and numbered 0–39, the numbers the gone ones had: their WAL refs must not be reused.
    expect(collectSets(sets, [first])).toEqual({ before: 540, after: 40, live: 40 });
    expect(sets.labels(0)).toEqual({ __name__: 'before', idx: '0' });
    first.append(series('before', 40).map((labels, i) => ({ labels, value: 100 + i, timestampMs: 2000 })));
    first.append(series('after', 20).map((labels, i) => ({ labels, value: 200 + i, timestampMs: 2000 })));
    await new Promise((r) => setTimeout(r, 100));
    first.close();
    await new Promise((r) => setTimeout(r, 100));
    const refused = rx.requests.length;
    rx.respond = () => ({ status: 204 });
    const second = new RemoteWriteSender(senderSettings(yaml), { wal: { dir } });
    expect(await second.flush(5000)).toBe(true);
    second.close();
    await rx.close();
    const got = rx.requests
      .slice(refused)
      .flatMap((r) => r.series.flatMap((s) => s.samples.map((x) => `${s.labels.map(([k, v]) => `${k}=${v}`).join(',')}@${x.timestamp}=${x.value}`)))
      .sort();
    const expected = [
      ...series('before', 40).map((l, i) => `__name__=before,idx=${l.idx}@1000=${i}`),
      ...series('before', 40).map((l, i) => `__name__=before,idx=${l.idx}@2000=${100 + i}`),
      ...series('after', 20).map((l, i) => `__name__=after,idx=${l.idx}@2000=${200 + i}`),
    ].sort();
    expect(got).toEqual(expected);
  });
});
