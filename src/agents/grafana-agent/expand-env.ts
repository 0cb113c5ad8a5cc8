/**
 * What grafana-agent static mode does to its config file when started with
 * `-config.expand-env`: drone/envsubst over the raw text, with the agent's own
 * lookup that keeps all-digit names (`${1}`) for Prometheus.
 *
 * In plain text: `$$` → `$`, `\\` → `\`, `\/` → `/` (the escaped character is
 * then taken literally); `${NAME}` → the variable's value; a `$` not followed
 * by `{` stays. Inside `${…}` the default forms `${NAME:-word}`, `${NAME:=word}`
 * and `${NAME=word}` are understood; other shell functions are refused, as an
 * unclosed `${` is. As in envsubst, `-` is part of a name: `${A-b}` reads the
 * variable "A-b".
 */

export type EnvLookup = (name: string) => string | undefined;

export class ExpandEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpandEnvError';
  }
}

const IDENT_CHAR = /[\p{L}\p{Nd}_-]/u;

export function expandEnv(text: string, lookup: EnvLookup): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '$' && next === '{') {
      const { value, end } = substitution(text, i + 2, lookup);
      out += value;
      i = end;
      continue;
    }
    if ((ch === '$' && next === '$') || (ch === '\\' && (next === '\\' || next === '/'))) {
      out += next;
      i += 2;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

function substitution(text: string, start: number, lookup: EnvLookup): { value: string; end: number } {
  let i = start;
  while (i < text.length && IDENT_CHAR.test(text[i]!)) i++;
  const name = text.slice(start, i);
  if (name === '') throw new ExpandEnvError(`bad substitution at offset ${start - 2}: "\${" must be followed by a variable name`);
  const close = text.indexOf('}', i);
  if (close === -1) throw new ExpandEnvError(`bad substitution at offset ${start - 2}: "\${${name}" is not closed`);
  const value = agentGetenv(name, lookup);
  if (close === i) return { value: value ?? '', end: close + 1 };
  const op = /^(:-|:=|=)/.exec(text.slice(i, close));
  if (op === null) throw new ExpandEnvError(`unsupported substitution "\${${text.slice(start, close)}}"`);
  const word = text.slice(i + op[1]!.length, close);
  const useDefault = op[1]!.startsWith(':') ? value === undefined || value === '' : value === undefined;
  return { value: useDefault ? word : (value ?? ''), end: close + 1 };
}

/** grafana-agent's getenv: all-digit names are regex groups and stay as `${N}`. */
function agentGetenv(name: string, lookup: EnvLookup): string | undefined {
  if (/^\p{Nd}+$/u.test(name)) return `\${${name}}`;
  return lookup(name);
}
