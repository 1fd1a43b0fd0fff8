/**
 * Which line reader a run uses: the native fan-in when it is found and runs, else Deno's pipes.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { LineReader } from "../config/config.ts";
import { pipedClients } from "../lines/piped.ts";
import type { Logger } from "../log/logger.ts";
import type { CommandRunner } from "../process/command_runner.ts";
import { type ClientSpawner, createProcessSpawner } from "../process/spawner.ts";
import { startFanin } from "./spawner.ts";

/** The helper's name; `make native` builds it into build/. */
export const FANIN_NAME = "hls-swarm-fanin";

/**
 * Finds a working `hls-swarm-fanin`: `HLS_SWARM_FANIN`, else `build/hls-swarm-fanin` beside the
 * program (src/main.ts or dist/hls-swarm.js). It must answer `--version`. Returns its path and
 * what was tried, so a missing helper can be explained.
 *
 * @example
 * ```ts
 * const found = await findFanin(runCommand, Deno.env.toObject(), Deno.mainModule);
 * found.path; // "/repo/build/hls-swarm-fanin", or null
 * ```
 */
export async function findFanin(
  run: CommandRunner,
  env: Record<string, string | undefined>,
  mainModule: string,
): Promise<{ path: string | null; tried: string }> {
  const named = env.HLS_SWARM_FANIN;
  const path = named ||
    (mainModule.startsWith("file:")
      ? new URL(`../build/${FANIN_NAME}`, mainModule).pathname
      : `build/${FANIN_NAME}`);
  try {
    const out = await run(path, ["--version"], 5000);
    if (out.code === 0 && out.stdout.startsWith(FANIN_NAME)) return { path, tried: path };
  } catch {
    // Missing or not executable: reported through `tried`.
  }
  return { path: null, tried: path };
}

/**
 * The client spawner for a run: the fan-in at `faninPath`, or Deno's pipes when it is null.
 *
 * @example
 * ```ts
 * const clients = clientSpawner({ faninPath: null, deathSignal: true }, systemClock, log);
 * clients.kind; // "deno"
 * ```
 */
export function clientSpawner(
  choice: { faninPath: string | null; deathSignal: boolean },
  clock: Clock,
  log: Logger,
): ClientSpawner {
  return choice.faninPath
    ? startFanin({ path: choice.faninPath, clock, log })
    : pipedClients(createProcessSpawner({ deathSignal: choice.deathSignal }), clock, log);
}

/** What a run resolves --line-reader to, or why it cannot. */
export type ReaderChoice = { faninPath: string | null; warning?: string } | { error: string };

/**
 * Resolves --line-reader: `native` requires the helper, `auto` falls back with a warning.
 *
 * @example
 * ```ts
 * chooseReader("auto", { path: null, tried: "build/hls-swarm-fanin" }).faninPath; // null
 * ```
 */
export function chooseReader(
  setting: LineReader,
  found: { path: string | null; tried: string },
): ReaderChoice {
  if (setting === "deno") return { faninPath: null };
  if (found.path) return { faninPath: found.path };
  const why = `${FANIN_NAME} not found or not working at ${found.tried} (build it with ` +
    "`make native`, or name it with HLS_SWARM_FANIN)";
  if (setting === "native") return { error: `--line-reader native: ${why}` };
  return {
    faninPath: null,
    warning: `${why}; reading FFmpeg's pipes in Deno, which costs more than twice the CPU per line`,
  };
}
