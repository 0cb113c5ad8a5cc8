/**
 * Agent kind `prometheus`, the default: Prometheus in agent mode (scrape and
 * remote_write, no local queries or rules), with prometheus-config-reloader
 * as an init container (the first config) and a sidecar (reloads when the
 * ConfigMap changes) that fills in `$(NODE_NAME)`. Prometheus 3 semantics.
 */
import { restrictedContainerSecurityContext } from '../../model/security.js';
import type { ContainerModel } from '../../model/types.js';
import type { AgentKind } from '../kind.js';
import { agentWorkload, credentialVolumes, instanceEnv } from '../shared/workload.js';
import { CONFIG_DIR, CONFIG_KEY, EXPANDED_CONFIG, NODE_NAME_ENV, prometheusConfigText } from './config.js';
import { readPrometheusFile, recognisePrometheus } from './read.js';

const WEB_PORT = 9090;
const RELOADER_PORT = 8080;
const STORAGE_DIR = '/prometheus';
const EXPANDED_DIR = EXPANDED_CONFIG.slice(0, EXPANDED_CONFIG.lastIndexOf('/'));

/** The reloader is small: what prometheus-operator gives it by default. */
const RELOADER_RESOURCES = { requests: { cpu: '10m', memory: '50Mi' }, limits: { memory: '50Mi' } };

export const prometheus: AgentKind = {
  name: 'prometheus',
  title: 'Prometheus v3 in agent mode (with prometheus-config-reloader)',
  configFormat: 'a Prometheus config (scrape_configs)',
  semantics: 'prometheus-3',
  shardable: true,
  metricsPorts: ['http-web', 'http-reloader'],

  workload(model, agent) {
    const secrets = credentialVolumes(model);
    const reloaderArgs = [`--config-file=${CONFIG_DIR}/${CONFIG_KEY}`, `--config-envsubst-file=${EXPANDED_CONFIG}`];
    const reloader = (name: string, args: string[]): ContainerModel => ({
      name,
      image: model.images.configReloader,
      args,
      ...instanceEnv(agent, NODE_NAME_ENV),
      resources: RELOADER_RESOURCES,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'config-out', mountPath: EXPANDED_DIR },
      ],
    });
    return agentWorkload(agent, {
      config: { [CONFIG_KEY]: prometheusConfigText(model, agent) },
      // Writes the first expanded config before Prometheus starts (--watch-interval=0: once, then exit).
      initContainers: [reloader('init-config-reloader', ['--watch-interval=0', ...reloaderArgs])],
      containers: [
        {
          name: 'prometheus',
          image: model.images.prometheus,
          // In full: the image's default command carries --storage.tsdb.path, which agent mode refuses (exit 3).
          args: [
            '--agent',
            `--config.file=${EXPANDED_CONFIG}`,
            `--storage.agent.path=${STORAGE_DIR}`,
            `--web.listen-address=:${WEB_PORT}`,
            // The reloader's POST /-/reload needs it.
            '--web.enable-lifecycle',
          ],
          ports: [{ name: 'http-web', containerPort: WEB_PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/-/ready', port: 'http-web' }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: '/-/healthy', port: 'http-web' }, periodSeconds: 10, failureThreshold: 6 },
          resources: agent.resources,
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'config-out', mountPath: EXPANDED_DIR, readOnly: true },
            { name: 'storage', mountPath: STORAGE_DIR },
            ...secrets.mounts,
          ],
        },
        {
          ...reloader('config-reloader', [
            `--listen-address=:${RELOADER_PORT}`,
            `--reload-url=http://127.0.0.1:${WEB_PORT}/-/reload`,
            `--watched-dir=${CONFIG_DIR}`,
            ...reloaderArgs,
          ]),
          ports: [{ name: 'http-reloader', containerPort: RELOADER_PORT, protocol: 'TCP' }],
        },
      ],
      volumes: [{ name: 'config-out', emptyDir: { medium: 'Memory' } }, { name: 'storage', emptyDir: {} }, ...secrets.volumes],
    });
  },

  recognise: recognisePrometheus,
  readConfigFile: readPrometheusFile,
};
