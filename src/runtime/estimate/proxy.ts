/**
 * Where to read a target's metrics from outside the cluster: the API
 * server's proxy path (`kubectl get --raw <path>`) that reaches the same
 * endpoint, found from the snapshot — a node's kubelet, a pod, a Service by
 * its DNS name, or the API server itself. A target it cannot reach says why.
 */
import type { ActiveTarget } from '../preview/preview.js';
import { isLoopbackUrl } from '../semantics/target.js';
import type { PodObject, Snapshot } from '../semantics/snapshot.js';

export type ProxyRoute = { path: string; via: string } | { reason: string };

const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const POD_DNS = new RegExp(`^(?<pod>${LABEL})\\.(?<service>${LABEL})\\.(?<ns>${LABEL})\\.svc(?:\\.[a-z0-9.-]+)?\\.?$`);
const SERVICE_DNS = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.[a-z0-9.-]+)?\.?$/;

/** The kubelet's port on a node (status.daemonEndpoints), 10250 unless the node says otherwise. */
function kubeletPort(port: number | undefined): number {
  return port ?? 10250;
}

function declaresPort(pod: PodObject, port: number): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => (c.ports ?? []).some((p) => p.containerPort === port));
}

/** The API server's own addresses: the endpoints of the `kubernetes` Service in `default`. */
function apiServerAddresses(snapshot: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const s of snapshot.endpointslices ?? []) {
    if (s.metadata.namespace !== 'default' || s.metadata.labels?.['kubernetes.io/service-name'] !== 'kubernetes') continue;
    for (const e of s.endpoints ?? []) for (const a of e.addresses ?? []) for (const p of s.ports ?? []) out.add(`${a}:${p.port}`);
  }
  for (const e of snapshot.endpoints ?? []) {
    if (e.metadata.namespace !== 'default' || e.metadata.name !== 'kubernetes') continue;
    for (const s of e.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? []) out.add(`${a.ip}:${p.port}`);
  }
  return out;
}

/** A StatefulSet's pod named under its headless Service (`<pod>.<service>.<ns>.svc[.<domain>]`), from a target URL's host. */
export function statefulSetPod(host: string): { pod: string; service: string; ns: string } | undefined {
  const m = POD_DNS.exec(host);
  return m === null ? undefined : { pod: m.groups!.pod!, service: m.groups!.service!, ns: m.groups!.ns! };
}

/** `[https:]name:port`, as the proxy subresources name an endpoint. */
function proxyName(scheme: string, name: string, port: string): string {
  return `${scheme === 'https' ? 'https:' : ''}${name}:${port}`;
}

export function proxyRoute(target: ActiveTarget, snapshot: Snapshot): ProxyRoute {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return { reason: `${target.url} is not a URL` };
  }
  const scheme = url.protocol.replace(/:$/, '');
  const port = url.port !== '' ? url.port : scheme === 'https' ? '443' : '80';
  const rest = `${url.pathname}${url.search}`;
  if (url.pathname.endsWith('/probe') && url.searchParams.has('target')) {
    return { reason: `a probe (${url.host}${url.pathname}): its series are the blackbox exporter's answer for each probed address, not read from outside the cluster` };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isLoopbackUrl(target.url)) return { reason: `${url.host} is the node's loopback: only the agent on that node reaches it (host network), the API server cannot proxy to it` };
  // A StatefulSet's pod by its name under a headless Service (<pod>.<service>.<ns>.svc): that pod.
  const podDns = statefulSetPod(host);
  if (podDns !== undefined) {
    const { pod, ns } = podDns;
    return { path: `/api/v1/namespaces/${ns}/pods/${proxyName(scheme, pod!, port)}/proxy${rest}`, via: `pod ${ns}/${pod}` };
  }
  const service = SERVICE_DNS.exec(host);
  // The API server itself, by its Service's name (kubelet.access=proxy reads the kubelets through it): the path as it is.
  if (service !== null && service[1] === 'kubernetes' && service[3] === 'default') return { path: rest, via: 'the API server' };
  if (service !== null) {
    return { path: `/api/v1/namespaces/${service[3]}/services/${proxyName(scheme, service[1]!, port)}/proxy${rest}`, via: `service ${service[3]}/${service[1]}` };
  }
  if (apiServerAddresses(snapshot).has(`${host}:${port}`)) return { path: rest, via: 'the API server that answers kubectl (one of them)' };
  const node = (snapshot.nodes ?? []).find((n) => (n.status?.addresses ?? []).some((a) => a.address === host));
  if (node !== undefined && Number(port) === kubeletPort(node.status?.daemonEndpoints?.kubeletEndpoint?.Port)) {
    return { path: `/api/v1/nodes/${node.metadata.name}/proxy${rest}`, via: `node ${node.metadata.name}` };
  }
  const running = (snapshot.pods ?? []).filter((p) => p.status?.podIP === host && p.status?.phase === 'Running');
  // A pod IP is one pod's; the node's address is every host-network pod's there: the one declaring the port.
  const pods = running.length === 1 && running[0]!.spec?.hostNetwork !== true ? running : running.filter((p) => declaresPort(p, Number(port)));
  pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const pod = pods[0];
  if (pod !== undefined) {
    const ns = pod.metadata.namespace ?? 'default';
    return { path: `/api/v1/namespaces/${ns}/pods/${proxyName(scheme, pod.metadata.name, port)}/proxy${rest}`, via: `pod ${ns}/${pod.metadata.name}${pod.spec?.hostNetwork === true ? ' (host network)' : ''}` };
  }
  if (node !== undefined) return { reason: `${url.host} is node ${node.metadata.name}, but no pod of the snapshot serves port ${port} there (a process outside Kubernetes, or bound to the node's loopback): the API server cannot proxy to it` };
  return { reason: `no node, pod or Service of the snapshot has the address ${url.host}: the API server cannot proxy to it` };
}
