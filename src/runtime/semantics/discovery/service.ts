/** Role `service`: one target per Service port, at the Service's DNS name. */
import type { ServiceObject, SnapshotIndex } from '../snapshot.js';
import type { Labels } from '../labels.js';
import { addNamespaceMetaLabels, joinHostPort, META, objectMetaLabels, set, type RoleOptions, type TargetGroup } from './group.js';

/** The labels of a Service, which endpoints and endpointslice targets carry too. */
export function serviceLabels(svc: ServiceObject): Labels {
  const out: Labels = { [`${META}namespace`]: svc.metadata.namespace ?? '' };
  objectMetaLabels(out, svc.metadata, 'service');
  return out;
}

export function serviceGroup(svc: ServiceObject, index?: SnapshotIndex, options?: RoleOptions): TargetGroup {
  const ns = svc.metadata.namespace ?? '';
  const labels = serviceLabels(svc);
  if (index !== undefined && options?.attachNamespace === true) addNamespaceMetaLabels(labels, index, ns);
  const group: TargetGroup = { source: `svc/${ns}/${svc.metadata.name}`, targets: [], labels };
  const type = svc.spec?.type ?? 'ClusterIP';
  for (const port of svc.spec?.ports ?? []) {
    const t: Labels = {
      __address__: joinHostPort(`${svc.metadata.name}.${ns}.svc`, port.port),
      [`${META}service_port_number`]: String(port.port),
      [`${META}service_port_protocol`]: port.protocol ?? 'TCP',
      [`${META}service_type`]: type,
    };
    set(t, `${META}service_port_name`, port.name);
    if (type === 'ExternalName') set(t, `${META}service_external_name`, svc.spec?.externalName);
    else set(t, `${META}service_cluster_ip`, svc.spec?.clusterIP);
    if (type === 'LoadBalancer') {
      const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => ip !== undefined && ip !== '');
      set(t, `${META}service_loadbalancer_ip`, ips.length > 0 ? ips.join(',') : svc.spec?.loadBalancerIP);
    }
    group.targets.push(t);
  }
  return group;
}
