/**
 * The merge of profile layers, as pure functions. Objects merge key by key;
 * arrays and scalars from a later layer replace the earlier value whole
 * (a preset's remoteWrite list is never appended to a user's).
 */
import { parse as parseYaml } from 'yaml';
import type { InputProblem } from '../errors.js';

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return clone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return clone(override);
  const out: PlainObject = clone(base) as PlainObject;
  for (const [key, value] of Object.entries(override)) {
    out[key] = deepMerge(base[key], value);
  }
  return out;
}

function clone(value: unknown): unknown {
  return value === undefined ? undefined : structuredClone(value);
}

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

/** Renders a path the way every message shows it: `remoteWrite[0].basicAuth.username`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Parses `a.b[0].c` into segments; returns null when the path is malformed. */
export function parsePath(path: string): PathSegment[] | null {
  const segments: PathSegment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|(\.)/gy;
  let expectKey = true;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(path)) !== null) {
    consumed = re.lastIndex;
    if (match[1] !== undefined) {
      if (!expectKey) return null;
      segments.push(match[1]);
      expectKey = false;
    } else if (match[2] !== undefined) {
      if (segments.length === 0 || expectKey) return null;
      segments.push(Number(match[2]));
    } else {
      if (expectKey) return null;
      expectKey = true;
    }
  }
  if (consumed !== path.length || expectKey || segments.length === 0) return null;
  return segments;
}

export interface SetAssignment {
  raw: string;
  path: PathSegment[];
  /** The value as typed, before any conversion. */
  text: string;
}

/** Parses the `--set path=value` flags; every malformed one becomes a problem. */
export function parseSetFlags(flags: readonly string[]): { assignments: SetAssignment[]; problems: InputProblem[] } {
  const assignments: SetAssignment[] = [];
  const problems: InputProblem[] = [];
  for (const raw of flags) {
    const eq = raw.indexOf('=');
    const path = eq > 0 ? parsePath(raw.slice(0, eq)) : null;
    if (path === null) {
      problems.push({
        path: `--set ${raw.split('=')[0] ?? ''}`.trimEnd(),
        message: 'expected path=value with a dotted path, e.g. --set kubelet.access=proxy or --set remoteWrite[0].url=https://…',
      });
      continue;
    }
    assignments.push({ raw, path, text: raw.slice(eq + 1) });
  }
  return { assignments, problems };
}

/**
 * Converts the text of a --set value to the type the schema expects at that path:
 * `true` becomes a boolean only where a boolean is expected, `123` stays a string
 * where a string is expected (a cluster named 123 is a string).
 */
export function convertSetValue(text: string, expectedTypes: readonly string[]): unknown {
  if (expectedTypes.includes('string') && !expectedTypes.some((t) => t !== 'string')) return text;
  try {
    const parsed: unknown = parseYaml(text);
    return parsed === null && text.trim() === '' ? '' : parsed;
  } catch {
    return text;
  }
}

/** Sets a value at a path, creating objects/arrays on the way. Returns a new object. */
export function setPath(target: unknown, path: readonly PathSegment[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const arr = Array.isArray(target) ? [...target] : [];
    while (arr.length < head) arr.push({});
    arr[head] = setPath(arr[head], rest, value);
    return arr;
  }
  const obj: PlainObject = isPlainObject(target) ? { ...target } : {};
  obj[head] = setPath(obj[head], rest, value);
  return obj;
}
