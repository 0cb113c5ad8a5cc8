/** README stays true: its example profile renders, and every preset and component it names exists. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderBundle } from '../src/pipeline.js';
import { buildModel } from '../src/model/build.js';
import { presetNames } from '../src/profile/presets.js';
import { resolveProfileDocument } from '../src/profile/resolve.js';
import { COMPONENT_NAMES } from '../src/profile/schema.js';
import { runCli } from './support/cli.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two fresh-clone commands', () => {
    expect(readme).toMatch(/^# k8smon\n\n```sh\nnpm install && npx k8smon render --profile eks .*\nnpm test /);
  });

  it('shows an example profile that is valid and renders', () => {
    const block = /## The profile\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const { profile } = resolveProfileDocument(parseYaml(block!), {});
    expect(() => buildModel(profile, { RW_PASSWORD: 'x' })).not.toThrow();
  });

  it('shows an Alertmanager profile that renders the Alertmanager, reading the Secret it tells you to create', () => {
    const block = /Alertmanager example:[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const { profile } = resolveProfileDocument(parseYaml(block!), {});
    const { model } = buildModel(profile, {});
    const alertmanager = model.workloads.find((w) => w.name === 'k8smon-alertmanager');
    expect(alertmanager?.pod.volumes).toContainEqual({ name: 'secret-alerting', secret: { secretName: 'alerting', items: [{ key: 'slack-url', path: 'slack-url' }, { key: 'smtp-password', path: 'smtp-password' }] } });
    expect(readme).toContain('create secret generic alerting --from-literal=slack-url=');
  });

  it('shows a large-cluster render with the shard counts it really gets', () => {
    const m = /### Large clusters\n\n```sh\nk8smon render --profile (\S+) --set (\S+) .*# (\d+) cluster-agent shards, kube-state-metrics in (\d+) shards/.exec(readme);
    expect(m).not.toBeNull();
    const { objects } = renderBundle({ preset: m![1]!, sets: [m![2]!] }, {});
    const replicas = (name: string) => (objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name)?.spec as { replicas?: number } | undefined)?.replicas;
    expect([replicas('k8smon-agent-cluster'), replicas('k8smon-kube-state-metrics')]).toEqual([Number(m![3]), Number(m![4])]);
  });

  it('lists every preset and every component', () => {
    for (const p of presetNames()) expect(readme).toContain(`| \`${p}\` |`);
    for (const c of COMPONENT_NAMES) expect(readme).toContain(`\`${c}\``);
  });

  it('runs the offline preview commands it shows, with the exit codes it says', async () => {
    const block = /Try it without a cluster[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const commands = block!.trim().split('\n');
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const root = new URL('..', import.meta.url).pathname;
    for (const line of commands) {
      const [command, comment = ''] = line.split(/\s+# /);
      const args = command!.trim().split(/\s+/);
      expect(args.slice(0, 2), line).toEqual(['npx', 'k8smon']);
      const r = await runCli(args.slice(2), { cwd: root });
      const expectedExit = /exit (\d+)/.exec(comment)?.[1];
      expect(r.exitCode, `${line}\n${r.stderr}`).toBe(expectedExit === undefined ? 0 : Number(expectedExit));
      const errors = /(\d+) errors/.exec(comment)?.[1];
      if (errors !== undefined) expect(r.stdout, line).toContain(`${errors} errors`);
      const targets = /(\d+) targets/.exec(comment)?.[1];
      if (targets !== undefined) expect(r.stdout, line).toMatch(new RegExp(`^kubelet {2}${targets} active`));
    }
  });
});
