/** externalLabels: added next to `cluster` on every series, for every agent kind; `cluster` itself stays cluster.name. */
import { describe, expect, it } from 'vitest';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { InvalidInputError } from '../src/errors.js';
import { renderBundle } from '../src/pipeline.js';
import { resolveProfileDocument } from '../src/profile/resolve.js';
import { agentConfigAsRead } from './support/render.js';

describe.each(AGENT_KIND_NAMES)('externalLabels, agent kind %s', (kind) => {
  it.each(['k8smon-agent-node', 'k8smon-agent-cluster'])('%s sends them with cluster, as the agent reads its config', (agent) => {
    const { objects } = renderBundle({ preset: 'eks', sets: [`agent.kind=${kind}`, 'cluster.name=prod-1', 'externalLabels.region=eu-west-1', 'externalLabels.env=prod$1'] }, {});
    expect(agentConfigAsRead(objects, agent).global.external_labels).toEqual({ cluster: 'prod-1', env: 'prod$1', region: 'eu-west-1' });
  });
});

describe('externalLabels validation', () => {
  const problems = (externalLabels: Record<string, string>): string[] => {
    try {
      resolveProfileDocument({ externalLabels }, {});
    } catch (err) {
      if (err instanceof InvalidInputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
      throw err;
    }
    return [];
  };

  it('refuses cluster, saying where it comes from', () => {
    expect(problems({ cluster: 'x' })).toEqual(['externalLabels.cluster: cannot be set here: the cluster label is always cluster.name; set cluster.name instead']);
  });

  it('refuses names Prometheus would refuse', () => {
    expect(problems({ '1st': 'x' }).join('\n')).toMatch(/externalLabels\.1st: must be a Prometheus label name/);
    expect(problems({ __meta: 'x' }).join('\n')).toMatch(/externalLabels\.__meta: .*reserved/);
  });
});
