/** Reading YAML that a person wrote: errors name the file, line and column. */
import { LineCounter, parseDocument } from 'yaml';
import { InvalidInputError, type InputProblem } from '../errors.js';
import { isPlainObject, type PlainObject } from './merge.js';

export function parseYamlDocument(text: string, source: string): PlainObject {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, lineCounter });
  if (doc.errors.length > 0) {
    const problems: InputProblem[] = doc.errors.map((e) => {
      // Only the position and the parser's message: the offending line may hold a secret.
      const pos = lineCounter.linePos(e.pos[0]);
      const where = `${source}:${pos.line}:${pos.col}`;
      return { path: where, message: e.message.split('\n')[0] ?? e.message };
    });
    throw new InvalidInputError(`${source} is not valid YAML.`, problems);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new InvalidInputError(`${source} is not a profile.`, [
      { path: source, message: 'must be a YAML mapping (key: value pairs), such as "cluster:\\n  name: prod"' },
    ]);
  }
  return value;
}
