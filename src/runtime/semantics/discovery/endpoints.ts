/** Role `endpoints` (the Endpoints API, deprecated from Kubernetes 1.33: prefer `endpointslice`). */
import type { EndpointsObject, SnapshotIndex } from '../snapshot.js';
import type { Labels } from '../labels.js';
import { EndpointGroup, ENDPOINTS_TARGET_PREFIXES, type EndpointAddress } from './endpoint-group.js';
import { addNamespaceMetaLabels, joinHostPort, META, objectMetaLabels, set, type GroupView, type RoleOptions } from './group.js';
import { serviceLabels } from './service.js';

type EndpointsAddress = NonNullable<NonNullable<EndpointsObject['subsets']>[number]['addresses']>[number];

/** Every (address, port) of an Endpoints object, in Prometheus' order, with its readiness. */
function endpointsAddresses(eps: EndpointsObject): { addr: EndpointsAddress; port: NonNullable<NonNullable<EndpointsObject['subsets']>[number]['ports']>[number]; ready: string }[] {
  const out = [];
  for (const subset of eps.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      for (const addr of subset.addresses ?? []) out.push({ addr, port, ready: 'true' });
      for (const addr of subset.notReadyAddresses ?? []) out.push({ addr, port, ready: 'false' });
    }
  }
  return out;
}

export function endpointsGroup(eps: EndpointsObject, index: SnapshotIndex, options: RoleOptions): GroupView {
  const ns = eps.metadata.namespace ?? '';
  const labels: Labels = { [`${META}namespace`]: ns };
  const svc = index.service(ns, eps.metadata.name);
  if (svc !== undefined) Object.assign(labels, serviceLabels(svc));
  objectMetaLabels(labels, eps.metadata, 'endpoints');
  if (options.attachNamespace === true) addNamespaceMetaLabels(labels, index, ns);
  return new EndpointGroup(`endpoints/${ns}/${eps.metadata.name}`, labels, { entries: () => endpointsAddresses(eps), addressOf: endpointsAddress, targetOf: endpointsTarget, targetPrefixes: ENDPOINTS_TARGET_PREFIXES }, index, options);
}

type EndpointsEntry = ReturnType<typeof endpointsAddresses>[number];

function endpointsAddress({ addr, port }: EndpointsEntry): EndpointAddress {
  return { ref: addr.targetRef, port: port.port, protocol: port.protocol ?? 'TCP' };
}

function endpointsTarget({ addr, port, ready }: EndpointsEntry): { labels: Labels; nodeName: string | undefined } {
  const t: Labels = { __address__: joinHostPort(addr.ip, port.port), [`${META}endpoint_port_protocol`]: port.protocol ?? 'TCP', [`${META}endpoint_ready`]: ready };
  set(t, `${META}endpoint_port_name`, port.name);
  if (addr.targetRef !== undefined) {
    set(t, `${META}endpoint_address_target_kind`, addr.targetRef.kind);
    set(t, `${META}endpoint_address_target_name`, addr.targetRef.name);
  }
  set(t, `${META}endpoint_node_name`, addr.nodeName);
  set(t, `${META}endpoint_hostname`, addr.hostname);
  return { labels: t, nodeName: addr.nodeName ?? (addr.targetRef?.kind === 'Node' ? addr.targetRef.name : undefined) };
}

