/**
 * `k8smon completion bash|zsh|fish`, the work: a completion script generated
 * from the command tree itself, so it never lists a command or flag that does
 * not exist.
 */
import { InvalidInputError } from '../../errors.js';
import { presetNames } from '../../profile/presets.js';
import type { CommandContext } from '../context.js';
import type { CommandInfo, CompletionOptions } from './completion.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function completionScript(shell: string, commands: readonly CommandInfo[]): string {
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

export async function run(options: CompletionOptions, ctx: CommandContext): Promise<void> {
  ctx.stdout.write(completionScript(options.shell, options.commands));
}
