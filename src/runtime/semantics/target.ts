/**
 * Target finalisation as Prometheus does it (scrape/target.go PopulateLabels):
 * discovered labels plus job defaults, relabeling, the address check, `__meta_`
 * labels removed, `instance` defaulted to the address, and the scrape URL from
 * `__scheme__`, `__address__`, `__metrics_path__` and `__param_*`. The
 * `__`-prefixed labels go away from the final label set.
 *
 * Prometheus 3 and 2.x (grafana-agent static mode) differ here: 2.x appends
 * the scheme's default port (:80, :443) to an address without one (and refuses
 * another scheme then), 3 leaves the address as it is; 2.x lets the job's
 * `params` override a target's own `__param_*` labels, 3 keeps the target's;
 * 3 adds the job's histogram settings as `__…__` discovered labels. Neither
 * checks label names here (2.x fails each scrape of a target with a non-legacy
 * name instead, which the preview does not model). The semantics is the
 * rules' (compiled rules carry theirs) unless given.
 */
import { mergeLabels, sortedByName, type Labels } from './labels.js';
import { relabelInPlace, relabelWithSteps, type CompiledRelabel, type RelabelStep } from './relabel/relabel.js';
import { DEFAULT_SEMANTICS, type PromSemantics } from './version.js';

export interface ScrapeJobDefaults {
  job_name: string;
  scheme?: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  scrape_interval?: string;
  scrape_timeout?: string;
  honor_labels?: boolean;
  /** Prometheus 3 shows these as discovered labels (`__scrape_native_histograms__`, …); default false. */
  scrape_native_histograms?: boolean;
  always_scrape_classic_histograms?: boolean;
  convert_classic_histograms_to_nhcb?: boolean;
}

export type TargetOutcome =
  | { kind: 'active'; discoveredLabels: Labels; labels: Labels; url: string; steps: RelabelStep[] }
  | { kind: 'dropped'; discoveredLabels: Labels; steps: RelabelStep[]; reason: string };

/** Discovered labels as /api/v1/targets shows them: target over group labels, then job defaults. */
export function discoveredLabels(job: ScrapeJobDefaults, targetLabels: Labels, groupLabels: Labels, global: GlobalDefaults, semantics: PromSemantics = DEFAULT_SEMANTICS): Labels {
  const out = mergeLabels(groupLabels, targetLabels);
  addJobDefaults(out, job, global, semantics);
  for (const k in out) if (out[k] === '') delete out[k];
  return out;
}

type GlobalDefaults = { scrape_interval: string; scrape_timeout: string };

/** The job's labels (job, interval, timeout, path, scheme, params) where the target has none. */
function addJobDefaults(out: Labels, job: ScrapeJobDefaults, global: GlobalDefaults, semantics: PromSemantics): void {
  if ((out.job ?? '') === '') out.job = job.job_name;
  if ((out.__scrape_interval__ ?? '') === '') out.__scrape_interval__ = job.scrape_interval ?? global.scrape_interval;
  if ((out.__scrape_timeout__ ?? '') === '') out.__scrape_timeout__ = job.scrape_timeout ?? global.scrape_timeout;
  if ((out.__metrics_path__ ?? '') === '') out.__metrics_path__ = job.metrics_path ?? '/metrics';
  if ((out.__scheme__ ?? '') === '') out.__scheme__ = job.scheme ?? 'http';
  if (semantics === 'prometheus-3') {
    if ((out.__convert_classic_histograms_to_nhcb__ ?? '') === '') out.__convert_classic_histograms_to_nhcb__ = String(job.convert_classic_histograms_to_nhcb === true);
    if ((out.__always_scrape_classic_histograms__ ?? '') === '') out.__always_scrape_classic_histograms__ = String(job.always_scrape_classic_histograms === true);
    if ((out.__scrape_native_histograms__ ?? '') === '') out.__scrape_native_histograms__ = String(job.scrape_native_histograms === true);
  }
  for (const k in job.params) {
    const values = job.params[k]!;
    // 2.x sets the job's params over the target's own __param_ labels; 3 only where the target has none.
    if (values.length > 0 && (semantics === 'prometheus-2' || (out[`__param_${k}`] ?? '') === '')) out[`__param_${k}`] = values[0]!;
  }
}

/**
 * Discovered labels for many targets of one group: the group's share is
 * built once (discoveredLabels with no target labels) and each target's copied
 * over it. Equal to discoveredLabels; an empty target label, which may hide a
 * group label or a default, takes the long way.
 */
export class GroupDiscoveredLabels {
  private readonly base: Labels;

  constructor(
    private readonly job: ScrapeJobDefaults,
    private readonly groupLabels: Labels,
    private readonly global: GlobalDefaults,
    private readonly semantics: PromSemantics = DEFAULT_SEMANTICS,
  ) {
    this.base = discoveredLabels(job, {}, groupLabels, global, semantics);
    // 2.x's params override the target's own __param_ labels: merging the target's over the base would not.
    for (const k in job.params) if (semantics === 'prometheus-2' && job.params[k]!.length > 0) this.longWay = true;
  }

  private readonly longWay: boolean = false;

  of(targetLabels: Labels): Labels {
    if (this.longWay) return discoveredLabels(this.job, targetLabels, this.groupLabels, this.global, this.semantics);
    for (const k in targetLabels) if (targetLabels[k] === '') return discoveredLabels(this.job, targetLabels, this.groupLabels, this.global, this.semantics);
    return mergeLabels(this.base, targetLabels);
  }
}

/**
 * @param keepSteps record every rule's before/after (for --explain); without it
 * relabeling runs on one copy of the labels.
 */
export function finalizeTarget(discovered: Labels, rules: readonly CompiledRelabel[], keepSteps = true, semantics?: PromSemantics): TargetOutcome {
  const sem = semanticsOf(rules, semantics);
  if (keepSteps) {
    const { result, steps } = relabelWithSteps(discovered, rules);
    if (result === null) return { kind: 'dropped', discoveredLabels: discovered, steps, reason: `dropped by relabel rule ${steps[steps.length - 1]?.index ?? 0}` };
    return { ...finalizeRelabeled(mergeLabels(result), sem), discoveredLabels: discovered, steps }; // the steps keep their label sets
  }
  const labels = mergeLabels(discovered);
  const dropper = relabelInPlace(labels, rules);
  if (dropper !== -1) return { kind: 'dropped', discoveredLabels: discovered, steps: [{ index: dropper, rule: rules[dropper]!.source, before: {}, after: null }], reason: `dropped by relabel rule ${dropper}` };
  return { ...finalizeRelabeled(labels, sem), discoveredLabels: discovered, steps: [] };
}

/** The semantics given, else the rules' (compiled for one), else the default. */
function semanticsOf(rules: readonly CompiledRelabel[], semantics: PromSemantics | undefined): PromSemantics {
  return semantics ?? (rules.length > 0 ? rules[0]!.semantics : DEFAULT_SEMANTICS);
}

const LOOPBACK_URL = /^[a-z][a-z0-9+.-]*:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?([/?]|$)/i;

/** A scrape URL on loopback: a different endpoint on every node, and the pod's own one off the host network. */
export function isLoopbackUrl(url: string): boolean {
  // Called for every target of a large preview: most hosts are ruled out by their first character.
  const first = url[url.indexOf('://') + 3];
  return (first === '1' || first === 'l' || first === 'L' || first === '[') && LOOPBACK_URL.test(url);
}

export type Finalized = { kind: 'active'; labels: Labels; url: string } | { kind: 'dropped'; reason: string };

/**
 * Relabels and finalises `labels` in place: they are used up. For previews of
 * large clusters, where most targets are dropped and copying each label set
 * just to keep the discovered labels would double the garbage.
 */
export function finalizeInPlace(labels: Labels, rules: readonly CompiledRelabel[], semantics?: PromSemantics): Finalized {
  const dropper = relabelInPlace(labels, rules);
  return dropper === -1 ? finalizeRelabeled(labels, semanticsOf(rules, semantics)) : { kind: 'dropped', reason: `dropped by relabel rule ${dropper}` };
}

/** After relabeling (`lb` is modified): the address checks, the final labels and the scrape URL. */
function finalizeRelabeled(lb: Labels, semantics: PromSemantics): Finalized {
  let addr = lb.__address__ ?? '';
  if (addr === '') return { kind: 'dropped', reason: 'no address' };
  const scheme = lb.__scheme__ ?? '';
  // Only 2.x adds the scheme's default port; Prometheus 3 scrapes the address as it is.
  if (semantics === 'prometheus-2' && !hasPort(addr) && isValidWithPort(addr)) {
    if (scheme === 'http' || scheme === '') addr = `${addr}:80`;
    else if (scheme === 'https') addr = `${addr}:443`;
    else return { kind: 'dropped', reason: `invalid scheme: "${scheme}"` };
    lb.__address__ = addr;
  }
  if (addr.includes('/')) return { kind: 'dropped', reason: `"${addr}" is not a valid hostname` };
  // The final labels: no `__` labels (`__meta_*`, `__param_*`, …), instance defaulted to the address.
  if ((lb.instance ?? '') === '') lb.instance = addr;
  const labels = sortedByName(lb, (k) => !k.startsWith('__'));
  const params: [string, string][] = [];
  for (const k in lb) if (k.startsWith('__param_')) params.push([k.slice('__param_'.length), lb[k]!]);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`).join('&');
  const url = `${scheme || 'http'}://${goEscape(addr, HOST_SAFE)}${goEscape(lb.__metrics_path__ ?? '', PATH_SAFE)}${query ? `?${query}` : ''}`;
  return { kind: 'active', labels, url };
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
/** The same sets, for a whole string that needs no escaping (the common case). */
const ALL_SAFE = new Map<RegExp, RegExp>([HOST_SAFE, PATH_SAFE].map((re) => [re, new RegExp(`^${re.source}*$`)]));

/** Percent-encodes the UTF-8 bytes of every character not in `safe`, as Go's url.URL.String does. */
function goEscape(s: string, safe: RegExp): string {
  if (ALL_SAFE.get(safe)!.test(s)) return s;
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
