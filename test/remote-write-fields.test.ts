/**
 * The remote_write settings beyond url and credentials: write relabelling,
 * the queue, a proxy, SigV4 (Amazon Managed Service for Prometheus) and
 * OAuth 2.0, rendered the same way for every agent kind.
 */
import { describe, expect, it } from 'vitest';
import { AGENT_KIND_NAMES } from '../src/agents/registry.js';
import { InvalidInputError } from '../src/errors.js';
import { renderBundle } from '../src/pipeline.js';
import { resolveProfileDocument } from '../src/profile/resolve.js';
import { agentConfigAsRead, findObject } from './support/render.js';

function problems(remoteWrite: unknown[], agentKind?: string): string[] {
  try {
    resolveProfileDocument({ remoteWrite, ...(agentKind ? { agent: { kind: agentKind } } : {}) }, {});
  } catch (err) {
    if (err instanceof InvalidInputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}


describe.each(AGENT_KIND_NAMES)('remote_write fields, agent kind %s', (kind) => {
  const sets = [
    `agent.kind=${kind}`,
    'remoteWrite[0].url=https://mimir.example/api/v1/push',
    'remoteWrite[0].writeRelabelConfigs[0].source_labels=[__name__]',
    'remoteWrite[0].writeRelabelConfigs[0].regex=go_.*',
    'remoteWrite[0].writeRelabelConfigs[0].action=drop',
    'remoteWrite[0].writeRelabelConfigs[1].source_labels=[namespace]',
    'remoteWrite[0].writeRelabelConfigs[1].regex=(.+)-ns',
    'remoteWrite[0].writeRelabelConfigs[1].target_label=team',
    'remoteWrite[0].writeRelabelConfigs[1].replacement=$1',
    'remoteWrite[0].queue.capacity=10000',
    'remoteWrite[0].queue.maxShards=50',
    'remoteWrite[0].queue.minShards=1',
    'remoteWrite[0].queue.maxSamplesPerSend=2000',
    'remoteWrite[0].queue.batchSendDeadline=5s',
    'remoteWrite[0].queue.minBackoff=30ms',
    'remoteWrite[0].queue.maxBackoff=5s',
    'remoteWrite[0].proxyUrl=http://proxy.example:3128',
    'remoteWrite[1].url=https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write',
    'remoteWrite[1].sigv4.region=eu-west-1',
    'remoteWrite[1].sigv4.roleArn=arn:aws:iam::123456789012:role/amp-writer',
    'remoteWrite[2].url=https://metrics.example/push',
    'remoteWrite[2].oauth2.clientId=k8smon',
    'remoteWrite[2].oauth2.clientSecretFrom.env=OAUTH_SECRET',
    'remoteWrite[2].oauth2.tokenUrl=https://auth.example/token',
    'remoteWrite[2].oauth2.scopes=[metrics.write]',
  ];
  const { objects } = renderBundle({ preset: 'eks', sets }, { OAUTH_SECRET: 'oauth-s3cret' });
  const view = agentConfigAsRead(objects, 'k8smon-agent-cluster');

  it('renders write_relabel_configs, queue_config and proxy_url in Prometheus\' names', () => {
    const rw = view.remote_write[0]!;
    expect(rw.write_relabel_configs).toEqual([
      { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
      { source_labels: ['namespace'], regex: '(.+)-ns', target_label: 'team', replacement: '$1' },
    ]);
    expect(rw.queue_config).toEqual({ capacity: 10000, max_shards: 50, min_shards: 1, max_samples_per_send: 2000, batch_send_deadline: '5s', min_backoff: '30ms', max_backoff: '5s' });
    expect(rw.proxy_url).toBe('http://proxy.example:3128');
  });

  it('renders sigv4 with no keys (the pod identity signs) and oauth2 with the secret read from a file', () => {
    expect(view.remote_write[1]!.sigv4).toEqual({ region: 'eu-west-1', role_arn: 'arn:aws:iam::123456789012:role/amp-writer' });
    const oauth2 = view.remote_write[2]!.oauth2;
    expect(oauth2).toEqual({ client_id: 'k8smon', client_secret_file: '/etc/k8smon/secrets/k8smon-remote-write/remote-2-oauth2-client-secret', token_url: 'https://auth.example/token', scopes: ['metrics.write'] });
    const secret = findObject(objects, 'Secret', 'k8smon-remote-write').data as Record<string, string>;
    expect(Buffer.from(secret['remote-2-oauth2-client-secret']!, 'base64').toString()).toBe('oauth-s3cret');
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) expect(JSON.stringify(cm.data)).not.toContain('oauth-s3cret');
  });
});

describe('remote_write field validation', () => {
  it('checks write relabel configs as Prometheus reads them', () => {
    const out = problems([{ url: 'https://x.example/push', writeRelabelConfigs: [{ action: 'replace', regex: '(' }, { action: 'hashmod', source_labels: ['a'], target_label: 'b' }] }]);
    expect(out.some((p) => p.startsWith('remoteWrite[0].writeRelabelConfigs[0]: '))).toBe(true);
    expect(out.some((p) => p.startsWith('remoteWrite[0].writeRelabelConfigs[1]: '))).toBe(true);
    expect(problems([{ url: 'https://x.example/push', writeRelabelConfigs: [{ action: 'shout' }] }]).join('\n')).toMatch(/writeRelabelConfigs\[0\]\.action: must be one of/);
  });

  it('takes one kind of authentication per destination', () => {
    const out = problems([{ url: 'https://x.example/push', sigv4: { region: 'eu-west-1' }, bearerTokenFrom: { env: 'T' }, oauth2: { clientId: 'a', clientSecretFrom: { env: 'S' }, tokenUrl: 'https://t.example/token' } }]);
    expect(out).toContain('remoteWrite[0]: sets a bearer token, sigv4 and oauth2; a destination takes one kind of authentication');
  });

  it('asks for the oauth2 client secret, and refuses credentials in proxy and token URLs', () => {
    expect(problems([{ url: 'https://x.example/push', oauth2: { clientId: 'a', tokenUrl: 'https://t.example/token' } }]).join('\n')).toMatch(/remoteWrite\[0\]\.oauth2: needs clientSecret or clientSecretFrom/);
    expect(problems([{ url: 'https://x.example/push', proxyUrl: 'http://u:p@proxy.example:3128' }]).join('\n')).toMatch(/remoteWrite\[0\]\.proxyUrl: carries credentials/);
    expect(problems([{ url: 'https://x.example/push', proxyUrl: 'ftp://proxy.example' }]).join('\n')).toMatch(/proxyUrl: must use http, https, socks5/);
  });

  it('checks the queue bounds and the sigv4 region', () => {
    expect(problems([{ url: 'https://x.example/push', queue: { minShards: 10, maxShards: 2, minBackoff: '10s', maxBackoff: '1s' } }])).toEqual([
      'remoteWrite[0].queue.minShards: 10 is more than queue.maxShards (2)',
      'remoteWrite[0].queue.minBackoff: 10s is longer than queue.maxBackoff (1s)',
    ]);
    expect(problems([{ url: 'https://x.example/push', sigv4: { region: 'Europe' } }]).join('\n')).toMatch(/sigv4\.region: must be an AWS region/);
    expect(problems([{ url: 'https://x.example/push', queue: { max_shards: 2 } }]).join('\n')).toMatch(/queue\.max_shards: unknown field.*maxShards/);
  });
});
