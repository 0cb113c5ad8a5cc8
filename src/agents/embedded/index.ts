/**
 * Agent kind `embedded`: k8smon's own agent (src/runtime/agent/), one
 * bundled ESM file shipped in the agent's ConfigMap and run by the official
 * Node.js image, so no agent image is pulled. It reads the same Prometheus
 * config the prometheus kind renders (Prometheus 3 semantics, `$(NODE_NAME)`
 * and `$(POD_NAME)` filled in from its environment), scrapes, keeps a WAL and
 * remote-writes. Runs as the image's `node` user on a read-only root.
 */
import { InvalidInputError } from '../../errors.js';
import { restrictedContainerSecurityContext } from '../../model/security.js';
import type { AgentModel, ContainerModel, Model } from '../../model/types.js';
import type { AgentKind } from '../kind.js';
import { NODE_NAME_ENV, prometheusConfigText } from '../prometheus/config.js';
import { agentWorkload, credentialVolumes, instanceEnv } from '../shared/workload.js';
import { agentBundleGzip, BUNDLE_KEY, LOADER_KEY, LOADER_TEXT } from './bundle.js';
import { KIND, readEmbeddedFile, recogniseEmbedded } from './read.js';

export const EMBEDDED_CONFIG_KEY = 'agent.yaml';
export const EMBEDDED_DIR = '/etc/k8smon-agent';
export const EMBEDDED_WAL_DIR = '/var/lib/k8smon-agent';
export const EMBEDDED_PORT = 9090;
/** The official Node.js image's `node` user and group. */
export const NODE_IMAGE_UID = 1000;

/**
 * kubectl's client-side apply copies the whole object into an annotation,
 * and an object's annotations may hold 262144 bytes in all; the ConfigMap
 * must leave room for its metadata and the other annotations.
 */
export const ANNOTATIONS_LIMIT = 262144;
const METADATA_ROOM = 16 * 1024;

/** The init container that hands a hostPath WAL directory (created by the kubelet, owned by root) to the agent's user. */
function walOwner(model: Model): ContainerModel {
  return {
    name: 'wal-owner',
    image: model.images.node,
    command: ['chown', `${NODE_IMAGE_UID}:${NODE_IMAGE_UID}`, EMBEDDED_WAL_DIR],
    args: [],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '16Mi' } },
    // Root with CHOWN alone, for one chown; the agent itself never runs as root.
    securityContext: { ...restrictedContainerSecurityContext(['CHOWN']), runAsNonRoot: false, runAsUser: 0 },
    volumeMounts: [{ name: 'wal', mountPath: EMBEDDED_WAL_DIR }],
  };
}

function walVolume(model: Model, agent: AgentModel): Record<string, unknown> {
  // Only a DaemonSet's pod stays on its node: the cluster-scope agent's pods move, its WAL stays in the pod.
  if (agent.scope === 'node' && model.agentWal !== undefined) return { name: 'wal', hostPath: { path: model.agentWal.hostPath, type: 'DirectoryOrCreate' } };
  return { name: 'wal', emptyDir: {} };
}

/**
 * V8's settings for the node-local agent, whose load is one node's (bench/README.md has the figures):
 * - `--single-threaded`: no GC or compiler threads. On a pod's CPU share they cost more CPU than they
 *   saved, and each kept memory of its own;
 * - `--optimize-for-size`: a 1 MB semi-space and V8's memory-saving GC heuristics;
 * - `--heap-growing-percent=10`: the old generation grows by 10% of what survives a full GC (default up
 *   to 4×), so the heap follows the live set. Unlike a fixed --max-old-space-size, it scales with a
 *   larger node.
 * Together: peak RSS ~100 MiB instead of ~220 on a 110-pod node, for ~40% more CPU (still about
 * Prometheus' own). The cluster-scope agent, whose load grows with the whole cluster (kube-state-metrics),
 * keeps V8's defaults: a single-threaded GC would stop it for longer as its heap grows.
 */
export const NODE_AGENT_NODE_FLAGS = ['--single-threaded', '--optimize-for-size', '--heap-growing-percent=10'] as const;

export const embedded: AgentKind = {
  name: KIND,
  title: "k8smon's embedded agent on the official Node.js image (the program is shipped in a ConfigMap)",
  configFormat: 'a Prometheus config (scrape_configs)',
  semantics: 'prometheus-3',
  shardable: true,
  metricsPorts: ['http-metrics'],
  walOnHost: true,

  workload(model, agent) {
    const secrets = credentialVolumes(model);
    const bundle = agentBundleGzip().toString('base64');
    const config = { [EMBEDDED_CONFIG_KEY]: prometheusConfigText(model, agent), [LOADER_KEY]: LOADER_TEXT };
    const size = Buffer.byteLength(JSON.stringify({ data: config, binaryData: { [BUNDLE_KEY]: bundle } })) + METADATA_ROOM;
    if (size > ANNOTATIONS_LIMIT) {
      throw new InvalidInputError('The embedded agent does not fit its ConfigMap.', [
        {
          path: 'agent.kind',
          message: `the ConfigMap ${agent.name} would be ${size} bytes, too big for kubectl apply's last-applied annotation (${ANNOTATIONS_LIMIT} bytes): its config is ${Buffer.byteLength(config[EMBEDDED_CONFIG_KEY]!)} bytes; fewer or smaller jobs, or agent.kind prometheus (then apply the render with kubectl apply --server-side)`,
        },
      ]);
    }
    const wal = walVolume(model, agent);
    const container: ContainerModel = {
      name: 'agent',
      image: model.images.node,
      command: ['node'],
      args: [
        ...(agent.scope === 'node' ? NODE_AGENT_NODE_FLAGS : []),
        `${EMBEDDED_DIR}/${LOADER_KEY}`,
        `--config=${EMBEDDED_DIR}/${EMBEDDED_CONFIG_KEY}`,
        // The kubelet fills in $(NODE_NAME) from the container's environment (the downward API).
        ...(agent.scope === 'node' ? [`--node-name=$(${NODE_NAME_ENV})`] : []),
        `--wal-dir=${EMBEDDED_WAL_DIR}`,
        `--listen-address=:${EMBEDDED_PORT}`,
      ],
      ...instanceEnv(agent, NODE_NAME_ENV),
      ports: [{ name: 'http-metrics', containerPort: EMBEDDED_PORT, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/-/ready', port: 'http-metrics' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/-/healthy', port: 'http-metrics' }, periodSeconds: 10, failureThreshold: 6 },
      resources: agent.resources,
      securityContext: { ...restrictedContainerSecurityContext(), runAsUser: NODE_IMAGE_UID, runAsGroup: NODE_IMAGE_UID },
      volumeMounts: [{ name: 'config', mountPath: EMBEDDED_DIR, readOnly: true }, { name: 'wal', mountPath: EMBEDDED_WAL_DIR }, ...secrets.mounts],
    };
    return agentWorkload(agent, {
      config,
      binaryConfig: { [BUNDLE_KEY]: bundle },
      ...(wal.hostPath !== undefined ? { initContainers: [walOwner(model)] } : {}),
      containers: [container],
      volumes: [wal, ...secrets.volumes],
    });
  },

  recognise: recogniseEmbedded,
  readConfigFile: readEmbeddedFile,
};
