/**
 * How to reach a Kubernetes API server, from the three places Prometheus'
 * Kubernetes SD reads it: the pod's service account (in-cluster), a
 * kubeconfig file, or the HTTP client fields of a `kubernetes_sd_configs`
 * entry next to its `api_server`. Credential files are kept as paths and read
 * for every request, so a rotated (projected) token is used as soon as the
 * kubelet replaces it.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readSecretFile } from '../remote-write/auth.js';

export class KubeConfigError extends Error {}

/** A secret given inline or as a file read for every request. */
export type Secret = { value: string } | { file: string };

export interface KubeConnection {
  /** The API server's base URL (http or https; a path prefix is kept). */
  server: string;
  /** Where the settings came from, for messages ("in-cluster", "kubeconfig /path (context x)", "api_server"). */
  origin: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  serverName?: string;
  insecureSkipVerify?: boolean;
  /** Node's names: TLSv1.2, TLSv1.3. */
  minVersion?: string;
  maxVersion?: string;
  /** `Authorization: <type> <credentials>`. */
  authorization?: { type: string; credentials: Secret };
  basicAuth?: { username: Secret; password: Secret };
  /** The namespace the connection defaults to (in-cluster: the pod's own). */
  namespace?: string;
}

/** The value of the Authorization header for the next request, credential files read now. */
export function authorizationHeader(c: KubeConnection): string | undefined {
  if (c.authorization !== undefined) return `${c.authorization.type} ${readSecret(c.authorization.credentials)}`;
  if (c.basicAuth !== undefined) return `Basic ${Buffer.from(`${readSecret(c.basicAuth.username)}:${readSecret(c.basicAuth.password)}`).toString('base64')}`;
  return undefined;
}

export function readSecret(s: Secret): string {
  if ('value' in s) return s.value;
  try {
    return readSecretFile(s.file);
  } catch (e) {
    throw new KubeConfigError(`unable to read credentials file ${s.file}: ${(e as Error).message}`);
  }
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new KubeConfigError(`${what}: ${(e as Error).message}`);
  }
}

// ---- in-cluster ------------------------------------------------------------

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  /** Default process.env; KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are read from it. */
  env?: NodeJS.ProcessEnv;
  /** Default /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt, namespace). */
  serviceAccountDir?: string;
}

/** The pod's service account, as client-go's rest.InClusterConfig reads it. */
export function inClusterConnection(options: InClusterOptions = {}): KubeConnection {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new KubeConfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined (not running in a pod? give kubernetes_sd_configs an api_server or a kubeconfig_file)');
  }
  const tokenFile = `${dir}/token`;
  // Read once now, so a pod without a mounted token fails at start-up with a clear message; later requests re-read it.
  readFile(tokenFile, 'in-cluster service account token');
  let namespace: string | undefined;
  try {
    namespace = readFileSync(`${dir}/namespace`, 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    origin: 'in-cluster service account',
    ca: readFile(`${dir}/ca.crt`, 'in-cluster CA certificate'),
    authorization: { type: 'Bearer', credentials: { file: tokenFile } },
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

// ---- kubeconfig ------------------------------------------------------------

interface Named<T> {
  name?: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Fields = Record<string, unknown>;

function str(o: Fields, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new KubeConfigError(`${where}.${key} must be a string`);
  return v;
}

function pick(list: unknown, kind: 'clusters' | 'users' | 'contexts', name: string, path: string): Fields {
  const entries = Array.isArray(list) ? (list as Named<Fields>[]) : [];
  const entry = entries.find((e) => e?.name === name);
  const body = entry?.[kind.slice(0, -1) as 'cluster' | 'user' | 'context'];
  if (entry === undefined || typeof body !== 'object' || body === null) throw new KubeConfigError(`kubeconfig ${path}: no ${kind.slice(0, -1)} named "${name}"`);
  return body;
}

/** Loads the data or the file (relative to the kubeconfig's folder) of a `<x>` / `<x>-data` pair. */
function dataOrFile(o: Fields, fileKey: string, dataKey: string, base: string, where: string): Buffer | undefined {
  const data = str(o, dataKey, where);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64');
  const file = str(o, fileKey, where);
  if (file === undefined || file === '') return undefined;
  return readFile(isAbsolute(file) ? file : resolve(base, file), `${where}.${fileKey}`);
}

export interface KubeconfigOptions {
  /** A context other than current-context. */
  context?: string;
}

/** A kubeconfig file's current (or named) context. exec and auth-provider plugins are refused: the agent runs no external programs. */
export function kubeconfigConnection(path: string, options: KubeconfigOptions = {}): KubeConnection {
  let doc: Fields;
  try {
    doc = (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Fields;
  } catch (e) {
    throw new KubeConfigError(`kubeconfig ${path}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeConfigError(`kubeconfig ${path}: not a kubeconfig (a mapping with clusters, users, contexts)`);
  const contextName = options.context ?? str(doc, 'current-context', 'kubeconfig');
  if (contextName === undefined || contextName === '') throw new KubeConfigError(`kubeconfig ${path}: no current-context set and no context named`);
  const context = pick(doc.contexts, 'contexts', contextName, path);
  const clusterName = str(context, 'cluster', `context "${contextName}"`);
  if (clusterName === undefined) throw new KubeConfigError(`kubeconfig ${path}: context "${contextName}" names no cluster`);
  const cluster = pick(doc.clusters, 'clusters', clusterName, path);
  const userName = str(context, 'user', `context "${contextName}"`);
  const user: Fields = userName === undefined || userName === '' ? {} : pick(doc.users, 'users', userName, path);
  const base = dirname(resolve(path));
  const cw = `cluster "${clusterName}"`;
  const uw = `user "${userName}"`;

  const server = str(cluster, 'server', cw);
  if (typeof cluster['proxy-url'] === 'string' && cluster['proxy-url'] !== '') throw new KubeConfigError(`kubeconfig ${path}: ${cw} is reached through a proxy (proxy-url), which the agent does not support`);
  if (server === undefined || server === '') throw new KubeConfigError(`kubeconfig ${path}: ${cw} has no server`);
  if (user.exec !== undefined && user.exec !== null) throw new KubeConfigError(`kubeconfig ${path}: ${uw} authenticates with an exec plugin, which the agent does not run; use a token, tokenFile or client certificate`);
  if (user['auth-provider'] !== undefined && user['auth-provider'] !== null) throw new KubeConfigError(`kubeconfig ${path}: ${uw} authenticates with an auth-provider plugin, which the agent does not support; use a token, tokenFile or client certificate`);

  const out: KubeConnection = { server, origin: `kubeconfig ${path} (context ${contextName})` };
  const ca = dataOrFile(cluster, 'certificate-authority', 'certificate-authority-data', base, `${cw}`);
  if (ca !== undefined) out.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipVerify = true;
  const serverName = str(cluster, 'tls-server-name', cw);
  if (serverName !== undefined && serverName !== '') out.serverName = serverName;
  const cert = dataOrFile(user, 'client-certificate', 'client-certificate-data', base, uw);
  const key = dataOrFile(user, 'client-key', 'client-key-data', base, uw);
  if ((cert === undefined) !== (key === undefined)) throw new KubeConfigError(`kubeconfig ${path}: ${uw} has a client certificate without its key, or a key without its certificate`);
  if (cert !== undefined) out.cert = cert;
  if (key !== undefined) out.key = key;
  const token = str(user, 'token', uw);
  const tokenFile = str(user, 'tokenFile', uw);
  const username = str(user, 'username', uw);
  if (token !== undefined && token !== '') out.authorization = { type: 'Bearer', credentials: { value: token } };
  else if (tokenFile !== undefined && tokenFile !== '') out.authorization = { type: 'Bearer', credentials: { file: isAbsolute(tokenFile) ? tokenFile : resolve(base, tokenFile) } };
  else if (username !== undefined && username !== '') out.basicAuth = { username: { value: username }, password: { value: str(user, 'password', uw) ?? '' } };
  const namespace = str(context, 'namespace', `context "${contextName}"`);
  if (namespace !== undefined && namespace !== '') out.namespace = namespace;
  return out;
}

// ---- kubernetes_sd_configs -------------------------------------------------

/** The HTTP client fields of a kubernetes_sd_configs entry the live source reads; the others are refused by name. */
const SUPPORTED_HTTP_FIELDS = new Set(['tls_config', 'authorization', 'bearer_token', 'bearer_token_file', 'basic_auth', 'follow_redirects', 'enable_http2']);
const UNSUPPORTED_HTTP_FIELDS = ['oauth2', 'proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header', 'http_headers'];
const TLS_FIELDS = new Set(['ca', 'ca_file', 'cert', 'cert_file', 'key', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version', 'max_version']);

/** Prometheus' TLS version names, as Node names them. */
const TLS_VERSIONS: Record<string, string> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

export interface SdConnectionOptions extends InClusterOptions {}

function mapping(o: unknown, where: string): Fields | undefined {
  if (o === undefined || o === null) return undefined;
  if (typeof o !== 'object' || Array.isArray(o)) throw new KubeConfigError(`kubernetes_sd_configs: ${where} must be a mapping`);
  return o as Fields;
}

function secretOf(o: Fields, inline: string, file: string, where: string): Secret | undefined {
  const v = str(o, inline, where);
  const f = str(o, file, where);
  if (v !== undefined && v !== '' && f !== undefined && f !== '') throw new KubeConfigError(`kubernetes_sd_configs: ${where}: at most one of ${inline} and ${file} must be configured`);
  if (f !== undefined && f !== '') return { file: f };
  if (v !== undefined) return { value: v };
  return undefined;
}

/**
 * The connection a kubernetes_sd_configs entry describes, with Prometheus'
 * rules: api_server and kubeconfig_file exclusive; HTTP client fields only with
 * api_server; neither → the pod's service account.
 */
export function sdConnection(sd: Record<string, unknown>, options: SdConnectionOptions = {}): KubeConnection {
  const apiServer = str(sd, 'api_server', 'kubernetes_sd_configs');
  const kubeconfig = str(sd, 'kubeconfig_file', 'kubernetes_sd_configs');
  const httpFields = [...SUPPORTED_HTTP_FIELDS, ...UNSUPPORTED_HTTP_FIELDS].filter((k) => sd[k] !== undefined && sd[k] !== null && !((k === 'follow_redirects' || k === 'enable_http2') && sd[k] === true));
  const ownNamespace = (sd.namespaces as { own_namespace?: boolean } | undefined)?.own_namespace === true;
  if (apiServer !== undefined && apiServer !== '' && kubeconfig !== undefined && kubeconfig !== '') throw new KubeConfigError("kubernetes_sd_configs: cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  if (kubeconfig !== undefined && kubeconfig !== '') {
    if (httpFields.length > 0) throw new KubeConfigError(`kubernetes_sd_configs: cannot use a custom HTTP client configuration (${httpFields.join(', ')}) together with 'kubeconfig_file'`);
    if (ownNamespace) throw new KubeConfigError("kubernetes_sd_configs: cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
    return kubeconfigConnection(kubeconfig);
  }
  if (apiServer === undefined || apiServer === '') {
    if (httpFields.length > 0) throw new KubeConfigError(`kubernetes_sd_configs: to use custom HTTP client configuration (${httpFields.join(', ')}) please provide the 'api_server' URL explicitly`);
    return inClusterConnection(options);
  }
  if (ownNamespace) throw new KubeConfigError("kubernetes_sd_configs: cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  let url: URL;
  try {
    url = new URL(apiServer);
  } catch {
    throw new KubeConfigError(`kubernetes_sd_configs: api_server "${apiServer}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new KubeConfigError(`kubernetes_sd_configs: api_server "${apiServer}" must be an http or https URL`);
  for (const k of UNSUPPORTED_HTTP_FIELDS) if (sd[k] !== undefined && sd[k] !== null) throw new KubeConfigError(`kubernetes_sd_configs: ${k}: not supported by the live discovery`);
  const out: KubeConnection = { server: apiServer, origin: `api_server ${apiServer}` };

  const tls = mapping(sd.tls_config, 'tls_config');
  if (tls !== undefined) {
    for (const k of Object.keys(tls)) if (!TLS_FIELDS.has(k)) throw new KubeConfigError(`kubernetes_sd_configs: tls_config.${k}: not supported by the live discovery`);
    const pem = (inline: string, file: string): Buffer | undefined => {
      const s = secretOf(tls, inline, file, 'tls_config');
      if (s === undefined) return undefined;
      return 'value' in s ? Buffer.from(s.value) : readFile(s.file, `tls_config.${file}`);
    };
    const ca = pem('ca', 'ca_file');
    const cert = pem('cert', 'cert_file');
    const key = pem('key', 'key_file');
    if ((cert === undefined) !== (key === undefined)) throw new KubeConfigError('kubernetes_sd_configs: tls_config: a client certificate needs its key (cert_file and key_file together)');
    if (ca !== undefined) out.ca = ca;
    if (cert !== undefined) out.cert = cert;
    if (key !== undefined) out.key = key;
    const serverName = str(tls, 'server_name', 'tls_config');
    if (serverName !== undefined && serverName !== '') out.serverName = serverName;
    if (tls.insecure_skip_verify === true) out.insecureSkipVerify = true;
    for (const [field, to] of [['min_version', 'minVersion'], ['max_version', 'maxVersion']] as const) {
      const v = str(tls, field, 'tls_config');
      if (v === undefined || v === '') continue;
      const node = TLS_VERSIONS[v];
      if (node === undefined) throw new KubeConfigError(`kubernetes_sd_configs: tls_config.${field}: unknown TLS version "${v}" (one of ${Object.keys(TLS_VERSIONS).join(', ')})`);
      out[to] = node;
    }
  }

  const authorization = mapping(sd.authorization, 'authorization');
  const basic = mapping(sd.basic_auth, 'basic_auth');
  const bearer = secretOf(sd, 'bearer_token', 'bearer_token_file', 'kubernetes_sd_configs');
  const schemes = [authorization, basic, bearer].filter((x) => x !== undefined).length;
  if (schemes > 1) throw new KubeConfigError('kubernetes_sd_configs: at most one of basic_auth, authorization and bearer_token(_file) must be configured');
  if (authorization !== undefined) {
    const type = str(authorization, 'type', 'authorization') ?? 'Bearer';
    if (type.toLowerCase() === 'basic') throw new KubeConfigError('kubernetes_sd_configs: authorization type cannot be set to "basic", use "basic_auth" instead');
    out.authorization = { type, credentials: secretOf(authorization, 'credentials', 'credentials_file', 'authorization') ?? { value: '' } };
  } else if (bearer !== undefined) {
    out.authorization = { type: 'Bearer', credentials: bearer };
  } else if (basic !== undefined) {
    out.basicAuth = {
      username: secretOf(basic, 'username', 'username_file', 'basic_auth') ?? { value: '' },
      password: secretOf(basic, 'password', 'password_file', 'basic_auth') ?? { value: '' },
    };
  }
  return out;
}
