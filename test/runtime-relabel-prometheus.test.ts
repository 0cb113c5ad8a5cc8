/**
 * Prometheus' own relabel test table (v3.13.0 model/relabel/relabel_test.go),
 * transcribed into test/fixtures/prometheus/relabel-v3.13.json, run through
 * relabel() with each semantics: Prometheus 3's expectations, and 2.x's
 * (Prometheus 2.48.1, grafana-agent v0.44's base) where they differ.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRelabelConfigs, relabel, type RelabelConfig } from '../src/runtime/semantics/relabel/relabel.js';
import type { PromSemantics } from '../src/runtime/semantics/version.js';

type Expectation = { output: Record<string, string> } | { drop: true } | { error: string } | { valid: true };

interface Table {
  relabel: ({ name: string; input: Record<string, string>; rules: RelabelConfig[] } & Partial<Record<PromSemantics, Expectation>>)[];
  validate: ({ rule: RelabelConfig } & Partial<Record<PromSemantics, Expectation>>)[];
  legacyTargetLabel: { cases: [string, boolean][] };
}

const table = JSON.parse(readFileSync(new URL('./fixtures/prometheus/relabel-v3.13.json', import.meta.url), 'utf8')) as Table;
const SEMANTICS: PromSemantics[] = ['prometheus-3', 'prometheus-2'];

/** A case's expectation for `semantics`: its own, else Prometheus 3's (the same in 2.x). */
function expectationFor(c: Partial<Record<PromSemantics, Expectation>>, semantics: PromSemantics): Expectation {
  return c[semantics] ?? c['prometheus-3']!;
}

describe.each(SEMANTICS)('Prometheus relabel table, %s', (semantics) => {
  it.each(table.relabel.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const expected = expectationFor(c, semantics);
    const run = (): Record<string, string> | null => relabel(c.input, c.rules, { semantics });
    if ('error' in expected) expect(run).toThrow(expected.error);
    else if ('drop' in expected) expect(run()).toBeNull();
    else if ('output' in expected) expect(run()).toEqual(expected.output);
  });

  it.each(table.validate.map((c, i) => [i, JSON.stringify(c.rule), c] as const))('validation %i: %s', (_i, _rule, c) => {
    const expected = expectationFor(c, semantics);
    const compile = (): unknown => compileRelabelConfigs([c.rule], { semantics });
    if ('error' in expected) expect(compile).toThrow(expected.error);
    else expect(compile).not.toThrow();
  });
});

describe('the legacy target_label pattern (prometheus-2 replace targets)', () => {
  it.each(table.legacyTargetLabel.cases)('%s → %s', (target, valid) => {
    const compile = (): unknown => compileRelabelConfigs([{ source_labels: ['a'], target_label: target }], { semantics: 'prometheus-2' });
    if (valid) expect(compile).not.toThrow();
    else expect(compile).toThrow(/is invalid 'target_label' for replace action/);
  });
});
