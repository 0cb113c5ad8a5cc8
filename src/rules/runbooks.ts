/**
 * docs/runbooks.md, generated from the catalogue: one section per alert, whose
 * heading GitHub turns into the anchor runbook_url points at (#<alert name in
 * lower case>). `npm run regen` writes it; a test fails while it is stale.
 */
import { isAlert, RULE_GROUPS, type AlertDef } from './catalogue.js';

export function runbooksMarkdown(): string {
  const byName = new Map<string, AlertDef[]>();
  const groupOf = new Map<string, string>();
  for (const g of RULE_GROUPS) {
    for (const r of g.rules.filter(isAlert)) {
      byName.set(r.alert, [...(byName.get(r.alert) ?? []), r]);
      groupOf.set(r.alert, g.name);
    }
  }
  const lines = [
    '# k8smon alert runbooks',
    '',
    '<!-- Generated from src/rules/catalogue.ts by `npm run regen`; edit the catalogue, not this file. -->',
    '',
    'Each alert k8smon ships links here with `runbook_url` (`rules.runbookBaseUrl`, then `#<alert name in lower case>`).',
    'Label values in `{{ }}` are filled in by Prometheus when the alert fires.',
    '',
  ];
  for (const [name, rules] of byName) {
    const first = rules[0]!;
    lines.push(`## ${name}`, '', `${first.summary}`, '', `*Group* \`${groupOf.get(name)!}\`; *severity* ${[...new Set(rules.map((r) => r.severity))].join(' or ')}.`, '', first.description, '');
    for (const r of rules) {
      const when = [r.for !== undefined ? `for ${r.for}` : 'at once', ...Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
      lines.push(`Fires (${when}) when:`, '', '```promql', r.expr, '```', '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
