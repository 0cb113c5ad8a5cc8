/** Role `ingress` (networking.k8s.io/v1): one target per rule path, scheme from the TLS hosts. */
import type { IngressObject, SnapshotIndex } from '../snapshot.js';
import type { Labels } from '../labels.js';
import { addNamespaceMetaLabels, META, objectMetaLabels, set, type RoleOptions, type TargetGroup } from './group.js';

function matchesHostnamePattern(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  const p = pattern.split('.');
  const h = host.split('.');
  if (p[0] !== '*' || p.length !== h.length) return false;
  return p.slice(1).every((part, i) => part === h[i + 1]);
}

export function ingressGroup(ing: IngressObject, index?: SnapshotIndex, options?: RoleOptions): TargetGroup {
  const ns = ing.metadata.namespace ?? '';
  const labels: Labels = { [`${META}namespace`]: ns };
  set(labels, `${META}ingress_class_name`, ing.spec?.ingressClassName);
  objectMetaLabels(labels, ing.metadata, 'ingress');
  if (index !== undefined && options?.attachNamespace === true) addNamespaceMetaLabels(labels, index, ns);
  const group: TargetGroup = { source: `ingress/${ns}/${ing.metadata.name}`, targets: [], labels };
  const tlsHosts = (ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
  for (const rule of ing.spec?.rules ?? []) {
    const host = rule.host ?? '';
    const scheme = tlsHosts.some((p) => matchesHostnamePattern(p, host)) ? 'https' : 'http';
    // A rule without `http` is one target at `/`; one with `http` has a target per path, none for `http: {}`.
    const paths = rule.http === undefined || rule.http === null ? ['/'] : (rule.http.paths ?? []).map((p) => (p.path === undefined || p.path === '' ? '/' : p.path));
    for (const path of paths) {
      const t: Labels = { [`${META}ingress_scheme`]: scheme, [`${META}ingress_path`]: path };
      set(t, '__address__', host);
      set(t, `${META}ingress_host`, host);
      group.targets.push(t);
    }
  }
  return group;
}
