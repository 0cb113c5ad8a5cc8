/**
 * Fuzzing the profile: whatever a user writes is either accepted and comes out
 * exactly in the render, or rejected as `path: message` — never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InvalidInputError } from '../src/errors.js';
import { buildModel } from '../src/model/build.js';
import { renderManifests } from '../src/render/manifests.js';
import { resolveProfileDocument } from '../src/profile/resolve.js';
import { COMPONENT_NAMES, profileSchema } from '../src/profile/schema.js';
import { runCli } from './support/cli.js';
import { agentConfigAsRead } from './support/render.js';

/** Every path in the schema, with the kind of value it holds. */
function schemaPaths(node: any = profileSchema, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (node?.properties) for (const [k, v] of Object.entries(node.properties)) out.push(...schemaPaths(v, [...prefix, k]));
  if (node?.items) out.push(...schemaPaths(node.items, [...prefix, 0]));
  return out;
}
const PATHS = schemaPaths().filter((p) => p.length > 0 && p[0] !== '$schema');

function schemaAt(path: (string | number)[]): any {
  let node: any = profileSchema;
  for (const seg of path) node = typeof seg === 'number' ? node?.items : node?.properties?.[seg];
  return node;
}

/** A value of the type the schema expects at the path (still often invalid: patterns, ranges, cross-field rules). */
function typedValue(path: (string | number)[]): fc.Arbitrary<unknown> {
  const node = schemaAt(path);
  if (node?.enum) return fc.constantFrom(...node.enum);
  switch (node?.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: 0, max: 6000 });
    case 'string':
      return node.pattern ? fc.constantFrom('30s', '2m', 'obs', 'team-a', 'registry.example.cn/mirror', 'v1.2.3', '10Gi', '512MB', 'x') : hostile;
    default:
      return fc.constant(undefined);
  }
}
const LEAF_PATHS = PATHS.filter((p) => ['boolean', 'integer', 'string'].includes(schemaAt(p)?.type) || schemaAt(p)?.enum);

const hostile = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '0s', '-1s', '10m', '1h', 'true', 'null', 'http://', 'https://x', 'ftp://x', 'https://u:p@h/x', '${X}', '$$', '\\', '#', ': ', '\n', '中文'),
);
const anyValue = fc.oneof(
  hostile,
  fc.integer({ min: -5, max: 100000 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostile, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostile, { maxKeys: 3 }),
  fc.constantFrom([] as unknown[], {}),
);

function setIn(doc: any, path: readonly (string | number)[], value: unknown): any {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const base = typeof head === 'number' ? (Array.isArray(doc) ? [...doc] : []) : doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...doc } : {};
  base[head] = setIn(base[head], rest, value);
  return base;
}

const mutation = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LEAF_PATHS).chain((path) => typedValue(path).map((value) => ({ path, value }))) },
  fc.tuple(fc.constantFrom(...PATHS), anyValue).map(([path, value]) => ({ path, value })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), anyValue).map(([key, value]) => ({ path: [key], value })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.boolean()).map(([name, enabled]) => ({ path: ['components', name, 'enabled'], value: enabled })),
  fc.constantFrom(
    { path: ['remoteWrite'], value: [] },
    { path: ['agent', 'scrapeInterval'], value: '0s' },
    { path: ['agent', 'scrapeTimeout'], value: '5m' },
    { path: ['remoteWrite', 0, 'url'], value: 'not a url' },
  ),
);

const BASE = { preset: 'kubeadm', remoteWrite: [{ url: 'https://mimir.example/api/v1/push', headers: { 'X-Scope-OrgID': 't' } }] };

type Outcome = { ok: true; doc: any; objects: ReturnType<typeof renderManifests>['objects'] } | { ok: false; problems: readonly { path: string; message: string }[] };

function attempt(doc: any): Outcome {
  try {
    const { profile } = resolveProfileDocument(doc, {});
    const { model } = buildModel(profile, {});
    return { ok: true, doc, objects: renderManifests(model).objects };
  } catch (err) {
    if (err instanceof InvalidInputError) return { ok: false, problems: err.problems };
    throw err;
  }
}

describe('profile fuzzing', () => {
  it('accepts and round-trips, or rejects with path: message — never throws anything else', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const doc = mutations.reduce((d, m) => setIn(d, m.path, m.value), structuredClone(BASE) as any);
        const outcome = attempt(doc);
        if (!outcome.ok) {
          rejected++;
          expect(outcome.problems.length).toBeGreaterThan(0);
          for (const p of outcome.problems) {
            expect(typeof p.path).toBe('string');
            expect(p.message.length).toBeGreaterThan(5);
          }
          return;
        }
        accepted++;
        // What the user wrote is what the agents get.
        const config = agentConfigAsRead(outcome.objects, 'k8smon-agent-cluster');
        if (typeof doc.cluster?.name === 'string') expect(config.global.external_labels.cluster).toBe(doc.cluster.name);
        const rw = Array.isArray(doc.remoteWrite) ? doc.remoteWrite : [];
        rw.forEach((d: any, i: number) => {
          expect(config.remote_write[i]?.url).toBe(d.url);
          // An empty map of headers is no headers: the agent config then leaves the key out.
          if (d.headers) expect(config.remote_write[i]?.headers ?? {}).toEqual(d.headers);
        });
        if (typeof doc.namespace === 'string') expect(outcome.objects.find((o) => o.kind === 'DaemonSet')?.metadata.namespace).toBe(doc.namespace);
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(10);
    expect(rejected).toBeGreaterThan(50);
  });

  it.each([
    [{ remoteWrite: [] }, 'remoteWrite'],
    [{ agent: { scrapeInterval: '0s' } }, 'agent.scrapeInterval'],
    [{ agent: { scrapeInterval: '-1s' } }, 'agent.scrapeInterval'],
    [{ agent: { scrapeInterval: '30s', scrapeTimeout: '1m' } }, 'agent.scrapeTimeout'],
    [{ remoteWrite: [{ url: 'mimir:9009' }] }, 'remoteWrite[0].url'],
    [{ components: { grafana: { enabled: true } } }, 'components.grafana'],
    [{ cluster: { name: 42 } }, 'cluster.name'],
    [{ bogus: 1 }, 'bogus'],
  ])('rejects %j at %s', (doc, path) => {
    const outcome = attempt(doc);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.problems.map((p) => p.path)).toContain(path);
  });

  it('knows every component name the schema lists', () => {
    expect(Object.keys((profileSchema.properties.components as any).properties)).toEqual([...COMPONENT_NAMES]);
  });

  it('the CLI exits 2 with path: messages and no stack trace on fuzzed files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-fuzz-'));
    const docs = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: 40, seed: 7 }).map((ms) => ms.reduce((d, m) => setIn(d, m.path, m.value), structuredClone(BASE) as any));
    const rejectedDocs = docs.filter((d) => !attempt(d).ok).slice(0, 8);
    expect(rejectedDocs.length).toBeGreaterThan(3);
    for (const [i, doc] of rejectedDocs.entries()) {
      const file = join(dir, `p${i}.yaml`);
      writeFileSync(file, stringify(doc));
      const r = await runCli(['render', '-f', file]);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: .*\n( {2}\S.*: .+\n)+$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
