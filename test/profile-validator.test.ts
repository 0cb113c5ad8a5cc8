/**
 * The schema validator the build compiles ahead of time (ajv standalone code,
 * dist/profile/schema-validator.cjs) against ajv compiling the same schema at
 * run time: the same verdict and the same errors, valid and broken profiles alike.
 */
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames } from '../src/profile/presets.js';
import { profileSchema } from '../src/profile/schema.js';
import { AJV_OPTIONS } from '../src/profile/validate.js';

const built = new URL('../dist/profile/schema-validator.cjs', import.meta.url);
const runtime = new Ajv(AJV_OPTIONS).compile(profileSchema);

function verdict(validate: ValidateFunction, doc: unknown): { valid: boolean; errors: unknown } {
  const valid = validate(doc);
  return { valid, errors: validate.errors ?? null };
}

describe('precompiled profile validator (npm run build)', () => {
  it('is built next to the compiled validate module', () => {
    expect(existsSync(built)).toBe(true);
  });

  const precompiled = createRequire(import.meta.url)(built.pathname) as ValidateFunction;

  it.each(presetNames())('agrees with ajv on preset %s', (name) => {
    const doc = loadPreset(name);
    expect(verdict(precompiled, doc)).toEqual(verdict(runtime, doc));
    expect(verdict(precompiled, doc).valid).toBe(true);
  });

  it('agrees with ajv on broken profiles (values of the wrong kind at any place)', () => {
    const base = loadPreset('eks');
    const paths = (o: unknown, prefix: string[] = []): string[][] =>
      o !== null && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]) : [];
    const all = paths(base);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.jsonValue({ maxDepth: 2 }), fc.string(), (path, value, extraKey) => {
        const doc = structuredClone(base) as Record<string, any>;
        let node = doc;
        for (const seg of path.slice(0, -1)) node = node[seg];
        node[path[path.length - 1]!] = value;
        node[`x${extraKey}`] = 1;
        expect(verdict(precompiled, doc)).toEqual(verdict(runtime, doc));
      }),
      { numRuns: 300 },
    );
  });
});
