/**
 * Kubernetes label and field selectors, as the API server applies them to a
 * list/watch: `kubernetes_sd_configs[].selectors` narrow what discovery sees.
 */

type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; values: [string] };

export class SelectorError extends Error {}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
export function parseLabelSelector(text: string): Requirement[] {
  const out: Requirement[] = [];
  const re = /\s*(!?)([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*(?:,|$)/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null || m[0] === '') throw new SelectorError(`invalid label selector "${text}" at ${pos}`);
    pos = re.lastIndex;
    const [, not, key, eq, value, setOp, set] = m;
    if (eq !== undefined) out.push({ key: key!, op: eq === '!=' ? '!=' : '=', values: [value ?? ''] });
    else if (setOp !== undefined) out.push({ key: key!, op: setOp as 'in' | 'notin', values: (set ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '') });
    else out.push({ key: key!, op: not === '!' ? 'notexists' : 'exists' });
  }
  return out;
}

function matches(requirements: readonly Requirement[], get: (key: string) => string | undefined): boolean {
  return requirements.every((r) => {
    const v = get(r.key);
    switch (r.op) {
      case 'exists':
        return v !== undefined;
      case 'notexists':
        return v === undefined;
      case '=':
        return v === r.values[0];
      case '!=':
        return v !== r.values[0];
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
    }
  });
}

/** A label selector parsed once, for testing many objects. */
export function labelSelector(text: string): (labels: Readonly<Record<string, string>> | undefined) => boolean {
  const requirements = parseLabelSelector(text);
  return (labels) => matches(requirements, (k) => labels?.[k]);
}

/** A field selector (`metadata.name=x`, `spec.nodeName!=y`, comma-separated) parsed once. */
export function fieldSelector(text: string): (object: unknown) => boolean {
  const requirements = text.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (m === null) throw new SelectorError(`invalid field selector "${text}"`);
    return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] } as Requirement;
  });
  return (object) =>
    matches(requirements, (path) => {
      let node: unknown = object;
      for (const seg of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[seg] : undefined;
      return node === undefined || node === null ? '' : String(node);
    });
}
