/**
 * A scraped series' labels once its target's are added (scrape.go
 * mutateSampleLabels and mutateReportSampleLabels): with honor_labels the
 * exposed labels win; without, the target's win and an exposed label they
 * displace is kept as `exported_<name>` (`exported_exported_<name>` if that
 * is taken too, shorter names first). Labels with empty values go, as
 * Prometheus' label builder drops them.
 */
import { relabelInPlace, type CompiledRelabel } from '../semantics/relabel/relabel.js';
import { setOwn, type Labels } from '../semantics/labels.js';
import { DEFAULT_SEMANTICS, type PromSemantics } from '../semantics/version.js';

const EXPORTED = 'exported_';

function has(labels: Labels, name: string): boolean {
  const v = labels[name];
  return typeof v === 'string' && v !== '' && Object.hasOwn(labels, name);
}

/**
 * The series' final labels, or null when metric relabeling drops it. Changes
 * and may return `exposed`. Prometheus 2 looks for a free `exported_` name
 * among all exposed labels, empty ones included; Prometheus 3 among those
 * with a value (so an exposed `exported_x=""` is taken over by 3, skipped by 2).
 */
export function sampleLabels(exposed: Labels, target: Readonly<Labels>, honorLabels: boolean, rules: readonly CompiledRelabel[], semantics: PromSemantics = DEFAULT_SEMANTICS): Labels | null {
  if (honorLabels) {
    // An exposed label wins even when empty (and then goes with the other empty ones).
    for (const name in target) if (!Object.hasOwn(exposed, name)) setOwn(exposed, name, target[name]!);
  } else {
    let conflicts: [string, string][] | undefined;
    for (const name in target) {
      if (has(exposed, name)) (conflicts ??= []).push([name, exposed[name]!]);
      setOwn(exposed, name, target[name]!);
    }
    if (conflicts !== undefined) {
      conflicts.sort((a, b) => a[0].length - b[0].length);
      for (const [name, value] of conflicts) {
        let newName = name;
        const taken = semantics === 'prometheus-2' ? (n: string): boolean => Object.hasOwn(exposed, n) : (n: string): boolean => has(exposed, n);
        do newName = EXPORTED + newName;
        while (taken(newName));
        setOwn(exposed, newName, value);
      }
    }
  }
  for (const name in exposed) if (exposed[name] === '') delete exposed[name];
  if (rules.length > 0 && relabelInPlace(exposed, rules) !== -1) return null;
  return exposed;
}

/** The labels of a synthetic series (up, scrape_duration_seconds, ...): the target's always win, the name's own value kept as exported_. */
export function reportLabels(name: string, target: Readonly<Labels>): Labels {
  const labels: Labels = { __name__: name };
  for (const l in target) {
    const existing = l === '__name__' ? name : '';
    if (existing !== '') labels[EXPORTED + l] = existing;
    setOwn(labels, l, target[l]!);
  }
  for (const l in labels) if (labels[l] === '') delete labels[l];
  return labels;
}
