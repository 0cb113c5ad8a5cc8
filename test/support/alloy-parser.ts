/**
 * Checking Alloy text where no Alloy binary can be installed: the syntax is
 * read by k8smon's parser of Alloy's grammar (src/agents/alloy/parse.ts,
 * which the runtime reads Alloy configs with and which test/alloy.test.ts
 * holds to the cases of Alloy's own scanner and parser tests); the layout is
 * checked against the rules of Alloy's printer (`alloy fmt`); the components
 * against the arguments and blocks their reference pages list
 * (test/fixtures/alloy/components.json).
 */
import { readFileSync } from 'node:fs';
import { parseAlloy, type Diagnostic, type Stmt } from '../../src/agents/alloy/parse.js';

export { parseAlloy, parseAlloyExpression, unquote } from '../../src/agents/alloy/parse.js';
export type { Diagnostic, Expr, Stmt } from '../../src/agents/alloy/parse.js';

/** The syntax errors of a text, as `line:column: message`. */
export function syntaxErrors(text: string): string[] {
  return parseAlloy(text).errors.map((e: Diagnostic) => `${e.line}:${e.column}: ${e.message}`);
}

type Block = Extract<Stmt, { type: 'block' }>;

/**
 * Where the text is not laid out as Alloy's printer lays it out, for a text
 * whose every attribute fits on one line: a tab per level; a blank line
 * before a block that follows another statement and after a block spanning
 * lines that is followed by one, none elsewhere; `=` aligned in each run of
 * consecutive attributes (names padded with spaces to the longest, then
 * ` = `); no trailing whitespace; one newline at the end.
 */
export function layoutProblems(text: string): string[] {
  const problems: string[] = [];
  const { body, errors } = parseAlloy(text);
  if (errors.length > 0) return [`not Alloy syntax: ${errors[0]!.line}:${errors[0]!.column}: ${errors[0]!.message}`];
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines[lines.length - 1] === '') problems.push('the text must end with exactly one newline');
  lines.forEach((l, i) => {
    if (/[ \t]$/.test(l)) problems.push(`line ${i + 1}: trailing whitespace`);
    if (/^\t* /.test(l)) problems.push(`line ${i + 1}: indented with spaces`);
  });
  const endLine = (s: Stmt): number => (s.type === 'block' ? s.end.line : s.pos.line);
  const walk = (stmts: readonly Stmt[], depth: number, firstLine: number, closeLine: number): void => {
    const indent = '\t'.repeat(depth);
    // Nothing but the statements between the opening and closing lines.
    const expectGap = (from: number, to: number, blank: number, what: string): void => {
      if (to - from - 1 !== blank) problems.push(`lines ${from}-${to}: ${blank} blank line(s) expected ${what}, found ${to - from - 1}`);
      for (let l = from + 1; l < to; l++) if (lines[l - 1] !== '') problems.push(`line ${l}: unexpected text`);
    };
    if (stmts.length > 0) expectGap(firstLine, stmts[0]!.pos.line, 0, 'at the start of a body');
    stmts.forEach((s, i) => {
      const prev = stmts[i - 1];
      if (prev !== undefined) {
        const blank = s.type === 'block' || (prev.type === 'block' && prev.end.line > prev.pos.line) ? 1 : 0;
        expectGap(endLine(prev), s.pos.line, blank, `between ${describe(prev)} and ${describe(s)}`);
      }
      if (s.type === 'block') {
        const head = `${indent}${s.name.join('.')}${s.label !== undefined ? ` "${s.label}"` : ''} {`;
        if (s.body.length === 0) {
          if (lines[s.pos.line - 1] !== `${head} }`) problems.push(`line ${s.pos.line}: an empty block is written \`${head.trim()} }\``);
        } else {
          if (lines[s.pos.line - 1] !== head) problems.push(`line ${s.pos.line}: expected ${JSON.stringify(head)}, got ${JSON.stringify(lines[s.pos.line - 1])}`);
          if (lines[s.end.line - 1] !== `${indent}}`) problems.push(`line ${s.end.line}: expected ${JSON.stringify(`${indent}}`)}`);
          walk(s.body, depth + 1, s.pos.line, s.end.line);
        }
      }
    });
    const last = stmts[stmts.length - 1];
    if (last !== undefined) expectGap(endLine(last), closeLine, 0, 'at the end of a body');
    // Runs of consecutive attributes: `=` aligned.
    for (let i = 0; i < stmts.length; ) {
      if (stmts[i]!.type !== 'attribute') {
        i++;
        continue;
      }
      let end = i;
      while (end < stmts.length && stmts[end]!.type === 'attribute') end++;
      const run = stmts.slice(i, end) as Extract<Stmt, { type: 'attribute' }>[];
      const width = Math.max(...run.map((a) => a.name.length));
      for (const a of run) {
        const prefix = `${indent}${a.name.padEnd(width)} = `;
        if (!lines[a.pos.line - 1]!.startsWith(prefix)) problems.push(`line ${a.pos.line}: expected it to start ${JSON.stringify(prefix)}`);
      }
      i = end;
    }
  };
  walk(body, 0, 0, lines.length + 1);
  return problems;
}

function describe(s: Stmt): string {
  return s.type === 'block' ? `block ${s.name.join('.')}` : `attribute ${s.name}`;
}

interface BlockSchema {
  source: string;
  attributes: string[];
  blocks: Record<string, BlockSchema>;
}

export const COMPONENTS: Record<string, BlockSchema> = JSON.parse(readFileSync(new URL('../fixtures/alloy/components.json', import.meta.url), 'utf8')).components;

/** Attributes and blocks the reference pages do not list for their component, and components not in the table. */
export function componentProblems(text: string): string[] {
  const problems: string[] = [];
  const check = (b: Block, schema: BlockSchema, where: string): void => {
    for (const s of b.body) {
      if (s.type === 'attribute') {
        if (!schema.attributes.includes(s.name)) problems.push(`${where}: attribute ${s.name} is not documented (${schema.source})`);
      } else {
        const inner = schema.blocks[s.name.join('.')];
        if (inner === undefined || s.label !== undefined) problems.push(`${where}: block ${s.name.join('.')} is not documented (${schema.source})`);
        else check(s, inner, `${where}.${s.name.join('.')}`);
      }
    }
  };
  for (const s of parseAlloy(text).body) {
    if (s.type !== 'block') {
      problems.push(`top-level attribute ${s.name}`);
      continue;
    }
    const name = s.name.join('.');
    const schema = COMPONENTS[name];
    if (schema === undefined) problems.push(`component ${name} is not in the table`);
    else if (s.label === undefined) problems.push(`component ${name} has no label`);
    else check(s, schema, `${name}.${s.label}`);
  }
  return problems;
}
