/**
 * Prometheus relabel regexes: RE2 syntax (Go's regexp), fully anchored. Prometheus
 * 3 compiles them as `^(?s:…)$`, so `.` matches a newline too; Prometheus 2.x
 * (and the grafana-agent static mode built on it) as `^(?:…)$`, where `.` does
 * not. Anything RE2 refuses (look-arounds, backreferences) is refused here too,
 * instead of being run by the JavaScript engine.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { DEFAULT_SEMANTICS, type PromSemantics } from '../version.js';

const require = createRequire(import.meta.url);
let re2Engine: typeof RE2JS | undefined;

/**
 * The RE2 engine, loaded when the first regex is compiled: a render whose
 * profile holds no regex of its own never needs it, and loading it costs a
 * command's start-up some 20–40 ms.
 */
function re2(): typeof RE2JS {
  return (re2Engine ??= (require('re2js') as typeof import('re2js')).RE2JS);
}

export class RelabelRegexError extends Error {
  constructor(pattern: string, reason: string) {
    super(`invalid regex ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'RelabelRegexError';
  }
}

/** One match: group texts by index (undefined = group did not take part). */
export type Groups = (string | undefined)[];

/** Matching the same value again is common (phases, annotation values): remember recent results. */
const MEMO_LIMIT = 4096;
/** Patterns without any regex syntax match only themselves. */
const LITERAL = /^[A-Za-z0-9_;:,/ =@%-]*$/;

/**
 * Patterns made only of name characters, `.`, groups, alternation and the
 * quantifiers `? * +` (no classes, escapes, braces or flags) describe the same
 * language to RE2 and to JavaScript's engine, so whether a whole value matches
 * can be answered natively — the allow-lists are all of this kind. Groups (for
 * replace) still come from RE2, whose submatch rules differ in corner cases.
 */
const NATIVE_SAFE = /^[A-Za-z0-9_:|()?*+.-]*$/;
/** Where JavaScript's `.` (without the s flag) stops but RE2's does not: fall back to RE2 for such values. */
const JS_ONLY_LINE_BREAKS = /[\r\u2028\u2029]/;

/** Compiled regexes by semantics and source: agents repeat the same few patterns across thousands of instances. */
const compiled: Record<PromSemantics, Map<string, PromRegex>> = { 'prometheus-3': new Map(), 'prometheus-2': new Map() };

export class PromRegex {
  /** A shared compiled regex for `source` under `semantics` (compiling RE2 is the expensive part). */
  static of(source: string, semantics: PromSemantics = DEFAULT_SEMANTICS): PromRegex {
    const cache = compiled[semantics];
    if (cache === undefined) throw new RelabelRegexError(source, `unknown semantics ${JSON.stringify(semantics)}`);
    let re = cache.get(source);
    if (re === undefined) {
      re = new PromRegex(source, semantics);
      if (cache.size < 10_000) cache.set(source, re);
    }
    return re;
  }

  readonly source: string;
  readonly semantics: PromSemantics;
  /** RE2, compiled at construction unless `native` answers; then on the first call that needs groups. */
  private re: RE2JS | undefined;
  private names: Map<string, number> = new Map();
  /** The same language as a native RegExp, for `matches`, when the pattern is NATIVE_SAFE. */
  private readonly native: RegExp | undefined;
  private readonly literal: boolean;
  /**
   * The default `(.*)`: every value matches, group 1 being the value. Under
   * Prometheus 2.x only values without a newline (`.` stops at one there).
   */
  readonly matchAll: boolean;
  /** Whether `.` matches a newline (Prometheus 3's `(?s:…)`): then `(.*)` matches every value. */
  private readonly dotAll: boolean;
  private memo = new Map<string, Groups | null>();

  constructor(source: string, semantics: PromSemantics = DEFAULT_SEMANTICS) {
    this.source = source;
    this.semantics = semantics;
    this.literal = LITERAL.test(source);
    this.matchAll = source === '(.*)';
    this.dotAll = semantics === 'prometheus-3';
    this.native = this.literal ? undefined : nativeEquivalent(source, this.dotAll);
    // A pattern JavaScript compiles from these characters is one RE2 compiles too; any other is checked now.
    if (this.native === undefined) this.engine();
  }

  /** The RE2 program (a RelabelRegexError for a pattern RE2 refuses). */
  private engine(): RE2JS {
    if (this.re !== undefined) return this.re;
    try {
      this.re = re2().compile(this.dotAll ? `^(?s:${this.source})$` : `^(?:${this.source})$`);
    } catch (err) {
      throw new RelabelRegexError(this.source, (err as Error).message.replace(/^error parsing regexp: /, ''));
    }
    this.names = new Map(Object.entries(this.re.namedGroups() as Record<string, number>));
    return this.re;
  }

  /** Whether the `(.*)` fast path answers for `value` (no regex run, no allocation). */
  private matchesAll(value: string): boolean {
    return this.matchAll && (this.dotAll || !value.includes('\n'));
  }

  matches(value: string): boolean {
    if (this.literal) return value === this.source;
    if (this.matchesAll(value)) return true;
    if (this.native !== undefined && (this.dotAll || !JS_ONLY_LINE_BREAKS.test(value))) return this.native.test(value);
    return this.match(value) !== null;
  }

  /** The groups of a match of the whole value, or null. */
  match(value: string): Groups | null {
    if (this.literal) return value === this.source ? [value] : null;
    if (this.matchesAll(value)) return [value, value];
    const known = this.memo.get(value);
    if (known !== undefined) return known;
    const groups = this.run(value);
    if (this.memo.size >= MEMO_LIMIT) this.memo = new Map();
    this.memo.set(value, groups);
    return groups;
  }

  private run(value: string): Groups | null {
    const m = this.engine().matcher(value);
    if (!m.matches()) return null;
    const groups: Groups = [];
    for (let i = 0; i <= m.groupCount(); i++) {
      const g = m.group(i);
      groups.push(g === null ? undefined : g);
    }
    return groups;
  }

  /**
   * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. A name is the
   * longest run of letters, digits and `_`, so `$1x` is the group named "1x"
   * (empty). A malformed reference leaves the `$` as text.
   */
  expand(template: string, groups: Groups): string {
    let out = '';
    let rest = template;
    for (;;) {
      const dollar = rest.indexOf('$');
      if (dollar === -1) break;
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const ref = extractReference(rest);
      if (ref === null) {
        out += '$';
        continue;
      }
      rest = ref.rest;
      const index = ref.num >= 0 ? ref.num : this.names.get(ref.name);
      if (index !== undefined) out += groups[index] ?? '';
    }
    return out + rest;
  }
}

/** `^(?:source)$` as a RegExp with RE2's meaning of `.` (code points; newlines under Prometheus 3), if safe to run natively. */
function nativeEquivalent(source: string, dotAll: boolean): RegExp | undefined {
  if (!NATIVE_SAFE.test(source)) return undefined;
  try {
    return new RegExp(`^(?:${source})$`, dotAll ? 'su' : 'u');
  } catch {
    return undefined; // RE2 gives the error
  }
}

/** Go's regexp `extract`: the reference after a `$`, or null when malformed. */
function extractReference(str: string): { name: string; num: number; rest: string } | null {
  let s = str;
  let brace = false;
  if (s.startsWith('{')) {
    brace = true;
    s = s.slice(1);
  }
  let i = 0;
  const chars = [...s];
  let consumedUnits = 0;
  for (const ch of chars) {
    if (!/[\p{L}\p{Nd}_]/u.test(ch)) break;
    i++;
    consumedUnits += ch.length;
  }
  if (i === 0) return null;
  const name = s.slice(0, consumedUnits);
  let restStart = consumedUnits;
  if (brace) {
    if (s[restStart] !== '}') return null;
    restStart++;
  }
  let num = 0;
  for (const ch of name) {
    if (ch < '0' || ch > '9' || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (ch.charCodeAt(0) - 48);
  }
  if (name.length > 1 && name.startsWith('0')) num = -1;
  return { name, num, rest: s.slice(restStart) };
}
