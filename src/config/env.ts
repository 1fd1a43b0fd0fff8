/**
 * The environment-variable mapping, so a container needs no shell entrypoint. Variables fill in
 * only flags the command line did not give: a flag beats its variable.
 * @module
 */
import { EXTRA_ENV, FLAGS } from "./flags.ts";
import type { RawFlags } from "./load.ts";

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

/**
 * Parses a boolean the way people write it in environment files.
 *
 * @example
 * ```ts
 * parseBoolWord("yes"); // true
 * parseBoolWord("maybe"); // undefined
 * ```
 */
export function parseBoolWord(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return undefined;
}

/**
 * Fills `raw` from the environment for every flag not in `given` (the names set on the command
 * line). Returns the stream URL from STREAM_URL when `url` is empty, and pushes one message per
 * unusable value onto `errors`.
 *
 * @example
 * ```ts
 * const raw: RawFlags = {};
 * const errors: string[] = [];
 * applyEnvironment(raw, new Set(), { CLIENTS: "3", NO_CACHE: "1" }, errors);
 * // raw is { clients: "3", "no-cache": true }
 * ```
 */
export function applyEnvironment(
  raw: RawFlags,
  given: ReadonlySet<string>,
  env: Readonly<Record<string, string | undefined>>,
  errors: string[],
): void {
  for (const flag of FLAGS) {
    if (!flag.env || given.has(flag.name)) continue;
    const value = env[flag.env];
    if (value === undefined || value === "") continue;
    if (flag.kind === "bool") {
      const b = parseBoolWord(value);
      if (b === undefined) errors.push(`${flag.env}: expected true or false (got "${value}")`);
      else raw[flag.name] = b;
    } else if (flag.kind === "list") {
      raw[flag.name] = value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    } else {
      raw[flag.name] = value;
    }
  }
  const port = env[EXTRA_ENV.metricsPort];
  if (port && !given.has("metrics") && !env.METRICS_ADDR) raw.metrics = `0.0.0.0:${port}`;
}
