/**
 * OpenMetrics 1.0 text, read as Prometheus 3 reads it
 * (model/textparse/openmetricslex.l and openmetricsparse.go): single spaces,
 * timestamps in seconds (kept as ms, truncated), UNIT, exemplars parsed and
 * dropped, `# EOF` required, and the same errors.
 */
import { parseGoFloatAt } from './go-format.js';
import { isL, isLD, isM, isMD, ParserBase, ReasonError, S, T, tokenName, unescapeLabel, type MetricType, type ParseOptions, type MetadataHandler, type SampleHandler } from './parser-base.js';

const OM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};

export class OpenMetricsParser extends ParserBase {
  private readonly skipCreated: boolean;

  constructor(text: string, latin1: boolean, options: ParseOptions, onSample: SampleHandler, onMetadata: MetadataHandler | undefined) {
    super(text, latin1, options, onSample, onMetadata);
    this.skipCreated = options.skipCreatedSeries ?? false;
  }

  protected parseAll(): void {
    for (;;) {
      this.entryStart = this.i;
      const t = this.lex();
      switch (t) {
        case T.EOFWord:
          if (this.lex() !== T.EOF) throw new ReasonError('unexpected data after # EOF');
          this.ended = true;
          return;
        case T.EOF:
          if (!this.final) return;
          throw new ReasonError('data does not end with # EOF');
        case T.Help:
        case T.Type:
        case T.Unit:
          this.metadata(t);
          continue;
        case T.BraceOpen:
          this.beginSeries(-1, -1);
          this.labelValues(false);
          if (this.endOfLine(this.lex())) this.samples++;
          continue;
        case T.MName: {
          this.beginSeries(this.start, this.i);
          let t2 = this.lex();
          if (t2 === T.BraceOpen) {
            this.labelValues(false);
            t2 = this.lex();
          }
          if (this.endOfLine(t2)) this.samples++;
          continue;
        }
        default:
          throw this.parseError('expected a valid start token', t);
      }
    }
  }

  private metadata(t: T.Help | T.Type | T.Unit): void {
    const t2 = this.lex();
    if (t2 !== T.MName) throw this.parseError(`expected metric name after ${tokenName(t)}`, t2);
    let ma = this.start;
    let mb = this.i;
    if (this.s.charCodeAt(ma) === 34 && this.s.charCodeAt(mb - 1) === 34) {
      ma++;
      mb--;
    }
    if (this.lex() !== T.Text) throw new ReasonError(`expected text in ${tokenName(t)}`);
    const ta = this.i - this.start > 1 ? this.start + 1 : this.i;
    const tb = this.i - this.start > 1 ? this.i - 1 : this.i;
    const text = this.s.slice(ta, tb);
    const metric = this.s.slice(ma, mb);
    if (t === T.Type) {
      const type = OM_TYPES[text];
      if (type === undefined || !Object.hasOwn(OM_TYPES, text)) throw new ReasonError(`invalid metric type ${this.quote(text)}`);
      this.mtype = type;
      this.onMetadata?.('type', this.utf8(metric), text);
    } else if (t === T.Help) {
      if (!this.validUtf8(ta, tb)) throw new ReasonError(`help text ${this.quote(text)} is not a valid utf8 string`);
      this.onMetadata?.('help', this.utf8(metric), this.utf8(unescapeLabel(text)));
    } else {
      if (text !== '' && (!metric.endsWith(text) || metric.length < text.length + 1 || this.s.charCodeAt(mb - text.length - 1) !== 95)) {
        throw new ReasonError(`unit ${this.quote(text)} not a suffix of metric ${this.quote(metric)}`);
      }
      this.onMetadata?.('unit', this.utf8(metric), this.utf8(text));
    }
  }

  /** parseLVals: the series' labels, or an exemplar's (checked, then dropped). */
  private labelValues(exemplar: boolean): void {
    let t = this.lex();
    for (;;) {
      let na = this.start;
      let nb = this.i;
      let quoted = false;
      if (t === T.BraceClose) return;
      if (t === T.QString) quoted = true;
      else if (t !== T.LName) throw this.parseError('expected label name', t);
      t = this.lex();
      if (quoted && (t === T.Comma || t === T.BraceClose)) {
        if (exemplar) throw this.parseError('expected label name', t);
        if (this.hasName) throw new ReasonError(`metric name already set while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
        this.setQuotedName(na, nb);
        if (t === T.BraceClose) return;
        t = this.lex();
        continue;
      }
      if (quoted) {
        na++;
        nb--;
      }
      if (t !== T.Equal) throw this.parseError('expected equal', t);
      const tv = this.lex();
      if (tv !== T.LValue) throw this.parseError('expected label value', tv);
      if (!this.validUtf8(this.start, this.i)) throw new ReasonError(`invalid UTF-8 label value: ${this.quote(this.s.slice(this.start, this.i))}`);
      if (!exemplar) this.addLabel(na, nb, quoted, this.start, this.i);
      t = this.lex();
      if (t === T.Comma) t = this.lex();
      else if (t !== T.BraceClose) throw this.parseError('expected comma or brace close', t);
    }
  }

  /** parseSeriesEndOfLine, then the sample is handed over unless it is a `_created` series to skip. */
  private endOfLine(t: T): boolean {
    if (!this.hasName) throw new ReasonError(`metric name not set while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
    this.seriesEnd = this.start;
    this.value = this.floatAfter(t, 'metric');
    this.timestamp = undefined;
    const t2 = this.lex();
    if (t2 === T.EOF) throw new ReasonError('data does not end with # EOF');
    if (t2 === T.Comment) this.exemplar();
    else if (t2 === T.Timestamp) {
      const ts = this.secondsAt(this.start + 1, 'timestamp');
      this.timestamp = Math.trunc(ts * 1000);
      const t3 = this.lex();
      if (t3 === T.Comment) this.exemplar();
      else if (t3 !== T.Linebreak) throw this.parseError('expected next entry after timestamp', t3);
    }
    // Anything else after the value ends the entry here, as in Prometheus: the next entry fails on it.
    if (this.skipCreated && this.isCreatedSeries()) return false;
    this.emit();
    return true;
  }

  private isCreatedSeries(): boolean {
    const name = this.labels.__name__;
    return (this.mtype === 'counter' || this.mtype === 'summary' || this.mtype === 'histogram') && name !== undefined && name.endsWith('_created');
  }

  /** An exemplar after ` # `: labels, value, optional timestamp, all checked and dropped. */
  private exemplar(): void {
    this.labelValues(true);
    this.floatAfter(this.lex(), 'exemplar labels');
    const t2 = this.lex();
    if (t2 === T.EOF) throw new ReasonError('data does not end with # EOF');
    if (t2 === T.Linebreak) return;
    if (t2 !== T.Timestamp) throw this.parseError('expected timestamp or comment', t2);
    this.secondsAt(this.start + 1, 'exemplar timestamp');
    const t3 = this.lex();
    if (t3 !== T.Linebreak) throw this.parseError('expected next entry after exemplar timestamp', t3);
  }

  /** getFloatValue: a VALUE token (its leading space dropped). */
  private floatAfter(t: T, after: string): number {
    if (t !== T.Value) throw this.parseError(`expected value after ${after}`, t);
    return this.sampleValue(this.start + 1, this.i);
  }

  private secondsAt(a: number, what: string): number {
    const f = parseGoFloatAt(this.s, a, this.i);
    if (typeof f !== 'number') throw new ReasonError(`${f.error} while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
    if (!Number.isFinite(f)) throw new ReasonError(`invalid ${what} ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
    return f;
  }

  /** One token (openmetricslex.l). */
  private lex(): T {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    if (i >= n) return T.EOF;
    this.start = i;
    let c = s.charCodeAt(i);
    switch (this.state) {
      case S.Init:
        if (isM(c)) {
          i++;
          while (isMD(s.charCodeAt(i))) i++;
          this.i = i;
          this.state = S.Value;
          return T.MName;
        }
        if (c === 123) {
          this.i = i + 1;
          this.state = S.Labels;
          return T.BraceOpen;
        }
        if (c === 35) {
          if (s.charCodeAt(i + 1) !== 32) return this.invalid(i + 1);
          return this.comment(i + 2);
        }
        return this.invalid(i);
      case S.Meta1:
        if (c === 34) {
          const e = this.quoted(i, false, false);
          if (e < 0) return this.invalid(-1 - e);
          this.i = e;
          this.state = S.Meta2;
          return T.MName;
        }
        if (isM(c)) {
          i++;
          while (isMD(s.charCodeAt(i))) i++;
          this.i = i;
          this.state = S.Meta2;
          return T.MName;
        }
        return this.invalid(i);
      case S.Meta2: {
        if (c !== 32) return this.invalid(i);
        const e = this.nl(i + 1);
        if (e === -1) return this.invalid(n);
        this.i = e + 1;
        this.state = S.Init;
        return T.Text;
      }
      case S.Labels:
      case S.Exemplar: {
        if (isL(c)) {
          i++;
          while (isLD(s.charCodeAt(i))) i++;
          this.i = i;
          return T.LName;
        }
        const exemplar = this.state === S.Exemplar;
        if (c === 61) {
          this.i = i + 1;
          this.state = exemplar ? S.EValue : S.LValue;
          return T.Equal;
        }
        if (c === 44) {
          this.i = i + 1;
          return T.Comma;
        }
        if (c === 125) {
          this.i = i + 1;
          this.state = exemplar ? S.EValue : S.Value;
          return T.BraceClose;
        }
        if (c === 34) {
          const e = this.quoted(i, false, exemplar);
          if (e < 0) return this.invalid(-1 - e);
          this.i = e;
          return T.QString;
        }
        return this.invalid(i);
      }
      case S.LValue:
        if (c === 34) {
          const e = this.quoted(i, true, true);
          if (e < 0) return this.invalid(-1 - e);
          this.i = e;
          this.state = S.Labels;
          return T.LValue;
        }
        return this.invalid(i);
      case S.EValue:
        if (c === 34) {
          const e = this.quoted(i, false, true);
          if (e < 0) return this.invalid(-1 - e);
          this.i = e;
          this.state = S.Exemplar;
          return T.LValue;
        }
        return this.spaced(i, S.ETimestamp, T.Value);
      case S.Value:
        if (c === 123) {
          this.i = i + 1;
          this.state = S.Labels;
          return T.BraceOpen;
        }
        return this.spaced(i, S.Timestamp, T.Value);
      case S.Timestamp:
        if (c === 10) {
          this.i = i + 1;
          this.state = S.Init;
          return T.Linebreak;
        }
        // ` # {` opens an exemplar; otherwise ` #...` is a timestamp token like any other.
        if (c === 32 && s.charCodeAt(i + 1) === 35 && s.charCodeAt(i + 2) === 32) {
          if (i + 3 >= n) return this.invalid(n);
          if (s.charCodeAt(i + 3) !== 123) return this.invalid(i + 3);
          this.i = i + 4;
          this.state = S.Exemplar;
          return T.Comment;
        }
        return this.spaced(i, S.Timestamp, T.Timestamp);
      case S.ETimestamp:
        if (c === 10) {
          this.i = i + 1;
          this.state = S.Init;
          return T.Linebreak;
        }
        return this.spaced(i, S.ETimestamp, T.Timestamp);
      default:
        return this.invalid(i);
    }
  }

  /** `{S}[^ \n]+`: a space, then at least one char that is neither a space, a newline nor a NUL. */
  private spaced(i: number, next: S, token: T): T {
    const s = this.s;
    const n = this.n;
    if (s.charCodeAt(i) !== 32) return this.invalid(i);
    i++;
    if (i >= n) return this.invalid(n);
    let c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 0) return this.invalid(i);
    i++;
    while (i < n && (c = s.charCodeAt(i)) !== 32 && c !== 10 && c !== 0) i++;
    this.i = i;
    this.state = next;
    return token;
  }

  /** After `# `: HELP, TYPE or UNIT and a space, or EOF (and its newline). The token starts at the `#`. */
  private comment(i: number): T {
    const s = this.s;
    for (const [word, token] of KEYWORDS) {
      if (s.charCodeAt(i) !== word.charCodeAt(0)) continue;
      let m = 0;
      while (m < word.length && i + m < this.n && s.charCodeAt(i + m) === word.charCodeAt(m)) m++;
      if (m === word.length) {
        this.i = i + m;
        if (token === T.EOFWord) {
          if (s.charCodeAt(this.i) === 10) this.i++;
          this.state = S.Init;
        } else this.state = S.Meta1;
        return token;
      }
      return this.invalid(i + m >= this.n ? this.n : i + m);
    }
    return this.invalid(i >= this.n ? this.n : i);
  }

  private invalid(at: number): T {
    this.i = at;
    return T.Invalid;
  }
}

const KEYWORDS: readonly [string, T][] = [
  ['HELP ', T.Help],
  ['TYPE ', T.Type],
  ['UNIT ', T.Unit],
  ['EOF', T.EOFWord],
];


