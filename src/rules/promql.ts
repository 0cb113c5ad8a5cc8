/**
 * Just enough PromQL reading to know what an expression needs: its vector
 * selectors (metric name and label matchers) and the dashboard variables it
 * references. Not a parser: promtool proves the expressions parse; this only
 * has to find the selectors of expressions k8smon itself writes.
 */

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** Keywords and modifiers that look like identifiers but name no series. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);
/** Keywords followed by a parenthesised label list, not an expression. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;

/** Every vector selector of `expr`, in order. */
export function selectorsOf(expr: string): Selector[] {
  const out: Selector[] = [];
  let i = 0;
  const n = expr.length;
  while (i < n) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      continue;
    }
    if (c === '#') {
      while (i < n && expr[i] !== '\n') i++;
      continue;
    }
    if (c === '[') {
      // A range or subquery duration: [5m], [1h:1m], [$__rate_interval].
      while (i < n && expr[i] !== ']') i++;
      i++;
      continue;
    }
    if (c === '{') {
      // A selector with no metric name: {__name__=~"…", …}.
      const { matchers, end } = readMatchers(expr, i);
      const name = matchers.find((m) => m.name === '__name__' && m.op === '=');
      if (name !== undefined) out.push({ metric: name.value, matchers: matchers.filter((m) => m !== name) });
      i = end;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      // A number or a duration such as 5m after offset; skip it whole.
      while (i < n && /[0-9a-zA-Z.+_]/.test(expr[i]!)) i++;
      continue;
    }
    IDENT.lastIndex = i;
    const m = IDENT.exec(expr);
    if (m === null) {
      i++;
      continue;
    }
    const word = m[0];
    i += word.length;
    let j = i;
    while (j < n && /\s/.test(expr[j]!)) j++;
    if (KEYWORDS.has(word.toLowerCase())) {
      if (LABEL_LIST_KEYWORDS.has(word.toLowerCase()) && expr[j] === '(') i = skipParens(expr, j);
      continue;
    }
    if (expr[j] === '(') continue; // a function or an aggregation
    IDENT.lastIndex = j;
    const next = IDENT.exec(expr)?.[0]?.toLowerCase();
    if (next === 'by' || next === 'without') continue; // an aggregation with its grouping first: sum by (x) (…)
    if (expr[j] === '{') {
      const { matchers, end } = readMatchers(expr, j);
      out.push({ metric: word, matchers });
      i = end;
      continue;
    }
    out.push({ metric: word, matchers: [] });
  }
  return out;
}

/** Grafana variables an expression references: $name, ${name}, ${name:format}, [[name]]. */
export function variablesOf(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]/g)) {
    names.add((m[1] ?? m[2] ?? m[3])!);
  }
  return [...names].sort();
}

function skipString(s: string, start: number): number {
  const quote = s[start];
  let i = start + 1;
  while (i < s.length && s[i] !== quote) i += s[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

function skipParens(s: string, start: number): number {
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i + 1;
  }
  return s.length;
}

function readMatchers(s: string, start: number): { matchers: Matcher[]; end: number } {
  const matchers: Matcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*,?/y;
  let i = start + 1;
  for (;;) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (m === null) break;
    matchers.push({ name: m[1]!, op: m[2] as Matcher['op'], value: unquote(m[3]!) });
    i = re.lastIndex;
  }
  while (i < s.length && s[i] !== '}') i++;
  return { matchers, end: i + 1 };
}

function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  return text.slice(1, -1).replace(/\\(.)/g, '$1');
}
