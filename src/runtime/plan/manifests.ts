/**
 * The parts of Kubernetes manifests the runtime reads, rendered or made by
 * hand: workloads and the ConfigMaps their agents read (agent-config.ts), RBAC
 * and Services (check/).
 */
export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

export interface Manifest {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  /** A workload's spec, read loosely: hand-made manifests come in every shape. */
  spec?: any;
  data?: Record<string, string>;
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}
