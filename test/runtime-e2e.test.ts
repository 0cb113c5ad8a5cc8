/**
 * End to end: render every preset, preview it on a generated cluster, and
 * check what a user cares about — each kubelet and cAdvisor scraped exactly
 * once cluster-wide, the apiserver found, annotated workloads picked up, and
 * no check failing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderBundle } from '../src/pipeline.js';
import type { KubernetesObject } from '../src/render/templates.js';
import { agentFromConfigFile, agentsFromManifests } from '../src/agents/find.js';
import { jobNames } from '../src/runtime/plan/plan.js';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { checkDeployment } from '../src/runtime/check/index.js';
import { crossInstanceProblems, previewCluster } from '../src/runtime/preview/preview.js';
import type { Snapshot } from '../src/runtime/semantics/snapshot.js';
import type { WorkloadManifest } from '../src/runtime/synthetic.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { runCli } from './support/cli.js';
import { PRESETS } from './support/render.js';

const NODES = 6;

/** The generated cluster, plus the pods the render's own workloads run once applied (node-exporter, the agents, kube-state-metrics). */
function clusterFor(objects: readonly KubernetesObject[]): Snapshot {
  return syntheticCluster({ nodes: NODES, podsPerNode: 8, workloads: objects as readonly WorkloadManifest[] });
}

/** A grafana-agent config whose one metrics instance filters by host and runs a kubelet job with these lines added. */
function hostFilteredKubelet(jobLines: string[]): string {
  return ['metrics:', '  configs:', '    - name: node', '      host_filter: true', '      scrape_configs:', '        - job_name: kubelet', ...jobLines].join('\n');
}

describe.each(PRESETS)('render → targets on a generated cluster: %s', (preset) => {
  const { objects } = renderBundle({ preset, sets: [] }, {});
  const snapshot = clusterFor(objects);
  const agents = agentsFromManifests(objects);
  const preview = previewCluster(agents, snapshot);
  const jobTargets = (job: string) => preview.targets.filter((t) => t.job === job);

  it('scrapes every node\'s kubelet, cAdvisor and node-exporter (where the preset deploys it) exactly once cluster-wide, from the agent on that node', () => {
    const deploysNodeExporter = objects.some((o) => o.kind === 'DaemonSet' && o.metadata.name === 'k8smon-node-exporter');
    expect(deploysNodeExporter).toBe(preset !== 'gke-autopilot');
    for (const job of ['kubelet', 'kubelet-cadvisor', ...(deploysNodeExporter ? ['node-exporter'] : [])]) {
      const targets = jobTargets(job);
      expect(targets.map((t) => t.labels.node).sort()).toEqual(snapshot.nodes!.map((n) => n.metadata.name).sort());
      for (const t of targets) expect(t.agent).toBe(`daemonset/k8smon-agent-node/${t.labels.node}`);
    }
  });

  it('finds every apiserver endpoint, once', () => {
    expect(jobTargets('apiserver').map((t) => t.url).sort()).toEqual(['https://10.0.0.0:6443/metrics', 'https://10.0.0.1:6443/metrics', 'https://10.0.0.2:6443/metrics']);
    for (const t of jobTargets('apiserver')) expect(t.agent).toBe('deployment/k8smon-agent-cluster');
  });

  it('picks up annotated pods, services and ingresses', () => {
    const annotatedRunning = snapshot.pods!.filter((p) => p.metadata.annotations?.['prometheus.io/scrape'] === 'true' && p.status?.phase === 'Running');
    expect([...new Set(jobTargets('kubernetes-pods').map((t) => t.labels.pod))].sort()).toEqual(annotatedRunning.map((p) => p.metadata.name).sort());
    expect(jobTargets('kubernetes-service-endpoints').length).toBeGreaterThan(0);
    expect(jobTargets('kubernetes-services').map((t) => t.labels.service).length).toBeGreaterThan(0);
    const ingresses = jobTargets('kubernetes-ingresses');
    // One target per host and path of every Ingress.
    expect(ingresses.length).toBe(snapshot.ingresses!.reduce((n, i) => n + (i.spec?.rules ?? []).reduce((m, r) => m + (r.http?.paths?.length ?? 0), 0), 0));
    expect(ingresses.some((t) => t.labels.instance!.startsWith('https://'))).toBe(true);
  });

  it('takes its shortcuts (group-level drops, lazily built pod and endpoint targets) without changing a target or a dropped count', () => {
    // keepSteps runs every rule on every target (the --explain path): the reference.
    const ruleByRule = previewCluster(agents, snapshot, { keepSteps: true });
    const byKey = (ts: typeof preview.targets) => [...ts].sort((a, b) => `${a.agent} ${a.job} ${a.url}`.localeCompare(`${b.agent} ${b.job} ${b.url}`));
    expect(byKey(preview.targets)).toEqual(byKey(ruleByRule.targets));
    expect(preview.droppedCounts).toEqual(ruleByRule.droppedCounts);
    expect(ruleByRule.dropped.length).toBe(Object.values(preview.droppedCounts).reduce((a, b) => a + b, 0));
    expect(Object.values(preview.droppedCounts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // --explain keeps the steps of the targets asked about only (found without building the others'
    // labels, job defaults included), and changes nothing else.
    for (const name of ['__address__', '__meta_kubernetes_pod_name', '__meta_kubernetes_node_name', '__meta_kubernetes_service_name', 'job', '__scheme__']) {
      const asked = ruleByRule.dropped.find((d) => d.discoveredLabels[name] !== undefined)?.discoveredLabels[name];
      if (asked === undefined) continue;
      const explained = previewCluster(agents, snapshot, { keepSteps: true, stepsOf: (d) => d[name] === asked });
      expect(explained.dropped.length, name).toBeGreaterThan(0);
      expect(explained.dropped, name).toEqual(ruleByRule.dropped.filter((d) => d.discoveredLabels[name] === asked));
      // The kept ones asked about carry their steps (for --explain), and only they do.
      expect(explained.targets.filter((t) => t.steps !== undefined).every((t) => t.discoveredLabels![name] === asked), name).toBe(true);
      expect(byKey(explained.targets.map(({ steps: _steps, ...t }) => t)), name).toEqual(byKey(ruleByRule.targets));
      expect(explained.droppedCounts, name).toEqual(ruleByRule.droppedCounts);
    }
  });

  it('previews one job alone exactly as the full preview shows it (PreviewOptions.job, targets --job)', () => {
    expect(jobNames(agents)).toEqual(preview.jobs);
    for (const job of preview.jobs) {
      const alone = previewCluster(agents, snapshot, { job });
      expect(alone.jobs).toEqual([job]);
      expect(alone.targets).toEqual(jobTargets(job));
      expect(alone.droppedCounts).toEqual(job in preview.droppedCounts ? { [job]: preview.droppedCounts[job] } : {});
      expect(alone.problems).toEqual(preview.problems.filter((p) => new RegExp(`\\bjob ${job}(?![\\w-])`).test(p.message)));
    }
  });

  it('has no errors (nothing scraped twice, no colliding label sets, no RBAC 403) and none of the audit\'s warnings, in either kubelet access mode', () => {
    for (const access of ['direct', 'proxy']) {
      const render = renderBundle({ preset, sets: [`kubelet.access=${access}`] }, {}).objects;
      const renderAgents = agentsFromManifests(render);
      const renderPreview = previewCluster(renderAgents, clusterFor(render));
      const problems = [...renderPreview.problems, ...checkDeployment(render, renderAgents, clusterFor(render), renderPreview.targets)];
      expect(problems.filter((p) => p.severity === 'error'), access).toEqual([]);
      expect(problems.filter((p) => p.severity === 'warning' && p.rule !== 'no-targets'), access).toEqual([]);
    }
  });
});

describe('the synthetic cluster runs the workloads it is given', () => {
  // Tolerating every taint: the generated control-plane nodes are tainted, as kubeadm taints them.
  const template = (hostNetwork: boolean) => ({ metadata: { labels: { app: 'x' }, annotations: { note: 'y' } }, spec: { hostNetwork, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'c', image: 'i', args: ['--secret=s'], ports: [{ containerPort: 9100 }] }] } });
  const snapshot = syntheticCluster({
    nodes: 3,
    podsPerNode: 0,
    workloads: [
      { kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'm' }, spec: { template: template(true) } },
      { kind: 'Deployment', metadata: { name: 'dep', namespace: 'm' }, spec: { replicas: 4, template: template(false) } },
      { kind: 'StatefulSet', metadata: { name: 'sts' }, spec: { template: template(false) } },
      { kind: 'ConfigMap', metadata: { name: 'cm' } },
    ],
  });
  const own = snapshot.pods!.filter((p) => p.metadata.labels?.app === 'x');

  it('a DaemonSet on every node (on the node\'s address with hostNetwork), a Deployment\'s replicas spread over the nodes, a StatefulSet\'s ordinal names', () => {
    expect(own.map((p) => [p.metadata.name, p.spec?.nodeName, p.status?.podIP === p.status?.hostIP])).toEqual([
      ['ds-00000', 'node-0', true],
      ['ds-00001', 'node-1', true],
      ['ds-00002', 'node-2', true],
      ['dep-00000', 'node-0', false],
      ['dep-00001', 'node-1', false],
      ['dep-00002', 'node-2', false],
      ['dep-00003', 'node-0', false],
      ['sts-0', 'node-0', false],
    ]);
    expect(new Set(own.map((p) => p.status?.podIP)).size).toBe(own.length);
    expect(own.find((p) => p.metadata.name === 'sts-0')?.metadata.namespace).toBe('default');
    expect(own.find((p) => p.metadata.name === 'dep-00001')?.metadata.ownerReferences).toEqual([{ kind: 'ReplicaSet', name: 'dep-rs', controller: true }]);
  });

  it('places pods where the scheduler would: a DaemonSet that tolerates nothing skips the tainted control plane and the GPU pool', () => {
    const cluster = syntheticCluster({ nodes: 5, podsPerNode: 0, workloads: [{ kind: 'DaemonSet', metadata: { name: 'plain' }, spec: { template: { metadata: { labels: { app: 'plain' } }, spec: { containers: [{ name: 'c' }] } } } }] });
    expect(cluster.pods!.filter((p) => p.metadata.labels?.app === 'plain').map((p) => p.spec?.nodeName)).toEqual(['node-4']);
  });

  it('keeps of a pod what `k8smon snapshot` keeps: image and ports, not args', () => {
    expect(own[0]!.spec?.containers).toEqual([{ name: 'c', image: 'i', ports: [{ containerPort: 9100 }] }]);
    expect(own[0]!.metadata.annotations).toEqual({ note: 'y' });
  });
});

describe('namespaces.own_namespace of a rendered agent', () => {
  it('is the namespace its workload runs in', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: ['namespace=obs'] }, {});
    const agents = agentsFromManifests(objects);
    expect(agents.map((a) => a.namespace)).toEqual(agents.map(() => 'obs'));
    const cluster = agents.find((a) => !a.perNode)!;
    // The same agent (where it runs), reading another config.
    const other = agentFromConfigFile('scrape_configs:\n  - job_name: own\n    kubernetes_sd_configs: [{role: pod, namespaces: {own_namespace: true}}]\n');
    const ownPods = { ...other, name: cluster.name, perNode: false, namespace: cluster.namespace! };
    const preview = previewCluster([ownPods], clusterFor(objects));
    expect(preview.problems).toEqual([]);
    expect(new Set(preview.targets.map((t) => t.discoveredLabels!.__meta_kubernetes_namespace))).toEqual(new Set(['obs']));
  });
});

describe('the checks catch the field notes\' mistakes', () => {
  /** A Prometheus-format config without its `$(NODE_NAME)` field selectors. */
  const withoutNodeSelectors = (text: string): string => text.replace(/\n\s+selectors:\n\s+- role: (node|pod)\n\s+field: (metadata\.name|spec\.nodeName)=\$\(NODE_NAME\)/g, '');
  /** How each kind's node agent keeps to its node, and the config with that taken out (the field notes' DaemonSet). */
  const withoutNodeLocality: Record<string, { key: string; strip: (text: string) => string }> = {
    'grafana-agent': {
      key: 'agent.yaml',
      strip: (text) => text.replace('host_filter: true', 'host_filter: false').replace(/\n\s+selectors:\n\s+- role: node\n\s+field: metadata\.name=\$\{HOSTNAME\}/g, ''),
    },
    prometheus: {
      key: 'prometheus.yaml',
      strip: withoutNodeSelectors,
    },
    // The prometheus kind's config, the $(NODE_NAME) filled in by the agent itself.
    embedded: {
      key: 'agent.yaml',
      strip: withoutNodeSelectors,
    },
    alloy: {
      key: 'config.alloy',
      strip: (text) => text.replace(/\n\n\tselectors \{\n\t\trole  = "(node|pod)"\n\t\tfield = "(metadata\.name|spec\.nodeName)=" \+ sys\.env\("NODE_NAME"\)\n\t\}/g, ''),
    },
  };

  it.each(AGENT_KIND_NAMES)('flags a DaemonSet whose every pod scrapes every kubelet (%s, not kept to its node)', (kind) => {
    const { objects } = renderBundle({ preset: 'eks', sets: [`agent.kind=${kind}`] }, {});
    const { key, strip } = withoutNodeLocality[kind]!;
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'k8smon-agent-node')!;
    const text: string = (cm.data as any)[key];
    expect(strip(text)).not.toBe(text);
    const broken = objects.map((o) => (o === cm ? { ...o, data: { [key]: strip(text) } } : o));
    const snapshot = clusterFor(objects);
    expect(previewCluster(agentsFromManifests(objects), snapshot).problems.filter((p) => p.rule === 'scraped-more-than-once')).toEqual([]);
    const preview = previewCluster(agentsFromManifests(broken), snapshot);
    expect(preview.problems.filter((p) => p.rule === 'scraped-more-than-once').length).toBeGreaterThan(0);
  });

  it('flags label sets that collide (seed-style instance rewrite) but not targets that differ in any label', () => {
    const target = (url: string, labels: Record<string, string>) => ({ job: 'kubelet', agent: 'deployment/x', url, labels: { job: 'kubelet', ...labels }, discoveredLabels: {} });
    const problems = crossInstanceProblems({
      targets: [
        target('https://10.0.0.1:10250/metrics', { instance: 'kubernetes.default.svc:443' }),
        target('https://10.0.0.2:10250/metrics', { instance: 'kubernetes.default.svc:443' }),
        target('https://10.0.0.3:10250/metrics', { instance: 'node-3', node: 'a' }),
        target('https://10.0.0.4:10250/metrics', { instance: 'node-3', node: 'b' }),
      ],
      droppedCounts: {},
      dropped: [],
      problems: [],
      jobs: ['kubelet'],
      incomplete: [],
    });
    expect(problems.map((p) => p.rule)).toEqual(['colliding-label-sets']);
    expect(problems[0]!.message).toMatch(/^2 targets end with the same labels .*kubernetes\.default\.svc:443.*10\.0\.0\.1.*10\.0\.0\.2/);
  });

  it('flags RBAC that would 403 and API versions the cluster does not serve', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: [] }, {});
    const withoutNodes = objects.map((o) => (o.kind === 'ClusterRole' && o.metadata.name === 'k8smon-agent-node-monitoring' ? { ...o, rules: [] } : o));
    const snapshot = { ...clusterFor(objects), apiVersions: ['v1', 'apps/v1'] };
    const agents = agentsFromManifests(withoutNodes);
    const problems = checkDeployment(withoutNodes, agents, snapshot, previewCluster(agents, snapshot).targets);
    expect(problems.some((p) => p.rule === 'rbac-forbidden' && /list nodes/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.rule === 'rbac-forbidden' && /nodes\/metrics/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.rule === 'api-version-not-served' && /rbac.authorization.k8s.io\/v1/.test(p.message))).toBe(true);
  });

  it('reads ${HOSTNAME} per node anywhere in a host-filtered agent config, relabel rules included', () => {
    const text = hostFilteredKubelet([
      '          kubernetes_sd_configs: [{role: node, selectors: [{role: node, field: "metadata.name=${HOSTNAME}"}]}]',
      '          relabel_configs: [{target_label: scraped_by, replacement: "agent-on-${HOSTNAME}"}]',
    ]);
    const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 1 });
    const preview = previewCluster([agentFromConfigFile(text)], snapshot);
    expect(preview.targets.map((t) => [t.labels.instance, t.labels.scraped_by])).toEqual([
      ['node-0', 'agent-on-node-0'],
      ['node-1', 'agent-on-node-1'],
      ['node-2', 'agent-on-node-2'],
    ]);
  });

  describe('grafana-agent host_filter belongs to a metrics instance', () => {
    const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 2 });
    const agent = (instances: string[][]) => agentFromConfigFile(['metrics:', '  configs:', ...instances.flat()].join('\n'));
    const kubeletInstance = ['    - name: node', '      host_filter: true', '      scrape_configs:', '        - job_name: kubelet', '          kubernetes_sd_configs: [{role: node}]'];
    const scrapedBy = (p: ReturnType<typeof previewCluster>, job: string) => p.targets.filter((t) => t.job === job).map((t) => `${t.url} ${t.agent}`).sort();

    it('an instance without host_filter scrapes everything from every node, even when another instance filters', () => {
      const preview = previewCluster([agent([kubeletInstance, ['    - name: cluster', '      scrape_configs:', '        - job_name: every-node', '          kubernetes_sd_configs: [{role: node}]']])], snapshot);
      expect(scrapedBy(preview, 'kubelet')).toEqual(['https://10.0.0.0:10250/metrics config/node-0', 'https://10.0.0.1:10250/metrics config/node-1', 'https://10.0.0.2:10250/metrics config/node-2'].map((s) => s.replace('https', 'http')));
      // The same on every node: previewed once, for all three instances.
      expect(scrapedBy(preview, 'every-node')).toEqual(['http://10.0.0.0:10250/metrics config/*', 'http://10.0.0.1:10250/metrics config/*', 'http://10.0.0.2:10250/metrics config/*']);
      expect(preview.targets.filter((t) => t.job === 'every-node').map((t) => t.instances)).toEqual([3, 3, 3]);
      expect(preview.problems.filter((p) => p.rule === 'scraped-more-than-once').map((p) => p.message)).toEqual([
        'jobs every-node and kubelet: http://10.0.0.0:10250/metrics is scraped 4 times (by every-node on config/* (each of its 3 pods), kubelet on config/node-0): the same series twice, one set per job',
        'jobs every-node and kubelet: http://10.0.0.1:10250/metrics is scraped 4 times (by every-node on config/* (each of its 3 pods), kubelet on config/node-1): the same series twice, one set per job',
        'jobs every-node and kubelet: http://10.0.0.2:10250/metrics is scraped 4 times (by every-node on config/* (each of its 3 pods), kubelet on config/node-2): the same series twice, one set per job',
      ]);
    });

    it('previews a job that is the same on every node once, exactly as node by node (targets, dropped counts), however many nodes', () => {
      // Deployed as a DaemonSet (as from manifests): one instance per node.
      const everyNode = { ...agent([['    - name: cluster', '      scrape_configs:', '        - job_name: pods', '          kubernetes_sd_configs: [{role: pod}]', '          relabel_configs: [{source_labels: [__meta_kubernetes_pod_container_port_name], regex: http, action: keep}]']]), perNode: true };
      const cluster = syntheticCluster({ nodes: 4, podsPerNode: 3 });
      const once = previewCluster([everyNode], cluster);
      const nodeByNode = cluster.nodes!.map((n) => previewCluster([everyNode], cluster, { node: n.metadata.name }));
      const expanded = once.targets.flatMap((t) => cluster.nodes!.map((n) => ({ ...t, agent: `config/${n.metadata.name}`, instances: undefined })));
      const key = (t: { agent: string; url: string }) => `${t.agent} ${t.url}`;
      expect(expanded.map(key).sort()).toEqual(nodeByNode.flatMap((p) => p.targets).map(key).sort());
      expect(once.droppedCounts.pods).toBe(nodeByNode.reduce((n, p) => n + p.droppedCounts.pods!, 0));
      // 2,000 nodes: one preview holding each target once, not 2,000 copies of it.
      const largeCluster = syntheticCluster({ nodes: 2000, podsPerNode: 1 });
      const withAddress = largeCluster.pods!.filter((p) => p.status?.podIP !== undefined && p.spec!.containers!.some((c) => c.ports?.some((port) => port.name === 'http'))).length;
      const large = previewCluster([everyNode], largeCluster);
      expect(large.targets).toHaveLength(withAddress);
      expect(new Set(large.targets.map((t) => t.instances))).toEqual(new Set([2000]));
      expect(large.problems.filter((p) => p.rule === 'scraped-more-than-once').map((p) => p.message).slice(3)).toEqual([`job pods: ${withAddress - 3} more targets are scraped more than once (${withAddress} in all)`]);
    });

    it('host_filter_relabel_configs can say where a target runs (__host__), and a target they drop is kept, as grafana-agent does', () => {
      const endpointsOn = (relabel: string) =>
        agent([['    - name: node', '      host_filter: true', `      host_filter_relabel_configs: ${relabel}`, '      scrape_configs:', '        - job_name: endpoints', '          kubernetes_sd_configs: [{role: endpoints}]']]);
      // Endpoints that name their node but no pod: the address is not the node's, no pod label says
      // where it runs, so without help the host filter keeps them nowhere.
      const cluster = syntheticCluster({ nodes: 3, podsPerNode: 9, serviceEvery: 1 });
      const addresses = (s: NonNullable<(typeof cluster.endpoints)>[number]['subsets'] extends (infer S)[] | undefined ? S : never) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])];
      for (const e of cluster.endpoints!) for (const subset of e.subsets ?? []) for (const a of addresses(subset)) delete a.targetRef;
      const endpointCount = (onNode: boolean) =>
        cluster.endpoints!.reduce((n, e) => n + e.subsets!.reduce((m, s) => m + addresses(s).filter((a) => !onNode || a.nodeName !== undefined).length * (s.ports?.length ?? 0), 0), 0);
      expect(endpointCount(true)).toBeGreaterThan(3);
      expect(scrapedBy(previewCluster([endpointsOn('[]')], cluster), 'endpoints')).toEqual([]);
      const placed = previewCluster([endpointsOn('[{source_labels: [__meta_kubernetes_endpoint_node_name], target_label: __host__}]')], cluster);
      expect(placed.targets).toHaveLength(endpointCount(true));
      for (const t of placed.targets) expect(t.agent).toBe(`config/${t.discoveredLabels!.__meta_kubernetes_endpoint_node_name}`);
      const dropped = previewCluster([endpointsOn('[{source_labels: [__address__], regex: ".*", action: drop}]')], cluster);
      expect(dropped.targets).toHaveLength(3 * endpointCount(false));
    });

    it('an invalid host_filter_relabel_configs is reported as such', () => {
      const preview = previewCluster([agent([[...kubeletInstance.slice(0, 2), '      host_filter_relabel_configs: [{source_labels: [a], regex: "(?<=x)"}]', ...kubeletInstance.slice(2)]])], snapshot);
      expect(preview.problems).toEqual([{ severity: 'error', rule: 'invalid-relabel', message: expect.stringMatching(/^config job kubelet: host_filter_relabel_configs: relabel rule 0: invalid regex/) }]);
    });
  });

  it('flags an apiserver scrape whose ClusterRole lacks get on the /metrics URL', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: [] }, {});
    const withoutUrl = objects.map((o) => (o.kind === 'ClusterRole' && o.metadata.name === 'k8smon-agent-cluster-monitoring' ? { ...o, rules: (o.rules as any[]).filter((r) => r.nonResourceURLs === undefined) } : o));
    const snapshot = clusterFor(objects);
    const sound = checkDeployment(objects, agentsFromManifests(objects), snapshot, previewCluster(agentsFromManifests(objects), snapshot).targets);
    expect(sound.filter((p) => p.rule === 'rbac-forbidden')).toEqual([]);
    const agents = agentsFromManifests(withoutUrl);
    const problems = checkDeployment(withoutUrl, agents, snapshot, previewCluster(agents, snapshot).targets);
    expect(problems.filter((p) => p.rule === 'rbac-forbidden').map((p) => p.message)).toEqual(['deployment/k8smon-agent-cluster job apiserver: get on /metrics is not granted']);
    // Known by its address, not its job name: the field notes call the job kubernetes-apiservers.
    const renamedObjects = withoutUrl.map((o) =>
      o.kind === 'ConfigMap' ? { ...o, data: Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace('job_name: apiserver', 'job_name: kubernetes-apiservers')])) } : o,
    );
    const renamed = agentsFromManifests(renamedObjects);
    const underAnotherName = checkDeployment(withoutUrl, renamed, snapshot, previewCluster(renamed, snapshot).targets);
    expect(underAnotherName.filter((p) => p.rule === 'rbac-forbidden').map((p) => p.message)).toEqual(['deployment/k8smon-agent-cluster job kubernetes-apiservers: get on /metrics is not granted']);
  });

  it('checks a pod that names no ServiceAccount as its namespace\'s "default" one', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: [] }, {});
    const anonymous = objects.map((o) => (o.kind === 'DaemonSet' && o.metadata.name === 'k8smon-agent-node' ? { ...o, spec: { ...(o.spec as any), template: { ...(o.spec as any).template, spec: { ...(o.spec as any).template.spec, serviceAccountName: undefined } } } } : o));
    const agents = agentsFromManifests(anonymous);
    expect(agents.find((a) => a.perNode)!.serviceAccount).toEqual({ name: 'default', namespace: 'monitoring' });
    const snapshot = clusterFor(objects);
    const problems = checkDeployment(anonymous, agents, snapshot, previewCluster(agents, snapshot).targets);
    expect(problems.filter((p) => p.rule === 'rbac-forbidden').map((p) => p.message)).toContain('daemonset/k8smon-agent-node job kubelet: list nodes is not granted to ServiceAccount monitoring/default (a 403 at run time)');
  });

  it('says RBAC is not checked, rather than that nothing is granted, when the manifests hold no bindings', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: [] }, {});
    const withoutRbac = objects.filter((o) => !/Role(Binding)?$/.test(o.kind));
    const agents = agentsFromManifests(withoutRbac);
    const snapshot = clusterFor(objects);
    const problems = checkDeployment(withoutRbac, agents, snapshot, previewCluster(agents, snapshot).targets);
    expect(problems.filter((p) => p.rule === 'rbac-forbidden')).toEqual([]);
    expect(problems.filter((p) => p.rule === 'rbac-not-checked').map((p) => p.severity)).toEqual(['warning']);
  });
});

describe('keep/drop rules checked before a target\'s labels are built', () => {
  // The preview drops targets early by keep/drop rules on discovered labels that no earlier rule
  // can have changed. These configs put such rules after rules that do (or may) change them: the
  // early path must agree with running every rule in order (keepSteps).
  const snapshot = syntheticCluster({ nodes: 3, podsPerNode: 8 });
  const config = (rules: string) => `scrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs: [{role: pod}]\n    relabel_configs:\n${rules}`;
  it.each([
    ['a write to another label before the filter', '      - {source_labels: [__meta_kubernetes_pod_name], target_label: __tmp_x}\n      - {source_labels: [__meta_kubernetes_pod_phase], regex: Running, action: keep}\n'],
    ['a write to the filtered label before it', '      - {target_label: __meta_kubernetes_pod_phase, replacement: Running}\n      - {source_labels: [__meta_kubernetes_pod_phase], regex: Running, action: keep}\n'],
    ['a lowercase of the filtered label before it', '      - {source_labels: [__meta_kubernetes_pod_phase], target_label: __meta_kubernetes_pod_phase, action: lowercase}\n      - {source_labels: [__meta_kubernetes_pod_phase], regex: running, action: keep}\n'],
    ['a labelmap onto the filtered label before it', '      - {regex: __meta_kubernetes_pod_host_ip, replacement: __meta_kubernetes_pod_ip, action: labelmap}\n      - {source_labels: [__meta_kubernetes_pod_ip], regex: \'10\\..*\', action: keep}\n'],
    ['a templated target before the filter', '      - {source_labels: [__meta_kubernetes_pod_phase], regex: "(.*)", target_label: "__meta_kubernetes_pod_container_${1}", replacement: "x"}\n      - {source_labels: [__meta_kubernetes_pod_container_Running], regex: x, action: drop}\n'],
    ['a labeldrop before the filter', '      - {regex: __meta_kubernetes_pod_phase, action: labeldrop}\n      - {source_labels: [__meta_kubernetes_pod_phase], regex: "", action: keep}\n'],
  ])('%s', (_name, rules) => {
    const agents = [agentFromConfigFile(config(rules))];
    const early = previewCluster(agents, snapshot);
    const inOrder = previewCluster(agents, snapshot, { keepSteps: true });
    expect(early.targets).toEqual(inOrder.targets);
    expect(early.droppedCounts).toEqual(inOrder.droppedCounts);
    expect(early.targets.length).toBeGreaterThan(0);
  });
});

describe('labels named like Object.prototype members', () => {
  it('a filter on a missing label named toString or constructor sees the empty string, in the shortcut and rule-by-rule paths alike', () => {
    const snapshot = syntheticCluster({ nodes: 2, podsPerNode: 4 });
    const config = (first: string) => `scrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs: [{role: pod}]\n    relabel_configs:\n${first}      - {source_labels: [__meta_kubernetes_pod_phase], regex: Running, action: keep}\n`;
    const plain = previewCluster([agentFromConfigFile(config(''))], snapshot);
    expect(plain.targets.length).toBeGreaterThan(0);
    for (const name of ['toString', 'constructor', '__proto__']) {
      const agents = [agentFromConfigFile(config(`      - {source_labels: [${name}], regex: '', action: keep}\n`))];
      expect(previewCluster(agents, snapshot).targets).toEqual(plain.targets);
      expect(previewCluster(agents, snapshot, { keepSteps: true }).targets).toEqual(previewCluster([agentFromConfigFile(config(''))], snapshot, { keepSteps: true }).targets);
    }
  });
});

describe('k8smon targets / check (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8smon-targets-'));
  const snapshotFile = join(dir, 'cluster.json');
  writeFileSync(snapshotFile, JSON.stringify(clusterFor(renderBundle({ preset: 'kubeadm', sets: [] }, {}).objects)));
  /** An agent config file in the test's directory, from its lines; its path. */
  const configFile = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };

  it('prints targets as JSON in the documented shape', async () => {
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['targets', 'dropped', 'problems']);
    expect(out.targets[0]).toEqual({ job: expect.any(String), agent: expect.any(String), url: expect.any(String), labels: expect.any(Object), discoveredLabels: expect.any(Object) });
    expect(out.dropped['kubernetes-pods']).toBeGreaterThan(0);
  });

  it('--node shows what one node\'s agent scrapes', async () => {
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--node', 'node-3', '-o', 'json']);
    const out = JSON.parse(r.stdout);
    expect(new Set(out.targets.map((t: any) => t.agent))).toEqual(new Set(['daemonset/k8smon-agent-node/node-3']));
  });

  it('--job shows that job alone, and its problems only', async () => {
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--job', 'kubelet']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('  '))).toEqual(['kubelet  6 active, 0 dropped']);
    const twoJobs = join(dir, 'two-jobs.yaml');
    writeFileSync(twoJobs, 'scrape_configs:\n  - job_name: nodes\n    kubernetes_sd_configs: [{role: node}]\n  - job_name: empty\n    kubernetes_sd_configs: [{role: pod, namespaces: {names: [nowhere]}}]\n');
    expect((await runCli(['targets', '--config', twoJobs, '--snapshot', snapshotFile])).stderr).toMatch(/\[no-targets\] job empty has no targets/);
    const alone = await runCli(['targets', '--config', twoJobs, '--snapshot', snapshotFile, '--job', 'nodes']);
    expect(alone.stdout).toMatch(/^nodes  6 active, 0 dropped\n/);
    expect(alone.stderr).toBe('');
  });

  it('a mistyped --job is reported before the snapshot is read, with the jobs there are', async () => {
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', join(dir, 'not-there.json'), '--job', 'kubelets']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Unknown job\.\n\s+--job: no job "kubelets" \(did you mean "kubelet"\?\); jobs: kubelet, kubelet-cadvisor, /);
  });

  it('a snapshot without nodes still lists the node agent\'s jobs, and warns that they have no targets', async () => {
    const noNodes = join(dir, 'no-nodes.json');
    writeFileSync(noNodes, JSON.stringify({ ...JSON.parse(readFileSync(snapshotFile, 'utf8')), nodes: [] }));
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', noNodes]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^kubelet  0 active, 0 dropped\n/);
    expect(r.stderr).toMatch(/\[no-targets\] job kubelet has no targets/);
  });

  it.each([
    ['[]', /cluster\.json: must be an object keyed by resource/],
    ['{"pods": {"items": []}}', /cluster\.json: pods: must be a list of pods/],
    ['{"pods": [{"metadata": {}}]}', /cluster\.json: pods\[0\]\.metadata\.name: must be a string/],
    ['{"nodes": [null]}', /cluster\.json: nodes\[0\]: must be an object/],
    ['{"apiVersions": "v1"}', /cluster\.json: apiVersions: must be a list of strings/],
  ])('rejects a malformed snapshot %s naming what is wrong (exit 2, no output)', async (text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'k8smon-badsnap-')), 'cluster.json');
    writeFileSync(file, text);
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Not a snapshot\./);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a --node the snapshot does not have is an error naming its nodes, not an empty preview', async () => {
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--node', 'node-33']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--node: no node named "node-33" or with that address in the snapshot \(did you mean "node-3"\?\); its 6 nodes: node-0, node-1, node-2, node-3, node-4 and 1 more/);
  });

  it('--node also takes a node\'s address, and says which node that is', async () => {
    const byName = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--node', 'node-3', '-o', 'json']);
    const byAddress = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--node', '10.0.0.3', '-o', 'json']);
    expect(byAddress.exitCode).toBe(0);
    expect(byAddress.stderr).toMatch(/--node 10\.0\.0\.3: the address of node node-3/);
    expect(JSON.parse(byAddress.stdout)).toEqual(JSON.parse(byName.stdout));
  });

  it('--explain shows every relabel step and the rule that dropped a target', async () => {
    const pending = JSON.parse(readFileSync(snapshotFile, 'utf8')).pods.find((p: any) => p.status.phase === 'Succeeded' && p.metadata.annotations['prometheus.io/scrape'] === undefined && p.status.podIP);
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--job', 'kubernetes-pods', '--explain', pending.metadata.name]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/DROPPED — dropped by relabel rule 0\n {2}discovered labels: \{.*"__meta_kubernetes_pod_phase":"Succeeded".*\}\n {2}rule 0: .*"keep".*Running.*\n\s+dropped the target \(__meta_kubernetes_pod_phase="Succeeded"\)/);
  });

  it('--explain shows the steps of a kept target too, and with -o json every step\'s labels before and after', async () => {
    const text = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--job', 'kubelet', '--explain', 'node-2']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^kubelet on daemonset\/k8smon-agent-node\/node-2: kept → https:\/\/10\.0\.0\.2:10250\/metrics\n {2}discovered labels: .*\n {2}rule 0: \{"action":"labelmap".*\n {4}changed: \{.*"kubernetes_io_hostname":"node-2".*\}\n/);
    expect(text.stdout).toMatch(/\n {2}final labels: \{.*"node":"node-2".*\}\n$/);
    const json = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--job', 'kubelet', '--explain', 'node-2', '-o', 'json']);
    const { explained } = JSON.parse(json.stdout);
    expect(explained).toHaveLength(1);
    const [kept] = explained;
    expect(kept).toMatchObject({ job: 'kubelet', agent: 'daemonset/k8smon-agent-node/node-2', outcome: 'kept', url: 'https://10.0.0.2:10250/metrics' });
    expect(kept.steps.length).toBeGreaterThan(1);
    expect(kept.steps[0].before).toEqual(kept.discoveredLabels);
    // Each rule starts from what the one before it left.
    for (let i = 1; i < kept.steps.length; i++) expect(kept.steps[i].before).toEqual(kept.steps[i - 1].after);
    expect(kept.steps.at(-1).after.node).toBe('node-2');
  });

  it('--explain of a pod that has no IP yet says so, instead of only "no such target"', async () => {
    const pending = JSON.parse(readFileSync(snapshotFile, 'utf8')).pods.find((p: any) => p.status.phase === 'Pending');
    const r = await runCli(['targets', '--profile', 'kubeadm', '--snapshot', snapshotFile, '--explain', pending.metadata.name]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`pod ${pending.metadata.namespace}/${pending.metadata.name} has no IP yet (phase Pending), and pod discovery gives a pod no target until it has one`);
    expect(r.stdout).toBe('');
  });

  it('check -o json puts the counts and problems on stdout for CI, with the same exit codes', async () => {
    const sound = await runCli(['check', '--profile', 'kubeadm', '--snapshot', snapshotFile, '-o', 'json']);
    expect(sound.exitCode).toBe(0);
    const report = JSON.parse(sound.stdout);
    expect(Object.keys(report)).toEqual(['targets', 'scrapes', 'errors', 'warnings', 'problems']);
    expect(report).toMatchObject({ errors: 0 });
    expect(report.targets).toBeGreaterThan(0);
    const handMade = new URL('../examples/hand-made-agent.yaml', import.meta.url).pathname;
    const broken = await runCli(['check', '--config', handMade, '--namespace', 'monitoring', '--snapshot', snapshotFile, '-o', 'json']);
    expect(broken.exitCode).toBe(1);
    const brokenReport = JSON.parse(broken.stdout);
    expect(brokenReport.errors).toBe(brokenReport.problems.filter((p: { severity: string }) => p.severity === 'error').length);
    expect(brokenReport.scrapes).toBeGreaterThan(brokenReport.targets);
    expect(broken.stderr).not.toMatch(/\[scraped-more-than-once\]/); // the problems are in the JSON, not repeated on stderr
    expect(broken.stderr).toMatch(/problem\(s\) would break this deployment/);
    expect((await runCli(['check', '--profile', 'kubeadm', '--snapshot', snapshotFile, '-o', 'yaml'])).exitCode).toBe(2);
  });

  it('check exits 0 on a sound render and 1 when a rule fails', async () => {
    expect((await runCli(['check', '--profile', 'kubeadm', '--snapshot', snapshotFile])).exitCode).toBe(0);
    const seedStyle = join(dir, 'agent.yaml');
    writeFileSync(seedStyle, 'scrape_configs:\n  - job_name: kubelet\n    scheme: https\n    kubernetes_sd_configs: [{role: node}]\n    relabel_configs:\n      - {target_label: __address__, replacement: "kubernetes.default.svc:443"}\n');
    const r = await runCli(['check', '--config', seedStyle, '--snapshot', snapshotFile]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/\[colliding-label-sets\]|\[scraped-more-than-once\]/);
  });

  it('reports a malformed selector in an agent config as a problem of that job, not a crash', async () => {
    const bad = configFile('bad-selector.yaml', ['scrape_configs:', '  - job_name: pods', '    kubernetes_sd_configs: [{role: pod, selectors: [{role: pod, label: "app in (web"}]}]']);
    const r = await runCli(['check', '--config', bad, '--snapshot', snapshotFile]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/\[invalid-sd-config\] .* job pods: kubernetes_sd_configs: invalid label selector "app in \(web"/);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('says once, not once per node, what is wrong in a DaemonSet-style config, and does not add "no targets" to it', async () => {
    const bad = configFile('bad-node-agent.yaml', [
      hostFilteredKubelet(['          kubernetes_sd_configs: [{role: node}]', '          relabel_configs: [{source_labels: [__address__], regex: "(?!x).*", action: keep}]']),
    ]);
    const r = await runCli(['targets', '--config', bad, '--snapshot', snapshotFile]);
    expect(r.stderr.match(/\[invalid-relabel\]/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/\[invalid-relabel\] .* job kubelet: relabel_configs: relabel rule 0: invalid regex "\(\?!x\)\.\*"/);
    expect(r.stderr).not.toMatch(/no-targets/);
  });

  it('says which service discoveries of a job it does not run, instead of "no targets"', async () => {
    const config = configFile('file-sd.yaml', [
      'scrape_configs:',
      '  - job_name: files',
      '    file_sd_configs: [{files: [/etc/targets/*.json]}]',
      '    consul_sd_configs: [{server: "localhost:8500"}]',
      '  - job_name: mixed',
      '    file_sd_configs: [{files: [/etc/targets/*.json]}]',
      '    static_configs: [{targets: ["a:9100"]}]',
      '  - job_name: empty-static',
      '    static_configs: [{targets: []}]',
    ]);
    const r = await runCli(['targets', '--config', config, '--snapshot', snapshotFile, '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const problems = JSON.parse(r.stdout).problems as { severity: string; rule: string; message: string }[];
    expect(problems).toEqual([
      { severity: 'warning', rule: 'not-previewed', message: expect.stringMatching(/job files: file_sd_configs, consul_sd_configs not previewed/) },
      { severity: 'warning', rule: 'not-previewed', message: expect.stringMatching(/job mixed: file_sd_configs not previewed/) },
      { severity: 'warning', rule: 'no-targets', message: 'job empty-static has no targets in this snapshot' },
    ]);
    expect(JSON.parse(r.stdout).targets.map((t: { url: string }) => t.url)).toEqual(['http://a:9100/metrics']);
  });

  it('namespaces.own_namespace discovers the namespace --namespace names for a --config agent, and says how when it is missing', async () => {
    const config = configFile('own-namespace.yaml', ['scrape_configs:', '  - job_name: mine', '    kubernetes_sd_configs: [{role: pod, namespaces: {own_namespace: true}}]']);
    const r = await runCli(['targets', '--config', config, '--namespace', 'team-3', '--snapshot', snapshotFile, '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const namespaces = new Set(JSON.parse(r.stdout).targets.map((t: { discoveredLabels: Record<string, string> }) => t.discoveredLabels.__meta_kubernetes_namespace));
    expect([...namespaces]).toEqual(['team-3']);
    const missing = await runCli(['check', '--config', config, '--snapshot', snapshotFile]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/\[invalid-sd-config\] .* job mine: kubernetes_sd_configs: namespaces\.own_namespace: the namespace the agent runs in is not known \(for an agent config file, pass --namespace\)/);
    const withProfile = await runCli(['targets', '--profile', 'kubeadm', '--namespace', 'team-3', '--snapshot', snapshotFile]);
    expect(withProfile.exitCode).toBe(2);
    expect(withProfile.stderr).toMatch(/--namespace: goes with --config/);
    expect(withProfile.stdout).toBe('');
  });

  describe('--config with the manifests of a deployment made by hand (the field notes\' grafana-agent)', () => {
    const handMade = new URL('../examples/hand-made-agent.yaml', import.meta.url).pathname;
    const expectFieldNoteMistakes = (r: { exitCode: number; stdout: string; stderr: string }) => {
      expect(r.exitCode).toBe(1);
      // Every agent pod scrapes every kubelet: each kubelet is scraped once per agent pod. Three are shown, the rest summed up.
      // The DaemonSet tolerates no taint: it runs on the two untainted nodes only, and leaves the rest unscraped by itself.
      expect(r.stderr.match(/\[scraped-more-than-once\] job integrations\/kubernetes\/kubelet: https:\/\/10\.0\.0\.\d+:10250\/metrics is scraped 2 times \(by daemonset\/grafana-agent\/\* \(each of its 2 pods\)\)/g)).toHaveLength(3);
      expect(r.stderr).toMatch(/\[scraped-more-than-once\] job integrations\/kubernetes\/kubelet: 3 more targets are scraped more than once \(6 in all\)/);
      expect(r.stderr).toMatch(/\[node-not-covered\] node node-0: daemonset\/grafana-agent does not run there \(the taint node-role\.kubernetes\.io\/control-plane:NoSchedule is not tolerated\)/);
      expect(r.stderr).toMatch(/\[node-not-covered\] node node-3: daemonset\/grafana-agent does not run there \(the taint nvidia\.com\/gpu=present:NoSchedule is not tolerated\)/);
      expect(r.stderr).toMatch(/\[rbac-forbidden\] daemonset\/grafana-agent job integrations\/kubernetes\/kubelet: get nodes\/metrics is not granted/);
      expect(r.stderr).toMatch(/\[rbac-excess\] daemonset\/grafana-agent \(ServiceAccount monitoring\/grafana-agent\) may get nodes\/proxy, which no job of it scrapes through/);
      expect(r.stderr).toMatch(/\[rbac-excess\] daemonset\/grafana-agent \(ServiceAccount monitoring\/grafana-agent\) may read Secrets/);
      expect(r.stderr).toMatch(/\[credentials-in-config\] daemonset\/grafana-agent: metrics\.configs\[k8s\]\.remote_write\[0\]\.basic_auth\.password is written into the agent config in plain text/);
      expect(r.stderr + r.stdout).not.toContain('plaintext-secret-in-configmap');
      expect(r.stderr).toMatch(/\[service-not-found\] job kubernetes-services: http:\/\/blackbox-exporter\.default\.svc\.cluster\.local:9115\/probe\?.* names Service default\/blackbox-exporter, which neither the cluster nor the render has/);
      // Every probe target becomes instance=<the exporter>: the seed's missing instance rewrite.
      expect(r.stderr).toMatch(/\[colliding-label-sets\] \d+ targets end with the same labels \{"instance":"blackbox-exporter\.default\.svc\.cluster\.local:9115","job":"kubernetes-services"\}/);
    };

    it('finds the DaemonSet agent and its ConfigMap, places them in --namespace, and reports both mistakes', async () => {
      const r = await runCli(['check', '--config', handMade, '--namespace', 'monitoring', '--snapshot', snapshotFile]);
      expectFieldNoteMistakes(r);
      expect(r.stdout).toMatch(/^\d+ targets \(\d+ scrapes\), \d+ errors, \d+ warnings\n$/);
      const table = await runCli(['targets', '--config', handMade, '--namespace', 'monitoring', '--snapshot', snapshotFile]);
      expect(table.stdout).toMatch(/^integrations\/kubernetes\/kubelet {2}6 active \(12 scrapes\), 0 dropped\n {2}daemonset\/grafana-agent\/\* {2}https:\/\/10\.0\.0\.0:10250\/metrics /);
      // The ClusterRoleBinding names the ServiceAccount in monitoring: placed there, discovery is allowed.
      expect(r.stderr).not.toMatch(/list nodes is not granted/);
      const elsewhere = await runCli(['check', '--config', handMade, '--snapshot', snapshotFile]);
      expect(elsewhere.stderr).toMatch(/list nodes is not granted to ServiceAccount default\/grafana-agent \(a 403 at run time\); ClusterRoleBinding grafana-agent binds ServiceAccount monitoring\/grafana-agent: were these manifests meant for namespace monitoring\?/);
    });

    it('reads the same objects as the List `kubectl get -o yaml` prints', async () => {
      const items = parseAllDocuments(readFileSync(handMade, 'utf8')).map((d) => d.toJS());
      const list = configFile('as-list.yaml', [JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.kind.startsWith('Cluster') ? undefined : 'monitoring' } })) })]);
      expectFieldNoteMistakes(await runCli(['check', '--config', list, '--snapshot', snapshotFile]));
    });

    it('says so when the manifests hold no agent, or are not YAML (exit 2)', async () => {
      const noAgent = configFile('no-agent.yaml', ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: x}', 'data: {a: b}']);
      const r = await runCli(['targets', '--config', noAgent, '--snapshot', snapshotFile]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/no-agent\.yaml: no agent among its 1 manifests \(a DaemonSet, Deployment or StatefulSet whose container reads its config file from a ConfigMap it mounts/);
      const broken = configFile('broken.yaml', ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: [x}']);
      const b = await runCli(['targets', '--config', broken, '--snapshot', snapshotFile]);
      expect(b.exitCode).toBe(2);
      expect(b.stderr).toMatch(/not YAML/);
      expect(b.stdout).toBe('');
    });
  });

  it.each([
    ['left a backslash (\\${1} in a quoted heredoc)', '/api/v1/nodes/\\${1}/proxy/metrics', /\/nodes\/%5Cnode-0\/proxy\/metrics \(and 5 more\) holds a backslash/],
    ['ate ${1} (an unquoted heredoc)', '/api/v1/nodes//proxy/metrics', /\/nodes\/\/proxy\/metrics \(and 5 more\) has an empty segment \(\/\/\)/],
    ['left nothing wrong', '/api/v1/nodes/${1}/proxy/metrics', undefined],
  ])('flags a kubelet proxy path where the shell %s', async (_, replacement, expected) => {
    const config = configFile(`proxy-${replacement.length}.yaml`, [
      'scrape_configs:',
      '  - job_name: kubelet',
      '    scheme: https',
      '    kubernetes_sd_configs: [{role: node}]',
      '    relabel_configs:',
      '      - {target_label: __address__, replacement: "kubernetes.default.svc:443"}',
      `      - {source_labels: [__meta_kubernetes_node_name], regex: "(.+)", target_label: __metrics_path__, replacement: '${replacement}'}`,
    ]);
    const r = await runCli(['targets', '--config', config, '--snapshot', snapshotFile, '-o', 'json']);
    const suspicious = (JSON.parse(r.stdout).problems as { rule: string; message: string }[]).filter((p) => p.rule === 'suspicious-scrape-path');
    if (expected === undefined) expect(suspicious).toEqual([]);
    else expect(suspicious.map((p) => p.message)).toEqual([expect.stringMatching(expected)]);
  });

  it('snapshot captures the resources discovery reads through kubectl', async () => {
    const fake = join(dir, 'bin');
    execFileSync('mkdir', ['-p', fake]);
    writeFileSync(join(fake, 'kubectl'), '#!/bin/sh\ncase "$*" in *api-versions*) echo v1; echo apps/v1; exit 0;; esac\necho \'{"items":[{"metadata":{"name":"x","managedFields":[1]}}]}\'\n', { mode: 0o755 });
    const r = await runCli(['snapshot', '--context', 'c'], { env: { PATH: `${fake}:${process.env.PATH}` } });
    expect(r.exitCode).toBe(0);
    const snap = JSON.parse(r.stdout);
    expect(Object.keys(snap)).toEqual(['nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'ingresses', 'namespaces', 'replicasets', 'jobs', 'apiVersions']);
    expect(snap.nodes).toEqual([{ metadata: { name: 'x' } }]);
    expect(snap.apiVersions).toEqual(['apps/v1', 'v1']);
  });
});

describe('layering', () => {
  it('the runtime never imports the render layer (or the CLI)', () => {
    const root = new URL('../src/runtime/', import.meta.url).pathname;
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      expect(text, f).not.toMatch(/from '(\.\.\/)+(render|cli|model|profile)\//);
    }
  });

  it('is importable as k8smon/runtime from a project that depends on k8smon', () => {
    const project = mkdtempSync(join(tmpdir(), 'k8smon-consumer-'));
    execFileSync('mkdir', ['-p', join(project, 'node_modules')]);
    execFileSync('ln', ['-s', new URL('..', import.meta.url).pathname, join(project, 'node_modules', 'k8smon')]);
    writeFileSync(join(project, 'index.mjs'), "import { relabel, discover } from 'k8smon/runtime';\nconsole.log(JSON.stringify(relabel({ a: 'x' }, [{ source_labels: ['a'], target_label: 'b' }])), typeof discover);\n");
    expect(execFileSync(process.execPath, ['index.mjs'], { cwd: project, encoding: 'utf8' }).trim()).toBe('{"a":"x","b":"x"} function');
  });
});

describe('k8smon targets without a cluster', () => {
  it('says to pass --snapshot when kubectl has no current context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-nocluster-'));
    writeFileSync(join(dir, 'kubectl'), '#!/bin/sh\necho "error: current-context is not set" >&2\nexit 1\n', { mode: 0o755 });
    const r = await runCli(['targets', '--profile', 'eks'], { env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--snapshot: not given, and kubectl has no current context/);
  });
});
