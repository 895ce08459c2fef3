// The commands of shell completion, `completion <bash|zsh|fish>` and the hidden `__complete`, as main.ts
// adds them to the program: what they do (completion.ts, with the command tables and the daemon's client)
// is imported when one of them runs, so every other command starts without it.

import { Argument, type Command } from 'commander';
import type { CliIO } from '../context.js';
import type { Completion, NameSourceFor } from './completion.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * Adds `completion <bash|zsh|fish>` and the hidden `__complete` to the program. Call it once every
 * command is added (it completes the tree it finds when TAB is pressed, so the order does not matter
 * for correctness). `names` is where names come from (default: the daemon).
 */
export function addCompletionCommands(program: Command, io: CliIO, names?: NameSourceFor): void {
  const prog = program.name();
  program
    .command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
TAB then completes commands, flags, resource types, and names from the daemon (pods, namespaces,
containers, images) for the --data-dir, --kubeconfig and -n on the line. Names need the kubeconfig to be
readable (root's, for the default data dir).

Examples:
  # bash, this shell (no bash-completion package needed); add it to ~/.bashrc for every shell:
  source <(${prog} completion bash)
  # bash, every user (read by the bash-completion package):
  ${prog} completion bash > /etc/bash_completion.d/${prog}

  # zsh (after \`autoload -U compinit && compinit\`, which most setups run; it calls compdef):
  source <(${prog} completion zsh)
  # or once, into a directory of $fpath:
  ${prog} completion zsh > "\${fpath[1]}/_${prog}"

  # fish:
  ${prog} completion fish > ~/.config/fish/completions/${prog}.fish`,
    )
    .action(async (shell: Shell) => io.stdout((await import('./completion.js')).completionScript(shell, prog)));

  program
    .command('__complete', { hidden: true })
    .description('print the completions of a command line: __complete -- WORDS... CURRENT (the completion scripts run it)')
    .argument('[words...]')
    .helpOption(false)
    .allowUnknownOption()
    .action(async (all: string[]) => {
      const args = all.length > 0 ? all.slice(0, -1) : [];
      const toComplete = all.length > 0 ? all[all.length - 1] : '';
      const { complete, daemonNames, Directive, formatCompletion } = await import('./completion.js');
      let result: Completion;
      try {
        result = await complete(program, args, toComplete, names ?? ((g) => daemonNames(io, g)));
      } catch {
        result = { candidates: [], directive: Directive.Error };
      }
      io.stdout(formatCompletion(result));
    });
}
