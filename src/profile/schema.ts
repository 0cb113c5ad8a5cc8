/**
 * The JSON Schema of a k8smon profile. This object is the single source of truth:
 * ajv validates against it, `k8smon schema` prints it, and schema/k8smon.schema.json
 * is generated from it (a test fails when the committed copy is stale).
 *
 * On a field with a `pattern`, `description` is the hint printed when the value
 * does not match ("must be <description>"), so write it as the fix a user needs;
 * what the field means goes in `title`.
 */

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

export const PLATFORMS = ['eks', 'gke', 'aks', 'kubeadm', 'k3s', 'generic'] as const;
export const AGENT_KINDS = ['grafana-agent'] as const;
export const KUBELET_ACCESS_MODES = ['direct', 'proxy'] as const;

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
      },
    },
    namespace: { ...kubernetesName, title: 'the namespace everything is deployed into' },
    agent: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { enum: AGENT_KINDS, description: 'which agent scrapes and remote-writes' },
        scrapeInterval: duration,
        scrapeTimeout: duration,
        resources: {
          type: 'object',
          additionalProperties: false,
          description: 'resources of the node-local agent (DaemonSet) and the cluster-scope agent (Deployment)',
          properties: { node: resources, cluster: resources },
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
      },
    },
  },
} as const;
