import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvReferences, escapeForExpandEnv } from '../src/agents/grafana-agent/escape-env.js';
import { expandEnv, ExpandEnvError } from '../src/agents/grafana-agent/expand-env.js';

const env: Record<string, string> = { HOSTNAME: 'node-a', X: 'ex' };
const lookup = (name: string): string | undefined => env[name];

describe('expandEnv (grafana-agent -config.expand-env, drone/envsubst rules)', () => {
  it.each([
    ['metadata.name=${HOSTNAME}', 'metadata.name=node-a'],
    ['a ${MISSING} b', 'a  b'],
    ['keeps ${1} and ${12} for Prometheus', 'keeps ${1} and ${12} for Prometheus'],
    ['$$ is a dollar', '$ is a dollar'],
    ['$${X} is literal', '${X} is literal'],
    ['bare $X stays', 'bare $X stays'],
    ['trailing $', 'trailing $'],
    ['a\\\\b', 'a\\b'],
    ['a\\/b', 'a/b'],
    ['a\\db', 'a\\db'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${X:-fallback}', 'ex'],
    ['${X-y}', ''],
  ])('%s → %s', (input, expected) => {
    expect(expandEnv(input, lookup)).toBe(expected);
  });

  it('shows why unescaped user values break: ${x} is emptied and \\\\ halved', () => {
    expect(expandEnv('password: ${x}', lookup)).toBe('password: ');
    expect(expandEnv('regex: a\\\\.b', lookup)).toBe('regex: a\\.b');
  });

  it('refuses an unclosed or empty substitution, as the agent does', () => {
    expect(() => expandEnv('${X', lookup)).toThrow(ExpandEnvError);
    expect(() => expandEnv('${}', lookup)).toThrow(ExpandEnvError);
  });
});

describe('escapeForExpandEnv', () => {
  it('makes the agent read back exactly the text written, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(expandEnv(escapeForExpandEnv(text), lookup)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips the tricky cases from the field notes', () => {
    for (const text of ['/api/v1/nodes/${1}/proxy/metrics', 'a$$b', '\\/', '\\\\', '${HOSTNAME}', '$', '\\']) {
      expect(expandEnv(escapeForExpandEnv(text), lookup)).toBe(text);
    }
  });
});

describe('EnvReferences', () => {
  it('keeps only intended references live, even when user text looks like the placeholder', () => {
    const userText = 'K8SMONENV0X K8SMONENV1X ${HOSTNAME}';
    const build = (ref: (n: string) => string): string => `user: ${userText}\nfield: metadata.name=${ref('HOSTNAME')}\n`;
    const refs = new EnvReferences(build(() => ''));
    const text = refs.finish(build((n) => refs.ref(n)));
    expect(expandEnv(text, lookup)).toBe(`user: ${userText}\nfield: metadata.name=node-a\n`);
  });
});
