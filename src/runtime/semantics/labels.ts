/**
 * Label sets: plain objects from label name to value. Copies are made with a
 * for-in loop on purpose, not with object spread: on Node 20's V8, spreading
 * label sets of this size allocated about three times as much and left most of
 * every copy alive through young-generation collections. Building the
 * 10,000 endpoint targets of the 5,000-node bench took 690 ms with spread
 * (84 MB promoted to the old generation) and 170 ms with these loops (none).
 */
export type Labels = Record<string, string>;

/** A new label set with the labels of `a`, then those of `b` (which win). */
export function mergeLabels(a: Readonly<Labels>, b?: Readonly<Labels>): Labels {
  const out: Labels = {};
  for (const k in a) setOwn(out, k, a[k]!);
  if (b !== undefined) for (const k in b) setOwn(out, k, b[k]!);
  return out;
}

/**
 * The value of label `name`, or undefined when the set has no such label. Not
 * `labels[name]`: label sets are plain objects, and for a label they lack,
 * `constructor`, `toString` or `__proto__` (all valid label names) would read
 * Object.prototype's members.
 */
export function labelValue(labels: Readonly<Labels>, name: string): string | undefined {
  const v = labels[name];
  return typeof v === 'string' ? v : undefined;
}

/** `labels[name] = value`, also for a label named `__proto__` (a valid label name), as spread would copy it. */
export function setOwn(labels: Labels, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}

/**
 * The labels of `labels` that `keep` accepts, in a new set sorted by name, as
 * Prometheus keeps and shows a label set. An insertion sort: label sets are a
 * handful of names, and it allocates nothing besides the name list.
 */
export function sortedByName(labels: Readonly<Labels>, keep: (name: string) => boolean = () => true): Labels {
  const names: string[] = [];
  for (const k in labels) if (keep(k)) names.push(k);
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    let j = i - 1;
    for (; j >= 0 && names[j]! > name; j--) names[j + 1] = names[j]!;
    names[j + 1] = name;
  }
  const out: Labels = {};
  for (const k of names) setOwn(out, k, labels[k]!);
  return out;
}

/** Go's string order (bytewise UTF-8): JavaScript's < compares UTF-16 units, which differs above U+D7FF. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above U+FFFF, which sort after U+E000–FFFF in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
