/**
 * How targets and check show what they found: the targets table, the JSON
 * report rows, --explain as text, and problems on stderr.
 */
import { InvalidInputError } from '../../errors.js';
import { writePieces, type TextSink } from '../../output/report.js';
import { scrapeCount, type ActiveTarget, type Problem } from '../../runtime/preview/preview.js';
import { labelValue, sortedByName } from '../../runtime/semantics/labels.js';
import type { CommandContext } from '../context.js';
import type { ExplainedTarget } from './explain.js';

/** -o: table (for people) or json (for scripts and CI). */
export function checkOutputFormat(output: string): void {
  if (!['table', 'json'].includes(output)) throw new InvalidInputError('Invalid flags.', [{ path: '--output', message: `must be one of: table, json (got "${output}")` }]);
}

/** Each problem on stderr, as an error or a warning, tagged with its rule. */
export function reportProblems(problems: readonly Problem[], ctx: CommandContext): void {
  for (const p of problems) {
    if (p.severity === 'error') ctx.reporter.error(`[${p.rule}] ${p.message}`);
    else ctx.reporter.warn({ path: '', message: `[${p.rule}] ${p.message}` });
  }
}

/** `targets -o json`: one row per target, labels and discovered labels sorted by name. */
export function targetRows(targets: readonly ActiveTarget[]): Record<string, unknown>[] {
  return targets.map((t) => ({
    job: t.job,
    agent: t.agent,
    ...(t.instances !== undefined ? { instances: t.instances } : {}),
    url: t.url,
    labels: t.labels,
    discoveredLabels: sortedByName(t.discoveredLabels ?? {}),
  }));
}

/** The targets table: per job, a heading with its counts, then one line per active target. */
export async function writeTargetsTable(
  out: TextSink,
  jobs: readonly string[],
  targets: readonly ActiveTarget[],
  dropped: Readonly<Record<string, number>>,
  bold: (text: string) => string,
): Promise<void> {
  const byJob = new Map<string, ActiveTarget[]>();
  for (const t of targets) {
    const list = byJob.get(t.job);
    if (list === undefined) byJob.set(t.job, [t]);
    else list.push(t);
  }
  await writePieces(
    out,
    (function* () {
      for (const job of jobs) {
        const active = byJob.get(job) ?? [];
        // A target every pod of a DaemonSet scrapes alike is listed once (agent <daemonset>/*) but scraped by each.
        const scrapes = scrapeCount(active);
        yield `${bold(job)}  ${active.length} active${scrapes !== active.length ? ` (${scrapes} scrapes)` : ''}, ${dropped[job] ?? 0} dropped\n`;
        for (const t of active) yield `  ${t.agent}  ${t.url}  ${formatLabels(t.labels)}\n`;
      }
    })(),
  );
}

/** `a="x",b="y"`, in the label set's order. */
function formatLabels(labels: Record<string, string>): string {
  let out = '';
  for (const k in labels) out += `${out === '' ? '' : ','}${k}="${labels[k]}"`;
  return out;
}

/** --explain as text: each step as the rule and what it changed. */
export function explainText(explained: readonly ExplainedTarget[]): string {
  const lines: string[] = [];
  for (const e of explained) {
    lines.push(e.outcome === 'kept' ? `${e.job} on ${e.agent}: kept → ${e.url}` : `${e.job} on ${e.agent}: DROPPED — ${e.reason}`);
    lines.push(`  discovered labels: ${JSON.stringify(e.discoveredLabels)}`);
    for (const st of e.steps) {
      lines.push(`  rule ${st.index}: ${JSON.stringify(st.rule)}`);
      const sources = (st.rule.source_labels ?? []).map((l) => `${l}=${JSON.stringify(labelValue(st.before, l) ?? '')}`).join(' ');
      if (st.after === null) lines.push(`    dropped the target (${sources || 'no source labels'})`);
      else {
        const changed = diffLabels(st.before, st.after);
        lines.push(`    ${Object.keys(changed).length === 0 ? 'no change' : `changed: ${JSON.stringify(changed)}`}`);
      }
    }
    if (e.outcome === 'kept') lines.push(`  final labels: ${JSON.stringify(e.labels)}`);
  }
  return `${lines.join('\n')}\n`;
}

function diffLabels(before: Record<string, string>, after: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) out[k] = v;
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = null;
  return out;
}
