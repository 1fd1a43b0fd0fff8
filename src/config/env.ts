/**
 * The environment-variable mapping, so a container needs no shell entrypoint. Every flag has a
 * canonical variable, `HLS_SWARM_<NAME>`; the Go tool's container names (`CLIENTS`,
 * `DURATION`…) are aliases. A flag beats its variables, and a canonical variable beats its alias.
 *
 * A bad canonical value is an error (exit 2). A bad alias value is only a warning and is left
 * out: names as generic as `TIMEOUT` or `STATS` are often set by a CI system for something else,
 * and must not stop a run that never meant them. Except `HEADERS`: dropping it would drop an
 * Authorization header with it, and run unauthenticated against an origin that meant to be
 * asked with credentials (and the warning would have to quote the token).
 * @module
 */
import { envName, EXTRA_ENV, FLAGS } from "./flags.ts";
import type { RawFlags } from "./load.ts";

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

type Env = Readonly<Record<string, string | undefined>>;

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
 * The value of a canonical variable, else of its alias, with the name it came from.
 *
 * @example
 * ```ts
 * import { EXTRA_ENV } from "./flags.ts";
 * readVariable({ STREAM_URL: "http://a/x.m3u8" }, EXTRA_ENV.streamUrl);
 * // { variable: "STREAM_URL", value: "http://a/x.m3u8", alias: true }
 * ```
 */
export function readVariable(
  env: Env,
  names: { name: string; alias?: string },
): { variable: string; value: string; alias: boolean } | null {
  for (const [variable, alias] of [[names.name, false], [names.alias, true]] as const) {
    const value = variable ? env[variable] : undefined;
    if (value !== undefined && value !== "") return { variable: variable!, value, alias };
  }
  return null;
}

/** Flags whose alias value is never dropped: a bad one is an error, as with the canonical name. */
const NEVER_DROPPED: ReadonlySet<string> = new Set(["header"]);

/** What the environment gave, beyond the values in `raw`. */
export interface EnvironmentResult {
  /** Bad canonical values: the run must not start. */
  errors: string[];
  /** Bad alias values, left out. */
  warnings: string[];
  /** Flags whose value came from an alias, and which: a bad one is dropped, not fatal. */
  fromAlias: Map<string, string>;
  /** The variable each flag filled from the environment came from, by flag name. */
  sources: Record<string, string>;
}

/**
 * Fills `raw` from the environment for every flag not in `given` (the names set on the command
 * line).
 *
 * @example
 * ```ts
 * import type { RawFlags } from "./load.ts";
 * const raw: RawFlags = {};
 * applyEnvironment(raw, new Set(), { HLS_SWARM_CLIENTS: "3", CLIENTS: "9", NO_CACHE: "1" });
 * // raw is { clients: "3", "no-cache": true }
 * ```
 */
export function applyEnvironment(
  raw: RawFlags,
  given: ReadonlySet<string>,
  env: Env,
): EnvironmentResult {
  const result: EnvironmentResult = {
    errors: [],
    warnings: [],
    fromAlias: new Map(),
    sources: {},
  };
  for (const flag of FLAGS) {
    if (given.has(flag.name)) continue;
    const found = readVariable(env, { name: envName(flag.name), alias: flag.alias });
    if (!found) continue;
    const { variable, value, alias } = found;
    if (flag.kind === "bool") {
      const b = parseBoolWord(value);
      const problem = `${variable}: expected true or false (got "${value}")`;
      if (b !== undefined) raw[flag.name] = b;
      else if (alias) result.warnings.push(`${problem}; ignored`);
      else result.errors.push(problem);
    } else if (flag.kind === "list") {
      raw[flag.name] = value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    } else {
      raw[flag.name] = value;
    }
    if (!(flag.name in raw)) continue;
    result.sources[flag.name] = variable;
    if (alias && !NEVER_DROPPED.has(flag.name)) result.fromAlias.set(flag.name, variable);
  }
  const port = readVariable(env, EXTRA_ENV.metricsPort);
  if (port && !given.has("metrics") && raw.metrics === undefined) {
    raw.metrics = `0.0.0.0:${port.value}`;
    if (port.alias) result.fromAlias.set("metrics", port.variable);
  }
  return result;
}
