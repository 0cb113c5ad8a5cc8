/**
 * The Prometheus text format 0.0.4, read as Prometheus 3 reads it
 * (model/textparse/promlex.l and promparse.go): the same tokens, the same
 * leniency (blanks between tokens, free trailing commas, any comment) and the
 * same errors.
 */
import { isL, isLD, isM, isMD, KNOWN_SERIES, ParserBase, ReasonError, S, T, tokenName, type MetricType } from './parser-base.js';

const PROM_TYPES: Record<string, MetricType> = { counter: 'counter', gauge: 'gauge', histogram: 'histogram', summary: 'summary', untyped: 'unknown' };
const UNESCAPE_HELP = /\\([\\n])/g;

export class PromTextParser extends ParserBase {
  protected parseAll(): void {
    for (;;) {
      this.entryStart = this.i;
      const t = this.next();
      switch (t) {
        case T.EOF:
          return;
        case T.Linebreak:
          continue;
        case T.Help:
        case T.Type:
          this.metadata(t);
          continue;
        case T.Comment: {
          const t2 = this.next();
          if (t2 !== T.Linebreak) throw this.parseError('linebreak expected after comment', t2);
          continue;
        }
        case T.BraceOpen:
          this.beginSeries(-1, -1);
          this.labelValues();
          this.suffix(this.next());
          this.samples++;
          continue;
        case T.MName: {
          if (this.knownSeries !== undefined && this.known()) {
            this.samples++;
            continue;
          }
          this.beginSeries(this.start, this.i);
          const braces = this.s.charCodeAt(this.i) === 123;
          if (braces) {
            this.i++;
            this.state = S.Labels;
            this.labelValues();
          }
          if (this.quickSuffix()) {
            this.samples++;
            continue;
          }
          let t2 = this.next();
          if (!braces && t2 === T.BraceOpen) {
            this.labelValues();
            t2 = this.next();
          }
          this.suffix(t2);
          this.samples++;
          continue;
        }
        default:
          throw this.parseError('expected a valid start token', t);
      }
    }
  }

  /**
   * The fast path for a series the caller knows (ParseOptions.knownSeries):
   * its text found without reading the labels (the name, then everything up
   * to the brace that closes the label block, quoted strings skipped), then
   * the value and timestamp read as quickSuffix reads them. False, with
   * nothing consumed, when the series is not known or the line is of any
   * other shape: the full path reads it.
   */
  private known(): boolean {
    const s = this.s;
    const nameEnd = this.i;
    let end = nameEnd;
    if (s.charCodeAt(end) === 123) {
      for (end++; ; ) {
        const c = s.charCodeAt(end);
        if (c === 125) break;
        if (c === 10 || c === 92 || end >= this.n) return false;
        if (c === 34) {
          const q = s.indexOf('"', end + 1);
          const nl = this.nl(end + 1);
          const bs = this.bs(end + 1);
          if (q === -1 || (nl !== -1 && nl < q) || (bs !== -1 && bs < q)) return false; // escapes and newlines: the full path
          end = q + 1;
        } else end++;
      }
      end++;
    }
    if (s.charCodeAt(end) !== 32 || !this.knownSeries!(s, this.entryStart, end, this.mtype)) return false;
    this.labels = KNOWN_SERIES;
    this.hasName = true;
    this.duplicate = undefined;
    this.i = end;
    if (this.quickSuffix()) return true;
    this.i = nameEnd;
    return false;
  }

  private metadata(t: T.Help | T.Type): void {
    const t2 = this.next();
    if (t2 !== T.MName) throw this.parseError(`expected metric name after ${tokenName(t)}`, t2);
    let ma = this.start;
    let mb = this.i;
    if (this.s.charCodeAt(ma) === 34 && this.s.charCodeAt(mb - 1) === 34) {
      ma++;
      mb--;
    }
    const t3 = this.next();
    if (t3 !== T.Text) throw new ReasonError(`expected text in ${tokenName(t)}, got ${tokenName(t3)}`);
    const ta = this.i - this.start > 1 ? this.start + 1 : this.i;
    const text = this.s.slice(ta, this.i);
    if (t === T.Type) {
      const type = PROM_TYPES[text];
      if (type === undefined || !Object.hasOwn(PROM_TYPES, text)) throw new ReasonError(`invalid metric type ${this.quote(text)}`);
      this.mtype = type;
    } else if (!this.validUtf8(ta, this.i)) throw new ReasonError(`help text ${this.quote(text)} is not a valid utf8 string`);
    const t4 = this.next();
    if (t4 !== T.Linebreak) throw this.parseError('linebreak expected after metadata', t4);
    if (this.onMetadata !== undefined) {
      const metric = this.utf8(this.s.slice(ma, mb));
      if (t === T.Type) this.onMetadata('type', metric, this.mtype);
      else this.onMetadata('help', metric, this.utf8(text.indexOf('\\') < 0 ? text : text.replace(UNESCAPE_HELP, (_, c: string) => (c === 'n' ? '\n' : c))));
    }
  }

  /** promparse parseLVals: what is inside the braces. */
  private labelValues(): void {
    // The common shape first, `name="value",` repeated up to `}`, without a
    // token at a time; anything else (blanks, quoted names, errors) is left
    // to the token loop below from the last whole pair on.
    const s = this.s;
    for (;;) {
      const na = this.i;
      let c = s.charCodeAt(na);
      if (!isL(c)) break;
      let nb = na + 1;
      while (isLD((c = s.charCodeAt(nb)))) nb++;
      if (c !== 61 || s.charCodeAt(nb + 1) !== 34) break;
      const vb = this.quoted(nb + 1, true, false);
      if (vb < 0 || (this.checkUtf8 && !this.validUtf8(nb + 1, vb))) break;
      c = s.charCodeAt(vb);
      if (c === 44) {
        this.addLabel(na, nb, false, nb + 1, vb);
        this.i = vb + 1;
        continue;
      }
      if (c !== 125) break;
      this.addLabel(na, nb, false, nb + 1, vb);
      this.i = vb + 1;
      this.state = S.Value;
      return;
    }
    let t = this.next();
    for (;;) {
      let na = this.start;
      let nb = this.i;
      let quoted = false;
      if (t === T.BraceClose) return;
      if (t === T.QString) quoted = true;
      else if (t !== T.LName) throw this.parseError('expected label name', t);
      t = this.next();
      if (quoted && (t === T.Comma || t === T.BraceClose)) {
        if (this.hasName) throw new ReasonError(`metric name already set while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
        this.setQuotedName(na, nb);
        if (t === T.BraceClose) return;
        t = this.next();
        continue;
      }
      if (quoted) {
        na++;
        nb--;
      }
      if (t !== T.Equal) throw this.parseError('expected equal', t);
      const tv = this.next();
      if (tv !== T.LValue) throw this.parseError('expected label value', tv);
      if (!this.validUtf8(this.start, this.i)) throw new ReasonError(`invalid UTF-8 label value: ${this.quote(this.s.slice(this.start, this.i))}`);
      this.addLabel(na, nb, quoted, this.start, this.i);
      t = this.next();
      if (t === T.Comma) t = this.next();
    }
  }

  /**
   * The common end of a line, ` value\n` or ` value timestamp\n`, read
   * without a token at a time; false (nothing consumed) for any other shape,
   * which suffix() then reads token by token.
   */
  private quickSuffix(): boolean {
    const s = this.s;
    const a = this.i + 1;
    if (!this.hasName || s.charCodeAt(this.i) !== 32) return false;
    let b = a;
    let c = s.charCodeAt(b);
    while (c !== 32 && c !== 10 && c !== 9 && c !== 123 && c !== 0 && b < this.n) c = s.charCodeAt(++b);
    if (b === a) return false;
    this.seriesEnd = this.i;
    if (c === 10) {
      this.i = b;
      this.value = this.sampleValue(a, b);
      this.timestamp = undefined;
    } else {
      if (c !== 32) return false;
      let e = b + 1;
      while ((c = s.charCodeAt(e)) >= 48 && c <= 57) e++;
      if (c !== 10 || e === b + 1) return false;
      this.i = b;
      this.value = this.sampleValue(a, b);
      this.i = e;
      this.timestamp = this.intTimestamp(b + 1, e);
    }
    this.i = s.indexOf('\n', this.i) + 1;
    this.state = S.Init;
    this.emit();
    return true;
  }

  /** promparse parseMetricSuffix: value, optional timestamp, end of line. */
  private suffix(t: T): void {
    if (!this.hasName) throw new ReasonError(`metric name not set while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
    if (t !== T.Value) throw this.parseError('expected value after metric', t);
    this.seriesEnd = this.start;
    this.value = this.sampleValue(this.start, this.i);
    this.timestamp = undefined;
    const t2 = this.next();
    if (t2 === T.Timestamp) {
      this.timestamp = this.intTimestamp(this.start, this.i);
      const t3 = this.next();
      if (t3 !== T.Linebreak) throw this.parseError('expected next entry after timestamp', t3);
    } else if (t2 !== T.Linebreak) throw this.parseError('expected timestamp or new record', t2);
    this.emit();
  }

  /** strconv.ParseInt(s, 10, 64) of a run of digits. */
  private intTimestamp(a: number, b: number): number {
    if (b > a && b - a <= 15) {
      // Up to 15 digits are exact in a double: read in place (anything else, such as a sign, below).
      let t = 0;
      let i = a;
      for (let c = this.s.charCodeAt(i); i < b && c >= 48 && c <= 57; c = this.s.charCodeAt(++i)) t = t * 10 + (c - 48);
      if (i === b) return t;
    }
    const digits = this.s.slice(a, b);
    if (b - a >= 19 && BigInt(digits) > 9223372036854775807n) throw new ReasonError(`strconv.ParseInt: parsing ${this.quote(digits)}: value out of range while parsing: ${this.quote(this.s.slice(this.entryStart, this.i))}`);
    return Number(digits);
  }

  /** The next token that is not blanks. */
  private next(): T {
    for (;;) {
      const t = this.lex();
      if (t !== T.Whitespace) return t;
    }
  }

  /** One token (promlex.l). */
  private lex(): T {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    if (i >= n) return T.EOF;
    this.start = i;
    for (;;) {
      let c = s.charCodeAt(i);
      if (c === 32 || c === 9) {
        do i++;
        while (i < n && ((c = s.charCodeAt(i)) === 32 || c === 9));
        // HELP/TYPE text ({C}*) outmatches the blanks when the line goes on after them.
        if (this.state === S.Meta2 && i < n && c !== 10 && c !== 0) {
          this.i = this.lineEnd(i);
          this.state = S.Init;
          return T.Text;
        }
        this.i = i;
        return T.Whitespace;
      }
      switch (this.state) {
        case S.Init:
          if (isM(c)) {
            i++;
            while (isMD(s.charCodeAt(i))) i++;
            this.i = i;
            this.state = S.Value;
            return T.MName;
          }
          if (c === 10) {
            this.i = i + 1;
            return T.Linebreak;
          }
          if (c === 123) {
            this.i = i + 1;
            this.state = S.Labels;
            return T.BraceOpen;
          }
          if (c === 35) {
            i++;
            c = s.charCodeAt(i);
            if (c === 32 || c === 9) {
              do i++;
              while ((c = s.charCodeAt(i)) === 32 || c === 9);
              this.state = S.Comment;
              continue; // the token goes on from the same start
            }
            return this.comment(i);
          }
          if (c === 0) {
            this.i = i + 1;
            this.ended = true;
            return T.EOF;
          }
          this.i = i;
          return T.Invalid;
        case S.Comment:
          if ((s.startsWith('HELP', i) || s.startsWith('TYPE', i)) && ((c = s.charCodeAt(i + 4)) === 32 || c === 9)) {
            const help = s.charCodeAt(i) === 72;
            i += 5;
            while ((c = s.charCodeAt(i)) === 32 || c === 9) i++;
            this.i = i;
            this.state = S.Meta1;
            return help ? T.Help : T.Type;
          }
          return this.comment(i);
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
        case S.Meta2:
          this.i = c === 0 ? i : this.lineEnd(i);
          this.state = S.Init;
          return T.Text;
        case S.Labels:
          if (isL(c)) {
            i++;
            while (isLD(s.charCodeAt(i))) i++;
            this.i = i;
            return T.LName;
          }
          if (c === 61) {
            this.i = i + 1;
            this.state = S.LValue;
            return T.Equal;
          }
          if (c === 44) {
            this.i = i + 1;
            return T.Comma;
          }
          if (c === 125) {
            this.i = i + 1;
            this.state = S.Value;
            return T.BraceClose;
          }
          if (c === 34) {
            const e = this.quoted(i, false, false);
            if (e < 0) return this.invalid(-1 - e);
            this.i = e;
            return T.QString;
          }
          return this.invalid(i);
        case S.LValue:
          if (c === 34) {
            const e = this.quoted(i, true, false);
            if (e < 0) return this.invalid(-1 - e);
            this.i = e;
            this.state = S.Labels;
            return T.LValue;
          }
          return this.invalid(i);
        case S.Value:
          if (c === 123) {
            this.i = i + 1;
            this.state = S.Labels;
            return T.BraceOpen;
          }
          if (c !== 10 && c !== 0) {
            i++;
            while (i < n && (c = s.charCodeAt(i)) !== 32 && c !== 10 && c !== 9 && c !== 123 && c !== 0) i++;
            this.i = i;
            this.state = S.Timestamp;
            return T.Value;
          }
          return this.invalid(i);
        case S.Timestamp:
          if (c >= 48 && c <= 57) {
            i++;
            while ((c = s.charCodeAt(i)) >= 48 && c <= 57) i++;
            this.i = i;
            return T.Timestamp;
          }
          if (c === 10) {
            this.i = i + 1;
            this.state = S.Init;
            return T.Linebreak;
          }
          return this.invalid(i);
        default:
          return this.invalid(i);
      }
    }
  }

  private invalid(at: number): T {
    this.i = at;
    return T.Invalid;
  }

  /** The end of the line from `i` (the payload always ends with a newline). */
  private lineEnd(i: number): number {
    return this.nl(i);
  }

  /** consumeComment: to the end of the line; a NUL there ends the input unless the lexer skips NULs in this state. */
  private comment(i: number): T {
    const e = this.nl(i);
    if (this.state !== S.Comment) {
      const z = this.nulBefore(i, e);
      if (z !== -1) {
        this.i = z;
        this.ended = true;
        return T.EOF;
      }
    }
    this.i = e;
    this.state = S.Init;
    return T.Comment;
  }
}


