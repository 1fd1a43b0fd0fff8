/**
 * Accepts the Go tool's spelling: `-clients 5` as well as `--clients 5`, and `-tui=false` /
 * `--stats=true` for booleans. Rewrites argv into commander's spelling before parsing.
 * @module
 */
import { parseBoolWord } from "../config/env.ts";
import type { FlagSpec } from "../config/flags.ts";

/**
 * Rewrites Go-style flags among `args` (up to a `--`) for the given flag table.
 *
 * @example
 * ```ts
 * import { FLAGS } from "../config/flags.ts";
 * normalizeArgv(["-clients", "5", "-tui=false", "URL"], FLAGS);
 * // ["--clients", "5", "--no-tui", "URL"]
 * ```
 */
export function normalizeArgv(args: readonly string[], flags: readonly FlagSpec[]): string[] {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const m = /^--?([a-z][a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg);
    const flag = m && byName.get(m[1]);
    if (!m || (!flag && !["help", "version"].includes(m[1]))) {
      out.push(arg);
      continue;
    }
    const [, name, value] = m;
    if (flag?.kind !== "bool" || value === undefined) {
      out.push(value === undefined ? `--${name}` : `--${name}=${value}`);
      continue;
    }
    const on = parseBoolWord(value);
    if (on === undefined) out.push(`--${name}=${value}`); // commander rejects the value
    else if (name.startsWith("no-")) {
      if (on) out.push(`--${name}`); // --no-cache=false is the default: nothing to pass
    } else out.push(on ? `--${name}` : `--no-${name}`);
  }
  return out;
}
