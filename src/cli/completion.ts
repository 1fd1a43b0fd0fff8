/**
 * `hls-swarm completion bash|zsh|fish`: shell completion scripts, generated from the flag table,
 * so every flag, its choices and its help text complete as `--help` documents them.
 * @module
 */
import { FLAGS, type FlagSpec } from "../config/flags.ts";
import { PROGRAM_NAME } from "../version.ts";

/** The subcommands completion offers first. */
const SUBCOMMANDS = ["origin", "merge", "reconcile", "k8s", "completion"] as const;
/** The shells a script is made for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = typeof SHELLS[number];

/** Flags whose value is a path. */
const isPath = (f: FlagSpec) => f.arg === "<file>" || f.arg === "<path>";

/**
 * The completion script for `shell`.
 *
 * @example
 * ```ts
 * console.log(completionScript("bash")); // eval "$(hls-swarm completion bash)"
 * ```
 */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case "bash":
      return bash();
    case "zsh":
      return zsh();
    case "fish":
      return fish();
  }
}

function bash(): string {
  const flags = FLAGS.flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]);
  const cases = FLAGS.filter((f) => f.choices || isPath(f)).map((f) =>
    `    --${f.name}) COMPREPLY=(${
      f.choices ? `$(compgen -W "${f.choices.join(" ")}" -- "$cur")` : `$(compgen -f -- "$cur")`
    }); return ;;`
  );
  const fn = `_${PROGRAM_NAME.replace(/-/g, "_")}`;
  return `# bash completion for ${PROGRAM_NAME}: eval "$(${PROGRAM_NAME} completion bash)"
${fn}() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${cases.join("\n")}
  esac
  if [ "$COMP_CWORD" -eq 1 ] && [[ "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "${SUBCOMMANDS.join(" ")}" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -W "${flags.join(" ")} --help --version" -- "$cur"))
}
complete -F ${fn} ${PROGRAM_NAME}
`;
}

function zsh(): string {
  const quote = (s: string) => s.replace(/'/g, "'\\''").replace(/[[\]:]/g, "\\$&");
  const specs = FLAGS.map((f) => {
    const value = f.kind === "bool"
      ? ""
      : `:${quote(f.arg ?? "value")}:${
        f.choices ? `(${f.choices.join(" ")})` : isPath(f) ? "_files" : ""
      }`;
    const spec = `[${quote(f.help)}]${value}'`;
    // A flag with a short alias: '(-c --clients)'{-c,--clients}'[help]:arg:'
    return f.short
      ? `    '(-${f.short} --${f.name})'{-${f.short},--${f.name}}'${spec}`
      : `    '--${f.name}${spec}`;
  });
  return `#compdef ${PROGRAM_NAME}
# zsh completion for ${PROGRAM_NAME}: ${PROGRAM_NAME} completion zsh > "\${fpath[1]}/_${PROGRAM_NAME}"
_arguments -s \\
    '1::command:(${SUBCOMMANDS.join(" ")})' \\
${specs.join(" \\\n")}
`;
}

function fish(): string {
  const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const lines = FLAGS.map((f) =>
    [
      `complete -c ${PROGRAM_NAME}`,
      `-l ${f.name}`,
      ...(f.short ? [`-s ${f.short}`] : []),
      ...(f.kind === "bool"
        ? []
        : f.choices
        ? [`-x -a ${q(f.choices.join(" "))}`]
        : isPath(f)
        ? ["-r -F"]
        : ["-x"]),
      `-d ${q(f.help)}`,
    ].join(" ")
  );
  return `# fish completion for ${PROGRAM_NAME}: ${PROGRAM_NAME} completion fish | source
complete -c ${PROGRAM_NAME} -f -n '__fish_use_subcommand' -a ${q(SUBCOMMANDS.join(" "))}
${lines.join("\n")}
`;
}
