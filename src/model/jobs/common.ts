/** Pieces every in-cluster scrape of a Kubernetes component shares. */
import type { ScrapeConfig } from '../types.js';

/** The projected ServiceAccount token; Prometheus re-reads it on every scrape, so hourly rotation is safe. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const SERVICE_ACCOUNT_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** The in-cluster apiserver address every pod can resolve. */
export const APISERVER_ADDRESS = 'kubernetes.default.svc:443';

/** HTTPS with the agent's own ServiceAccount token. */
export function serviceAccountAuth(): Pick<ScrapeConfig, 'scheme' | 'authorization'> {
  return { scheme: 'https', authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN } };
}
