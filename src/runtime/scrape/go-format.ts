/**
 * The few Go formatting rules the exposition parser must follow to read and
 * speak like Prometheus: strconv.ParseFloat's syntax and errors, `%q`
 * quoting in error messages, and labels.FormatOpenMetricsFloat (how
 * Prometheus 3 rewrites `le` and `quantile` values).
 */

/** strconv.ParseFloat's result: a number, or the error text Go gives. */
export type GoFloat = number | { error: string };

const INF_WORDS = new Set(['inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity']);

/**
 * strconv.ParseFloat(s, 64) after Prometheus' own check for `p`, `P` and `_`
 * (textparse.parseFloat). Decimal syntax only reaches Number(): JavaScript
 * also reads hex, binary and "Infinity", which Go refuses.
 */
export function parseGoFloat(s: string): GoFloat {
  let plain = s.length > 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 0-9 . + - e E
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const v = Number(s);
    if (Number.isNaN(v)) return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
    if (!Number.isFinite(v)) return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
    return v;
  }
  if (/[pP_]/.test(s)) return { error: 'unsupported character in float' };
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (INF_WORDS.has(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
}

/** parseGoFloat(s.slice(a, b)), without making the slice when the text is a short plain decimal (see exactDecimal). */
export function parseGoFloatAt(s: string, a: number, b: number): GoFloat {
  const exact = exactDecimal(s, a, b);
  return exact === undefined ? parseGoFloat(s.slice(a, b)) : exact;
}

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The value of s[a, b) when it is `[-+]digits[.digits][(e|E)[-+]digits]` with
 * at most 15 digits and a power of ten within 10^±22, undefined otherwise.
 * Both the digits and the power of ten are then exact doubles, so the one
 * multiplication or division rounds correctly (Clinger's fast path) and the
 * result is the value Number() and Go's ParseFloat give. Most sample values
 * have this shape; reading them in place saves a string per sample.
 */
function exactDecimal(s: string, a: number, b: number): number | undefined {
  let i = a;
  let c = s.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) c = s.charCodeAt(++i);
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; i < b; c = s.charCodeAt(++i)) {
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) fraction++;
    } else if (c === 46 && !dot) dot = true;
    else break;
  }
  if (digits === 0 || digits > 15) return undefined;
  let exponent = 0;
  if (i < b) {
    if (c !== 101 && c !== 69) return undefined;
    c = s.charCodeAt(++i);
    const negativeExponent = c === 45;
    if (negativeExponent || c === 43) c = s.charCodeAt(++i);
    if (i >= b) return undefined;
    for (; i < b; c = s.charCodeAt(++i)) {
      if (c < 48 || c > 57 || exponent > 1000) return undefined;
      exponent = exponent * 10 + (c - 48);
    }
    if (negativeExponent) exponent = -exponent;
  }
  const power = exponent - fraction;
  if (power < -22 || power > 22) return undefined;
  const value = power >= 0 ? mantissa * POW10[power]! : mantissa / POW10[-power]!;
  return negative ? -value : value;
}

/** Printable as Go's unicode.IsPrint sees it (letters, marks, numbers, punctuation, symbols, ASCII space). */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * Go's `%q` of a byte slice (strconv.Quote): the bytes are given as a string
 * of UTF-8 text (`utf8`) or, for a payload that is not valid UTF-8, as one
 * char per byte (`latin1`), so that invalid bytes print as `\xff` as Go
 * prints them.
 */
export function goQuote(text: string, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  if (encoding === 'utf8' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(text)) return `"${text}"`;
  const bytes = Buffer.from(text, encoding);
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += quoteRune(b);
      i++;
      continue;
    }
    const [cp, size] = decodeRune(bytes, i);
    if (cp < 0) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += quoteRune(cp);
    i += size;
  }
  return `${out}"`;
}

function quoteRune(cp: number): string {
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
  }
  const ch = String.fromCodePoint(cp);
  if (PRINTABLE.test(ch)) return ch;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** One UTF-8 sequence at `i`: [code point, length], or [-1, 1] for a byte that starts none (as Go's utf8.DecodeRune). */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i]!;
  const cont = (k: number): number => {
    const x = b[i + k];
    return x !== undefined && (x & 0xc0) === 0x80 ? x & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return [-1, 1];
    const cp = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
    return cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ? [-1, 1] : [cp, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return [-1, 1];
    const cp = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    return cp < 0x10000 || cp > 0x10ffff ? [-1, 1] : [cp, 4];
  }
  return [-1, 1];
}

/**
 * strconv.FormatFloat(f, 'g', -1, 64) with ".0" appended when the result has
 * neither "." nor "e" (labels.FormatOpenMetricsFloat).
 */
export function formatOpenMetricsFloat(f: number): string {
  if (f === 1) return '1.0';
  if (f === 0) return '0.0';
  if (f === -1) return '-1.0';
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = formatGoG(f);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/**
 * strconv.FormatFloat(f, 'g', -1, 64): the shortest digits, in exponent form
 * (two exponent digits at least) when the exponent is below -4 or at least 6
 * (Go's precision for the decision when digits are shortest), else plain.
 */
export function formatGoG(f: number): string {
  const expForm = f.toExponential(); // shortest digits, e.g. "1.5e+7", "-2e-5"
  const e = expForm.indexOf('e');
  const exp = Number(expForm.slice(e + 1));
  if (exp < -4 || exp >= 6) return `${expForm.slice(0, e)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f); // JavaScript writes this range without an exponent, with the same shortest digits
}
