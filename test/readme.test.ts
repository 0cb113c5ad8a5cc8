/** README stays true: its example profile renders, and every preset and component it names exists. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildModel } from '../src/model/build.js';
import { presetNames } from '../src/profile/presets.js';
import { resolveProfileDocument } from '../src/profile/resolve.js';
import { COMPONENT_NAMES } from '../src/profile/schema.js';

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

  it('lists every preset and every component', () => {
    for (const p of presetNames()) expect(readme).toContain(`| \`${p}\` |`);
    for (const c of COMPONENT_NAMES) expect(readme).toContain(`\`${c}\``);
  });
});
