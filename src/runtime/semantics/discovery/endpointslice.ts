/** Role `endpointslice` (discovery.k8s.io/v1). */
import type { EndpointSliceObject, SnapshotIndex } from '../snapshot.js';
import type { Labels } from '../labels.js';
import { EndpointGroup, ENDPOINTSLICE_TARGET_PREFIXES, type EndpointAddress } from './endpoint-group.js';
import { addNamespaceMetaLabels, BuiltGroup, META, objectMetaLabels, sanitizeLabelName, joinHostPort, set, type GroupView, type RoleOptions } from './group.js';
import { serviceLabels } from './service.js';

function sliceAddresses(eps: EndpointSliceObject): { ep: NonNullable<EndpointSliceObject['endpoints']>[number]; port: NonNullable<EndpointSliceObject['ports']>[number]; addr: string }[] {
  const out = [];
  for (const ep of eps.endpoints ?? []) for (const port of eps.ports ?? []) for (const addr of ep.addresses) out.push({ ep, port, addr });
  return out;
}

export function endpointSliceGroup(eps: EndpointSliceObject, index: SnapshotIndex, options: RoleOptions): GroupView {
  const ns = eps.metadata.namespace ?? '';
  const labels: Labels = { [`${META}namespace`]: ns };
  set(labels, `${META}endpointslice_address_type`, eps.addressType);
  objectMetaLabels(labels, eps.metadata, 'endpointslice');
  const serviceName = eps.metadata.labels?.['kubernetes.io/service-name'];
  const svc = serviceName === undefined ? undefined : index.service(ns, serviceName);
  if (svc !== undefined) Object.assign(labels, serviceLabels(svc));
  if (options.attachNamespace === true) addNamespaceMetaLabels(labels, index, ns);
  const source = `endpointslice/${ns}/${eps.metadata.name}`;
  const prometheus2 = options.semantics === 'prometheus-2';
  // Prometheus 3 leaves out the slices of a dual-stack Service's secondary IP family (2.x has no such check).
  const dualStack = svc?.spec?.ipFamilyPolicy === 'PreferDualStack' || svc?.spec?.ipFamilyPolicy === 'RequireDualStack';
  if (!prometheus2 && dualStack && (svc?.spec?.ipFamilies ?? []).length > 0 && eps.addressType !== svc?.spec?.ipFamilies?.[0]) return new BuiltGroup({ source, targets: [], labels });
  return new EndpointGroup(source, labels, { entries: () => sliceAddresses(eps), addressOf: sliceAddress, targetOf: prometheus2 ? sliceTarget2 : sliceTarget, targetPrefixes: ENDPOINTSLICE_TARGET_PREFIXES }, index, options);
}

type SliceEntry = ReturnType<typeof sliceAddresses>[number];

function sliceAddress({ ep, port }: SliceEntry): EndpointAddress {
  return { ref: ep.targetRef, port: port.port };
}

function sliceTarget({ ep, port, addr }: SliceEntry): { labels: Labels; nodeName: string | undefined } {
  const t: Labels = { __address__: port.port === undefined ? addr : joinHostPort(addr, port.port) };
  set(t, `${META}endpointslice_port_name`, port.name);
  set(t, `${META}endpointslice_port_protocol`, port.protocol);
  if (port.port !== undefined) t[`${META}endpointslice_port`] = String(port.port);
  set(t, `${META}endpointslice_port_app_protocol`, port.appProtocol);
  for (const cond of ['ready', 'serving', 'terminating'] as const) {
    const v = ep.conditions?.[cond];
    if (v !== undefined) t[`${META}endpointslice_endpoint_conditions_${cond}`] = String(v);
  }
  set(t, `${META}endpointslice_endpoint_hostname`, ep.hostname);
  if (ep.targetRef !== undefined) {
    set(t, `${META}endpointslice_address_target_kind`, ep.targetRef.kind);
    set(t, `${META}endpointslice_address_target_name`, ep.targetRef.name);
  }
  set(t, `${META}endpointslice_endpoint_node_name`, ep.nodeName);
  set(t, `${META}endpointslice_endpoint_zone`, ep.zone);
  for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
    set(t, `${META}endpointslice_endpoint_topology_${sanitizeLabelName(k)}`, v);
    t[`${META}endpointslice_endpoint_topology_present_${sanitizeLabelName(k)}`] = 'true';
  }
  return { labels: t, nodeName: ep.targetRef?.kind === 'Node' ? ep.targetRef.name : ep.nodeName };
}

/** Prometheus 2.48 (grafana-agent): no endpoint node_name or zone labels yet (both came in 2.53). */
function sliceTarget2(entry: SliceEntry): { labels: Labels; nodeName: string | undefined } {
  const out = sliceTarget(entry);
  delete out.labels[`${META}endpointslice_endpoint_node_name`];
  delete out.labels[`${META}endpointslice_endpoint_zone`];
  return out;
}
