/**
 * Shell completion scripts for bash and zsh, written out from the commander program itself (its
 * commands, options, option values and arguments), so a new command or option is completed without
 * anyone touching this file. The scripts are static: completing never runs switchyard or calls the API.
 */
import type { Argument, Command, Option } from 'commander';

export const shells = ['bash', 'zsh'] as const;
export type Shell = (typeof shells)[number];

/** One option as completion needs it. */
interface OptionSpec {
  /** "-o", "--output": every spelling. */
  readonly names: readonly string[];
  readonly description: string;
  /** How its value completes: no value, any text, a file, or one of a list. */
  readonly value:
    | { readonly kind: 'none' }
    | { readonly kind: 'text' | 'file'; readonly label: string }
    | {
        readonly kind: 'choice';
        readonly label: string;
        readonly choices: readonly string[];
      };
}

interface ArgumentSpec {
  readonly label: string;
  readonly required: boolean;
  /** Words it can be, when the set is fixed (a shell, a command name). */
  readonly choices?: readonly string[];
}

interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly args: readonly ArgumentSpec[];
}

export interface ProgramSpec {
  readonly name: string;
  readonly options: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
}

/** The program's commands and options, hidden ones included (the connection options after a command). */
export function describeProgram(program: Command): ProgramSpec {
  const help = program.createHelp();
  const commands = help.visibleCommands(program);
  const names = commands.map((command) => command.name());
  return {
    name: program.name(),
    options: optionsOf(program),
    commands: commands.map((command) => {
      // A command with subcommands (`fleet plan|start|…`) completes them as its first word, and then
      // the options of any of them: the scripts know one level of commands, which keeps them simple.
      const subcommands = command.commands;
      if (subcommands.length > 0) {
        return {
          name: command.name(),
          description: command.description(),
          options: unique([command, ...subcommands].flatMap(optionsOf)),
          args: [{ label: 'command', required: true, choices: subcommands.map((sub) => sub.name()) }],
        };
      }
      return {
        name: command.name(),
        description: command.description(),
        options: optionsOf(command),
        // `help [command]` is commander's own; its argument is one of the commands.
        args: command.registeredArguments.map((argument) =>
          argumentSpec(argument, command.name() === 'help' ? names : undefined),
        ),
      };
    }),
  };
}

/** Options by their spellings, each once (subcommands share the connection options). */
function unique(options: readonly OptionSpec[]): OptionSpec[] {
  const seen = new Set<string>();
  return options.filter((option) => {
    const key = option.names.join(' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function optionsOf(command: Command): OptionSpec[] {
  const options = [
    ...command.createHelp().visibleOptions(command),
    ...command.options.filter((o) => o.hidden),
  ];
  const seen = new Set<string>();
  return options.flatMap((option) => {
    if (seen.has(option.flags)) return [];
    seen.add(option.flags);
    return [optionSpec(option)];
  });
}

function optionSpec(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((name): name is string => name !== undefined);
  const label = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? 'value';
  const takesValue = option.required || option.optional;
  const value = !takesValue
    ? ({ kind: 'none' } as const)
    : option.argChoices
      ? ({ kind: 'choice', label, choices: option.argChoices } as const)
      : ({ kind: /file|dir/.test(label) ? 'file' : 'text', label } as const);
  return { names, description: option.description, value };
}

function argumentSpec(argument: Argument, choices = argument.argChoices): ArgumentSpec {
  return {
    label: argument.description || argument.name(),
    required: argument.required,
    ...(choices ? { choices } : {}),
  };
}

export function completionScript(program: Command, shell: Shell, version: string): string {
  const spec = describeProgram(program);
  return shell === 'bash' ? bashScript(spec, version) : zshScript(spec, version);
}

// --- bash ---------------------------------------------------------------------------------------

/** A word list for compgen -W, single-quoted. */
const words = (list: readonly string[]) => shellQuote(list.join(' '));
const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** `case "$prev"` arms completing the value of each option that takes one; other text completes to nothing. */
function bashValueCases(options: readonly OptionSpec[], indent: string): string[] {
  return options.flatMap((option) => {
    const value = option.value;
    if (value.kind === 'none') return [];
    const reply =
      value.kind === 'choice'
        ? `COMPREPLY=($(compgen -W ${words(value.choices)} -- "$cur"))`
        : value.kind === 'file'
          ? `COMPREPLY=($(compgen -f -- "$cur"))`
          : 'COMPREPLY=()';
    return [`${indent}${option.names.join('|')}) ${reply}; return ;;`];
  });
}

function bashScript(spec: ProgramSpec, version: string): string {
  const valueOptions = (options: readonly OptionSpec[]) =>
    options.filter((o) => o.value.kind !== 'none').flatMap((o) => o.names);
  const optionWords = (options: readonly OptionSpec[]) => options.flatMap((o) => o.names);
  const commandArms = spec.commands.flatMap((command) => {
    const positional = command.args[0]?.choices
      ? `COMPREPLY=($(compgen -W ${words(command.args[0].choices)} -- "$cur"))`
      : command.args.length === 0
        ? `COMPREPLY=($(compgen -W ${words(optionWords(command.options))} -- "$cur"))`
        : 'COMPREPLY=()';
    return [
      `    ${command.name})`,
      '      case $prev in',
      ...bashValueCases(command.options, '        '),
      '      esac',
      '      if [[ $cur == -* ]]; then',
      `        COMPREPLY=($(compgen -W ${words(optionWords(command.options))} -- "$cur"))`,
      '      else',
      `        ${positional}`,
      '      fi',
      '      ;;',
    ];
  });
  const name = spec.name;
  return [
    `# bash completion for ${name} ${version}, written by \`${name} completion bash\` from the CLI's own`,
    '# commands and options. Load it in this shell, or for every shell, with one of:',
    `#   source <(${name} completion bash)`,
    `#   ${name} completion bash > ~/.local/share/bash-completion/completions/${name}`,
    `_${name}() {`,
    `  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}`,
    '  local command="" i',
    '  # The command is the first word that is neither an option nor the value of one.',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    `    case \${COMP_WORDS[i]} in`,
    `      ${valueOptions(spec.options).join('|')}) ((i++)) ;;`,
    '      -*) ;;',
    `      *) command=\${COMP_WORDS[i]}; break ;;`,
    '    esac',
    '  done',
    '  case $command in',
    '    "")',
    '      case $prev in',
    ...bashValueCases(spec.options, '        '),
    '      esac',
    '      if [[ $cur == -* ]]; then',
    `        COMPREPLY=($(compgen -W ${words(optionWords(spec.options))} -- "$cur"))`,
    '      else',
    `        COMPREPLY=($(compgen -W ${words(spec.commands.map((c) => c.name))} -- "$cur"))`,
    '      fi',
    '      ;;',
    ...commandArms,
    '  esac',
    '}',
    `complete -F _${name} ${name}`,
    '',
  ].join('\n');
}

// --- zsh ----------------------------------------------------------------------------------------

/** Text inside a zsh single-quoted word, where _arguments also reads [ ] and : as syntax. */
const zshText = (text: string) =>
  text.replaceAll("'", `'\\''`).replaceAll('[', '(').replaceAll(']', ')').replaceAll(':', '\\:');

function zshOption(option: OptionSpec): string {
  const value = option.value;
  const action =
    value.kind === 'none'
      ? ''
      : value.kind === 'choice'
        ? `:${zshText(value.label)}:(${value.choices.map(zshText).join(' ')})`
        : value.kind === 'file'
          ? `:${zshText(value.label)}:_files`
          : `:${zshText(value.label)}: `;
  const described = `[${zshText(option.description)}]${action}`;
  if (option.names.length === 1) return `'${option.names[0]}${described}'`;
  // -o and --output: either spelling, and not both.
  return `'(${option.names.join(' ')})'{${option.names.join(',')}}'${described}'`;
}

function zshArgument(arg: ArgumentSpec, position: number): string {
  const action = arg.choices ? `(${arg.choices.map(zshText).join(' ')})` : ' ';
  return `'${position}${arg.required ? '' : ':'}:${zshText(arg.label)}:${action}'`;
}

function zshScript(spec: ProgramSpec, version: string): string {
  const name = spec.name;
  const continued = (lines: readonly string[], indent: string) =>
    lines.map((line, i) => `${indent}${line}${i < lines.length - 1 ? ' \\' : ''}`);
  const commandArms = spec.commands.flatMap((command) => [
    `        (${command.name})`,
    ...continued(
      [
        '_arguments',
        ...command.options.map(zshOption),
        ...command.args.map((arg, i) => zshArgument(arg, i + 1)),
      ],
      '          ',
    ),
    '          ;;',
  ]);
  return [
    `#compdef ${name}`,
    `# zsh completion for ${name} ${version}, written by \`${name} completion zsh\` from the CLI's own`,
    '# commands and options. Install it on your fpath (then start a new shell), or load it after compinit:',
    `#   ${name} completion zsh > "\${fpath[1]}/_${name}"`,
    `#   source <(${name} completion zsh)`,
    `_${name}() {`,
    '  local curcontext=$curcontext state line',
    '  local -a commands',
    '  commands=(',
    ...spec.commands.map((c) => `    '${zshText(c.name)}:${c.description.replaceAll("'", `'\\''`)}'`),
    '  )',
    ...continued(['_arguments -C', ...spec.options.map(zshOption), "'1: :->command'", "'*:: :->args'"], '  '),
    '  case $state in',
    `    (command) _describe -t commands '${name} command' commands ;;`,
    '    (args)',
    '      case $words[1] in',
    ...commandArms,
    '      esac',
    '      ;;',
    '  esac',
    '}',
    `if [[ $funcstack[1] == _${name} ]]; then _${name} "$@"; else compdef _${name} ${name}; fi`,
    '',
  ].join('\n');
}
