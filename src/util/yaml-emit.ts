/**
 * A fast path for stringifyYaml (yaml.ts): YAML text for the plain data k8smon
 * writes (objects, arrays, strings, finite numbers, booleans, null), byte for
 * byte what the `yaml` package writes for it with the options k8smon uses.
 *
 * Why: serializing with the `yaml` package was a fifth of every render's
 * time (it builds a node tree, then walks it with a context object per node).
 * The text it writes is simple for simple data, and that is all this module
 * writes: for anything else — a value it does not know, a string whose
 * style needs one of the package's subtler rules (leading spaces in a block,
 * control characters, kept trailing newlines, shared objects to alias) — it
 * returns undefined and the caller asks the package. test/yaml.test.ts
 * compares the two on random data and on every rendered file.
 *
 * The rules below are those of YAML 1.2's core schema as the package applies
 * them: a string is written plain unless a plain scalar could not hold it or
 * would read back as another type; otherwise double-quoted, or single-quoted
 * when it holds a double quote but no single one; a multi-line string as a
 * literal block scalar.
 */

/** stringifyYaml's options (yaml.ts); those not named here make this module step aside. */
export interface FastYamlOptions {
  /** Only 0 (never fold long lines) is handled here. */
  lineWidth?: number;
  indentSeq?: boolean;
  /** Only false (insertion order) is handled here. */
  sortMapEntries?: unknown;
  aliasDuplicateObjects?: boolean;
  doubleQuote?: (value: string) => boolean;
}

/** The option names this module knows; any other option means the package decides. */
const KNOWN_OPTIONS = new Set(['lineWidth', 'indentSeq', 'sortMapEntries', 'aliasDuplicateObjects', 'doubleQuote']);

const INDENT_STEP = '  ';

/** Cannot start or hold a plain scalar (the package's test, YAML 1.2 §7.3.3). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Plain scalars that would read back as null, a boolean, an integer or a float (the core schema's tags). */
const OTHER_TYPE = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** Characters the package escapes in double quotes (and so writes only double-quoted): left to it. */
const NEEDS_ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** A line that reads as a document marker or directive. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** Thrown inside the emitter when the package must decide; never escapes this module. */
class Unhandled extends Error {}

/** The text of `value` as a YAML document, or undefined when the `yaml` package must write it. */
export function fastStringifyYaml(value: unknown, options: FastYamlOptions = {}): string | undefined {
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key) && (options as Record<string, unknown>)[key] !== undefined) return undefined;
  if (options.lineWidth !== 0 || (options.sortMapEntries !== undefined && options.sortMapEntries !== false)) return undefined;
  if (!isCollection(value)) return undefined;
  const emitter = new Emitter(options.indentSeq !== false, options.aliasDuplicateObjects !== false, options.doubleQuote);
  try {
    return `${emitter.collection(value, '')}\n`;
  } catch (err) {
    if (err instanceof Unhandled) return undefined;
    throw err;
  }
}

function isCollection(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  // An object with its own toJSON is written as what that returns: the package's business.
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

class Emitter {
  /** Objects already written, when the package would alias a second occurrence. */
  private readonly seen: Set<object> | undefined;

  constructor(
    private readonly indentSeq: boolean,
    aliasDuplicates: boolean,
    private readonly doubleQuote: ((value: string) => boolean) | undefined,
  ) {
    this.seen = aliasDuplicates ? new Set() : undefined;
  }

  /** A block collection whose items start at `indent` (the first without it: the caller has placed it). */
  collection(value: object, indent: string): string {
    if (this.seen !== undefined) {
      if (this.seen.has(value)) throw new Unhandled();
      this.seen.add(value);
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      const itemIndent = indent + INDENT_STEP;
      let out = '';
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === undefined) throw new Unhandled();
        const text = isCollection(item) ? this.collection(item, itemIndent) : this.scalar(item, itemIndent, false);
        out += i === 0 ? `- ${text}` : `\n${indent}- ${text}`;
      }
      return out;
    }
    const pairIndent = indent + INDENT_STEP;
    let out = '';
    let first = true;
    for (const key of Object.keys(value)) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      const keyText = this.string(key, pairIndent, true);
      if (keyText.length > 1024) throw new Unhandled();
      let pair: string;
      if (isCollection(item)) {
        const empty = Array.isArray(item) ? item.length === 0 : Object.keys(item).every((k) => (item as Record<string, unknown>)[k] === undefined);
        if (empty) {
          if (this.seen?.has(item) === true) throw new Unhandled();
          this.seen?.add(item);
          pair = `${keyText}: ${Array.isArray(item) ? '[]' : '{}'}`;
        } else {
          // A sequence under a key sits at the key's own indentation unless indentSeq.
          const childIndent = Array.isArray(item) && !this.indentSeq ? indent : pairIndent;
          pair = `${keyText}:\n${childIndent}${this.collection(item, childIndent)}`;
        }
      } else {
        pair = `${keyText}: ${this.scalar(item, pairIndent, false)}`;
      }
      out += first ? pair : `\n${indent}${pair}`;
      first = false;
    }
    return first ? '{}' : out;
  }

  /** A scalar as a value whose continuation lines are indented by `indent`. */
  scalar(value: unknown, indent: string, isKey: boolean): string {
    switch (typeof value) {
      case 'string':
        return this.string(value, indent, isKey);
      case 'number':
        if (!Number.isFinite(value)) throw new Unhandled();
        return Object.is(value, -0) ? '-0' : JSON.stringify(value);
      case 'boolean':
        return value ? 'true' : 'false';
      default:
        if (value === null) return 'null';
        throw new Unhandled();
    }
  }

  private string(value: string, indent: string, isKey: boolean): string {
    if (NEEDS_ESCAPES.test(value)) throw new Unhandled();
    const multiLine = value.includes('\n');
    if (this.doubleQuote?.(value) === true) {
      if (multiLine) throw new Unhandled();
      return JSON.stringify(value);
    }
    if (multiLine) {
      if (isKey) throw new Unhandled();
      return literalBlock(value, indent);
    }
    if (NOT_PLAIN.test(value)) return quoted(value);
    // A key of the root mapping that reads as a document marker is quoted.
    if (isKey && indent === INDENT_STEP && DOCUMENT_MARKER.test(value)) return quoted(value);
    for (const re of OTHER_TYPE) if (re.test(value)) return quoted(value);
    return value;
  }
}

/** A one-line string that cannot be plain: single-quoted if it holds `"` and no `'`, otherwise double-quoted. */
function quoted(value: string): string {
  if (value.includes('"') && !value.includes("'")) return `'${value}'`;
  return JSON.stringify(value);
}

/**
 * `|` (one final newline) or `|-` (none), content lines indented; blank lines
 * stay empty. Anything needing an indentation indicator, kept trailing
 * newlines, or trailing blanks on the last line is the package's.
 */
function literalBlock(value: string, indent: string): string {
  // The block's first content line must start with its content (no indicator needed),
  // and a block cannot end in whitespace after its last line break.
  if (value[0] === ' ' || value[0] === '\n' || /\n[\t ]+$/.test(value) || /^\n*[\t ]+(\n|$)/.test(value)) throw new Unhandled();
  let end = value.length;
  while (end > 0 && (value[end - 1] === '\n' || value[end - 1] === '\t' || value[end - 1] === ' ')) end--;
  const tail = value.slice(end);
  const newline = tail.indexOf('\n');
  let chomp: string;
  let body: string;
  if (newline === -1) {
    chomp = '-';
    body = value;
  } else if (newline === tail.length - 1) {
    chomp = '';
    body = value.slice(0, -1);
  } else {
    throw new Unhandled();
  }
  return `|${chomp}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}
