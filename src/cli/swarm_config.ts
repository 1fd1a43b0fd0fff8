/**
 * The swarm's configuration from the command line and the environment together: flags first,
 * then canonical variables, then the Go tool's aliases. A value that came from an alias and does
 * not load is dropped with a warning instead of stopping the run (see config/env.ts).
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import { applyEnvironment, readVariable } from "../config/env.ts";
import { envName, EXTRA_ENV } from "../config/flags.ts";
import { loadConfig, type RawFlags } from "../config/load.ts";

/** A loaded configuration with the warnings met on the way, or every error found. */
export type SwarmConfigResult =
  | { ok: true; config: SwarmConfig; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

/**
 * Loads the configuration of a swarm command.
 *
 * @example
 * ```ts
 * const r = swarmConfig({ clients: "5" }, new Set(["clients"]), undefined, Deno.env.toObject());
 * ```
 */
export function swarmConfig(
  cliRaw: RawFlags,
  given: ReadonlySet<string>,
  url: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): SwarmConfigResult {
  const raw = { ...cliRaw };
  const fromEnv = applyEnvironment(raw, given, env);
  const warnings = [...fromEnv.warnings];
  const urlVar = readVariable(env, EXTRA_ENV.streamUrl);
  const jobIndex = readVariable(env, EXTRA_ENV.jobIndex)?.value;
  const load = () => loadConfig(raw, url ?? urlVar?.value, jobIndex, fromEnv.sources);
  let loaded = load();
  if (!loaded.ok) {
    let dropped = false;
    for (const [flag, variable] of fromEnv.fromAlias) {
      const error = loaded.errors.find((e) => e.startsWith(`${flag}: `));
      if (!error) continue;
      warnings.push(
        `${variable}=${JSON.stringify(raw[flag])} ignored (${error}); hls-swarm reads ` +
          `${envName(flag)}, and ${variable} only as the Go tool's alias`,
      );
      delete raw[flag];
      dropped = true;
    }
    if (dropped) loaded = load();
  }
  const errors = [...fromEnv.errors, ...(loaded.ok ? [] : loaded.errors)];
  return loaded.ok && !errors.length
    ? { ok: true, config: loaded.config, warnings }
    : { ok: false, errors, warnings };
}
