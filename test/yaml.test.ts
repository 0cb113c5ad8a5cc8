/**
 * stringifyYaml (src/util/yaml.ts), which writes every YAML file k8smon
 * makes: what it writes parses back to the same value, with the `yaml`
 * package's own parser, also for the strings its stringify gets wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { stringifyYaml } from '../src/util/yaml.js';

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
