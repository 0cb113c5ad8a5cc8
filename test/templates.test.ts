import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderBundle } from '../src/pipeline.js';
import { toYamlStream } from '../src/render/serialize.js';
import { TEMPLATE_DIR } from '../src/render/templates.js';
import { agentConfigAsRead, findObject } from './support/render.js';

describe('templates', () => {
  const templates = readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.hbs'));

  it.each(templates)('%s takes values only through {{json …}}', (file) => {
    const source = readFileSync(`${TEMPLATE_DIR}${file}`, 'utf8');
    expect(source).not.toContain('{{{');
    for (const [mustache] of source.matchAll(/\{\{[^}]*\}\}/g)) {
      // Allowed: {{json x}}, block helpers {{#if}}/{{/if}}/{{else}}, partials {{> p}}, comments {{! …}}.
      expect(mustache).toMatch(/^\{\{(json [\w.]+|#(if|each|unless) [\w.]+|\/(if|each|unless)|else|> \w+|!.*)\}\}$/);
    }
  });
});

/** Strings that break naive templating: YAML syntax, Handlebars and envsubst syntax, odd whitespace, non-ASCII. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1 }),
  fc
    .array(fc.constantFrom('"', "'", ':', ': ', '#', ' #', '{{', '}}', '${', '${1}', '$$', '\\', '\\/', '\n', '\r\n', '\t', ' ', '- ', '&a', '*a', '!!str', '|', '>', '---', '…', '中文', 'é', '\u2028', '\u0085', '\ufeff', 'null', 'true', '0x1F', '~'), {
      minLength: 1,
      maxLength: 12,
    })
    .map((parts) => parts.join('')),
);

describe('user strings come out as exactly that value (property-based)', () => {
  it('cluster name, header value, username and password survive templates, YAML and the agent\'s substitution (config reloader)', () => {
    fc.assert(
      fc.property(hostileString, hostileString.filter((h) => !/[\r\n\0]/.test(h)), hostileString, hostileString, (clusterName, header, username, password) => {
        const { objects } = renderBundle(
          {
            preset: 'eks',
            sets: [
              `cluster.name=${clusterName}`,
              'remoteWrite[0].url=https://mimir.example/api/v1/push',
              `remoteWrite[0].headers.X-Scope-OrgID=${header}`,
              `remoteWrite[0].basicAuth.username=${username}`,
              'remoteWrite[0].basicAuth.passwordFrom.env=RW_PASSWORD',
            ],
          },
          { RW_PASSWORD: password },
        );
        // What kubectl would read: the printed stream, parsed back.
        const printed = parseAllDocuments(toYamlStream(objects)).map((d) => d.toJS() as (typeof objects)[number]);
        expect(printed).toEqual(objects);
        for (const agent of ['k8smon-agent-node', 'k8smon-agent-cluster']) {
          const config = agentConfigAsRead(printed, agent);
          expect(config.global.external_labels.cluster).toBe(clusterName);
          expect(config.remote_write[0]).toMatchObject({ headers: { 'X-Scope-OrgID': header }, basic_auth: { username } });
        }
        const secret = findObject(printed, 'Secret', 'k8smon-remote-write').data as Record<string, string>;
        expect(Buffer.from(secret['remote-0-password']!, 'base64').toString('utf8')).toBe(password);
      }),
      { numRuns: 300 },
    );
  });
});
