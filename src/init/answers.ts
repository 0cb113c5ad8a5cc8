/**
 * The wizard's answers → a profile document. Pure, so the interactive and the
 * non-interactive paths build profiles the same way.
 */
import type { PlainObject } from '../profile/merge.js';
import type { ComponentName, KubeletAccess } from '../profile/types.js';

export type AuthType = 'none' | 'basic' | 'bearer';
export type CredentialSource = { kind: 'env'; variable: string } | { kind: 'secret'; name: string; key: string } | { kind: 'inline'; value: string };

export interface InitAnswers {
  preset: string;
  clusterName: string;
  namespace: string;
  agentKind: string;
  kubeletAccess: KubeletAccess;
  remoteWriteUrl?: string;
  auth: AuthType;
  username?: string;
  credential?: CredentialSource;
  /** Components whose enabled state differs from the preset's. */
  components: Partial<Record<ComponentName, boolean>>;
}

function credentialFields(field: 'password' | 'bearerToken', source: CredentialSource): PlainObject {
  if (source.kind === 'env') return { [`${field}From`]: { env: source.variable } };
  if (source.kind === 'secret') return { [`${field}From`]: { secret: { name: source.name, key: source.key } } };
  return { [field]: source.value };
}

export function profileFromAnswers(a: InitAnswers): PlainObject {
  const doc: PlainObject = {
    preset: a.preset,
    cluster: { name: a.clusterName },
    namespace: a.namespace,
    agent: { kind: a.agentKind },
    kubelet: { access: a.kubeletAccess },
  };
  if (a.remoteWriteUrl !== undefined && a.remoteWriteUrl !== '') {
    let destination: PlainObject = { url: a.remoteWriteUrl };
    if (a.auth === 'basic' && a.credential !== undefined) {
      destination = { ...destination, basicAuth: { username: a.username ?? '', ...credentialFields('password', a.credential) } };
    } else if (a.auth === 'bearer' && a.credential !== undefined) {
      destination = { ...destination, ...credentialFields('bearerToken', a.credential) };
    }
    doc.remoteWrite = [destination];
  }
  const components = Object.entries(a.components);
  if (components.length > 0) doc.components = Object.fromEntries(components.map(([name, enabled]) => [name, { enabled }]));
  return doc;
}
