/**
 * Agent kind `alloy`: Grafana Alloy v1 (where grafana-agent's users went)
 * running the same jobs as Alloy components (config.ts). Alloy v1.18 is
 * built on Prometheus 3.12 code, whose semantics the preview follows. A
 * config change rolls the pods (the ConfigMap's checksum is on the pod), so
 * no reloader runs beside it.
 */
import { restrictedContainerSecurityContext } from '../../model/security.js';
import type { AgentKind } from '../kind.js';
import { agentWorkload, credentialVolumes, instanceEnv } from '../shared/workload.js';
import { alloyConfigText, CONFIG_DIR, CONFIG_KEY, HTTP_PORT, NODE_NAME_ENV, STORAGE_DIR } from './config.js';
import { readAlloyFile, recogniseAlloy } from './read.js';

export const alloy: AgentKind = {
  name: 'alloy',
  title: 'Grafana Alloy v1 (the successor of grafana-agent)',
  configFormat: 'an Alloy config (.alloy, prometheus.scrape components)',
  semantics: 'prometheus-3',
  shardable: true,
  metricsPorts: ['http-metrics'],

  workload(model, agent) {
    const secrets = credentialVolumes(model);
    return agentWorkload(agent, {
      config: { [CONFIG_KEY]: alloyConfigText(model, agent) },
      containers: [
        {
          name: 'alloy',
          image: model.images.alloy,
          args: ['run', `${CONFIG_DIR}/${CONFIG_KEY}`, `--server.http.listen-addr=0.0.0.0:${HTTP_PORT}`, `--storage.path=${STORAGE_DIR}`, '--disable-reporting'],
          ...instanceEnv(agent, NODE_NAME_ENV),
          ports: [{ name: 'http-metrics', containerPort: HTTP_PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/-/ready', port: 'http-metrics' }, periodSeconds: 10 },
          resources: agent.resources,
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'storage', mountPath: STORAGE_DIR },
            { name: 'tmp', mountPath: '/tmp' },
            ...secrets.mounts,
          ],
        },
      ],
      volumes: [{ name: 'storage', emptyDir: {} }, { name: 'tmp', emptyDir: {} }, ...secrets.volumes],
    });
  },

  recognise: recogniseAlloy,
  readConfigFile: readAlloyFile,
};
