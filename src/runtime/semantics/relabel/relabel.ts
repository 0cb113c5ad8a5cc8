/**
 * Prometheus relabeling (model/relabel in Prometheus 2.x), in Prometheus' YAML
 * field names. `relabel(labels, configs)` returns the new label set, or null
 * when a rule drops the target. A label set to "" is removed.
 */
import { createHash } from 'node:crypto';
import { PromRegex } from './regex.js';
import type { PromSemantics } from '../version.js';
import { labelValue, mergeLabels, setOwn, type Labels } from '../labels.js';

export type { Labels };

export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** A relabel rule as written in YAML. */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: string;
}

/** A rule with its defaults applied and its regex compiled. */
export interface CompiledRelabel {
  sourceLabels: string[];
  separator: string;
  regex: PromRegex;
  modulus: number;
  targetLabel: string;
  replacement: string;
  action: RelabelAction;
  /** The rule as written, for explanations. */
  source: RelabelConfig;
}

export class RelabelConfigError extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(`relabel rule ${index}: ${message}`);
    this.name = 'RelabelConfigError';
    this.index = index;
  }
}

const DEFAULT_REGEX = '(.*)';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A target_label that may still contain $1 / ${name} references (Prometheus' relabelTarget). */
const TEMPLATED_LABEL = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

export function compileRelabelConfigs(configs: readonly RelabelConfig[], _options: { semantics?: PromSemantics } = {}): CompiledRelabel[] {
  return configs.map((c, i) => compileOne(c, i));
}

function compileOne(c: RelabelConfig, index: number): CompiledRelabel {
  const action = (c.action ?? 'replace').toLowerCase();
  if (!(RELABEL_ACTIONS as readonly string[]).includes(action)) {
    throw new RelabelConfigError(index, `unknown action "${c.action}"; one of ${RELABEL_ACTIONS.join(', ')}`);
  }
  let regex: PromRegex;
  try {
    regex = PromRegex.of(c.regex ?? DEFAULT_REGEX);
  } catch (err) {
    throw new RelabelConfigError(index, (err as Error).message);
  }
  const rule: CompiledRelabel = {
    sourceLabels: c.source_labels ?? [],
    separator: c.separator ?? ';',
    regex,
    modulus: c.modulus ?? 0,
    targetLabel: c.target_label ?? '',
    replacement: c.replacement ?? '$1',
    action: action as RelabelAction,
    source: c,
  };
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(rule.action) && rule.targetLabel === '') {
    throw new RelabelConfigError(index, `action ${rule.action} requires target_label`);
  }
  if (rule.action === 'replace' && !TEMPLATED_LABEL.test(rule.targetLabel)) {
    throw new RelabelConfigError(index, `"${rule.targetLabel}" is an invalid target_label for replace`);
  }
  if (['lowercase', 'uppercase', 'hashmod', 'keepequal', 'dropequal'].includes(rule.action) && !LABEL_NAME.test(rule.targetLabel)) {
    throw new RelabelConfigError(index, `"${rule.targetLabel}" is an invalid target_label for ${rule.action}`);
  }
  if (rule.action === 'hashmod' && rule.modulus === 0) {
    throw new RelabelConfigError(index, 'action hashmod requires a non-zero modulus');
  }
  if (rule.action === 'labelmap' && !TEMPLATED_LABEL.test(rule.replacement)) {
    throw new RelabelConfigError(index, `"${rule.replacement}" is an invalid replacement for labelmap`);
  }
  if ((rule.action === 'labeldrop' || rule.action === 'labelkeep') && (c.source_labels !== undefined || c.target_label !== undefined || c.modulus !== undefined || c.replacement !== undefined)) {
    throw new RelabelConfigError(index, `${rule.action} takes only regex (no source_labels, target_label, modulus or replacement)`);
  }
  if ((rule.action === 'keepequal' || rule.action === 'dropequal') && (c.regex !== undefined || c.modulus !== undefined || c.replacement !== undefined)) {
    throw new RelabelConfigError(index, `${rule.action} takes source_labels and target_label only (no regex, modulus or replacement)`);
  }
  return rule;
}

/** Sets a label; the empty string removes it. */
function setLabel(labels: Labels, name: string, v: string): void {
  if (v === '') delete labels[name];
  else setOwn(labels, name, v);
}

/**
 * Applies one rule to `labels` in place; false when it drops the target. Every
 * rule reads the label set as it was before the rule (labelmap included).
 */
export function applyRuleInPlace(labels: Labels, rule: CompiledRelabel): boolean {
  let value: string;
  if (rule.sourceLabels.length === 1) value = labelValue(labels, rule.sourceLabels[0]!) ?? '';
  else {
    value = '';
    for (let i = 0; i < rule.sourceLabels.length; i++) value += (i > 0 ? rule.separator : '') + (labelValue(labels, rule.sourceLabels[i]!) ?? '');
  }
  switch (rule.action) {
    case 'drop':
      return !rule.regex.matches(value);
    case 'keep':
      return rule.regex.matches(value);
    case 'dropequal':
      return (labelValue(labels, rule.targetLabel) ?? '') !== value;
    case 'keepequal':
      return (labelValue(labels, rule.targetLabel) ?? '') === value;
    case 'replace': {
      if (rule.regex.matchAll && rule.replacement === '$1' && !rule.targetLabel.includes('$') && !value.includes('\n')) {
        // The common copy (`(.*)` → `$1`), without building the match groups.
        if (LABEL_NAME.test(rule.targetLabel)) setLabel(labels, rule.targetLabel, value);
        return true;
      }
      const groups = rule.regex.match(value);
      if (groups === null) return true;
      const target = rule.targetLabel.includes('$') ? rule.regex.expand(rule.targetLabel, groups) : rule.targetLabel;
      if (!LABEL_NAME.test(target)) return true;
      setLabel(labels, target, rule.replacement === '$1' ? (groups[1] ?? '') : rule.regex.expand(rule.replacement, groups));
      return true;
    }
    case 'lowercase':
      setLabel(labels, rule.targetLabel, goLower(value));
      return true;
    case 'uppercase':
      setLabel(labels, rule.targetLabel, goUpper(value));
      return true;
    case 'hashmod':
      setLabel(labels, rule.targetLabel, hashMod(value, rule.modulus));
      return true;
    case 'labelmap': {
      let matched: string[] | undefined;
      for (const name in labels) if (rule.regex.matches(name)) (matched ??= []).push(name);
      if (matched === undefined) return true;
      // Prometheus walks the labels sorted by name: when two map to one name, the later one wins.
      const additions = matched.sort().map((name) => [rule.regex.expand(rule.replacement, rule.regex.match(name)!), labels[name]!] as const);
      for (const [name, v] of additions) setLabel(labels, name, v);
      return true;
    }
    case 'labeldrop':
      for (const name of Object.keys(labels)) if (rule.regex.matches(name)) delete labels[name];
      return true;
    case 'labelkeep':
      for (const name of Object.keys(labels)) if (!rule.regex.matches(name)) delete labels[name];
      return true;
  }
}

/** Applies one rule; null when it drops the target. Does not modify `labels`. */
export function applyRule(labels: Readonly<Labels>, rule: CompiledRelabel): Labels | null {
  const out = mergeLabels(labels);
  return applyRuleInPlace(out, rule) ? out : null;
}

export interface RelabelStep {
  index: number;
  rule: RelabelConfig;
  before: Labels;
  /** null when this rule dropped the target. */
  after: Labels | null;
}

/** Applies every rule in order; the result, and each step for `--explain`. */
export function relabelWithSteps(labels: Readonly<Labels>, rules: readonly CompiledRelabel[]): { result: Labels | null; steps: RelabelStep[] } {
  const steps: RelabelStep[] = [];
  let current = mergeLabels(labels);
  for (let i = 0; i < rules.length; i++) {
    const after = applyRule(current, rules[i]!);
    steps.push({ index: i, rule: rules[i]!.source, before: current, after });
    if (after === null) return { result: null, steps };
    current = after;
  }
  return { result: current, steps };
}

/** relabel(labels, configs) → new labels, or null when dropped. Configs may be raw YAML or compiled. */
export function relabel(labels: Readonly<Labels>, configs: readonly RelabelConfig[] | readonly CompiledRelabel[]): Labels | null {
  const rules = isCompiled(configs) ? configs : compileRelabelConfigs(configs);
  const current = mergeLabels(labels);
  return relabelInPlace(current, rules) === -1 ? current : null;
}

/** Applies the rules to `labels` in place; the index of the rule that dropped the target, or -1. */
export function relabelInPlace(labels: Labels, rules: readonly CompiledRelabel[]): number {
  for (let i = 0; i < rules.length; i++) if (!applyRuleInPlace(labels, rules[i]!)) return i;
  return -1;
}

function isCompiled(configs: readonly RelabelConfig[] | readonly CompiledRelabel[]): configs is readonly CompiledRelabel[] {
  return configs.length > 0 && (configs[0] as CompiledRelabel).regex instanceof PromRegex;
}

/** Prometheus: the last 8 bytes of md5(value), big-endian, modulo the modulus. */
function hashMod(value: string, modulus: number): string {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return (digest.readBigUInt64BE(8) % BigInt(modulus)).toString();
}

/**
 * Go's strings.ToLower/ToUpper map each code point with Unicode's simple case
 * mapping; JavaScript uses the full mapping, which can yield several code
 * points (İ → i̇, ß → SS). Where it does, take Go's simple mapping instead.
 */
function goLower(s: string): string {
  let out = '';
  for (const ch of s) {
    const lower = ch.toLowerCase();
    out += [...lower].length === 1 ? lower : ch === '\u0130' ? 'i' : ch;
  }
  return out;
}

function goUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const upper = ch.toUpperCase();
    if ([...upper].length === 1) {
      out += upper;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    // Greek letters with ypogegrammeni have a single-code-point simple uppercase.
    if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) out += String.fromCodePoint(cp + 8);
    else if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) out += String.fromCodePoint(cp + 9);
    else out += ch;
  }
  return out;
}
