/**
 * `k8smon completion bash|zsh|fish`: a completion script generated from the
 * command tree itself, so it never lists a command or flag that does not exist.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { presetNames } from '../../profile/presets.js';
import type { CommandContext } from './render.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

interface CommandInfo {
  name: string;
  description: string;
  flags: string[];
}

function describe(program: Command): CommandInfo[] {
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    flags: c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
  }));
}

export function completionScript(shell: string, program: Command): string {
  const commands = describe(program);
  const names = commands.map((c) => c.name).join(' ');
  const presets = presetNames().join(' ');
  switch (shell) {
    case 'bash':
      return `# k8smon bash completion: source <(k8smon completion bash)
_k8smon() {
  local cur prev cmd
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
    --profile|--preset) COMPREPLY=( $(compgen -W "${presets}" -- "$cur") ); return ;;
    -f|--file|--output-dir|--kubeconfig|--output) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=( $(compgen -W "${names}" -- "$cur") ); return; fi
  case "$cmd" in
${commands.map((c) => `    ${c.name}) COMPREPLY=( $(compgen -W "${c.flags.join(' ')}" -- "$cur") ) ;;`).join('\n')}
  esac
}
complete -F _k8smon k8smon
`;
    case 'zsh':
      return `#compdef k8smon
# k8smon zsh completion: source <(k8smon completion zsh)
_k8smon() {
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${c.description.replace(/'/g, "'\\''")}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then _describe 'command' commands; return; fi
  case "$words[CURRENT-1]" in
    --profile|--preset) compadd ${presets}; return ;;
    -f|--file|--output-dir|--kubeconfig|--output) _files; return ;;
  esac
  case "$words[2]" in
${commands.map((c) => `    ${c.name}) compadd -- ${c.flags.join(' ')} ;;`).join('\n')}
  esac
}
compdef _k8smon k8smon
`;
    case 'fish':
      return `# k8smon fish completion: k8smon completion fish | source
complete -c k8smon -f
${commands.map((c) => `complete -c k8smon -n '__fish_use_subcommand' -a ${c.name} -d '${c.description.replace(/'/g, "\\'")}'`).join('\n')}
complete -c k8smon -l profile -x -a '${presets}' -d 'built-in preset'
${commands
  .flatMap((c) => c.flags.filter((f) => f.startsWith('--')).map((f) => `complete -c k8smon -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)}`))
  .join('\n')}
`;
    default:
      throw new InvalidInputError('Unknown shell.', [{ path: 'completion', message: `"${shell}" is not supported; one of: ${SHELLS.join(', ')}` }]);
  }
}

export async function completionCommand(shell: string, program: Command, ctx: CommandContext): Promise<void> {
  ctx.stdout.write(completionScript(shell, program));
}
