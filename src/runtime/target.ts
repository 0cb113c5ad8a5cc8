/**
 * Target finalisation as Prometheus 2.x does it (scrape/target.go
 * PopulateLabels), which is what grafana-agent static mode runs: discovered
 * labels plus job defaults, relabeling, a default port for the scheme, the
 * address check, `__meta_` labels removed, `instance` defaulted to the address,
 * and the scrape URL from `__scheme__`, `__address__`, `__metrics_path__` and
 * `__param_*`. The `__`-prefixed labels go away from the final label set.
 */
import { applyRuleInPlace, relabelWithSteps, type CompiledRelabel, type Labels, type RelabelStep } from './relabel/relabel.js';

export interface ScrapeJobDefaults {
  job_name: string;
  scheme?: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  scrape_interval?: string;
  scrape_timeout?: string;
  honor_labels?: boolean;
}

export type TargetOutcome =
  | { kind: 'active'; discoveredLabels: Labels; labels: Labels; url: string; steps: RelabelStep[] }
  | { kind: 'dropped'; discoveredLabels: Labels; steps: RelabelStep[]; reason: string };

/** Discovered labels as /api/v1/targets shows them: target over group labels, then job defaults. */
export function discoveredLabels(job: ScrapeJobDefaults, targetLabels: Labels, groupLabels: Labels, global: { scrape_interval: string; scrape_timeout: string }): Labels {
  const out: Labels = { ...groupLabels, ...targetLabels };
  const defaults: Labels = {
    job: job.job_name,
    __scrape_interval__: job.scrape_interval ?? global.scrape_interval,
    __scrape_timeout__: job.scrape_timeout ?? global.scrape_timeout,
    __metrics_path__: job.metrics_path ?? '/metrics',
    __scheme__: job.scheme ?? 'http',
  };
  for (const [k, v] of Object.entries(defaults)) if ((out[k] ?? '') === '') out[k] = v;
  for (const [k, v] of Object.entries(job.params ?? {})) if (v.length > 0 && (out[`__param_${k}`] ?? '') === '') out[`__param_${k}`] = v[0]!;
  for (const k of Object.keys(out)) if (out[k] === '') delete out[k];
  return out;
}

/**
 * @param keepSteps record every rule's before/after (for --explain); without it
 * relabeling runs in place, which is what large previews need.
 */
export function finalizeTarget(discovered: Labels, rules: readonly CompiledRelabel[], keepSteps = true): TargetOutcome {
  let result: Labels | null;
  let steps: RelabelStep[] = [];
  if (keepSteps) {
    ({ result, steps } = relabelWithSteps(discovered, rules));
  } else {
    result = { ...discovered };
    for (let i = 0; i < rules.length; i++) {
      if (!applyRuleInPlace(result, rules[i]!)) {
        result = null;
        steps = [{ index: i, rule: rules[i]!.source, before: {}, after: null }];
        break;
      }
    }
  }
  if (result === null) return { kind: 'dropped', discoveredLabels: discovered, steps, reason: `dropped by relabel rule ${steps[steps.length - 1]?.index ?? 0}` };
  const lb: Labels = { ...result };
  let addr = lb.__address__ ?? '';
  if (addr === '') return { kind: 'dropped', discoveredLabels: discovered, steps, reason: 'no address' };
  const scheme = lb.__scheme__ ?? '';
  if (!hasPort(addr) && isValidWithPort(addr)) {
    if (scheme === 'http' || scheme === '') addr = `${addr}:80`;
    else if (scheme === 'https') addr = `${addr}:443`;
    else return { kind: 'dropped', discoveredLabels: discovered, steps, reason: `invalid scheme: "${scheme}"` };
    lb.__address__ = addr;
  }
  if (addr.includes('/')) return { kind: 'dropped', discoveredLabels: discovered, steps, reason: `"${addr}" is not a valid hostname` };
  for (const k of Object.keys(lb)) if (k.startsWith('__meta_')) delete lb[k];
  if ((lb.instance ?? '') === '') lb.instance = addr;
  const params = Object.entries(lb)
    .filter(([k]) => k.startsWith('__param_'))
    .map(([k, v]) => [k.slice('__param_'.length), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`).join('&');
  const url = `${scheme || 'http'}://${goEscape(addr, HOST_SAFE)}${goEscape(lb.__metrics_path__ ?? '', PATH_SAFE)}${query ? `?${query}` : ''}`;
  const labels = Object.fromEntries(Object.entries(lb).filter(([k]) => !k.startsWith('__')));
  return { kind: 'active', discoveredLabels: discovered, labels, url, steps };
}

/** Go's net.SplitHostPort succeeds: the address already has a port. */
function hasPort(addr: string): boolean {
  if (addr.startsWith('[')) return /^\[[^\]]*\]:[^:]*$/.test(addr);
  return (addr.match(/:/g) ?? []).length === 1;
}

/** Appending a port would make it splittable (Prometheus' addPort check). */
function isValidWithPort(addr: string): boolean {
  return hasPort(`${addr}:1234`);
}

/** Go's url.QueryEscape: like encodeURIComponent, but also escapes !'()* and writes spaces as +. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Characters Go's net/url leaves as they are in a host, and in a path (shouldEscape). */
const HOST_SAFE = /[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/;
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** Percent-encodes the UTF-8 bytes of every character not in `safe`, as Go's url.URL.String does. */
function goEscape(s: string, safe: RegExp): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && safe.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
