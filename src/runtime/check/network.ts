/**
 * Loopback targets (kube-proxy, etcd, the scheduler on 127.0.0.1) scraped by
 * an agent whose pod has its own network namespace: there, 127.0.0.1 is the
 * pod itself, and every scrape is refused. Only an agent on the host network
 * reaches what the node binds to loopback.
 */
import type { AgentSpec } from '../plan/plan.js';
import { scrapedByAgent, type ActiveTarget, type Problem } from '../preview/preview.js';
import { isLoopbackUrl } from '../semantics/target.js';

export function loopbackProblems(agents: readonly AgentSpec[], targets: readonly ActiveTarget[]): Problem[] {
  const problems: Problem[] = [];
  for (const agent of agents) {
    if (agent.hostNetwork !== false) continue; // on the host network, or not known (an agent config file)
    const jobs = new Map<string, string>();
    for (const t of targets) {
      if (scrapedByAgent(t, agent) && isLoopbackUrl(t.url) && !jobs.has(t.job)) jobs.set(t.job, t.url);
    }
    for (const [job, url] of jobs) {
      problems.push({
        severity: 'error',
        rule: 'loopback-off-host-network',
        message: `${agent.name} job ${job}: ${url} is the pod's own loopback, not the node's: the agent's pod is not on the host network (set hostNetwork: true, as k8smon does for such jobs)`,
      });
    }
  }
  return problems;
}
