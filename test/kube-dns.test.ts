/** GKE's kube-dns is scraped (job="kube-dns") instead of DNS going unmonitored. */
import { describe, expect, it } from 'vitest';
import { findJob, hasJob, relabelTarget } from './support/jobs.js';
import { renderPreset } from './support/render.js';

const target = (container: string, portName: string, port: number) => ({
  __address__: `10.4.0.7:${port}`,
  __meta_kubernetes_namespace: 'kube-system',
  __meta_kubernetes_pod_name: 'kube-dns-5c8f7d9b4-abcde',
  __meta_kubernetes_pod_node_name: 'gke-node-1',
  __meta_kubernetes_pod_phase: 'Running',
  __meta_kubernetes_pod_container_name: container,
  __meta_kubernetes_pod_container_port_name: portName,
  __meta_kubernetes_pod_container_port_number: String(port),
});

describe.each(['gke', 'gke-autopilot'])('kube-dns on %s', (preset) => {
  const { objects } = renderPreset(preset);

  it('is scraped once, by the cluster agent, as job kube-dns; CoreDNS is not', () => {
    expect(findJob(objects, 'kube-dns').agent).toBe('cluster');
    expect(hasJob(objects, 'coredns')).toBe(false);
  });

  it('keeps kubedns :10055 and the sidecar :10054, not the DNS ports', () => {
    const job = findJob(objects, 'kube-dns');
    expect(relabelTarget(job, target('kubedns', 'metrics', 10055))).toMatchObject({ container: 'kubedns', pod: 'kube-dns-5c8f7d9b4-abcde' });
    expect(relabelTarget(job, target('sidecar', 'metrics', 10054))).toMatchObject({ container: 'sidecar' });
    expect(relabelTarget(job, target('kubedns', 'dns-local', 10053))).toBeNull();
    expect(relabelTarget(job, target('dnsmasq', 'dns', 53))).toBeNull();
  });
});

describe('kube-dns elsewhere', () => {
  it('is off on the other presets, which run CoreDNS', () => {
    expect(hasJob(renderPreset('eks').objects, 'kube-dns')).toBe(false);
    expect(hasJob(renderPreset('kubeadm').objects, 'coredns')).toBe(true);
  });
});
