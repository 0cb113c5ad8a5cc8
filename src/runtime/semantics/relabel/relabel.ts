/**
 * Prometheus relabeling (model/relabel), in Prometheus' YAML field names.
 * `relabel(labels, configs, { semantics })` returns the new label set, or null
 * when a rule drops the target. A label set to "" is removed. Prometheus 3 and
 * 2.x differ: see PromSemantics and the README's "Prometheus semantics".
 */
import { createHash } from 'node:crypto';
import { PromRegex } from './regex.js';
import { labelValue, mergeLabels, setOwn, type Labels } from '../labels.js';
import { DEFAULT_SEMANTICS, type PromSemantics } from '../version.js';

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

/**
 * A relabel rule as written in YAML. A field given as null is Go's zero value
 * for it (an empty string, no labels, 0), as Prometheus' YAML decoding makes it,
 * not the default an absent field gets.
 */
export interface RelabelConfig {
  source_labels?: string[] | null;
  separator?: string | null;
  regex?: string | null;
  modulus?: number | null;
  target_label?: string | null;
  replacement?: string | null;
  action?: string | null;
}

export interface RelabelOptions {
  /** Which Prometheus to answer for (default prometheus-3). */
  semantics?: PromSemantics;
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
  /** The semantics the rule was compiled for (its regex's, and how names are validated). */
  semantics: PromSemantics;
  /** A `replace` that copies the value as it is (`(.*)` → `$1`, a plain target): no groups to build. */
  copiesValue: boolean;
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
const DEFAULT_SEPARATOR = ';';
const DEFAULT_REPLACEMENT = '$1';
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A UTF-16 code unit that is half of no pair: a string with one is not valid UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;
/** A legacy target_label that may still contain $1 / ${name} references (Prometheus' relabel target pattern). */
const TEMPLATED_LABEL = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/**
 * A valid label name: Prometheus 3 (UTF-8 name validation, its default) takes
 * any non-empty valid UTF-8; 2.x only [a-zA-Z_][a-zA-Z0-9_]*.
 */
export function isValidLabelName(name: string, semantics: PromSemantics = DEFAULT_SEMANTICS): boolean {
  return semantics === 'prometheus-2' ? LEGACY_LABEL_NAME.test(name) : name.length > 0 && !LONE_SURROGATE.test(name);
}

/** A valid name that may still hold `$1`/`${name}` references (target_label of replace, replacement of labelmap). */
function isValidTemplatedName(name: string, semantics: PromSemantics): boolean {
  return semantics === 'prometheus-2' ? TEMPLATED_LABEL.test(name) : isValidLabelName(name, semantics);
}

export function compileRelabelConfigs(configs: readonly RelabelConfig[], options: RelabelOptions = {}): CompiledRelabel[] {
  const semantics = options.semantics ?? DEFAULT_SEMANTICS;
  return configs.map((c, i) => compileOne(c, i, semantics));
}

/** A field as Prometheus' YAML decoding leaves it: absent → the default, null → Go's zero value. */
function stringField(v: string | null | undefined, dflt: string): string {
  return v === undefined ? dflt : v === null ? '' : String(v);
}

/**
 * Defaults applied, then Prometheus' own checks, in its order and close to its
 * words: model/relabel Config.Validate (3.x; run at load with the scrape
 * config's name validation, UTF-8 by default) and Config.UnmarshalYAML (2.x).
 * A rule that writes the defaults out (separator ;, replacement $1, modulus 0)
 * is what Prometheus prints back and is valid; a regex written out is not the
 * default regex, even `(.*)`, and keepequal/dropequal refuse it as Prometheus does.
 */
function compileOne(c: RelabelConfig, index: number, semantics: PromSemantics): CompiledRelabel {
  const fail = (message: string): never => {
    throw new RelabelConfigError(index, message);
  };
  const written = c.action === undefined ? 'replace' : c.action === null ? '' : String(c.action);
  const action = written.toLowerCase();
  if (c.action !== undefined && c.action !== null && !(RELABEL_ACTIONS as readonly string[]).includes(action)) {
    fail(`unknown relabel action ${JSON.stringify(written)} (one of ${RELABEL_ACTIONS.join(', ')})`);
  }
  for (const name of c.source_labels ?? []) {
    // Checked as the YAML is read, with the process-wide scheme: UTF-8 in Prometheus 3, legacy in 2.x.
    if (!isValidLabelName(String(name), semantics)) fail(`${JSON.stringify(name)} is not a valid label name`);
  }
  const modulus = c.modulus ?? 0;
  if (!Number.isSafeInteger(modulus) || modulus < 0) fail(`modulus ${JSON.stringify(c.modulus)} is not an unsigned integer`);
  let regex: PromRegex;
  try {
    regex = PromRegex.of(c.regex === undefined ? DEFAULT_REGEX : c.regex === null ? '' : String(c.regex), semantics);
  } catch (err) {
    return fail((err as Error).message);
  }
  const rule: CompiledRelabel = {
    sourceLabels: (c.source_labels ?? []).map(String),
    separator: stringField(c.separator, DEFAULT_SEPARATOR),
    regex,
    modulus,
    targetLabel: stringField(c.target_label, ''),
    replacement: stringField(c.replacement, DEFAULT_REPLACEMENT),
    action: action as RelabelAction,
    semantics,
    copiesValue: false,
    source: c,
  };
  const { targetLabel: target, replacement } = rule;
  const act = rule.action as string;
  if (act === '') fail('relabel action cannot be empty');
  if (act === 'hashmod' && modulus === 0) fail('relabel configuration for hashmod requires non-zero modulus');
  const writesTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(act);
  if (writesTarget && target === '') fail(`relabel configuration for ${act} action requires 'target_label' value`);
  const invalidTarget = `${JSON.stringify(target)} is invalid 'target_label' for ${act} action`;
  const namesTarget = ['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(act);
  if (semantics === 'prometheus-2') {
    // 2.x checks these targets with the pattern that allows $references, lowercase and the equal actions included.
    if ((act === 'replace' || namesTarget) && !TEMPLATED_LABEL.test(target)) fail(invalidTarget);
  } else {
    if (act === 'replace' && !isValidTemplatedName(target, semantics)) fail(invalidTarget);
    if (namesTarget && !isValidLabelName(target, semantics)) fail(invalidTarget);
  }
  if (namesTarget && replacement !== DEFAULT_REPLACEMENT) fail(`'replacement' can not be set for ${act} action`);
  if (act === 'labelmap' && !isValidTemplatedName(replacement, semantics)) fail(`${JSON.stringify(replacement)} is invalid 'replacement' for ${act} action`);
  if (act === 'hashmod' && !isValidLabelName(target, semantics)) fail(invalidTarget);
  const defaultRegex = c.regex === undefined;
  const sep = rule.separator;
  if ((act === 'keepequal' || act === 'dropequal') && (!defaultRegex || modulus !== 0 || sep !== DEFAULT_SEPARATOR || replacement !== DEFAULT_REPLACEMENT)) {
    fail(`${act} action requires only 'source_labels' and \`target_label\`, and no other fields`);
  }
  if ((act === 'labeldrop' || act === 'labelkeep') && (Array.isArray(c.source_labels) || target !== '' || modulus !== 0 || sep !== DEFAULT_SEPARATOR || replacement !== DEFAULT_REPLACEMENT)) {
    fail(`${act} action requires only 'regex', and no other fields`);
  }
  rule.copiesValue = act === 'replace' && regex.matchAll && replacement === DEFAULT_REPLACEMENT && !target.includes('$');
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
      if (rule.copiesValue && (rule.semantics === 'prometheus-3' || !value.includes('\n'))) {
        // The common copy (`(.*)` → `$1` into a plain target), without building the match groups.
        setLabel(labels, rule.targetLabel, value);
        return true;
      }
      const groups = rule.regex.match(value);
      if (groups === null) return true;
      const templated = rule.targetLabel.includes('$');
      const target = templated ? rule.regex.expand(rule.targetLabel, groups) : rule.targetLabel;
      // Prometheus 2.x deletes the label named by the target as written (the template, not its expansion).
      const prometheus2 = rule.semantics === 'prometheus-2';
      if (templated && !isValidLabelName(target, rule.semantics)) {
        if (prometheus2) delete labels[rule.targetLabel];
        return true;
      }
      const v = rule.replacement === '$1' ? (groups[1] ?? '') : rule.regex.expand(rule.replacement, groups);
      setLabel(labels, v === '' && prometheus2 ? rule.targetLabel : target, v);
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

/**
 * relabel(labels, configs, { semantics }) → new labels, or null when dropped.
 * Configs may be raw YAML (compiled for `semantics`) or compiled (they carry
 * the semantics they were compiled for).
 */
export function relabel(labels: Readonly<Labels>, configs: readonly RelabelConfig[] | readonly CompiledRelabel[], options: RelabelOptions = {}): Labels | null {
  const rules = isCompiled(configs) ? configs : compileRelabelConfigs(configs, options);
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
export function hashModulo(value: string, modulus: number): string {
  return hashMod(value, modulus);
}

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
