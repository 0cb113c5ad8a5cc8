/**
 * Reading YAML that a person wrote: errors name the file, line and column.
 * The input is bounded (bytes and keys) and read in time linear in its size,
 * so a hostile or mistaken file fails fast with one clear message.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { InvalidInputError, type InputProblem } from '../errors.js';
import { isPlainObject, type PlainObject } from './merge.js';

/** A full profile is a few KB; a PEM bundle or two in tls.ca stays far below this. */
export const MAX_PROFILE_BYTES = 1024 * 1024;
/** Keys and list items in one profile; the largest real ones have a few hundred. */
export const MAX_PROFILE_NODES = 5_000;

export function parseYamlDocument(text: string, source: string): PlainObject {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PROFILE_BYTES) {
    throw new InvalidInputError(`${source} is too large for a profile.`, [
      { path: source, message: `is ${bytes} bytes; a profile may be at most ${MAX_PROFILE_BYTES} bytes (1 MiB), and a complete one is a few KB` },
    ]);
  }
  const lineCounter = new LineCounter();
  // uniqueKeys is checked below: the parser's own check is quadratic in the number of keys.
  const parsed = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: true, lineCounter });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  if (docs.length > 1) {
    throw new InvalidInputError(`${source} holds ${docs.length} YAML documents.`, [
      {
        path: source,
        message: 'k8smon expects one profile, a single YAML document; remove the "---" separators and keep one profile per file (a preset is named with preset: inside it)',
      },
    ]);
  }
  const doc = docs[0];
  if (doc === undefined) return {};
  const at = (offset: number): string => {
    const pos = lineCounter.linePos(offset);
    return `${source}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    // Only the position and the parser's message: the offending line may hold a secret.
    const problems: InputProblem[] = doc.errors.map((e) => ({ path: at(e.pos[0]), message: e.message.split('\n')[0] ?? e.message }));
    throw new InvalidInputError(`${source} is not valid YAML.`, problems);
  }
  const problems: InputProblem[] = [];
  let nodes = 0;
  visit(doc, {
    Pair() {
      nodes++;
    },
    Seq(_key, seq) {
      nodes += seq.items.length;
    },
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        if (seen.has(key)) problems.push({ path: at(pair.key && isScalar(pair.key) && pair.key.range ? pair.key.range[0] : 0), message: `duplicate key "${key}" in one mapping; keep one` });
        seen.add(key);
      }
    },
  });
  if (nodes > MAX_PROFILE_NODES) {
    throw new InvalidInputError(`${source} is too large for a profile.`, [
      { path: source, message: `has ${nodes} keys and list items; a profile may have at most ${MAX_PROFILE_NODES}, and a complete one has a few hundred` },
    ]);
  }
  if (problems.length > 0) throw new InvalidInputError(`${source} is not valid YAML.`, problems);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new InvalidInputError(`${source} is not a profile.`, [
      { path: source, message: 'must be a YAML mapping (key: value pairs), such as "cluster:\\n  name: prod"' },
    ]);
  }
  return value;
}
