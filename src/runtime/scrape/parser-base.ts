/**
 * What the Prometheus text and OpenMetrics parsers share: the payload as one
 * string scanned in place (no line splitting, no copies), quoted-string
 * scanning as Prometheus' lexers match it, the label set under construction,
 * and errors worded as Prometheus words them (model/textparse), with the
 * line they were found on.
 */
import { isUtf8 } from 'node:buffer';
import type { Labels } from '../semantics/labels.js';
import { formatOpenMetricsFloat, goQuote, parseGoFloat, parseGoFloatAt } from './go-format.js';

/** Tokens, named as Prometheus names them in its errors. */
export const enum T {
  Invalid = -1,
  EOF = 0,
  Linebreak = 2,
  Whitespace,
  Help,
  Type,
  Unit,
  EOFWord,
  Text,
  Comment,
  Blank,
  MName,
  QString,
  BraceOpen,
  BraceClose,
  LName,
  LValue,
  Comma,
  Equal,
  Timestamp,
  Value,
}

const TOKEN_NAMES: Record<number, string> = {
  [-1]: 'INVALID',
  0: 'EOF',
  2: 'LINEBREAK',
  3: 'WHITESPACE',
  4: 'HELP',
  5: 'TYPE',
  6: 'UNIT',
  7: 'EOFWORD',
  8: 'TEXT',
  9: 'COMMENT',
  10: 'BLANK',
  11: 'MNAME',
  12: 'QSTRING',
  13: 'BOPEN',
  14: 'BCLOSE',
  15: 'LNAME',
  16: 'LVALUE',
  17: 'COMMA',
  18: 'EQUAL',
  19: 'TIMESTAMP',
  20: 'VALUE',
};

export function tokenName(t: number): string {
  return TOKEN_NAMES[t] ?? `<invalid: ${t}>`;
}

/** Lexer start conditions (promlex.l / openmetricslex.l). */
export const enum S {
  Init,
  Comment,
  Meta1,
  Meta2,
  Labels,
  LValue,
  Value,
  Timestamp,
  Exemplar,
  EValue,
  ETimestamp,
}

/** Metric types as the TYPE line gives them ('' until one is given). */
export type MetricType = '' | 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

export interface ParseOptions {
  /**
   * Rewrite `le` of histograms and `quantile` of summaries in the canonical
   * float form (`le="1"` becomes `le="1.0"`), as Prometheus 3 does and 2.x
   * does not. Default true.
   */
  normalizeBucketLabels?: boolean;
  /**
   * OpenMetrics: leave out the `_created` series of counters, histograms and
   * summaries, as Prometheus does only with created-timestamp zero ingestion
   * on (`--enable-feature=created-timestamp-zero-ingestion`). Default false:
   * they are ordinary samples, as Prometheus ingests them by default.
   */
  skipCreatedSeries?: boolean;
  /**
   * Hand each sample's series text over too (the line up to its value,
   * exactly as exposed) with the metric type in force, for a caller that
   * caches what a series becomes by its text, as Prometheus' scrape cache does.
   */
  seriesText?: boolean;
  /**
   * With `seriesText`: asked, before a line's labels are read, whether the
   * caller knows its series text, payload[start, end), under the metric type
   * in force already (the text is not cut out of the payload for the question).
   * When it does, the labels are not read again (the same text gave them,
   * and passed every check, before): the sample is handed over with
   * KNOWN_SERIES as its labels and an empty series text (the caller was
   * just given it). Prometheus' scrape cache skips the labels of
   * a known series the same way. Text format only; a line of any unusual
   * shape is read in full anyway.
   */
  knownSeries?: (payload: string, start: number, end: number, type: MetricType) => boolean;
}

/** The labels handed over for a series the caller said it knows (ParseOptions.knownSeries): not to be read. */
export const KNOWN_SERIES: Labels = Object.freeze({}) as Labels;

/**
 * Receives each sample: its labels (`__name__` included; a new object each
 * time, the caller may keep it), value, and timestamp in ms if the line had
 * one; with the `seriesText` option also the series' text as exposed and the
 * metric type in force (the labels are a function of the two).
 */
export type SampleHandler = (labels: Labels, value: number, timestampMs: number | undefined, series?: string, type?: MetricType) => void;

/** Receives HELP, TYPE and UNIT lines: the metric family name and the text (unescaped HELP, type, unit). */
export type MetadataHandler = (kind: 'help' | 'type' | 'unit', metric: string, text: string) => void;

export class ExpositionError extends Error {
  /** The line (1-based) of the entry that failed. */
  readonly line: number;
  /** The error as Prometheus words it. */
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionError';
    this.line = line;
    this.reason = reason;
  }
}

/** Thrown inside the parsers; turned into an ExpositionError with the line by the caller. */
export class ReasonError extends Error {}

/** A quoted string goes on past the end of the text given so far. */
export const NEED_MORE = Symbol('need more input');

const UNESCAPE_LABEL = /\\(["\\n])/g;
const NON_ASCII = /[^\x00-\x7f]/;
const unescapeChar = (_: string, c: string): string => (c === 'n' ? '\n' : c);

/** lvalReplacer: `\"`, `\\` and `\n`, left to right; any other backslash stays. */
export function unescapeLabel(v: string): string {
  return v.indexOf('\\') < 0 ? v : v.replace(UNESCAPE_LABEL, unescapeChar);
}

/** Letters, `_` and `:` (a metric name's first char). */
export function isM(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
export function isMD(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 58);
}
export function isL(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isLD(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}

export abstract class ParserBase {
  /** The text being parsed; one char per byte when `latin1` (bytes decoded as Latin-1, the fast decoding). */
  protected s: string;
  protected n: number;
  protected latin1: boolean;
  /** The payload is not valid UTF-8: label values and HELP texts must be checked, as Prometheus checks them. */
  protected checkUtf8: boolean;
  /** Lexer position, token start, start condition, entry start. */
  protected i = 0;
  protected start = 0;
  protected state: S = S.Init;
  protected entryStart = 0;
  /** Next backslash, NUL and newline at or after some position (-1: none left), so that scans stay linear. */
  private nextBs = 0;
  private nextNul = 0;
  private nextNl = 0;

  protected mtype: MetricType = '';
  protected readonly normalize: boolean;
  /** The line being built. */
  protected labels: Labels = {};
  protected labelCount = 0;
  protected duplicate: string | undefined;
  protected hasName = false;
  /**
   * Whether every label name of this line so far is the name the previous
   * line had at the same position: the previous line had no duplicates, so
   * neither has this prefix, and the names need no check.
   */
  private sameNames = true;
  /** Label names and values of the previous line, by position: most lines repeat them, and reusing the strings spares allocating and hashing them again. */
  private readonly nameCache: string[] = [];
  private readonly valueCache: string[] = [];
  private metricNameCache = '';
  private readonly bucketForms = new Map<string, string>();

  protected value = 0;
  protected timestamp: number | undefined = undefined;
  /** Where the line's value starts: its series text is s[entryStart, seriesEnd). */
  protected seriesEnd = 0;
  private readonly seriesText: boolean;
  protected readonly knownSeries: ((payload: string, start: number, end: number, type: MetricType) => boolean) | undefined;

  /** `latin1`: the payload is not valid UTF-8 (it is then read byte by byte, and checked where Prometheus checks). */
  constructor(
    text: string,
    latin1: boolean,
    options: ParseOptions,
    protected readonly onSample: SampleHandler,
    protected readonly onMetadata: MetadataHandler | undefined,
  ) {
    this.s = text;
    this.n = text.length;
    this.latin1 = latin1;
    this.checkUtf8 = latin1;
    this.normalize = options.normalizeBucketLabels ?? true;
    this.seriesText = options.seriesText ?? false;
    this.knownSeries = this.seriesText ? options.knownSeries : undefined;
  }

  /**
   * Parses `text`, a run of whole lines that goes on where the last one
   * ended (`final`: the payload's end). Returns the samples handed over.
   * Throws NEED_MORE when a quoted string runs past the end of a run that
   * is not the last one (a label value may hold a newline): the caller
   * feeds the run again from `entryStart`, with the next one appended.
   * An ExpositionError's line counts from the start of `text`.
   */
  feed(text: string, final: boolean, latin1 = this.latin1, checkUtf8 = this.checkUtf8): number {
    this.latin1 = latin1;
    this.checkUtf8 = checkUtf8;
    this.s = text;
    this.n = text.length;
    this.final = final;
    this.i = this.start = this.entryStart = 0;
    this.state = S.Init;
    this.nextBs = this.nextNul = this.nextNl = 0;
    this.samples = 0;
    try {
      this.parseAll();
      return this.samples;
    } catch (e) {
      if (e instanceof ReasonError) throw new ExpositionError(this.lineAt(this.entryStart), e.message);
      // The run is fed again from this entry: its names must be checked afresh.
      if (e === NEED_MORE) this.nameCache.length = 0;
      throw e;
    }
  }

  /** The input ended for good before the end of the text (a NUL where a line starts, or `# EOF`): what follows is not read. */
  ended = false;

  /** Samples handed over from the run being parsed. */
  protected samples = 0;
  /** Whether the run being parsed ends the payload. */
  protected final = true;

  /** Where the entry being parsed starts in the run (for a caller that must feed it again). */
  get entryOffset(): number {
    return this.entryStart;
  }

  protected abstract parseAll(): void;

  protected lineAt(pos: number): number {
    let line = 1;
    for (let k = this.s.indexOf('\n'); k !== -1 && k < pos; k = this.s.indexOf('\n', k + 1)) line++;
    return line;
  }

  /** Text of the payload as UTF-8 (a conversion only for a payload read byte by byte). */
  protected utf8(v: string): string {
    return this.latin1 && NON_ASCII.test(v) ? Buffer.from(v, 'latin1').toString('utf8') : v;
  }

  protected quote(v: string): string {
    return goQuote(v, this.latin1 ? 'latin1' : 'utf8');
  }

  /** Prometheus' parseError: the token with one more char, its kind, and the entry up to there. */
  protected parseError(expected: string, got: number): ReasonError {
    const e = Math.min(this.n, this.i + 1);
    return new ReasonError(`${expected}, got ${this.quote(this.s.slice(this.start, e))} (${goQuote(tokenName(got))}) while parsing: ${this.quote(this.s.slice(this.entryStart, e))}`);
  }

  /** Whether s[a, b) is valid UTF-8 (always, unless the payload is read byte by byte). */
  protected validUtf8(a: number, b: number): boolean {
    return !this.checkUtf8 || isUtf8(Buffer.from(this.s.slice(a, b), 'latin1'));
  }

  protected bs(from: number): number {
    let b = this.nextBs;
    if (b !== -1 && b < from) b = this.nextBs = this.s.indexOf('\\', from);
    return b;
  }
  private nul(from: number): number {
    let z = this.nextNul;
    if (z !== -1 && z < from) z = this.nextNul = this.s.indexOf('\0', from);
    return z;
  }
  protected nl(from: number): number {
    let z = this.nextNl;
    if (z !== -1 && z < from) z = this.nextNl = this.s.indexOf('\n', from);
    return z;
  }
  /** A NUL before `end`, from `from` on. */
  protected nulBefore(from: number, end: number): number {
    const z = this.nul(from);
    return z !== -1 && z < end ? z : -1;
  }

  /**
   * A quoted string `"(\\.|[^\\"])*"` starting at `from` (a `"`): the index
   * after its closing quote, or -1 - (where the lexer gave up). `skipNul`:
   * NULs are invisible (the lexer skips them in label values, HELP text and
   * comments); otherwise a NUL ends the match. `oneLine`: OpenMetrics'
   * label values stop at a newline.
   */
  protected quoted(from: number, skipNul: boolean, oneLine: boolean): number {
    const q = this.s.indexOf('"', from + 1);
    if (q !== -1) {
      const b = this.bs(from + 1);
      let plain = b === -1 || b > q;
      if (plain && !skipNul) {
        const z = this.nul(from + 1);
        plain = z === -1 || z > q;
      }
      if (plain && oneLine) {
        const z = this.nl(from + 1);
        plain = z === -1 || z > q;
      }
      if (plain) return q + 1;
    }
    const s = this.s;
    const n = this.n;
    let j = from + 1;
    for (;;) {
      if (j >= n) return this.pastEnd();
      let c = s.charCodeAt(j);
      if (c === 0) {
        if (skipNul) {
          j++;
          continue;
        }
        return -1 - j;
      }
      if (c === 34) return j + 1;
      if (c === 10 && oneLine) return -1 - j;
      if (c === 92) {
        j++;
        while (skipNul && j < n && s.charCodeAt(j) === 0) j++;
        if (j >= n) return this.pastEnd();
        c = s.charCodeAt(j);
        if (c === 10 || c === 0) return -1 - j;
      }
      j++;
    }
  }

  private pastEnd(): number {
    if (!this.final) throw NEED_MORE;
    return -1 - this.n;
  }

  /** Starts a series line whose metric name is s[a, b) (or none yet, for `{"name", ...}`). */
  protected beginSeries(a: number, b: number): void {
    this.labels = {};
    this.labelCount = 0;
    this.duplicate = undefined;
    this.sameNames = true;
    this.hasName = a >= 0;
    if (a >= 0) this.labels.__name__ = this.metricName(a, b, false);
  }

  protected metricName(a: number, b: number, quoted: boolean): string {
    const cached = this.metricNameCache;
    if (!quoted && cached.length === b - a && this.s.startsWith(cached, a)) return cached;
    let name = this.s.slice(a, b);
    if (quoted) return this.utf8(unescapeLabel(name));
    if (this.latin1) name = this.utf8(name);
    this.metricNameCache = name;
    return name;
  }

  /** The metric name given inside the braces as a quoted string at s[a, b) (quotes included). */
  protected setQuotedName(a: number, b: number): void {
    this.hasName = true;
    this.put('__name__', this.metricName(a + 1, b - 1, true));
  }

  /** A label whose name is s[na, nb) (`nquoted`: a quoted name, quotes stripped) and whose value token is s[va, vb) (quotes included). */
  protected addLabel(na: number, nb: number, nquoted: boolean, va: number, vb: number): void {
    const s = this.s;
    const k = this.labelCount++;
    let name: string;
    const cn = this.nameCache[k];
    let checked = this.sameNames;
    if (checked && !nquoted && cn !== undefined && cn.length === nb - na && s.startsWith(cn, na)) name = cn;
    else {
      checked = this.sameNames = false;
      name = s.slice(na, nb);
      if (nquoted) name = unescapeLabel(name);
      const raw = name;
      if (this.latin1) name = this.utf8(name);
      // __proto__ and __name__ are always checked: never taken from the cache; nor is a name that decoding changed.
      this.nameCache[k] = nquoted || raw !== name || name === '__proto__' || name === '__name__' ? '\0' : name;
    }
    let value: string;
    const cv = this.valueCache[k];
    const len = vb - va - 2;
    const escaped = this.escapedBetween(va + 1, vb - 1);
    if (!escaped && cv !== undefined && cv.length === len && s.startsWith(cv, va + 1)) value = cv;
    else {
      value = s.slice(va + 1, vb - 1);
      if (escaped) value = unescapeLabel(value);
      const decoded = this.latin1 ? this.utf8(value) : value;
      this.valueCache[k] = decoded === value ? value : '\0';
      value = decoded;
    }
    if (this.normalize && ((name === 'le' && this.mtype === 'histogram') || (name === 'quantile' && this.mtype === 'summary'))) {
      // Bucket bounds repeat on every histogram of a family: remember what each became.
      let normalized = this.bucketForms.get(value);
      if (normalized === undefined) {
        const f = parseGoFloat(value);
        normalized = typeof f === 'number' ? formatOpenMetricsFloat(f) : value;
        if (this.bucketForms.size > 4096) this.bucketForms.clear();
        this.bucketForms.set(value, normalized);
      }
      value = normalized;
    }
    if (checked) this.labels[name] = value;
    else this.put(name, value);
  }

  private escapedBetween(a: number, b: number): boolean {
    const x = this.bs(a);
    return x !== -1 && x < b;
  }

  private put(name: string, value: string): void {
    const labels = this.labels;
    if (Object.hasOwn(labels, name)) {
      this.duplicate ??= name;
      return;
    }
    if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
    else labels[name] = value;
  }

  /** Hands the finished line over, or fails it for a label given twice (as Prometheus' storage refuses such a series). */
  protected emit(): void {
    if (this.duplicate !== undefined) throw new ReasonError(`label name "${this.duplicate}" is not unique: invalid sample`);
    if (this.seriesText) this.onSample(this.labels, this.value, this.timestamp, this.labels === KNOWN_SERIES ? '' : this.s.slice(this.entryStart, this.seriesEnd), this.mtype);
    else this.onSample(this.labels, this.value, this.timestamp);
  }

  /** The sample value s[a, b), as Prometheus reads it; NaN is any NaN. */
  protected sampleValue(a: number, b: number): number {
    const f = parseGoFloatAt(this.s, a, b);
    if (typeof f === 'number') return f;
    throw new ReasonError(`${f.error} while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
  }
}
