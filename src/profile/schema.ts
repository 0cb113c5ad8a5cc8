/**
 * The JSON Schema of a k8smon profile. This object is the single source of truth:
 * ajv validates against it, `k8smon schema` prints it, and schema/k8smon.schema.json
 * is generated from it (a test fails when the committed copy is stale).
 *
 * On a field with a `pattern`, `description` is the hint printed when the value
 * does not match ("must be <description>"), so write it as the fix a user needs;
 * what the field means goes in `title`.
 */

import { AGENT_KINDS, DEFAULT_AGENT_KIND } from '../agents/registry.js';
import { DISCOVERY_ROLES } from '../runtime/semantics/discovery/roles.js';
import { RELABEL_ACTIONS } from '../runtime/semantics/relabel/relabel.js';
import { IMAGE_NAMES, KSM_COLLECTORS, KUBELET_ACCESS_MODES, PLATFORMS } from './vocabulary.js';

const duration = {
  type: 'string',
  pattern: '^([0-9]+(ms|s|m|h|d|w|y))+$',
  description: 'a Prometheus duration such as 30s, 1m or 1h30m (units ms, s, m, h, d, w, y)',
} as const;

const kubernetesName = {
  type: 'string',
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  maxLength: 63,
  description: 'a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
} as const;

const secretKeyRef = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'key'],
  description: 'an existing Secret in the render namespace, and the key in it',
  properties: {
    name: { ...kubernetesName, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'the name of an existing Secret (DNS-1123 subdomain)' },
    key: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253, description: 'a Secret key: letters, digits, "-", "_" and "."' },
  },
} as const;

/** Where a credential comes from instead of the profile file itself. */
const valueFrom = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  description: 'exactly one of {env: VAR} (read from the environment of `k8smon render` into the rendered Secret) or {secret: {name, key}} (an existing Secret the agents mount)',
  properties: {
    env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'an environment variable name such as RW_PASSWORD' },
    secret: secretKeyRef,
  },
} as const;

const quantity = {
  type: 'string',
  pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$',
  description: 'a Kubernetes quantity such as 100m, 0.5, 256Mi or 2Gi',
} as const;

const resources = {
  type: 'object',
  additionalProperties: false,
  description: 'container resources; a missing value keeps the default',
  properties: {
    requests: {
      type: 'object',
      additionalProperties: false,
      properties: { cpu: quantity, memory: quantity },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { cpu: quantity, memory: quantity },
    },
  },
} as const;

/** A label or annotation key: an optional DNS-subdomain prefix and a name. */
const metadataKey = {
  pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
  description: 'a Kubernetes label or annotation key such as team or example.com/owner',
} as const;

const labelMap = {
  type: 'object',
  description: 'extra pod labels; k8smon\'s own app.kubernetes.io/ labels cannot be replaced',
  propertyNames: metadataKey,
  additionalProperties: { type: 'string', pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$', description: 'a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' },
} as const;

const annotationMap = {
  type: 'object',
  description: 'extra annotations',
  propertyNames: metadataKey,
  additionalProperties: { type: 'string' },
} as const;

const toleration = {
  type: 'object',
  additionalProperties: false,
  description: 'a Kubernetes toleration',
  properties: {
    key: { type: 'string', minLength: 1 },
    operator: { enum: ['Exists', 'Equal'] },
    value: { type: 'string' },
    effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    tolerationSeconds: { type: 'integer' },
  },
} as const;

/** Pod settings: podDefaults for every workload, and the same per workload. */
export const podSettings = {
  type: 'object',
  additionalProperties: false,
  title: 'pod settings: imagePullSecrets, priorityClassName, nodeSelector, tolerations, affinity, labels, annotations',
  properties: {
    imagePullSecrets: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253, description: 'the name of a docker-registry Secret in the render namespace' },
      description: 'names of Secrets (type kubernetes.io/dockerconfigjson) in the render namespace used to pull the images, e.g. from imageRegistry',
    },
    priorityClassName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253, description: 'the name of a PriorityClass (DNS-1123 subdomain), such as system-node-critical' },
    nodeSelector: {
      type: 'object',
      description: 'node labels the pods must match; replaces the workload\'s own nodeSelector',
      propertyNames: metadataKey,
      additionalProperties: { type: 'string' },
    },
    tolerations: { type: 'array', items: toleration, description: 'replaces the workload\'s own tolerations (node agents and node-exporter tolerate control-plane or every taint by default)' },
    affinity: { type: 'object', description: 'a Kubernetes affinity (nodeAffinity, podAffinity, podAntiAffinity), passed through as given' },
    labels: labelMap,
    annotations: annotationMap,
  },
} as const;

/** A Prometheus relabel config, in Prometheus' own (snake_case) field names. */
export const relabelConfig = {
  type: 'object',
  additionalProperties: false,
  title: 'a Prometheus relabel config',
  properties: {
    source_labels: { type: 'array', items: { type: 'string' } },
    separator: { type: 'string' },
    regex: { type: 'string', description: 'an RE2 regex, anchored at both ends' },
    modulus: { type: 'integer', minimum: 0 },
    target_label: { type: 'string' },
    replacement: { type: 'string' },
    action: { enum: RELABEL_ACTIONS },
  },
} as const;

/**
 * A Prometheus scrape config, limited to the fields every agent kind renders
 * and the preview runs (Kubernetes and static discovery); Prometheus' own names.
 */
const scrapeConfig = {
  type: 'object',
  additionalProperties: false,
  title: 'a Prometheus scrape config',
  required: ['job_name'],
  properties: {
    job_name: { type: 'string', pattern: '^[a-zA-Z0-9_][a-zA-Z0-9_.:-]*$', maxLength: 128, description: 'the job label of its series; unique among the jobs of the render' },
    scrape_interval: duration,
    scrape_timeout: duration,
    scheme: { enum: ['http', 'https'] },
    metrics_path: { type: 'string', pattern: '^/', description: 'the path of the metrics endpoint, such as /metrics' },
    params: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'URL query parameters' },
    honor_labels: { type: 'boolean' },
    authorization: {
      type: 'object',
      additionalProperties: false,
      properties: { type: { type: 'string' }, credentials_file: { type: 'string', pattern: '^/', description: 'a file in the agent container, such as the ServiceAccount token /var/run/secrets/kubernetes.io/serviceaccount/token' } },
    },
    tls_config: {
      type: 'object',
      additionalProperties: false,
      properties: { ca_file: { type: 'string', pattern: '^/' }, server_name: { type: 'string' }, insecure_skip_verify: { type: 'boolean' } },
    },
    kubernetes_sd_configs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['role'],
        properties: {
          role: { enum: DISCOVERY_ROLES },
          namespaces: {
            type: 'object',
            additionalProperties: false,
            properties: { names: { type: 'array', items: { type: 'string' } }, own_namespace: { type: 'boolean' } },
          },
          selectors: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: { enum: DISCOVERY_ROLES }, label: { type: 'string' }, field: { type: 'string' } } },
          },
          attach_metadata: { type: 'object', additionalProperties: false, properties: { node: { type: 'boolean' } } },
        },
      },
    },
    static_configs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['targets'],
        properties: {
          targets: { type: 'array', items: { type: 'string', pattern: '^[^/\\s]+:[0-9]+$', description: 'host:port' } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
    relabel_configs: { type: 'array', items: relabelConfig },
    metric_relabel_configs: { type: 'array', items: relabelConfig },
  },
} as const;

export { COMPONENT_NAMES, IMAGE_NAMES, KSM_COLLECTORS, KUBELET_ACCESS_MODES, PLATFORMS } from './vocabulary.js';

const metricRegex = {
  type: 'string',
  minLength: 1,
  description: 'a metric-name regex in RE2 syntax, matched against the whole name, e.g. kubelet_volume_stats_.*',
} as const;

/** Which metrics of a job are kept: the default allow-list, plus or minus. */
const metricsFilter = {
  type: 'object',
  additionalProperties: false,
  title: 'which metrics of this job are kept',
  properties: {
    allowlist: { type: 'boolean', description: 'keep only the default allow-list (true) or every metric (false)' },
    keep: { type: 'array', items: metricRegex, description: 'extra metric names to keep on top of the allow-list' },
    drop: { type: 'array', items: metricRegex, description: 'metric names to drop even if allowed' },
  },
} as const;

const enabled = { type: 'boolean', description: 'whether this component is rendered and scraped' } as const;

const pod = { ...podSettings, title: 'pod settings of this workload; each given field replaces the one of podDefaults (labels and annotations merge key by key)' } as const;

function component(title: string, extra: Record<string, unknown> = {}) {
  return { type: 'object', additionalProperties: false, title, properties: { enabled, ...extra } } as const;
}

const imageOverride = {
  type: 'object',
  additionalProperties: false,
  description: 'parts of the image reference to replace; the rest keeps the pinned default',
  properties: {
    registry: { type: 'string', pattern: '^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?$', description: 'a registry host with an optional port and path, such as registry.example.cn/mirror' },
    repository: { type: 'string', pattern: '^[a-z0-9]+([._/-][a-z0-9]+)*$', description: 'a repository path such as prometheus/node-exporter' },
    tag: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?$', description: 'an image tag such as v1.12.1 (optionally with @sha256:digest)' },
  },
} as const;

export const profileSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://k8smon.dev/schema/k8smon.schema.json',
  title: 'k8smon cluster profile',
  description: 'Describes a cluster and where its metrics go; `k8smon render` turns it into manifests.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'editor hint; ignored by k8smon' },
    description: { type: 'string', description: 'free text for people; ignored by k8smon' },
    preset: {
      type: 'string',
      description: 'a built-in preset this profile starts from; `k8smon presets` lists them',
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: {
          type: 'string',
          minLength: 1,
          maxLength: 256,
          description: 'becomes the `cluster` external label on every series',
        },
        platform: {
          enum: PLATFORMS,
          description: 'where the cluster runs; set by presets',
        },
        controlPlane: {
          enum: ['managed', 'self-hosted'],
          description: 'managed control planes hide the scheduler, controller-manager and etcd',
        },
        nodes: {
          type: 'integer',
          minimum: 1,
          maximum: 100000,
          description: 'the expected number of nodes; sizes the agents and kube-state-metrics, and sets how many shards the cluster agent and kube-state-metrics run',
        },
        podsPerNode: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          description: 'the expected pods per node (default 30: Kubernetes\' scale target of 150,000 pods on 5,000 nodes); sizes the agents',
        },
      },
    },
    imageRegistry: {
      type: 'string',
      pattern: '^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?$',
      description: 'a registry host with an optional port and path, such as registry.example.cn/mirror; every image is pulled from there, keeping its repository path and tag',
    },
    images: {
      type: 'object',
      additionalProperties: false,
      title: 'per-image overrides (for mirrors that lay paths out differently)',
      properties: Object.fromEntries(IMAGE_NAMES.map((n) => [n, imageOverride])),
    },
    components: {
      type: 'object',
      additionalProperties: false,
      title: 'what is deployed and scraped',
      properties: {
        kubelet: component('kubelet /metrics', {
          resourceMetrics: { type: 'boolean', description: 'also scrape /metrics/resource' },
          probeMetrics: { type: 'boolean', description: 'also scrape /metrics/probes' },
          metrics: metricsFilter,
        }),
        cadvisor: component('cAdvisor /metrics/cadvisor on the kubelet', { metrics: metricsFilter }),
        apiserver: component('kube-apiserver /metrics', { metrics: metricsFilter }),
        kubeStateMetrics: component('kube-state-metrics', {
          collectors: {
            type: 'array',
            uniqueItems: true,
            items: { enum: KSM_COLLECTORS },
            description: 'the kube-state-metrics collectors (--resources); "secrets" lists every Secret in the cluster and is off unless listed here',
          },
          metrics: metricsFilter,
          resources,
          pod,
          shards: {
            type: 'integer',
            minimum: 1,
            maximum: 64,
            description:
              'kube-state-metrics replicas, each serving its share of the objects (automated sharding: a StatefulSet with --pod/--pod-namespace); default from cluster.nodes: one per 400 nodes. 1 renders a single-replica Deployment',
          },
        }),
        nodeExporter: component('node-exporter (hostNetwork, hostPID, read-only host mounts)', { metrics: metricsFilter, resources, pod }),
        blackboxExporter: component('blackbox-exporter and probes of annotated Services and Ingresses', {
          icmp: { type: 'boolean', description: 'add the icmp module (needs the NET_RAW capability)' },
          resources,
          pod,
        }),
        annotatedPods: component('pods annotated prometheus.io/scrape: "true", scraped by the agent on their node'),
        annotatedServices: component('service endpoints annotated prometheus.io/scrape: "true", scraped once'),
        kubeProxy: component('kube-proxy :10249 on every node (the node agent needs the host network)'),
        kubeScheduler: component('kube-scheduler :10259 on control-plane nodes (self-hosted only)'),
        kubeControllerManager: component('kube-controller-manager :10257 on control-plane nodes (self-hosted only)'),
        etcd: component('etcd metrics on http://127.0.0.1:2381 on control-plane nodes (self-hosted only)'),
        coreDns: component('CoreDNS :9153 (pods labelled k8s-app=kube-dns in kube-system)'),
        kubeDns: component('kube-dns (GKE): kubedns :10055 and its dnsmasq sidecar :10054, pods labelled k8s-app=kube-dns in kube-system'),
        eksControlPlane: component('EKS scheduler and controller-manager metrics through the apiserver (EKS, Kubernetes 1.28+)'),
        selfMonitoring: component("the pipeline's own /metrics: the agents and their config reloader, kube-state-metrics' telemetry port, blackbox-exporter, the in-cluster Prometheus", {
          metrics: metricsFilter,
        }),
      },
    },
    networkPolicies: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean', description: 'render NetworkPolicies that let only the agents reach the exporters' } },
    },
    rules: {
      type: 'object',
      additionalProperties: false,
      description: 'alerting and recording rules for the jobs k8smon renders',
      properties: {
        enabled: { type: 'boolean', description: 'render the rules: loaded by the in-cluster Prometheus, and written as rules/k8smon.rules.yaml by render --output-dir' },
        prometheusRule: { type: 'boolean', description: 'also render them as a PrometheusRule (monitoring.coreos.com/v1) for the Prometheus operator' },
        runbookBaseUrl: {
          type: 'string',
          pattern: '^https?://[^\\s#]+$',
          maxLength: 2048,
          description: 'an http(s) URL without a #fragment; each alert links to it with #<alertname in lower case>',
        },
      },
    },
    alertmanager: {
      type: 'object',
      additionalProperties: false,
      description: "an Alertmanager that receives the in-cluster Prometheus' alerts (needs the in-cluster Prometheus: no remoteWrite); credentials only from existing Secrets, mounted",
      properties: {
        enabled: { type: 'boolean', description: 'render the Alertmanager and point the in-cluster Prometheus at it' },
        receivers: {
          type: 'array',
          description: 'where alerts go; every receiver gets every alert (grouped by alertname, cluster, namespace)',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9][-A-Za-z0-9_.]*$', maxLength: 63, description: 'the receiver name' },
              slack: {
                type: 'object',
                additionalProperties: false,
                required: ['channel', 'apiUrlFrom'],
                properties: {
                  channel: { type: 'string', minLength: 1, description: 'such as #alerts' },
                  apiUrlFrom: { type: 'object', additionalProperties: false, required: ['secret'], properties: { secret: secretKeyRef }, description: 'the incoming-webhook URL, from an existing Secret' },
                },
              },
              email: {
                type: 'object',
                additionalProperties: false,
                required: ['to', 'from', 'smarthost'],
                properties: {
                  to: { type: 'string', minLength: 3 },
                  from: { type: 'string', minLength: 3 },
                  smarthost: { type: 'string', pattern: '^[^\\s:]+:[0-9]+$', description: 'host:port of the SMTP server' },
                  authUsername: { type: 'string' },
                  authPasswordFrom: { type: 'object', additionalProperties: false, required: ['secret'], properties: { secret: secretKeyRef } },
                },
              },
              webhook: {
                type: 'object',
                additionalProperties: false,
                required: ['url'],
                properties: {
                  url: { type: 'string', pattern: '^https?://', description: 'the webhook URL (a token in it would be in the ConfigMap: use bearerTokenFrom)' },
                  bearerTokenFrom: { type: 'object', additionalProperties: false, required: ['secret'], properties: { secret: secretKeyRef } },
                },
              },
            },
          },
        },
        resources,
        pod: { ...pod, title: 'pod settings of the Alertmanager' },
      },
    },
    dashboards: {
      type: 'object',
      additionalProperties: false,
      description: 'Grafana dashboards for the jobs k8smon renders',
      properties: {
        enabled: { type: 'boolean', description: 'render the dashboards as ConfigMaps labelled grafana_dashboard: "1" (for Grafana\'s sidecar), and as dashboards/*.json with render --output-dir' },
      },
    },
    namespace: { ...kubernetesName, title: 'the namespace everything is deployed into' },
    inventory: {
      type: 'object',
      additionalProperties: false,
      description: 'the record, in the cluster, of what apply created (an ApplySet parent ConfigMap in the namespace); apply prunes what a new render no longer contains',
      properties: {
        name: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
          description: 'name of the inventory ConfigMap (DNS-1123 subdomain); default k8smon-<cluster.name>. Each profile installed into one namespace needs its own',
        },
      },
    },
    agent: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: {
          enum: AGENT_KINDS.map((k) => k.name),
          description: `which agent scrapes and remote-writes (default ${DEFAULT_AGENT_KIND}): ${AGENT_KINDS.map((k) => `${k.name}: ${k.title}`).join('; ')}`,
        },
        scrapeInterval: duration,
        scrapeTimeout: duration,
        resources: {
          type: 'object',
          additionalProperties: false,
          description: 'resources of the node-local agent (DaemonSet) and the cluster-scope agent (each replica when sharded); default sized from cluster.nodes and cluster.podsPerNode, a given value replaces that figure',
          properties: { node: resources, cluster: resources },
        },
        pod: { ...pod, title: 'pod settings of both agents (node DaemonSet and cluster Deployment); each given field replaces the one of podDefaults' },
        serviceAccount: {
          type: 'object',
          additionalProperties: false,
          properties: {
            annotations: { ...annotationMap, description: 'annotations of the agents\' ServiceAccounts, such as eks.amazonaws.com/role-arn (IRSA) or iam.gke.io/gcp-service-account (Workload Identity)' },
          },
        },
        cluster: {
          type: 'object',
          additionalProperties: false,
          description: 'the cluster-scope agent',
          properties: {
            shards: {
              type: 'integer',
              minimum: 1,
              maximum: 64,
              description:
                'how many replicas share the cluster-scope targets (a StatefulSet, each keeping its hashmod share of __address__); default from cluster.nodes: 1 up to 500 nodes, 2 up to 1,000, 4 up to 2,500, 8 above. 1 renders a single-replica Deployment',
            },
          },
        },
        wal: {
          type: 'object',
          additionalProperties: false,
          description: `where the agents keep their write-ahead log (samples not yet sent); default an emptyDir, lost with the pod. Only agent.kind ${AGENT_KINDS.filter((k) => k.walOnHost === true).map((k) => k.name).join(', ')}`,
          properties: {
            hostPath: {
              type: 'string',
              maxLength: 1024,
              pattern: '^/.*[^/]$',
              description:
                'an absolute directory on each node (created when missing, owned by the agent) for the node-local agent (DaemonSet), so its unsent samples survive a restart or an upgrade; the namespace then allows "privileged" pods (hostPath). The cluster-scope agent keeps an emptyDir: its pods move between nodes',
            },
          },
        },
      },
    },
    kubelet: {
      type: 'object',
      additionalProperties: false,
      properties: {
        access: {
          enum: KUBELET_ACCESS_MODES,
          description: 'direct: the agent on each node scrapes its kubelet on :10250 (needs nodes/metrics); proxy: through the apiserver (needs nodes/proxy, which also allows exec into pods)',
        },
        insecureSkipVerify: {
          type: 'boolean',
          description: 'skip verification of the kubelet serving certificate (direct access). Kubelet certificates are self-signed unless the cluster runs serverTLSBootstrap; set false when it does',
        },
      },
    },
    remoteWrite: {
      type: 'array',
      minItems: 1,
      description: 'where the agents send samples; omit it to get a single-replica in-cluster Prometheus',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: { type: 'string', minLength: 1, description: 'the remote_write endpoint, an http:// or https:// URL' },
          name: { ...kubernetesName, title: 'a name for this destination, shown in agent metrics' },
          basicAuth: {
            type: 'object',
            additionalProperties: false,
            required: ['username'],
            properties: {
              username: { type: 'string', minLength: 1 },
              password: { type: 'string', minLength: 1, description: 'the password itself (prefer passwordFrom, so it is not kept in the profile)' },
              passwordFrom: valueFrom,
            },
          },
          bearerToken: { type: 'string', minLength: 1, description: 'the token itself (prefer bearerTokenFrom)' },
          bearerTokenFrom: valueFrom,
          headers: {
            type: 'object',
            description: 'extra HTTP headers, such as X-Scope-OrgID; they live in the agent ConfigMap, so no secrets here',
            propertyNames: { pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$', description: 'an HTTP header name' },
            additionalProperties: { type: 'string', pattern: '^[^\\r\\n\\u0000]*$', description: 'a header value on one line (no CR, LF or NUL)' },
          },
          tls: {
            type: 'object',
            additionalProperties: false,
            properties: {
              insecureSkipVerify: { type: 'boolean' },
              serverName: { type: 'string', minLength: 1 },
              ca: { type: 'string', minLength: 1, description: 'PEM bundle of CA certificates to trust' },
            },
          },
          writeRelabelConfigs: { type: 'array', items: relabelConfig, description: 'Prometheus relabel configs applied to samples before they are sent (write_relabel_configs)' },
          queue: {
            type: 'object',
            additionalProperties: false,
            title: 'the sending queue (Prometheus queue_config)',
            properties: {
              capacity: { type: 'integer', minimum: 1, description: 'samples buffered per shard' },
              maxShards: { type: 'integer', minimum: 1 },
              minShards: { type: 'integer', minimum: 1 },
              maxSamplesPerSend: { type: 'integer', minimum: 1 },
              batchSendDeadline: duration,
              minBackoff: duration,
              maxBackoff: duration,
            },
          },
          proxyUrl: { type: 'string', minLength: 1, description: 'an HTTP(S) or SOCKS5 proxy such as http://proxy.example:3128, without credentials' },
          sigv4: {
            type: 'object',
            additionalProperties: false,
            required: ['region'],
            title: 'AWS Signature Version 4 (Amazon Managed Service for Prometheus); credentials come from the pod\'s identity (IRSA: agent.serviceAccount.annotations)',
            properties: {
              region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', description: 'an AWS region such as eu-west-1' },
              roleArn: { type: 'string', pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$', description: 'an IAM role ARN such as arn:aws:iam::123456789012:role/amp-writer' },
            },
          },
          oauth2: {
            type: 'object',
            additionalProperties: false,
            required: ['clientId', 'tokenUrl'],
            title: 'OAuth 2.0 client credentials',
            properties: {
              clientId: { type: 'string', minLength: 1 },
              clientSecret: { type: 'string', minLength: 1, description: 'the client secret itself (prefer clientSecretFrom, so it is not kept in the profile)' },
              clientSecretFrom: valueFrom,
              tokenUrl: { type: 'string', minLength: 1, description: 'the token endpoint, an https:// URL' },
              scopes: { type: 'array', items: { type: 'string', minLength: 1 } },
            },
          },
        },
      },
    },
    localPrometheus: {
      type: 'object',
      additionalProperties: false,
      description: 'the in-cluster Prometheus added when no remoteWrite destination is configured',
      properties: {
        retention: duration,
        retentionSize: {
          type: 'string',
          pattern: '^[0-9]+(B|KB|MB|GB|TB|PB|EB)$',
          description: 'a Prometheus byte size such as 512MB or 8GB',
        },
        storage: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { enum: ['emptyDir', 'persistentVolumeClaim'] },
            size: quantity,
            storageClassName: { ...kubernetesName, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
          },
        },
        resources,
        pod: { ...pod, title: 'pod settings of the in-cluster Prometheus' },
      },
    },
    externalLabels: {
      type: 'object',
      description: 'labels added to every series the agents send, next to cluster (which comes from cluster.name)',
      propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', description: 'a Prometheus label name: letters, digits and "_", not starting with a digit' },
      additionalProperties: { type: 'string', minLength: 1, description: 'a label value' },
    },
    extraScrapeConfigs: {
      type: 'array',
      description: "your own jobs, as Prometheus scrape configs, run by the cluster agent (sharded with it); discovery RBAC is derived from their kubernetes_sd_configs",
      items: scrapeConfig,
    },
    podDefaults: { ...podSettings, title: 'pod settings applied to every workload k8smon renders; components.<name>.pod, agent.pod and localPrometheus.pod override them' },
  },
} as const;
