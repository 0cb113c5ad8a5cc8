/**
 * The agent-kind seam: the registry is the only list of kinds, every kind
 * renders and is read back by the preview, and the prometheus kind (the
 * default) deploys Prometheus agent mode behind prometheus-config-reloader.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { agentFromConfigFile, agentsFromManifests } from '../src/agents/find.js';
import { configForReloader, reloaderEnvsubst } from '../src/agents/prometheus/envsubst.js';
import { AGENT_KIND_NAMES, AGENT_KINDS, DEFAULT_AGENT_KIND } from '../src/agents/registry.js';
import { builtInDefaults } from '../src/profile/defaults.js';
import { profileSchema } from '../src/profile/schema.js';
import { renderBundle } from '../src/pipeline.js';
import { previewCluster } from '../src/runtime/preview/preview.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';
import { runCli } from './support/cli.js';
import { agentConfigAsRead, findObject, PRESETS } from './support/render.js';

const SRC = new URL('../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? sourceFiles(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
}

describe('the registry of agent kinds', () => {
  it('feeds the profile schema enum and the default', () => {
    expect((profileSchema.properties.agent.properties.kind as { enum: string[] }).enum).toEqual(AGENT_KIND_NAMES);
    expect(builtInDefaults().agent.kind).toBe(DEFAULT_AGENT_KIND);
    expect(DEFAULT_AGENT_KIND).toBe('prometheus');
  });

  it('is the only list of kinds: no source outside src/agents/ names one', () => {
    const kindLiteral = new RegExp(`kind\\s*===\\s*'(${AGENT_KIND_NAMES.join('|')})'`);
    for (const file of sourceFiles(SRC).filter((f) => !f.startsWith(join(SRC, 'agents')))) {
      // Image names are their own vocabulary: `prometheus` and `alloy` name images as well as kinds.
      const text = readFileSync(file, 'utf8').replace(/export const IMAGE_NAMES = \[[^\]]*\]/, '');
      for (const name of AGENT_KIND_NAMES) {
        // A kind named as a string literal outside its folder is a branch on the kind (or a second list of them).
        expect(text.includes(`'${name}'`) && name !== 'prometheus' ? file : '').toBe('');
      }
      expect(/agent\.kind\s*===|agentKind\s*===/.test(text) || kindLiteral.test(text) ? file : '').toBe('');
    }
  });

  it('has one folder per kind, each exporting its kind from index.ts', () => {
    const folders = readdirSync(join(SRC, 'agents')).filter((f) => statSync(join(SRC, 'agents', f)).isDirectory() && f !== 'shared');
    expect(folders.sort()).toEqual([...AGENT_KIND_NAMES].sort());
  });

  it('offers the kinds to init in registry order, the default first', async () => {
    const r = await runCli(['schema']);
    const kind = JSON.parse(r.stdout).properties.agent.properties.kind;
    expect(kind.enum).toEqual(AGENT_KIND_NAMES);
    expect(kind.description).toContain(AGENT_KINDS[0]!.title);
  });
});

describe.each(AGENT_KIND_NAMES)('agent kind %s', (kindName) => {
  const kind = AGENT_KINDS.find((k) => k.name === kindName)!;

  it.each(PRESETS)('renders %s and the preview reads both agents back as this kind, with its semantics', (preset) => {
    const { objects } = renderBundle({ preset, sets: [`agent.kind=${kindName}`] }, {});
    const agents = agentsFromManifests(objects);
    expect(agents.map((a) => [a.name, a.kind, a.semantics, a.perNode])).toEqual([
      ['daemonset/k8smon-agent-node', kindName, kind.semantics, true],
      ['deployment/k8smon-agent-cluster', kindName, kind.semantics, false],
    ]);
  });

  it.each(PRESETS)('%s: keeps every node\'s kubelet and cAdvisor to the agent on that node, in both kubelet modes', (preset) => {
    for (const access of ['direct', 'proxy']) {
      const { objects } = renderBundle({ preset, sets: [`agent.kind=${kindName}`, `kubelet.access=${access}`] }, {});
      const snapshot = syntheticCluster({ nodes: 4, podsPerNode: 3, workloads: objects as never });
      const preview = previewCluster(agentsFromManifests(objects), snapshot);
      for (const job of ['kubelet', 'kubelet-cadvisor']) {
        const targets = preview.targets.filter((t) => t.job === job);
        expect(targets.map((t) => t.labels.node).sort()).toEqual(snapshot.nodes!.map((n) => n.metadata.name).sort());
        for (const t of targets) expect(t.agent).toBe(`daemonset/k8smon-agent-node/${t.labels.node}`);
      }
      expect(preview.problems.filter((p) => p.severity === 'error')).toEqual([]);
    }
  });
});

describe('agent.kind: prometheus (the default)', () => {
  const { objects, notices } = renderBundle({ preset: 'eks', sets: ['remoteWrite[0].url=https://m.example/push', 'remoteWrite[0].basicAuth.username=u', 'remoteWrite[0].basicAuth.passwordFrom.env=PW'] }, { PW: 's3cret-pw' });
  const pod = (name: string, kind: string): any => (findObject(objects, kind, name).spec as any).template.spec;

  it('runs Prometheus in agent mode with its args in full and agent storage on an emptyDir', () => {
    for (const [name, kind] of [['k8smon-agent-node', 'DaemonSet'], ['k8smon-agent-cluster', 'Deployment']] as const) {
      const spec = pod(name, kind);
      const prom = spec.containers.find((c: any) => c.name === 'prometheus');
      expect(prom.image).toBe('quay.io/prometheus/prometheus:v3.13.2');
      expect(prom.args).toContain('--agent');
      expect(prom.args).toContain('--storage.agent.path=/prometheus');
      expect(prom.args).toContain('--config.file=/etc/prometheus/config_out/prometheus.env.yaml');
      expect(prom.args.some((a: string) => a.startsWith('--storage.tsdb'))).toBe(false);
      expect(prom.readinessProbe.httpGet.path).toBe('/-/ready');
      expect(prom.livenessProbe.httpGet.path).toBe('/-/healthy');
      expect(spec.volumes).toContainEqual({ name: 'storage', emptyDir: {} });
      // The reloader writes the first config before Prometheus starts, and reloads it after.
      expect(spec.initContainers.map((c: any) => [c.name, c.args[0]])).toEqual([['init-config-reloader', '--watch-interval=0']]);
      const sidecar = spec.containers.find((c: any) => c.name === 'config-reloader');
      expect(sidecar.args).toContain('--reload-url=http://127.0.0.1:9090/-/reload');
      expect(prom.args).toContain('--web.enable-lifecycle');
      const nodeEnv = (c: any) => (c.env ?? []).find((e: any) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath;
      expect(nodeEnv(sidecar)).toBe(kind === 'DaemonSet' ? 'spec.nodeName' : undefined);
      expect(nodeEnv(spec.initContainers[0])).toBe(kind === 'DaemonSet' ? 'spec.nodeName' : undefined);
    }
  });

  it('keeps credentials in the Secret, read through *_file fields', () => {
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) expect(JSON.stringify(cm)).not.toContain('s3cret-pw');
    expect(agentConfigAsRead(objects, 'k8smon-agent-cluster').remote_write[0]).toMatchObject({ basic_auth: { username: 'u', password_file: expect.stringMatching(/^\/etc\/k8smon\/secrets\//) } });
  });

  it('says nothing of end of life', () => {
    expect(notices.map((n) => n.message).join('\n')).not.toMatch(/end of life/);
  });
});

describe('agent.kind: grafana-agent', () => {
  it('still renders, with a one-line end-of-life notice that says how to switch', async () => {
    const { notices, objects } = renderBundle({ preset: 'eks', sets: ['agent.kind=grafana-agent'] }, {});
    expect(findObject(objects, 'ConfigMap', 'k8smon-agent-node').data).toHaveProperty(['agent.yaml']);
    const eol = notices.filter((n) => /end of life/.test(n.message));
    expect(eol).toEqual([{ path: 'agent.kind', message: expect.stringMatching(/grafana-agent is end of life since 2025-11-01; .*agent\.kind: prometheus/) }]);
    const r = await runCli(['render', '--profile', 'eks', '--set', 'agent.kind=grafana-agent']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /end of life/.test(l))).toHaveLength(1);
  });

  it('is refused under another name, with the kinds the registry knows', async () => {
    const r = await runCli(['render', '--profile', 'eks', '--set', 'agent.kind=prometheus-agent']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`agent.kind: must be one of: ${AGENT_KIND_NAMES.join(', ')}`);
  });
});

/** Strings that look like the reloader's references, YAML syntax and escapes. */
const hostile = fc
  .array(fc.constantFrom('$(NODE_NAME)', '$(POD_NAME)', '$(X)', '$(', ')', '$$', '$', '\\x24', '\\', '"', "'", ': ', '#', '\n', '${1}', 'K8SMONREF0X', 'é', '{', '}'), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.join(''));

describe('the prometheus kind\'s config through prometheus-config-reloader', () => {
  it('keeps every user string exactly, however much it looks like $(NAME), while $(NODE_NAME) stays live (property-based)', () => {
    const env = new Map([['NODE_NAME', 'node-7'], ['POD_NAME', 'agent-x'], ['X', 'ex']]);
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const text = configForReloader((ref) => ({ [a]: b, list: [a, `${b}:${ref('NODE_NAME')}`] }));
        const read = parseYaml(reloaderEnvsubst(text, (n) => env.get(n)));
        expect(read).toEqual({ [a]: b, list: [a, `${b}:node-7`] });
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a user regex holding $(X) intact through render and reloader', () => {
    const regex = 'foo_$(NODE_NAME)|bar';
    const { objects } = renderBundle({ preset: 'eks', sets: [`components.kubelet.metrics.keep[0]=${regex}`, 'cluster.name=prod$(NODE_NAME)$x'] }, {});
    const config = agentConfigAsRead(objects, 'k8smon-agent-node', 'node-a');
    const kubelet = config.scrape_configs.find((sc) => sc.job_name === 'kubelet')!;
    expect(JSON.stringify(kubelet.metric_relabel_configs)).toContain('foo_$(NODE_NAME)|bar');
    expect(config.global.external_labels.cluster).toBe('prod$(NODE_NAME)$x');
    expect(kubelet.kubernetes_sd_configs[0].selectors).toEqual([{ role: 'node', field: 'metadata.name=node-a' }]);
  });

  it('reads a plain prometheus.yml that names $(NODE_NAME) as a DaemonSet config', () => {
    const agent = agentFromConfigFile('scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{role: node, selectors: [{role: node, field: "metadata.name=$(NODE_NAME)"}]}]\n');
    expect([agent.kind, agent.perNode, agent.semantics]).toEqual(['prometheus', true, 'prometheus-3']);
    expect(agent.read('n1').scrapeConfigs[0]!.kubernetes_sd_configs![0]!.selectors).toEqual([{ role: 'node', field: 'metadata.name=n1' }]);
  });
});
