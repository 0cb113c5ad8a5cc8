/**
 * Remote-write credentials: where each one comes from and which file the agent
 * reads it from. Values never go into a ConfigMap; they land in the Secret
 * k8smon renders, or stay in a Secret the user already has.
 */
import type { InputProblem } from '../errors.js';
import type { RemoteWriteProfile, ValueFrom } from '../profile/types.js';
import type { CredentialFile, RemoteWriteTarget } from './types.js';

export const CREDENTIALS_SECRET_NAME = 'k8smon-remote-write';
export const SECRETS_MOUNT_ROOT = '/etc/k8smon/secrets';

export interface ResolvedCredentials {
  targets: RemoteWriteTarget[];
  /** Values for the Secret k8smon renders, by key. */
  secretData: Record<string, string>;
  /** Secret name → keys the agents read from it. */
  mounts: Map<string, Set<string>>;
  problems: InputProblem[];
}

export function mountPathOf(secretName: string): string {
  return `${SECRETS_MOUNT_ROOT}/${secretName}`;
}

/**
 * @param env the environment `{env: VAR}` references are read from (process.env in the CLI).
 */
export function resolveRemoteWrite(destinations: readonly RemoteWriteProfile[], env: Readonly<Record<string, string | undefined>>): ResolvedCredentials {
  const secretData: Record<string, string> = {};
  const mounts = new Map<string, Set<string>>();
  const problems: InputProblem[] = [];

  /** Turns an inline value or a reference into the file the agent reads it from. */
  const credential = (inline: string | undefined, from: ValueFrom | undefined, ownKey: string, path: string): CredentialFile | undefined => {
    let secretName = CREDENTIALS_SECRET_NAME;
    let key = ownKey;
    if (from?.secret !== undefined) {
      secretName = from.secret.name;
      key = from.secret.key;
    } else if (from?.env !== undefined) {
      const value = env[from.env];
      if (value === undefined || value === '') {
        problems.push({ path: `${path}.env`, message: `environment variable ${from.env} is not set; export it before running k8smon (its value goes into the Secret ${CREDENTIALS_SECRET_NAME})` });
        return undefined;
      }
      secretData[key] = value;
    } else if (inline !== undefined) {
      secretData[key] = inline;
    } else {
      return undefined;
    }
    const keys = mounts.get(secretName) ?? new Set<string>();
    keys.add(key);
    mounts.set(secretName, keys);
    return { secretName, key, path: `${mountPathOf(secretName)}/${key}` };
  };

  const targets = destinations.map((rw, i): RemoteWriteTarget => {
    const name = rw.name ?? `remote-${i}`;
    const at = `remoteWrite[${i}]`;
    const target: RemoteWriteTarget = { name, url: rw.url };
    if (rw.basicAuth !== undefined) {
      const file = credential(rw.basicAuth.password, rw.basicAuth.passwordFrom, `${name}-password`, `${at}.basicAuth.passwordFrom`);
      if (file !== undefined) target.basicAuth = { username: rw.basicAuth.username, passwordFile: file };
    }
    const bearer = credential(rw.bearerToken, rw.bearerTokenFrom, `${name}-bearer-token`, `${at}.bearerTokenFrom`);
    if (bearer !== undefined) target.bearerTokenFile = bearer;
    if (rw.headers !== undefined && Object.keys(rw.headers).length > 0) target.headers = { ...rw.headers };
    if (rw.tls !== undefined) {
      const ca = credential(rw.tls.ca, undefined, `${name}-ca.crt`, `${at}.tls.ca`);
      target.tls = {
        ...(rw.tls.insecureSkipVerify !== undefined ? { insecureSkipVerify: rw.tls.insecureSkipVerify } : {}),
        ...(rw.tls.serverName !== undefined ? { serverName: rw.tls.serverName } : {}),
        ...(ca !== undefined ? { caFile: ca } : {}),
      };
    }
    if (rw.oauth2 !== undefined) {
      const secret = credential(rw.oauth2.clientSecret, rw.oauth2.clientSecretFrom, `${name}-oauth2-client-secret`, `${at}.oauth2.clientSecretFrom`);
      if (secret !== undefined) {
        target.oauth2 = { clientId: rw.oauth2.clientId, clientSecretFile: secret, tokenUrl: rw.oauth2.tokenUrl, ...(rw.oauth2.scopes !== undefined ? { scopes: [...rw.oauth2.scopes] } : {}) };
      }
    }
    if (rw.sigv4 !== undefined) target.sigv4 = { ...rw.sigv4 };
    if (rw.writeRelabelConfigs !== undefined && rw.writeRelabelConfigs.length > 0) target.writeRelabelConfigs = structuredClone(rw.writeRelabelConfigs) as RemoteWriteTarget['writeRelabelConfigs'];
    if (rw.queue !== undefined && Object.keys(rw.queue).length > 0) target.queue = { ...rw.queue };
    if (rw.proxyUrl !== undefined) target.proxyUrl = rw.proxyUrl;
    return target;
  });
  return { targets, secretData, mounts, problems };
}
