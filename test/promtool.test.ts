/** Every preset's agent scrape configs pass the real `promtool check config` (Debian package prometheus). */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { AGENT_KIND_NAMES, AGENT_KINDS } from '../src/agents/registry.js';
import { renderBundle } from '../src/pipeline.js';
import { newSandbox, promtoolCheckConfig, promtoolConfig, referencedFiles } from './support/promtool.js';
import { agentConfigAsRead, findObject, renderVariants } from './support/render.js';

const AGENTS = ['k8smon-agent-node', 'k8smon-agent-cluster'];

/** promtool's verdict per config as read: kinds that write the same config (embedded reads the prometheus kind's) run it once. */
const verdicts = new Map<string, ReturnType<typeof promtoolCheckConfig>>();
function checkAsRead(read: ReturnType<typeof agentConfigAsRead>): ReturnType<typeof promtoolCheckConfig> {
  const key = JSON.stringify(read);
  let verdict = verdicts.get(key);
  if (verdict === undefined) verdicts.set(key, (verdict = promtoolCheckConfig(promtoolConfig(read, newSandbox()))));
  return verdict;
}

describe.each(renderVariants(AGENT_KIND_NAMES))('promtool check config (every agent kind, the config as the agent on a node reads it): $name', ({ preset, sets, env }) => {
  const { objects } = renderBundle({ preset, sets }, env);

  it.each(AGENTS)('%s config passes promtool', (agent) => {
    const result = checkAsRead(agentConfigAsRead(objects, agent));
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  it.each(AGENTS)('%s reads only files its pod mounts', (agent) => {
    const workload = objects.find((o) => (o.kind === 'DaemonSet' || o.kind === 'Deployment') && o.metadata.name === agent)!;
    const pod = (workload.spec as any).template.spec;
    const mounts: { name: string; mountPath: string }[] = pod.containers[0].volumeMounts;
    for (const file of referencedFiles(agentConfigAsRead(objects, agent))) {
      if (file.startsWith('/var/run/secrets/kubernetes.io/serviceaccount/')) {
        expect(pod.automountServiceAccountToken).toBe(true);
        continue;
      }
      const mount = mounts.find((m) => file.startsWith(`${m.mountPath}/`));
      expect(mount, `${file} is not under any volumeMount`).toBeDefined();
      const volume = pod.volumes.find((v: { name: string }) => v.name === mount!.name);
      const key = file.slice(mount!.mountPath.length + 1);
      expect(volume.secret.items.map((i: { path: string }) => i.path)).toContain(key);
      if (volume.secret.secretName === 'k8smon-remote-write') {
        expect(Object.keys(findObject(objects, 'Secret', 'k8smon-remote-write').data as object)).toContain(key);
      }
    }
  });
});

describe('the promtool check itself', () => {
  it('fails on a broken scrape config (so the checks above can fail)', () => {
    const result = promtoolCheckConfig({ scrape_configs: [{ job_name: 'x', relabel_configs: [{ action: 'replace', regex: '(' }] }] });
    expect(result.ok).toBe(false);
  });
});

describe('promtool check config: in-cluster Prometheus', () => {
  it('its prometheus.yml passes promtool', () => {
    const { objects } = renderBundle({ preset: 'k3s' }, {});
    const text = (findObject(objects, 'ConfigMap', 'k8smon-prometheus').data as Record<string, string>)['prometheus.yml']!;
    const result = promtoolCheckConfig(parseYaml(text));
    expect(result.output).toContain('SUCCESS');
  });
});

describe.each(AGENT_KIND_NAMES.filter((k) => AGENT_KINDS.find((a) => a.name === k)!.shardable))('promtool check config, cluster agent with 3 shards (%s)', (kind) => {
  it('passes promtool as its replica k8smon-agent-cluster-0 reads it, the sharding rules included', () => {
    const { objects } = renderBundle({ preset: 'eks', sets: [`agent.kind=${kind}`, 'agent.cluster.shards=3'] }, {});
    const read = agentConfigAsRead(objects, 'k8smon-agent-cluster');
    expect(JSON.stringify(read.scrape_configs)).toContain('"replacement":"k8smon-agent-cluster-0"');
    expect(JSON.stringify(read.scrape_configs)).toContain('"action":"hashmod"');
    const result = promtoolCheckConfig(promtoolConfig(read, newSandbox()));
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});

describe.each(AGENT_KIND_NAMES.flatMap((kind) => [10, 500, 2000, 5000].map((nodes) => [kind, nodes] as const)))('promtool check config, %s on cluster.nodes=%i (shards and kube-state-metrics shards as derived)', (kind, nodes) => {
  const { objects } = renderBundle({ preset: 'eks', sets: [`agent.kind=${kind}`, `cluster.nodes=${nodes}`] }, {});
  it.each(AGENTS)('%s config passes promtool', (agent) => {
    const result = promtoolCheckConfig(promtoolConfig(agentConfigAsRead(objects, agent), newSandbox()));
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});
