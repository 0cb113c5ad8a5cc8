/**
 * Where the live discovery reads its connection to the API server from:
 * in-cluster (service account files and KUBERNETES_SERVICE_HOST/PORT), a
 * kubeconfig file, a kubernetes_sd_configs entry's api_server and HTTP
 * client fields, with Prometheus' rules on which may go together. Temp files
 * only; the requests themselves are tested against the fake API server
 * (kube-api.test.ts). Also which list/watch requests an SD entry makes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SdConfigEntry } from '../src/runtime/cluster-source.js';
import { authorizationHeader, inClusterConnection, kubeconfigConnection, sdConnection } from '../src/runtime/kube-api/config.js';
import { informerSpecs } from '../src/runtime/kube-api/source.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8smon-kubeconfig-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('in-cluster config', () => {
  const serviceAccount = (): string => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'token-1\n');
    writeFileSync(join(sa, 'ca.crt'), 'CA PEM');
    writeFileSync(join(sa, 'namespace'), 'monitoring');
    return sa;
  };

  it('reads the service host and port, the CA, the namespace, and the token for each request', () => {
    const sa = serviceAccount();
    const c = inClusterConnection({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: sa });
    expect(c.server).toBe('https://10.96.0.1:443');
    expect(c.ca?.toString()).toBe('CA PEM');
    expect(c.namespace).toBe('monitoring');
    expect(authorizationHeader(c)).toBe('Bearer token-1');
    writeFileSync(join(sa, 'token'), 'token-2');
    expect(authorizationHeader(c)).toBe('Bearer token-2');
  });

  it('brackets an IPv6 service host', () => {
    const c = inClusterConnection({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, serviceAccountDir: serviceAccount() });
    expect(c.server).toBe('https://[fd00::1]:6443');
  });

  it('outside a pod: a clear error', () => {
    expect(() => inClusterConnection({ env: {}, serviceAccountDir: serviceAccount() })).toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
  });

  it('no token mounted: a clear error', () => {
    expect(() => inClusterConnection({ env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' }, serviceAccountDir: join(dir, 'none') })).toThrow(/service account token/);
  });
});

describe('kubeconfig', () => {
  const kubeconfig = (users: string, extra = ''): string =>
    write(
      'config',
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.pem
- name: prod-cluster
  cluster:
    server: https://prod.example
    certificate-authority-data: ${Buffer.from('PROD CA').toString('base64')}
    tls-server-name: api.prod
- name: lab-cluster
  cluster:
    server: https://lab.example
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context: { cluster: dev-cluster, user: dev-user, namespace: team-a }
- name: prod
  context: { cluster: prod-cluster, user: prod-user }
- name: lab
  context: { cluster: lab-cluster, user: lab-user }
users:
${users}
${extra}`,
    );
  const users = `- name: dev-user
  user:
    client-certificate: certs/client.pem
    client-key: certs/client-key.pem
    token: static-token
- name: prod-user
  user:
    client-certificate-data: ${Buffer.from('CERT').toString('base64')}
    client-key-data: ${Buffer.from('KEY').toString('base64')}
    tokenFile: prod-token
- name: lab-user
  user: { username: admin, password: secret }
`;

  beforeEach(() => {
    mkdirSync(join(dir, 'certs'));
    write('certs/ca.pem', 'DEV CA');
    write('certs/client.pem', 'DEV CERT');
    write('certs/client-key.pem', 'DEV KEY');
    write('prod-token', 'prod-token-1\n');
  });

  it('the current context: server, files relative to the kubeconfig, static token, namespace', () => {
    const c = kubeconfigConnection(kubeconfig(users));
    expect(c).toMatchObject({ server: 'https://dev.example:6443', namespace: 'team-a' });
    expect(c.ca?.toString()).toBe('DEV CA');
    expect(c.cert?.toString()).toBe('DEV CERT');
    expect(c.key?.toString()).toBe('DEV KEY');
    expect(authorizationHeader(c)).toBe('Bearer static-token');
  });

  it('a named context: inline data, tls-server-name, a token file re-read for each request', () => {
    const c = kubeconfigConnection(kubeconfig(users), { context: 'prod' });
    expect(c.server).toBe('https://prod.example');
    expect(c.ca?.toString()).toBe('PROD CA');
    expect(c.cert?.toString()).toBe('CERT');
    expect(c.key?.toString()).toBe('KEY');
    expect(c.serverName).toBe('api.prod');
    expect(authorizationHeader(c)).toBe('Bearer prod-token-1');
    write('prod-token', 'prod-token-2');
    expect(authorizationHeader(c)).toBe('Bearer prod-token-2');
  });

  it('insecure-skip-tls-verify and basic auth', () => {
    const c = kubeconfigConnection(kubeconfig(users), { context: 'lab' });
    expect(c.insecureSkipVerify).toBe(true);
    expect(authorizationHeader(c)).toBe(`Basic ${Buffer.from('admin:secret').toString('base64')}`);
  });

  it('exec and auth-provider plugins are refused with a clear error', () => {
    const exec = kubeconfig(`- name: dev-user
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1, command: aws }
`);
    expect(() => kubeconfigConnection(exec)).toThrow(/exec plugin, which the agent does not run/);
    const provider = kubeconfig(`- name: dev-user
  user:
    auth-provider: { name: gcp }
`);
    expect(() => kubeconfigConnection(provider)).toThrow(/auth-provider plugin/);
    const proxied = write('proxied', 'current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: "https://x", proxy-url: "http://proxy:3128" } }]\n');
    expect(() => kubeconfigConnection(proxied)).toThrow(/proxy-url/);
  });

  it('an unknown context, a missing file: errors that say which', () => {
    expect(() => kubeconfigConnection(kubeconfig(users), { context: 'nope' })).toThrow(/no context named "nope"/);
    expect(() => kubeconfigConnection(join(dir, 'missing'))).toThrow(/kubeconfig .*missing/);
    rmSync(join(dir, 'certs/ca.pem'));
    expect(() => kubeconfigConnection(kubeconfig(users))).toThrow(/certificate-authority/);
  });
});

describe('kubernetes_sd_configs connection fields', () => {
  const sd = (fields: Record<string, unknown>): Record<string, unknown> => ({ role: 'pod', ...fields });

  it('api_server with tls_config and authorization.credentials_file', () => {
    const ca = write('ca.pem', 'CA');
    const cert = write('cert.pem', 'CERT');
    const key = write('key.pem', 'KEY');
    const creds = write('creds', 'c1\n');
    const c = sdConnection(sd({ api_server: 'https://k8s.example:6443/prefix', tls_config: { ca_file: ca, cert_file: cert, key_file: key, server_name: 'k8s', insecure_skip_verify: false }, authorization: { type: 'Bearer', credentials_file: creds } }));
    expect(c).toMatchObject({ server: 'https://k8s.example:6443/prefix', serverName: 'k8s' });
    expect([c.ca?.toString(), c.cert?.toString(), c.key?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
    expect(authorizationHeader(c)).toBe('Bearer c1');
    write('creds', 'c2');
    expect(authorizationHeader(c)).toBe('Bearer c2');
  });

  it('bearer_token_file, basic_auth with a password file, authorization type defaulting to Bearer', () => {
    const token = write('token', 'tok');
    expect(authorizationHeader(sdConnection(sd({ api_server: 'http://h', bearer_token_file: token })))).toBe('Bearer tok');
    const password = write('password', 'pw\n');
    expect(authorizationHeader(sdConnection(sd({ api_server: 'http://h', basic_auth: { username: 'u', password_file: password } })))).toBe(`Basic ${Buffer.from('u:pw').toString('base64')}`);
    expect(authorizationHeader(sdConnection(sd({ api_server: 'http://h', authorization: { credentials: 'x' } })))).toBe('Bearer x');
  });

  it('tls_config min_version / max_version in Node’s names; an unknown version refused', () => {
    expect(sdConnection(sd({ api_server: 'https://a', tls_config: { min_version: 'TLS12', max_version: 'TLS13' } }))).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(() => sdConnection(sd({ api_server: 'https://a', tls_config: { min_version: 'SSL3' } }))).toThrow(/unknown TLS version "SSL3"/);
  });

  it('kubeconfig_file is read when given', () => {
    const path = write('kc', 'current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: "https://from-kubeconfig" } }]\n');
    expect(sdConnection(sd({ kubeconfig_file: path })).server).toBe('https://from-kubeconfig');
  });

  it('neither api_server nor kubeconfig_file: in-cluster', () => {
    expect(() => sdConnection(sd({}), { env: {} })).toThrow(/unable to load in-cluster configuration/);
  });

  it('Prometheus’ rules on which fields go together', () => {
    expect(() => sdConnection(sd({ api_server: 'https://a', kubeconfig_file: '/k' }))).toThrow(/cannot use 'kubeconfig_file' and 'api_server' simultaneously/);
    expect(() => sdConnection(sd({ kubeconfig_file: '/k', bearer_token_file: '/t' }))).toThrow(/custom HTTP client configuration .*together with 'kubeconfig_file'/);
    expect(() => sdConnection(sd({ tls_config: { insecure_skip_verify: true } }))).toThrow(/provide the 'api_server' URL explicitly/);
    expect(() => sdConnection(sd({ api_server: 'https://a', namespaces: { own_namespace: true } }))).toThrow(/'api_server' and 'namespaces.own_namespace'/);
    expect(() => sdConnection(sd({ api_server: 'https://a', authorization: { credentials: 'x' }, basic_auth: { username: 'u' } }))).toThrow(/at most one of basic_auth, authorization/);
    expect(() => sdConnection(sd({ api_server: 'https://a', oauth2: { client_id: 'x' } }))).toThrow(/oauth2: not supported/);
    expect(() => sdConnection(sd({ api_server: 'ftp://a' }))).toThrow(/http or https/);
    // Defaults that change nothing are not a custom HTTP configuration.
    expect(() => sdConnection(sd({ follow_redirects: true, enable_http2: true }), { env: {} })).toThrow(/in-cluster/);
  });
});

describe('the list/watch requests of an SD entry (as Prometheus’ informers)', () => {
  const specs = (entry: Partial<SdConfigEntry>, own?: string): string[] =>
    informerSpecs({ role: 'pod', ...entry } as SdConfigEntry, own).map((s) => `${s.groupVersion}/${s.namespace ?? '*'}/${s.resource}${s.labelSelector !== undefined ? ` l:${s.labelSelector}` : ''}${s.fieldSelector !== undefined ? ` f:${s.fieldSelector}` : ''}`);

  it('pod role with every attach_metadata: pods, ReplicaSets and Jobs per namespace, nodes and namespaces cluster-wide', () => {
    expect(specs({ namespaces: { names: ['a', 'b', 'a'] }, attach_metadata: { node: true, namespace: true, deployment: true, cronjob: true }, selectors: [{ role: 'pod', label: 'x=y', field: 'spec.nodeName=n1' }] })).toEqual([
      '/api/v1/a/pods l:x=y f:spec.nodeName=n1',
      '/api/v1/b/pods l:x=y f:spec.nodeName=n1',
      '/api/v1/*/nodes',
      '/api/v1/*/namespaces',
      '/apis/apps/v1/a/replicasets',
      '/apis/apps/v1/b/replicasets',
      '/apis/batch/v1/a/jobs',
      '/apis/batch/v1/b/jobs',
    ]);
  });

  it('endpointslice role: each selector on its own resource; node role: node selectors', () => {
    expect(specs({ role: 'endpointslice', selectors: [{ role: 'endpointslice', field: 'metadata.name=s' }, { role: 'service', label: 'app' }] })).toEqual(['/apis/discovery.k8s.io/v1/*/endpointslices f:metadata.name=s', '/api/v1/*/services l:app', '/api/v1/*/pods']);
    expect(specs({ role: 'node', namespaces: { names: ['ignored'] }, selectors: [{ role: 'node', field: 'metadata.name=n1' }] })).toEqual(['/api/v1/*/nodes f:metadata.name=n1']);
    expect(specs({ role: 'ingress', namespaces: { own_namespace: true } }, 'mon')).toEqual(['/apis/networking.k8s.io/v1/mon/ingresses']);
  });

  it('own_namespace without a known namespace is an error', () => {
    expect(() => specs({ namespaces: { own_namespace: true } })).toThrow(/own_namespace/);
  });
});
