/**
 * The agent kinds k8smon renders and previews, the first being the default.
 * Adding a kind is a folder beside this file (see kind.ts for what it
 * provides) and one line here: the profile schema's `agent.kind` enum,
 * `init`'s choices, the render and the preview all read this list.
 */
import { alloy } from './alloy/index.js';
import { embedded } from './embedded/index.js';
import { grafanaAgent } from './grafana-agent/index.js';
import type { AgentKind } from './kind.js';
import { prometheus } from './prometheus/index.js';

export const AGENT_KINDS: readonly AgentKind[] = [prometheus, alloy, grafanaAgent, embedded];

export const AGENT_KIND_NAMES = AGENT_KINDS.map((k) => k.name);

export const DEFAULT_AGENT_KIND = AGENT_KINDS[0]!.name;

/** The kind named `name`; the profile schema has already refused any other. */
export function agentKind(name: string): AgentKind {
  const kind = AGENT_KINDS.find((k) => k.name === name);
  if (kind === undefined) throw new Error(`unknown agent kind "${name}"; one of ${AGENT_KIND_NAMES.join(', ')}`);
  return kind;
}
