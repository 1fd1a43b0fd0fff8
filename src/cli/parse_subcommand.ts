/**
 * How a subcommand with its own commander grammar (merge, reconcile) parses its arguments.
 * @module
 */
import { type Command, CommanderError } from "commander";
import { EXIT } from "../exit/codes.ts";

/**
 * Parses `args` with `cmd`. Null when parsing went on to the command's action; otherwise the
 * exit code commander's own ending stands for: 0 after `--help`, 2 for a usage error (commander
 * has printed it).
 *
 * @example
 * ```ts
 * import { Command } from "commander";
 * const cmd = new Command("x").exitOverride().action(() => {});
 * parseSubcommand(cmd, []); // null
 * ```
 */
export function parseSubcommand(cmd: Command, args: string[]): number | null {
  try {
    cmd.parse(args, { from: "user" });
    return null;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.code === "commander.helpDisplayed" ? EXIT.ok : EXIT.usage;
  }
}
