/**
 * Built-in defaults: the lowest layer of the merge (defaults < preset < file < --set).
 * A first-time user with no profile at all gets a working render from these.
 */
import type { Profile } from './types.js';

export function builtInDefaults(): Profile {
  return {
    cluster: { name: 'kubernetes', platform: 'generic', controlPlane: 'self-hosted' },
    namespace: 'monitoring',
    agent: {
      kind: 'grafana-agent',
      scrapeInterval: '60s',
      scrapeTimeout: '10s',
      resources: {
        node: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        cluster: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      },
    },
    kubelet: { access: 'direct', insecureSkipVerify: true },
    localPrometheus: {
      retention: '7d',
      retentionSize: '8GB',
      storage: { kind: 'emptyDir', size: '10Gi' },
      resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2Gi' } },
    },
  };
}
