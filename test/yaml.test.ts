/**
 * stringifyYaml (src/util/yaml.ts), which writes every YAML file k8smon
 * makes: what it writes parses back to the same value, with the `yaml`
 * package's own parser, also for the strings its stringify gets wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { stringifyYaml, stringifyYamlWithPackage } from '../src/util/yaml.js';
import { fastStringifyYaml } from '../src/util/yaml-emit.js';
import { PRESETS, renderPreset } from './support/render.js';

const awkward = fc.array(fc.constantFrom(' ', '  ', '\t', '\n', 'a', 'b c', ':', '#', '- ', '|', '"'), { maxLength: 10 }).map((parts) => parts.join(''));

describe('stringifyYaml', () => {
  it('writes " \\n" so that it parses back as " \\n" (the yaml package alone gives "\\n": eemeli/yaml#692)', () => {
    expect(parse(stringify({ username: ' \n' })).username).toBe('\n'); // the bug worked around; when this fails, the workaround can go
    expect(parse(stringifyYaml({ username: ' \n' })).username).toBe(' \n');
  });

  it('round-trips strings of spaces, tabs and newlines in maps and lists (property-based)', () => {
    fc.assert(
      fc.property(awkward, awkward, (a, b) => {
        const value = { a, nested: { list: [b, a], b } };
        expect(parse(stringifyYaml(value, { lineWidth: 0 }))).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps multi-line configs as readable literal blocks', () => {
    expect(stringifyYaml({ data: { 'agent.yaml': 'metrics:\n  global: {}\n' } }, { lineWidth: 0 })).toBe('data:\n  agent.yaml: |\n    metrics:\n      global: {}\n');
  });
});

/**
 * The fast path (src/util/yaml-emit.ts) writes most files without the yaml
 * package; wherever it answers, its text must be the package's, byte for byte.
 */
describe('fastStringifyYaml against the yaml package', () => {
  // Strings that sit on every quoting rule's edge: indicators, type look-alikes, markers, blanks.
  const edgy = fc.oneof(
    awkward,
    fc.constantFrom('', 'true', 'True', 'NULL', '~', '0o17', '0x1F', '-1', '+.5', '1e3', '.inf', '.NaN', '12', '1.', 'yes', '<<', '---x', '--- x', '...', '%x', '@a', '`a', "it's", 'say "hi"', `'"`, 'a: b', 'a:b', 'a #b', 'a#b', 'x:', '- a', '-a', '?', '? a', '$(NODE_NAME)', 'ü ß', '\r', 'a\u0085b', '\u00a0', 'line\n', 'l1\nl2', 'l1\n\nl2\n', 'l1\nl2\n\n', '\tx\ny', 'x\n  y\n', 'a\n ', ' a\nb'),
    fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', '\n', '-', '"', "'", '\t', '0', '.', '{', '&', '|') , maxLength: 8 }),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, tie('scalar'), tie('list'), tie('map')),
    scalar: fc.oneof(edgy, fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null), fc.constant(-0)),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(edgy, fc.oneof(tie('node'), fc.constant(undefined)), { maxKeys: 4 }),
  }));
  const OPTION_SETS = [
    { lineWidth: 0 },
    { lineWidth: 0, indentSeq: true, aliasDuplicateObjects: false },
    { lineWidth: 0, sortMapEntries: false, doubleQuote: (s: string) => s.includes('$(') },
    { lineWidth: 0, indentSeq: false },
  ];

  it('writes what the package writes, or leaves it to the package (property-based, 3,000 values per option set)', () => {
    let answered = 0;
    for (const options of OPTION_SETS) {
      fc.assert(
        fc.property(fc.oneof(value.map, value.list), (v) => {
          const fast = fastStringifyYaml(v, options);
          if (fast === undefined) return;
          answered++;
          expect(fast).toBe(stringifyYamlWithPackage(v, options));
        }),
        { numRuns: 3000 },
      );
    }
    // A fast path that stepped aside every time would pass the comparison and help nobody.
    expect(answered).toBeGreaterThan(OPTION_SETS.length * 3000 * 0.3);
  });

  it('shares, not aliases, a repeated object only when aliasing is off', () => {
    const shared = { a: 1 };
    expect(fastStringifyYaml({ x: shared, y: shared }, { lineWidth: 0 })).toBeUndefined();
    expect(fastStringifyYaml({ x: shared, y: shared }, { lineWidth: 0, aliasDuplicateObjects: false })).toBe('x:\n  a: 1\ny:\n  a: 1\n');
  });

  it('writes every object of every preset\'s render itself, and each as the package would', () => {
    let handled = 0;
    let total = 0;
    for (const preset of PRESETS) {
      for (const obj of renderPreset(preset).objects) {
        total++;
        const options = { lineWidth: 0, indentSeq: true, aliasDuplicateObjects: false };
        const fast = fastStringifyYaml(obj, options);
        if (fast === undefined) continue;
        handled++;
        expect(fast).toBe(stringifyYamlWithPackage(obj, options));
      }
    }
    expect(handled).toBe(total);
  });
});
