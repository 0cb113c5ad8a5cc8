/** discover(): the labels Prometheus' Kubernetes SD produces (discovery/kubernetes/*.go), role by role. */
import { describe, expect, it } from 'vitest';
import { discover, discoverGroups } from '../src/runtime/semantics/discovery/discover.js';
import type { Snapshot } from '../src/runtime/semantics/snapshot.js';

const M = '__meta_kubernetes_';

const snapshot: Snapshot = {
  nodes: [
    {
      metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' }, annotations: { 'a.b/c': 'd' } },
      spec: { providerID: 'aws:///z/i-1' },
      status: { addresses: [{ type: 'Hostname', address: 'n1.local' }, { type: 'InternalIP', address: '10.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
    },
    { metadata: { name: 'n2' }, status: { addresses: [{ type: 'ExternalIP', address: '1.2.3.4' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } },
  ],
  pods: [
    {
      metadata: { name: 'web-1', namespace: 'shop', uid: 'u1', labels: { app: 'web' }, annotations: { 'prometheus.io/scrape': 'true' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-rs', controller: true }] },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'main', image: 'web:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }, { name: 'side', image: 'side:1' }],
        initContainers: [{ name: 'init', image: 'init:1' }],
      },
      status: { phase: 'Running', podIP: '10.1.0.5', hostIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'main', containerID: 'containerd://abc' }] },
    },
    { metadata: { name: 'pending', namespace: 'shop' }, spec: { nodeName: 'n2', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { phase: 'Pending' } },
  ],
  services: [
    { metadata: { name: 'web', namespace: 'shop', annotations: { 'prometheus.io/probe': 'true' } }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    { metadata: { name: 'ext', namespace: 'shop' }, spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432 }] } },
  ],
  endpointslices: [
    {
      metadata: { name: 'web-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ],
  endpoints: [
    {
      metadata: { name: 'web', namespace: 'shop' },
      subsets: [{ addresses: [{ ip: '10.1.0.5', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' } }], notReadyAddresses: [{ ip: '10.1.0.9' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
  ],
  ingresses: [
    {
      metadata: { name: 'shop', namespace: 'shop' },
      spec: { ingressClassName: 'nginx', tls: [{ hosts: ['*.example.com'] }], rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/' }, { path: '' }] } }, { host: 'plain.example.org' }] },
    },
  ],
};

describe('role node', () => {
  const [g1, g2] = discover('node', snapshot);
  it('addresses the kubelet at the preferred address and port; instance is the node name', () => {
    expect(g1!.targets).toEqual([{ __address__: '10.0.0.1:10250', instance: 'n1', [`${M}node_address_InternalIP`]: '10.0.0.1', [`${M}node_address_Hostname`]: 'n1.local' }]);
    expect(g2!.targets[0]!.__address__).toBe('1.2.3.4:10250');
  });
  it('has name, provider ID, labels, annotations and their *present twins', () => {
    expect(g1!.labels).toEqual({
      [`${M}node_name`]: 'n1',
      [`${M}node_provider_id`]: 'aws:///z/i-1',
      [`${M}node_label_kubernetes_io_os`]: 'linux',
      [`${M}node_labelpresent_kubernetes_io_os`]: 'true',
      [`${M}node_labelpresent_node_role_kubernetes_io_control_plane`]: 'true',
      [`${M}node_annotation_a_b_c`]: 'd',
      [`${M}node_annotationpresent_a_b_c`]: 'true',
    });
  });
});

describe('role pod', () => {
  const groups = discover('pod', snapshot);
  it('gives one target per container port, one per container without ports, init containers flagged', () => {
    const web = groups.find((g) => g.source === 'pod/shop/web-1')!;
    expect(web.targets).toEqual([
      { __address__: '10.1.0.5:8080', [`${M}pod_container_name`]: 'main', [`${M}pod_container_id`]: 'containerd://abc', [`${M}pod_container_image`]: 'web:1', [`${M}pod_container_init`]: 'false', [`${M}pod_container_port_number`]: '8080', [`${M}pod_container_port_name`]: 'http', [`${M}pod_container_port_protocol`]: 'TCP' },
      { __address__: '10.1.0.5', [`${M}pod_container_name`]: 'side', [`${M}pod_container_image`]: 'side:1', [`${M}pod_container_init`]: 'false' },
      { __address__: '10.1.0.5', [`${M}pod_container_name`]: 'init', [`${M}pod_container_image`]: 'init:1', [`${M}pod_container_init`]: 'true' },
    ]);
    expect(web.labels).toMatchObject({
      [`${M}namespace`]: 'shop',
      [`${M}pod_name`]: 'web-1',
      [`${M}pod_ip`]: '10.1.0.5',
      [`${M}pod_ready`]: 'true',
      [`${M}pod_phase`]: 'Running',
      [`${M}pod_node_name`]: 'n1',
      [`${M}pod_host_ip`]: '10.0.0.1',
      [`${M}pod_uid`]: 'u1',
      [`${M}pod_controller_kind`]: 'ReplicaSet',
      [`${M}pod_controller_name`]: 'web-rs',
      [`${M}pod_annotation_prometheus_io_scrape`]: 'true',
      [`${M}pod_annotationpresent_prometheus_io_scrape`]: 'true',
      [`${M}pod_label_app`]: 'web',
    });
  });
  it('gives a pod without an IP no targets', () => {
    expect(groups.find((g) => g.source === 'pod/shop/pending')!.targets).toEqual([]);
  });
  it('attaches node labels with attach_metadata.node', () => {
    const [web] = discover('pod', snapshot, { attach_metadata: { node: true }, selectors: [{ role: 'pod', field: 'metadata.name=web-1' }] });
    expect(web!.labels[`${M}node_label_kubernetes_io_os`]).toBe('linux');
    expect(web!.labels[`${M}node_name`]).toBe('n1');
  });
});

describe('role service', () => {
  it('addresses <name>.<namespace>.svc:<port> with port, type and cluster IP or external name', () => {
    const [web, ext] = discover('service', snapshot);
    expect(web!.targets).toEqual([
      { __address__: 'web.shop.svc:80', [`${M}service_port_name`]: 'http', [`${M}service_port_number`]: '80', [`${M}service_port_protocol`]: 'TCP', [`${M}service_type`]: 'ClusterIP', [`${M}service_cluster_ip`]: '10.96.0.10' },
    ]);
    expect(ext!.targets[0]).toMatchObject({ __address__: 'ext.shop.svc:5432', [`${M}service_type`]: 'ExternalName', [`${M}service_external_name`]: 'db.example.com' });
    expect(web!.labels).toMatchObject({ [`${M}service_name`]: 'web', [`${M}namespace`]: 'shop', [`${M}service_annotation_prometheus_io_probe`]: 'true' });
  });
});

describe('role endpointslice', () => {
  it('gives one target per address and port, with conditions, the service and the pod behind it', () => {
    const [g] = discover('endpointslice', snapshot);
    expect(g!.labels).toMatchObject({ [`${M}endpointslice_name`]: 'web-x', [`${M}endpointslice_address_type`]: 'IPv4', [`${M}service_name`]: 'web' });
    expect(g!.targets[0]).toMatchObject({
      __address__: '10.1.0.5:8080',
      [`${M}endpointslice_port`]: '8080',
      [`${M}endpointslice_port_name`]: 'http',
      [`${M}endpointslice_endpoint_conditions_ready`]: 'true',
      [`${M}endpointslice_endpoint_conditions_terminating`]: 'false',
      [`${M}endpointslice_endpoint_node_name`]: 'n1',
      [`${M}endpointslice_address_target_kind`]: 'Pod',
      [`${M}pod_name`]: 'web-1',
      [`${M}pod_container_name`]: 'main',
      [`${M}pod_container_port_number`]: '8080',
    });
    expect(g!.targets).toHaveLength(1); // the pod's only declared port is covered
  });
});

describe('role endpoints', () => {
  it('marks ready and not-ready addresses', () => {
    const [g] = discover('endpoints', snapshot);
    expect(g!.labels).toMatchObject({ [`${M}endpoints_name`]: 'web', [`${M}service_name`]: 'web' });
    expect(g!.targets.map((t) => [t.__address__, t[`${M}endpoint_ready`]])).toEqual([
      ['10.1.0.5:8080', 'true'],
      ['10.1.0.9:8080', 'false'],
    ]);
  });
});

describe('role ingress', () => {
  it('gives one target per rule and path, https for hosts under tls (wildcards too), / for empty paths', () => {
    const [g] = discover('ingress', snapshot);
    expect(g!.labels).toMatchObject({ [`${M}ingress_name`]: 'shop', [`${M}ingress_class_name`]: 'nginx' });
    expect(g!.targets.map((t) => [t.__address__, t[`${M}ingress_scheme`], t[`${M}ingress_path`]])).toEqual([
      ['shop.example.com', 'https', '/'],
      ['shop.example.com', 'https', '/'],
      ['plain.example.org', 'http', '/'],
    ]);
  });
});

describe('kubernetes_sd_configs options', () => {
  it('namespaces.names limits every namespaced resource', () => {
    expect(discover('pod', snapshot, { namespaces: { names: ['other'] } })).toEqual([]);
    expect(discover('pod', snapshot, { namespaces: { names: ['shop'] } })).toHaveLength(2);
  });
  it('own_namespace uses the agent namespace', () => {
    expect(discover('service', snapshot, { namespaces: { own_namespace: true } }, { ownNamespace: 'shop' })).toHaveLength(2);
  });
  it('label and field selectors narrow the objects seen', () => {
    expect(discover('node', snapshot, { selectors: [{ role: 'node', field: 'metadata.name=n2' }] }).map((g) => g.source)).toEqual(['node/n2']);
    expect(discover('node', snapshot, { selectors: [{ role: 'node', label: 'node-role.kubernetes.io/control-plane' }] }).map((g) => g.source)).toEqual(['node/n1']);
    expect(discover('pod', snapshot, { selectors: [{ role: 'pod', field: 'spec.nodeName=n1' }] }).map((g) => g.source)).toEqual(['pod/shop/web-1']);
    expect(discover('pod', snapshot, { selectors: [{ role: 'pod', label: 'app in (web,api),tier!=db' }] })).toHaveLength(1);
  });
  it('pod selectors on an endpointslice role hide the pods behind endpoints', () => {
    const [g] = discover('endpointslice', snapshot, { selectors: [{ role: 'pod', label: 'app=none' }] });
    expect(g!.targets[0]![`${M}pod_name`]).toBeUndefined();
  });
});

describe('pod group labels read one at a time', () => {
  it('agree with the built label set for every label, present or not, and with node metadata attached', () => {
    const attach = { attach_metadata: { node: true }, selectors: [{ role: 'pod' as const, field: 'metadata.name=web-1' }] };
    const [attached] = discover('pod', snapshot, attach);
    const unbuilt = discoverGroups('pod', snapshot, attach)[0]!;
    for (const name of Object.keys(attached!.labels)) expect(unbuilt.label(name), name).toBe(attached!.labels[name]);
    const one = { selectors: [{ role: 'pod' as const, field: 'metadata.name=web-1' }] };
    const [web] = discover('pod', snapshot, one);
    const view = discoverGroups('pod', snapshot, one)[0]!;
    const probes = [`${M}pod_annotation_missing`, `${M}pod_label_nope`, `${M}pod_labelpresent_app`, `${M}node_name`, `${M}service_name`, '__meta_consul_node', '__host__'];
    for (const name of [...Object.keys(web!.labels), ...probes]) expect(view.label(name), name).toBe(web!.labels[name]);
    expect(view.labels()).toEqual(web!.labels);
    expect(view.targets()).toEqual(web!.targets);
  });

  it('agree when two keys sanitize to the same label name (the last non-empty value wins, as in the built set)', () => {
    const pod = {
      metadata: { name: 'p', namespace: 'ns', labels: { 'a.b': 'first', 'a/b': '', 'c.d': 'x', 'c-d': 'y' }, annotations: { 'e/f': 'z', 'e.f': '' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }, { name: 'side' }] },
      status: { podIP: '10.0.0.9', phase: 'Running' },
    };
    const view = discoverGroups('pod', { pods: [pod] })[0]!;
    const built = discover('pod', { pods: [pod] })[0]!;
    for (const name of [`${M}pod_label_a_b`, `${M}pod_labelpresent_a_b`, `${M}pod_label_c_d`, `${M}pod_annotation_e_f`, `${M}pod_annotationpresent_e_f`, `${M}pod_ready`]) {
      expect(view.label(name), name).toBe(built.labels[name]);
    }
    expect(view.size()).toBe(built.targets.length);
  });
});

describe('selector roles, refused as Prometheus refuses them when it loads the config (config_test.go)', () => {
  it.each([
    ['endpoints', 'node', 'endpoints role supports only pod, service, endpoints selectors'],
    ['endpointslice', 'endpoints', 'endpointslice role supports only pod, service, endpointslice selectors'],
    ['ingress', 'pod', 'ingress role supports only ingress selectors'],
    ['node', 'pod', 'node role supports only node selectors'],
    ['pod', 'node', 'pod role supports only pod selectors'],
    ['service', 'pod', 'service role supports only service selectors'],
  ] as const)('%s role with a %s selector', (role, selectorRole, message) => {
    expect(() => discover(role, {}, { selectors: [{ role: selectorRole, label: 'a=b' }] })).toThrow(message);
  });

  it('a selector role given twice', () => {
    expect(() => discover('endpoints', {}, { selectors: [{ role: 'pod', label: 'a=b' }, { role: 'pod', field: 'spec.nodeName=x' }] })).toThrow('duplicated selector role: pod');
  });

  it('the allowed ones pass', () => {
    expect(discover('endpointslice', {}, { selectors: [{ role: 'pod', label: 'a=b' }, { role: 'service', label: 'c' }, { role: 'endpointslice', field: 'metadata.name=x' }] })).toEqual([]);
  });
});
