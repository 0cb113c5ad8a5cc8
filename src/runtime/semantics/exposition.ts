/**
 * The Prometheus text exposition format (0.0.4), sample lines only: what a
 * scrape returns, as series labels (`__name__` included), values and
 * timestamps. Comments (# HELP, # TYPE) are skipped.
 */

export interface Sample {
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export class ExpositionError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    samples.push(parseSampleLine(line, n + 1));
  }
  return samples;
}

function parseSampleLine(line: string, lineNo: number): Sample {
  NAME.lastIndex = 0;
  const name = NAME.exec(line)?.[0];
  if (name === undefined) throw new ExpositionError(lineNo, 'expected a metric name');
  let i = name.length;
  const labels: Record<string, string> = { __name__: name };
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      LABEL_NAME.lastIndex = i;
      const labelName = LABEL_NAME.exec(line)?.[0];
      if (labelName === undefined) throw new ExpositionError(lineNo, `expected a label name at column ${i + 1}`);
      i += labelName.length;
      if (line[i] !== '=' || line[i + 1] !== '"') throw new ExpositionError(lineNo, `expected ="…" after ${labelName}`);
      i += 2;
      let value = '';
      for (;;) {
        const ch = line[i];
        if (ch === undefined) throw new ExpositionError(lineNo, 'unterminated label value');
        i++;
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = line[i++];
          value += esc === 'n' ? '\n' : esc === '\\' ? '\\' : esc === '"' ? '"' : `\\${esc ?? ''}`;
        } else value += ch;
      }
      labels[labelName] = value;
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
    }
  }
  const [valueText, tsText] = line.slice(i).trim().split(/\s+/);
  if (valueText === undefined || valueText === '') throw new ExpositionError(lineNo, 'missing value');
  const value = parseValue(valueText);
  if (Number.isNaN(value) && !/^nan$/i.test(valueText)) throw new ExpositionError(lineNo, `invalid value ${valueText}`);
  const sample: Sample = { labels, value };
  if (tsText !== undefined) sample.timestampMs = Number(tsText);
  return sample;
}

function parseValue(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return Number(text);
}
