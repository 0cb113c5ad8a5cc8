/**
 * Reading Alloy configuration syntax: a scanner and a recursive-descent
 * parser following the grammar of Alloy's syntax package (its scanner's
 * newline terminators, literals, escapes and comments; its parser's
 * statements, blocks, labels and expressions, and the errors it reports).
 * Written here from that grammar; the runtime reads Alloy configs with it.
 * Positions count the characters of the JavaScript string (UTF-16 units)
 * where Alloy counts bytes: they differ only on lines with non-ASCII text.
 */

export interface Position {
  offset: number;
  line: number;
  column: number;
}

export interface Diagnostic extends Position {
  message: string;
}

export type Expr =
  | { type: 'literal'; kind: 'string' | 'number' | 'float' | 'bool' | 'null'; raw: string; pos: Position }
  | { type: 'array'; elements: Expr[]; pos: Position }
  | { type: 'object'; fields: { name: string; quoted: boolean; value: Expr }[]; pos: Position }
  | { type: 'ident'; name: string; pos: Position }
  | { type: 'access'; value: Expr; name: string; pos: Position }
  | { type: 'index'; value: Expr; index: Expr; pos: Position }
  | { type: 'call'; value: Expr; args: Expr[]; pos: Position }
  | { type: 'unary'; op: string; value: Expr; pos: Position }
  | { type: 'binary'; op: string; left: Expr; right: Expr; pos: Position }
  | { type: 'paren'; inner: Expr; pos: Position };

export type Stmt =
  | { type: 'attribute'; name: string; value: Expr; pos: Position }
  | { type: 'block'; name: string[]; label?: string; body: Stmt[]; pos: Position; /** Where its closing brace is. */ end: Position };

type Tok =
  | 'IDENT' | 'NUMBER' | 'FLOAT' | 'STRING' | 'BOOL' | 'NULL' | 'TERMINATOR' | 'EOF' | 'ILLEGAL' | 'COMMENT'
  | '||' | '&&' | '!' | '!=' | '=' | '==' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '^'
  | '{' | '}' | '(' | ')' | '[' | ']' | ',' | '.';

/** The token's name as Alloy's messages spell it. */
function tokName(t: Tok): string {
  return t === 'TERMINATOR' ? 'TERMINATOR' : t;
}

const EOF = -1;
const BOM = 0xfeff;

const isLetter = (ch: number): boolean =>
  (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x41 && ch <= 0x5a) || ch === 0x5f || (ch >= 0x80 && /\p{L}/u.test(String.fromCodePoint(ch)));
const isDecimal = (ch: number): boolean => ch >= 0x30 && ch <= 0x39;
const isDigit = (ch: number): boolean => isDecimal(ch) || (ch >= 0x80 && /\p{Nd}/u.test(String.fromCodePoint(ch)));

/** Alloy's scanner: tokens, with a TERMINATOR where a newline ends a statement. */
class Scanner {
  private readonly src: string;
  private ch = EOF;
  private offset = 0;
  private readOffset = 0;
  private line = 1;
  private lineStart = 0;
  private insertTerm = false;

  constructor(
    src: string,
    private readonly onError: (pos: Position, message: string) => void,
    private readonly includeComments = false,
  ) {
    this.src = src;
    this.next();
    if (this.c() === BOM) this.next();
  }

  pos(offset = this.offset): Position {
    // Lines only move forward while scanning; an offset on the current line is its column.
    return { offset, line: this.line, column: offset - this.lineStart + 1 };
  }

  private next(): void {
    if (this.c() === 0x0a) {
      this.line++;
      this.lineStart = this.readOffset;
    }
    if (this.readOffset >= this.src.length) {
      this.offset = this.src.length;
      this.ch = EOF;
      return;
    }
    this.offset = this.readOffset;
    const cp = this.src.codePointAt(this.readOffset)!;
    if (cp === 0) this.onError(this.pos(), 'illegal character NUL');
    else if (cp >= 0xd800 && cp <= 0xdfff) this.onError(this.pos(), 'illegal UTF-8 encoding');
    else if (cp === BOM && this.offset > 0) this.onError(this.pos(), 'illegal byte order mark');
    this.readOffset += cp > 0xffff ? 2 : 1;
    this.ch = cp;
  }

  private c(): number {
    return this.ch;
  }

  private peek(): number {
    return this.readOffset < this.src.length ? this.src.charCodeAt(this.readOffset) : 0;
  }

  scan(): { pos: Position; tok: Tok; lit: string } {
    for (;;) {
      while (this.c() === 0x20 || this.c() === 0x09 || this.c() === 0x0d || (this.c() === 0x0a && !this.insertTerm)) this.next();
      const pos = this.pos();
      const ch = this.c();
      let insertTerm = false;
      let tok: Tok;
      let lit = '';
      if (isLetter(ch)) {
        lit = this.scanIdentifier();
        tok = lit === 'true' || lit === 'false' ? 'BOOL' : lit === 'null' ? 'NULL' : 'IDENT';
        insertTerm = true;
      } else if (isDecimal(ch) || (ch === 0x2e && isDecimal(this.peek()))) {
        insertTerm = true;
        [tok, lit] = this.scanNumber();
      } else {
        this.next();
        switch (ch) {
          case EOF:
            if (this.insertTerm) {
              this.insertTerm = false;
              return { pos, tok: 'TERMINATOR', lit: '\n' };
            }
            tok = 'EOF';
            break;
          case 0x0a:
            this.insertTerm = false;
            return { pos, tok: 'TERMINATOR', lit: '\n' };
          case 0x27:
            this.onError(pos, 'illegal single-quoted string; use double quotes');
            insertTerm = true;
            tok = 'ILLEGAL';
            lit = this.scanString(pos, 0x27, true, false);
            break;
          case 0x22:
            insertTerm = true;
            tok = 'STRING';
            lit = this.scanString(pos, 0x22, true, false);
            break;
          case 0x60:
            insertTerm = true;
            tok = 'STRING';
            lit = this.scanString(pos, 0x60, false, true);
            break;
          case 0x7c:
            if (this.c() !== 0x7c) this.onError(this.pos(), 'missing second | in ||');
            else this.next();
            tok = '||';
            break;
          case 0x26:
            if (this.c() !== 0x26) this.onError(this.pos(), 'missing second & in &&');
            else this.next();
            tok = '&&';
            break;
          case 0x21:
            tok = this.switch2('!', '!=');
            break;
          case 0x3d:
            tok = this.switch2('=', '==');
            break;
          case 0x3c:
            tok = this.switch2('<', '<=');
            break;
          case 0x3e:
            tok = this.switch2('>', '>=');
            break;
          case 0x2b:
            tok = '+';
            break;
          case 0x2d:
            tok = '-';
            break;
          case 0x2a:
            tok = '*';
            break;
          case 0x2f:
            if (this.c() === 0x2f || this.c() === 0x2a) {
              // A comment ending the line stands for the newline that ends a statement.
              if (this.insertTerm && this.commentEndsLine(pos.offset)) {
                // The comment is scanned next time, from its `/`.
                this.readOffset = pos.offset;
                this.ch = 0x2f;
                this.next();
                this.insertTerm = false;
                return { pos, tok: 'TERMINATOR', lit: '\n' };
              }
              const comment = this.scanComment(pos);
              if (!this.includeComments) {
                this.insertTerm = false;
                continue;
              }
              tok = 'COMMENT';
              lit = comment;
            } else tok = '/';
            break;
          case 0x25:
            tok = '%';
            break;
          case 0x5e:
            tok = '^';
            break;
          case 0x7b:
            tok = '{';
            break;
          case 0x7d:
            insertTerm = true;
            tok = '}';
            break;
          case 0x28:
            tok = '(';
            break;
          case 0x29:
            insertTerm = true;
            tok = ')';
            break;
          case 0x5b:
            tok = '[';
            break;
          case 0x5d:
            insertTerm = true;
            tok = ']';
            break;
          case 0x2c:
            tok = ',';
            break;
          case 0x2e:
            tok = '.';
            break;
          default:
            if (ch !== BOM) this.onError(pos, `illegal character ${describeRune(ch)}`);
            insertTerm = this.insertTerm;
            tok = 'ILLEGAL';
            lit = String.fromCodePoint(ch);
        }
      }
      this.insertTerm = insertTerm;
      return { pos, tok, lit };
    }
  }

  private switch2(a: Tok, b: Tok): Tok {
    if (this.c() === 0x3d) {
      this.next();
      return b;
    }
    return a;
  }

  private scanIdentifier(): string {
    const off = this.offset;
    while (isLetter(this.c()) || isDigit(this.c())) this.next();
    return this.src.slice(off, this.offset);
  }

  private digits(): number {
    let n = 0;
    while (isDecimal(this.c())) {
      this.next();
      n++;
    }
    return n;
  }

  private scanNumber(): [Tok, string] {
    const off = this.offset;
    let tok: Tok = 'NUMBER';
    if (this.c() !== 0x2e) this.digits();
    if (this.c() === 0x2e) {
      tok = 'FLOAT';
      this.next();
      this.digits();
    }
    if (this.c() === 0x65 || this.c() === 0x45) {
      tok = 'FLOAT';
      this.next();
      if (this.c() === 0x2b || this.c() === 0x2d) this.next();
      if (this.digits() === 0) this.onError(this.pos(off), 'exponent has no digits');
    }
    return [tok, this.src.slice(off, this.offset)];
  }

  private scanString(start: Position, until: number, escape: boolean, multiline: boolean): string {
    for (;;) {
      const ch = this.c();
      if ((!multiline && ch === 0x0a) || ch === EOF) {
        this.onError(start, 'string literal not terminated');
        break;
      }
      this.next();
      if (ch === until) break;
      if (escape && ch === 0x5c) this.scanEscape();
    }
    return this.src.slice(start.offset, this.offset);
  }

  private scanEscape(): void {
    const at = this.pos();
    let n: number;
    let base: number;
    let max: number;
    switch (this.c()) {
      case 0x61: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74: case 0x76: case 0x5c: case 0x22:
        this.next();
        return;
      case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        [n, base, max] = [3, 8, 255];
        break;
      case 0x78:
        this.next();
        [n, base, max] = [2, 16, 255];
        break;
      case 0x75:
        this.next();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case 0x55:
        this.next();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      default:
        this.onError(at, this.c() === EOF ? 'escape sequence not terminated' : 'unknown escape sequence');
        return;
    }
    let x = 0;
    for (; n > 0; n--) {
      const d = digitVal(this.c());
      if (d >= base) {
        this.onError(at, this.c() === EOF ? 'escape sequence not terminated' : `illegal character ${describeRune(this.c())} in escape sequence`);
        return;
      }
      x = x * base + d;
      this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.onError(at, 'escape sequence is invalid Unicode code point');
  }

  private scanComment(start: Position): string {
    if (this.c() === 0x2f) {
      while (this.c() !== 0x0a && this.c() !== EOF) this.next();
      return this.src.slice(start.offset, this.offset).replace(/\r$/, '');
    }
    this.next();
    while (this.c() !== EOF) {
      const ch = this.c();
      this.next();
      if (ch === 0x2a && this.c() === 0x2f) {
        this.next();
        return this.src.slice(start.offset, this.offset);
      }
    }
    this.onError(start, 'block comment not terminated');
    return this.src.slice(start.offset, this.offset);
  }

  /** Whether the comment(s) starting at `start` run to the end of the line (without consuming them). */
  private commentEndsLine(start: number): boolean {
    let i = start;
    const s = this.src;
    while (s[i] === '/') {
      if (s[i + 1] === '/') return true;
      if (s[i + 1] !== '*') return false;
      const end = s.indexOf('*/', i + 2);
      if (end === -1) return true;
      if (s.slice(i + 2, end).includes('\n')) return true;
      i = end + 2;
      while (s[i] === ' ' || s[i] === '\t' || s[i] === '\r') i++;
      if (i >= s.length || s[i] === '\n') return true;
    }
    return false;
  }
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  const l = ch | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 16;
}

/** Go's %#U: U+0007, or U+2026 '…' for a printable rune. */
function describeRune(ch: number): string {
  const hex = `U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(ch)) ? `${hex} '${String.fromCodePoint(ch)}'` : hex;
}

const PRECEDENCE: Partial<Record<Tok, number>> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6 };

const STATEMENT_END = new Set<Tok>(['TERMINATOR', ')', '}', ']', ',']);

class Parser {
  readonly errors: Diagnostic[] = [];
  private readonly scanner: Scanner;
  private tok: Tok = 'EOF';
  private lit = '';
  private at: Position = { offset: 0, line: 1, column: 1 };
  private lastErrorLine = -1;

  constructor(src: string) {
    this.scanner = new Scanner(src, (pos, message) => this.errors.push({ ...pos, message }));
    this.next();
  }

  private next(): void {
    ({ pos: this.at, tok: this.tok, lit: this.lit } = this.scanner.scan());
  }

  private t(): Tok {
    return this.tok;
  }

  private error(message: string, pos: Position = this.at): void {
    // One error per line, as Alloy reports them.
    if (pos.line === this.lastErrorLine) return;
    this.lastErrorLine = pos.line;
    this.errors.push({ ...pos, message });
  }

  private expect(t: Tok): { pos: Position; tok: Tok } {
    const got = { pos: this.at, tok: this.t() };
    if (this.t() !== t) this.error(`expected ${tokName(t)}, got ${tokName(this.t())}`);
    this.next();
    return got;
  }

  private advance(to: Tok): void {
    while (this.t() !== 'EOF' && this.t() !== to) this.next();
  }

  parseFile(): Stmt[] {
    return this.parseBody('EOF');
  }

  private parseBody(until: Tok): Stmt[] {
    const body: Stmt[] = [];
    while (this.t() !== until && this.t() !== 'EOF') {
      const stmt = this.parseStatement();
      if (stmt !== undefined) body.push(stmt);
      if (this.t() === until) break;
      if (this.t() !== 'TERMINATOR') {
        this.error(`expected TERMINATOR, got ${tokName(this.t())}`);
        this.consumeStatement();
      }
      this.next();
    }
    return body;
  }

  private consumeStatement(): void {
    let curly = 0;
    let brack = 0;
    let paren = 0;
    while (this.t() !== 'EOF') {
      if (this.t() === '{') curly++;
      else if (this.t() === '}') curly--;
      else if (this.t() === '[') brack++;
      else if (this.t() === ']') brack--;
      else if (this.t() === '(') paren++;
      else if (this.t() === ')') paren--;
      if (this.t() === 'TERMINATOR' && curly <= 0 && brack <= 0 && paren <= 0) return;
      this.next();
    }
  }

  private parseStatement(): Stmt | undefined {
    if (this.t() !== 'IDENT') {
      this.error(`expected IDENT, got ${tokName(this.t())}`);
      this.advance('IDENT');
      return undefined;
    }
    const start = this.at;
    const fragments = [this.lit];
    this.next();
    while (this.t() === '.') {
      this.next();
      if (this.t() !== 'IDENT') this.error(`expected IDENT, got ${tokName(this.t())}`);
      fragments.push(this.lit);
      this.next();
    }
    let label: string | undefined;
    let labelPos: Position | undefined;
    if (this.t() !== '=' && this.t() !== '{') {
      if (this.t() === 'STRING') {
        if (this.lit[0] !== '"') this.error(`expected block label to be a double quoted string, but got ${goQuote(this.lit)}`);
        if (this.lit.length > 2) {
          label = this.lit.slice(1, -1);
          if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(label)) this.error(`expected block label to be a valid identifier, but got ${goQuote(label)}`);
        }
        labelPos = this.at;
      } else this.error(`expected block label, got ${tokName(this.t())}`);
      this.next();
    }
    if (this.t() === '=') {
      this.next();
      if (fragments.length !== 1) this.errors.push({ ...start, message: 'attribute names may only consist of a single identifier with no "."' });
      else if (labelPos !== undefined) this.errors.push({ ...labelPos, message: 'attribute names may not have labels' });
      return { type: 'attribute', name: fragments[0]!, value: this.parseExpression(), pos: start };
    }
    if (this.t() === '{') {
      this.next();
      const body = this.parseBody('}');
      const end = this.expect('}').pos;
      return { type: 'block', name: fragments, ...(label !== undefined ? { label } : {}), body, pos: start, end };
    }
    if (fragments.length === 1 && label === undefined) this.error(`expected attribute assignment or block body, got ${tokName(this.t())}`);
    else this.error(`expected block body, got ${tokName(this.t())}`);
    this.advance('IDENT');
    return undefined;
  }

  parseExpression(): Expr {
    return this.parseBinOp(1);
  }

  private parseBinOp(inPrec: number): Expr {
    let lhs = this.parsePowExpr();
    for (;;) {
      const prec = PRECEDENCE[this.t()] ?? 0;
      if (prec < inPrec || this.t() === '^') return lhs;
      const op = this.t();
      const pos = this.at;
      this.next();
      const rhs = this.parseBinOp(prec + 1);
      lhs = { type: 'binary', op, left: lhs, right: rhs, pos };
    }
  }

  private parsePowExpr(): Expr {
    const lhs = this.parseUnaryExpr();
    if (this.t() === '^') {
      const pos = this.at;
      this.next();
      return { type: 'binary', op: '^', left: lhs, right: this.parsePowExpr(), pos };
    }
    return lhs;
  }

  private parseUnaryExpr(): Expr {
    if (this.t() === '!' || this.t() === '-') {
      const op = this.t();
      const pos = this.at;
      this.next();
      return { type: 'unary', op, value: this.parseUnaryExpr(), pos };
    }
    let primary = this.parsePrimaryExpr();
    for (;;) {
      const pos = this.at;
      if (this.t() === '.') {
        this.next();
        const name = this.lit;
        this.expect('IDENT');
        primary = { type: 'access', value: primary, name, pos };
      } else if (this.t() === '[') {
        this.next();
        const index = this.parseExpression();
        this.expect(']');
        primary = { type: 'index', value: primary, index, pos };
      } else if (this.t() === '(') {
        this.next();
        const args = this.t() !== ')' ? this.parseExpressionList(')') : [];
        this.expect(')');
        primary = { type: 'call', value: primary, args, pos };
      } else if (this.t() === 'STRING' || this.t() === '{') {
        // A block written where an expression belongs.
        if (this.t() === 'STRING') this.next();
        if (this.expect('{').tok !== '{') {
          this.consumeStatement();
          return primary;
        }
        this.parseBody('}');
        if (this.expect('}').tok !== '}') {
          this.consumeStatement();
          return primary;
        }
        this.errors.push({ ...startOf(primary), message: 'cannot use a block as an expression' });
      } else return primary;
    }
  }

  private parsePrimaryExpr(): Expr {
    const pos = this.at;
    switch (this.t()) {
      case 'IDENT': {
        const name = this.lit;
        this.next();
        return { type: 'ident', name, pos };
      }
      case 'STRING': case 'NUMBER': case 'FLOAT': case 'BOOL': case 'NULL': {
        const kind = ({ STRING: 'string', NUMBER: 'number', FLOAT: 'float', BOOL: 'bool', NULL: 'null' } as const)[this.t() as 'STRING' | 'NUMBER' | 'FLOAT' | 'BOOL' | 'NULL'];
        const raw = this.lit || 'null';
        this.next();
        return { type: 'literal', kind, raw, pos };
      }
      case '(': {
        this.next();
        const inner = this.parseExpression();
        this.expect(')');
        return { type: 'paren', inner, pos };
      }
      case '[': {
        this.next();
        const elements = this.t() !== ']' ? this.parseExpressionList(']') : [];
        this.expect(']');
        return { type: 'array', elements, pos };
      }
      case '{': {
        this.next();
        const fields = this.t() !== '}' ? this.parseFieldList('}') : [];
        this.expect('}');
        return { type: 'object', fields, pos };
      }
      default:
        this.error(`expected expression, got ${tokName(this.t())}`);
        while (this.t() !== 'EOF' && !STATEMENT_END.has(this.t())) this.next();
        return { type: 'literal', kind: 'null', raw: 'null', pos };
    }
  }

  private parseExpressionList(until: Tok): Expr[] {
    const out: Expr[] = [];
    while (this.t() !== until && this.t() !== 'EOF') {
      out.push(this.parseExpression());
      if (this.t() === until) break;
      if (this.t() !== ',') this.error("missing ',' in expression list");
      this.next();
    }
    return out;
  }

  private parseFieldList(until: Tok): { name: string; quoted: boolean; value: Expr }[] {
    const out: { name: string; quoted: boolean; value: Expr }[] = [];
    while (this.t() !== until && this.t() !== 'EOF') {
      let name = '';
      let quoted = false;
      if (this.t() === 'STRING' || this.t() === 'IDENT') {
        name = this.lit;
        if (this.t() === 'STRING' && this.lit.length > 2) {
          name = this.lit.slice(1, -1);
          quoted = true;
        } else if (this.t() === 'STRING') {
          // `""`: Alloy keeps the two quote characters as the name.
          quoted = false;
        }
        this.next();
      } else {
        this.error(`expected field name (string or identifier), got ${tokName(this.t())}`);
        this.advance('=');
      }
      this.expect('=');
      out.push({ name, quoted, value: this.parseExpression() });
      if (this.t() === until) break;
      if (this.t() !== ',') this.error("missing ',' in field list");
      this.next();
    }
    return out;
  }
}

function startOf(e: Expr): Position {
  switch (e.type) {
    case 'access': case 'index': case 'call':
      return startOf(e.value);
    case 'binary':
      return startOf(e.left);
    default:
      return e.pos;
  }
}

/** Go's %q of a string, for messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Parses an Alloy file: its statements and every error found (none when it is valid). */
export function parseAlloy(text: string): { body: Stmt[]; errors: Diagnostic[] } {
  const parser = new Parser(text);
  const body = parser.parseFile();
  return { body, errors: parser.errors };
}

/** Parses one expression (the whole text). */
export function parseAlloyExpression(text: string): { expr: Expr; errors: Diagnostic[] } {
  const parser = new Parser(text);
  const expr = parser.parseExpression();
  return { expr, errors: parser.errors };
}

export class AlloyUnquoteError extends Error {}

/**
 * The value of a string literal, as Go's strconv.Unquote gives it: a raw
 * string's text without carriage returns, or a quoted string's escapes
 * decoded (`\x` and octal escapes are bytes, `\u`/`\U` code points).
 */
export function unquote(raw: string): string {
  if (raw.startsWith('`')) {
    if (raw.length < 2 || !raw.endsWith('`')) throw new AlloyUnquoteError(`invalid raw string ${raw}`);
    return raw.slice(1, -1).replaceAll('\r', '');
  }
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) throw new AlloyUnquoteError(`invalid string literal ${raw}`);
  const body = raw.slice(1, -1);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const pushChar = (s: string): void => {
    for (const b of encoder.encode(s)) bytes.push(b);
  };
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (ch === '"' || ch === '\n') throw new AlloyUnquoteError(`invalid string literal ${raw}`);
    if (ch !== '\\') {
      pushChar(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
    if (e !== undefined && simple[e] !== undefined) {
      bytes.push(simple[e]!);
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new AlloyUnquoteError(`invalid escape in ${raw}`);
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new AlloyUnquoteError(`invalid code point in ${raw}`);
        pushChar(String.fromCodePoint(v));
      }
      i += 2 + n;
    } else if (e !== undefined && e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new AlloyUnquoteError(`invalid escape in ${raw}`);
      bytes.push(parseInt(oct, 8));
      i += 4;
    } else throw new AlloyUnquoteError(`invalid escape in ${raw}`);
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(bytes));
}
