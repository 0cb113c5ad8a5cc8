/** `k8smon agent`: run the embedded agent (scrape, remote_write with a write-ahead log) in the foreground. */
import type { AgentRunOptions } from '../../runtime/agent/main.js';
import type { CommandDefinition } from '../command.js';

/** The flags as commander parses them (camelCase); agent.run.ts hands them to src/runtime/agent/main.ts. */
export interface AgentFlags {
  config: string;
  snapshot?: string;
  walDir: string;
  listenAddress: string;
  logLevel: string;
  shutdownGrace: string;
  nodeName?: string;
  namespace?: string;
}

/** The flags as the agent's own entry takes them (src/runtime/agent/main.ts). */
export function agentOptions(flags: AgentFlags): AgentRunOptions {
  return {
    config: flags.config,
    walDir: flags.walDir,
    listenAddress: flags.listenAddress,
    logLevel: flags.logLevel,
    shutdownGrace: flags.shutdownGrace,
    ...(flags.snapshot !== undefined ? { snapshot: flags.snapshot } : {}),
    ...(flags.nodeName !== undefined ? { nodeName: flags.nodeName } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
  };
}

export const agentCommand: CommandDefinition = {
  register: (program, run) =>
    program
      .command('agent')
      .description('run the metrics agent: Kubernetes discovery, scrapes, remote_write through a write-ahead log (what agent.kind: embedded runs in the cluster)')
      .requiredOption('--config <file>', 'Prometheus-format config (global, scrape_configs, remote_write); $(VAR) references are expanded from the environment')
      .option('--snapshot <file>', 'discover from a snapshot file (k8smon snapshot) instead of the API server: for tests and dry runs; re-read when it changes')
      .option('--wal-dir <dir>', 'write-ahead logs, one directory per remote_write entry', './data/wal')
      .option('--listen-address <host:port>', 'where /metrics, /-/healthy and /-/ready are served', '0.0.0.0:9090')
      .option('--log-level <level>', 'debug, info, warn or error (JSON lines on stderr)', 'info')
      .option('--shutdown-grace <duration>', 'on SIGTERM/SIGINT, how long to go on sending before exiting (what is left is sent after the restart)', '25s')
      .option('--node-name <name>', 'sets NODE_NAME for $(NODE_NAME) in the config')
      .option('--namespace <ns>', "the agent's namespace, for namespaces.own_namespace (default: $POD_NAMESPACE or the service account's)")
      .addHelpText('after', `\nExamples:\n  $ k8smon agent --config prometheus.yml --snapshot cluster.json --wal-dir /tmp/wal --listen-address 127.0.0.1:9090`)
      .action(async (flags: AgentFlags) => {
        const { run: agent } = await import('./agent.run.js');
        await run((ctx) => agent(agentOptions(flags), ctx));
      }),
};
