/**
 * Writing Alloy configuration text: one escaping function for every string
 * literal, and a small builder whose printer lays the text out as `alloy fmt`
 * does. Values reach the text only through the escaper (or as references
 * and calls built from identifiers checked here), so no value can change the
 * structure around it.
 *
 * Layout, as Alloy's printer does it: a tab per level of indentation; a
 * blank line before every block that is not the first statement of its body
 * and after every block that spans lines; in a run of consecutive one-line
 * attributes the `=` signs are aligned (the name padded with spaces to the
 * longest name of the run, plus one). Every value is kept on one line, so no
 * multi-line array or object ever joins an alignment run.
 */

/** The characters Go's strconv.Quote writes with a one-letter escape. */
const SHORT_ESCAPES: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x22: '\\"', 0x5c: '\\\\' };

export class AlloyTextError extends Error {}

/**
 * An Alloy string literal (double-quoted, read with Go's strconv.Unquote)
 * holding exactly `value`. ASCII as Go's strconv.Quote writes it; every other
 * character as `\uXXXX`/`\UXXXXXXXX`, so the text is ASCII whatever the
 * value. Alloy strings have no interpolation: `$`, `${1}` and `$(X)` are
 * written as they are and read back as they are. A lone UTF-16 surrogate has
 * no UTF-8 form and is refused.
 */
export function alloyString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    const short = SHORT_ESCAPES[cp];
    if (short !== undefined) out += short;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x80) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) throw new AlloyTextError(`a string holds a lone UTF-16 surrogate (U+${cp.toString(16).toUpperCase()}), which has no UTF-8 form`);
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isAlloyIdentifier(s: string): boolean {
  return IDENTIFIER.test(s);
}

function identifier(s: string): string {
  if (!IDENTIFIER.test(s)) throw new AlloyTextError(`not an Alloy identifier: ${JSON.stringify(s)}`);
  return s;
}

/** An expression, already written on one line. Made only by the functions below. */
export class Expr {
  private constructor(readonly text: string) {}
  /** @internal */ static of(text: string): Expr {
    return new Expr(text);
  }
}

export const str = (value: string): Expr => Expr.of(alloyString(value));
export const bool = (value: boolean): Expr => Expr.of(value ? 'true' : 'false');
export const int = (value: number): Expr => {
  if (!Number.isSafeInteger(value) || value < 0) throw new AlloyTextError(`not a non-negative integer: ${value}`);
  return Expr.of(String(value));
};
export const list = (items: readonly Expr[]): Expr => Expr.of(`[${items.map((e) => e.text).join(', ')}]`);
export const strings = (items: readonly string[]): Expr => list(items.map(str));
/** A reference to an export of a component or a namespace: `discovery.kubernetes.kubelet.targets`. */
export const ref = (...path: string[]): Expr => Expr.of(path.map(identifier).join('.'));
/** A call of a standard-library function: `sys.env("NODE_NAME")`. */
export const call = (fn: readonly string[], ...args: Expr[]): Expr => Expr.of(`${fn.map(identifier).join('.')}(${args.map((a) => a.text).join(', ')})`);
export const concat = (...parts: Expr[]): Expr => Expr.of(parts.map((p) => p.text).join(' + '));

/**
 * An object literal with quoted keys. Alloy takes a quoted key's text as it
 * is written (no unescaping), so a key must be printable ASCII without `"` or
 * `\`: anything else is refused rather than mangled.
 */
export const object = (entries: readonly [string, Expr][]): Expr => {
  for (const [k] of entries) if (!/^[\x20-\x7e]*$/.test(k) || k.includes('"') || k.includes('\\')) throw new AlloyTextError(`an object key Alloy cannot hold: ${JSON.stringify(k)}`);
  return Expr.of(`{${entries.map(([k, v]) => `"${k}" = ${v.text}`).join(', ')}}`);
};

export interface Attribute {
  kind: 'attribute';
  name: string;
  value: Expr;
}

export interface Block {
  kind: 'block';
  name: string;
  label?: string;
  body: Statement[];
}

export type Statement = Attribute | Block;

export const attr = (name: string, value: Expr): Attribute => ({ kind: 'attribute', name: identifier(name), value });

/** A block `name "label" { … }`; the name may be dotted (`prometheus.scrape`), the label an identifier. */
export const block = (name: string, label: string | undefined, body: Statement[]): Block => {
  name.split('.').forEach(identifier);
  if (label !== undefined) identifier(label);
  return { kind: 'block', name, ...(label !== undefined ? { label } : {}), body };
};

/** Only the attributes whose value is defined: optional settings stay out. */
export function attrs(entries: readonly [string, Expr | undefined][]): Attribute[] {
  return entries.filter((e): e is [string, Expr] => e[1] !== undefined).map(([k, v]) => attr(k, v));
}

/** The text of a file: its statements laid out as `alloy fmt` lays them out. */
export function printAlloy(body: readonly Statement[]): string {
  const lines: string[] = [];
  printBody(body, 0, lines);
  return `${lines.join('\n')}\n`;
}

function printBody(body: readonly Statement[], depth: number, lines: string[]): void {
  const indent = '\t'.repeat(depth);
  let i = 0;
  while (i < body.length) {
    const s = body[i]!;
    const prev = body[i - 1];
    // A block is set apart from what precedes it; a block that spans lines from what follows.
    if (prev !== undefined && (s.kind === 'block' || (prev.kind === 'block' && prev.body.length > 0))) lines.push('');
    if (s.kind === 'block') {
      const head = `${indent}${s.name}${s.label !== undefined ? ` "${s.label}"` : ''} {`;
      if (s.body.length === 0) lines.push(`${head} }`);
      else {
        lines.push(head);
        printBody(s.body, depth + 1, lines);
        lines.push(`${indent}}`);
      }
      i++;
      continue;
    }
    // A run of consecutive attributes: `=` aligned.
    let end = i;
    while (end < body.length && body[end]!.kind === 'attribute') end++;
    const run = body.slice(i, end) as Attribute[];
    const width = Math.max(...run.map((a) => a.name.length));
    for (const a of run) lines.push(`${indent}${a.name.padEnd(width)} = ${a.value.text}`);
    i = end;
  }
}
