/**
 * Agent kind `grafana-agent`: grafana-agent v0.44 in static mode, the field
 * notes' agent. End of life since 2025-11-01; kept for existing users.
 * Follows Prometheus 2.x semantics (the Prometheus code it is built on).
 */
import { restrictedContainerSecurityContext } from '../../model/security.js';
import type { AgentKind } from '../kind.js';
import { agentWorkload, credentialVolumes, instanceEnv } from '../shared/workload.js';
import { GRAFANA_AGENT_CONFIG_DIR, GRAFANA_AGENT_CONFIG_KEY, GRAFANA_AGENT_HTTP_PORT, GRAFANA_AGENT_WAL_DIR, grafanaAgentConfigText, NODE_NAME_ENV } from './config.js';
import { readGrafanaAgentFile, recogniseGrafanaAgent } from './read.js';

export const grafanaAgent: AgentKind = {
  name: 'grafana-agent',
  title: 'grafana-agent v0.44, static mode (end of life since 2025-11-01)',
  configFormat: 'a grafana-agent static config (metrics.configs)',
  semantics: 'prometheus-2',
  shardable: true,
  metricsPorts: ['http-metrics'],
  endOfLife: { since: '2025-11-01', advice: 'set agent.kind: prometheus (or --set agent.kind=prometheus) to switch to Prometheus agent mode, or agent.kind: alloy for Grafana Alloy, its successor' },

  workload(model, agent) {
    const secrets = credentialVolumes(model);
    return agentWorkload(agent, {
      config: { [GRAFANA_AGENT_CONFIG_KEY]: grafanaAgentConfigText(model, agent) },
      containers: [
        {
          name: 'grafana-agent',
          image: model.images.agent,
          args: [
            `-config.file=${GRAFANA_AGENT_CONFIG_DIR}/${GRAFANA_AGENT_CONFIG_KEY}`,
            '-config.expand-env=true',
            `-server.http.address=0.0.0.0:${GRAFANA_AGENT_HTTP_PORT}`,
            '-disable-reporting',
          ],
          ...instanceEnv(agent, NODE_NAME_ENV),
          ports: [{ name: 'http-metrics', containerPort: GRAFANA_AGENT_HTTP_PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/-/ready', port: 'http-metrics' }, periodSeconds: 10 },
          resources: agent.resources,
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'config', mountPath: GRAFANA_AGENT_CONFIG_DIR, readOnly: true },
            { name: 'wal', mountPath: GRAFANA_AGENT_WAL_DIR.slice(0, GRAFANA_AGENT_WAL_DIR.lastIndexOf('/')) },
            { name: 'tmp', mountPath: '/tmp' },
            ...secrets.mounts,
          ],
        },
      ],
      volumes: [{ name: 'wal', emptyDir: {} }, { name: 'tmp', emptyDir: {} }, ...secrets.volumes],
    });
  },

  recognise: recogniseGrafanaAgent,
  readConfigFile: readGrafanaAgentFile,
};
