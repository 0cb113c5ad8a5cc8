/**
 * Credentials written into an agent config (the field notes' remote_write
 * password in a ConfigMap): whoever may read the ConfigMap reads them. A
 * reference (`${VAR}`, which grafana-agent's -config.expand-env fills from
 * an environment a Secret can feed) is not the secret itself. Values are
 * never printed.
 */
import type { AgentSpec } from '../plan/plan.js';
import type { Problem } from '../preview/preview.js';

/** Secret fields of Prometheus' HTTP client config, and the file field that should replace each. */
const SECRET_FIELDS: readonly { path: readonly string[]; file: string }[] = [
  { path: ['basic_auth', 'password'], file: 'basic_auth.password_file' },
  { path: ['bearer_token'], file: 'bearer_token_file' },
  { path: ['authorization', 'credentials'], file: 'authorization.credentials_file' },
  { path: ['oauth2', 'client_secret'], file: 'oauth2.client_secret_file' },
];

/** A config that mentions none of the fields (`password_file:` is not `password:`; Alloy writes `password =`) needs no parsing. */
const MENTIONS_SECRET_FIELD = /\b(password|bearer_token|credentials|client_secret)\s*[:=]/;

const ENV_REFERENCE = /^\$(\{[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/;

export function credentialProblems(agents: readonly AgentSpec[]): Problem[] {
  const problems: Problem[] = [];
  for (const agent of agents) {
    if (!MENTIONS_SECRET_FIELD.test(agent.text)) continue;
    let clients: [string, unknown][];
    try {
      clients = agent.httpClients();
    } catch {
      continue; // reported where the config is read
    }
    for (const [where, client] of clients) {
      for (const { path, file } of SECRET_FIELDS) {
        const value = path.reduce<any>((v, key) => (typeof v === 'object' && v !== null ? v[key] : undefined), client);
        if (typeof value !== 'string' || value === '' || ENV_REFERENCE.test(value)) continue; // a reference is not the secret itself
        problems.push({
          severity: 'error',
          rule: 'credentials-in-config',
          message: `${agent.name}: ${where}.${path.join('.')} is written into the agent config in plain text, so whoever may read its ConfigMap reads it; keep it in a Secret mounted into the pod and use ${file} (as k8smon renders it)`,
        });
      }
    }
  }
  return problems;
}
