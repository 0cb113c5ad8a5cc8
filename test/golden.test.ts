/** examples/rendered/ is what the current code renders (regenerate with `npm run regen`). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs shared with scripts/regen-examples.mjs, no types.
import { EXAMPLE_CLUSTER, exampleCases, exampleClusterFile, renderedDir } from '../scripts/example-cases.mjs';
import { snapshotProblems } from '../src/runtime/semantics/snapshot.js';
import { syntheticCluster, type SyntheticOptions } from '../src/runtime/synthetic.js';
import { renderBundle } from '../src/pipeline.js';
import { toDirectoryFiles } from '../src/render/serialize.js';

interface ExampleCase {
  name: string;
  sources: { preset?: string; file?: string; sets: string[] };
  env: Record<string, string>;
}

const cases = (exampleCases as () => ExampleCase[])();
const dirOf = (name: string): string => join(renderedDir as string, name);

describe('golden examples', () => {
  it('has one directory per case and nothing else', () => {
    expect(readdirSync(renderedDir as string).sort()).toEqual(cases.map((c) => c.name).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('examples/rendered/%s is up to date (run `npm run regen`)', (_name, c) => {
    const bundle = renderBundle(c.sources, c.env);
    const expected = Object.fromEntries(toDirectoryFiles(bundle.objects, bundle.model.namespace));
    const dir = dirOf(c.name);
    const actual = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect(actual).toEqual(expected);
  });

  it('examples/cluster.json is the synthetic snapshot it says, and a valid one (run `npm run regen`)', () => {
    const text = readFileSync(exampleClusterFile as string, 'utf8');
    expect(text).toBe(`${JSON.stringify(syntheticCluster(EXAMPLE_CLUSTER as SyntheticOptions))}\n`);
    expect(snapshotProblems(JSON.parse(text))).toEqual([]);
  });
});
