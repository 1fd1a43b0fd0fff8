/**
 * Which line reader a run uses: the native fan-in when it is found and runs, else Deno's pipes.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { LineReader } from "../config/config.ts";
import { pipedClients } from "../lines/piped.ts";
import type { LineSelection } from "../lines/selection.ts";
import type { Logger } from "../log/logger.ts";
import type { CommandRunner } from "../process/command_runner.ts";
import { createProcessSpawner } from "../process/spawner.ts";
import type { ClientSpawner } from "../lines/transport.ts";
import {
  embeddedFanin,
  extractFanin,
  type ExtractPlaces,
  extractPlaces,
  FANIN_NAME,
} from "./extract.ts";
import { FANIN_PROTOCOL } from "./records.ts";
import { startFanin } from "./spawner.ts";

export { FANIN_NAME };

/** How this program runs: compiled (the fan-in is embedded for `target`) or not. */
export interface ProgramKind {
  /** `Deno.build.standalone`: true in a `deno compile` binary. */
  standalone: boolean;
  /** `Deno.build.target`, the target the embedded fan-in was built for. */
  target: string;
  /** Where an embedded fan-in may be written ({@link extractPlaces}). */
  places: ExtractPlaces;
}

/** The fan-in found, or what was tried and why it does not do. */
export interface FoundFanin {
  path: string | null;
  tried: string;
  /** Why `tried` does not do, when it was found but refused or could not be written out. */
  why?: string;
}

/**
 * Finds a working `hls-swarm-fanin`: `HLS_SWARM_FANIN`; else, in a compiled binary, the one it
 * carries, written out by {@link extractFanin}; else `build/hls-swarm-fanin` beside the program
 * (src/main.ts or dist/hls-swarm.js). It must answer `--version` with this hls-swarm's
 * protocol. Returns its path and what was tried, so a missing helper can be explained.
 *
 * @example
 * ```ts
 * import { runCommand } from "../process/command_runner.ts";
 * const found = await findFanin(runCommand, Deno.env.toObject(), Deno.mainModule);
 * found.path; // "/repo/build/hls-swarm-fanin", or null
 * ```
 */
export async function findFanin(
  run: CommandRunner,
  env: Record<string, string | undefined>,
  mainModule: string,
  program: ProgramKind = {
    standalone: Deno.build.standalone,
    target: Deno.build.target,
    places: extractPlaces(env, Deno.uid() ?? 0),
  },
): Promise<FoundFanin> {
  let path = env.HLS_SWARM_FANIN;
  if (!path && program.standalone) {
    const source = await embeddedFanin(mainModule, program.target);
    if (!source) {
      return {
        path: null,
        tried: `this binary (${program.target})`,
        why: `this binary carries no ${FANIN_NAME} (\`make compile\` embeds it)`,
      };
    }
    const got = await extractFanin(source, program.places);
    if (got.path === null) return { path: null, tried: source.name, why: got.reason };
    path = got.path;
  }
  path ||= mainModule.startsWith("file:")
    ? new URL(`../build/${FANIN_NAME}`, mainModule).pathname
    : `build/${FANIN_NAME}`;
  try {
    const out = await run(path, ["--version"], 5000);
    if (out.code === 0 && out.stdout.startsWith(FANIN_NAME)) {
      const protocol = Number(out.stdout.match(/ protocol (\d+)/)?.[1] ?? 0);
      if (protocol === FANIN_PROTOCOL) return { path, tried: path };
      return {
        path: null,
        tried: path,
        why: `${path} speaks fan-in protocol ${protocol}, this hls-swarm speaks ` +
          `${FANIN_PROTOCOL} (rebuild it with \`make native\`)`,
      };
    }
  } catch (e) {
    // Missing or not executable: reported through `tried`. A helper just written out that
    // cannot run is most likely on a noexec mount: say so.
    if (program.standalone && !env.HLS_SWARM_FANIN && e instanceof Deno.errors.PermissionDenied) {
      return { path: null, tried: path, why: `${path} cannot run (a noexec mount?): ${e.message}` };
    }
  }
  return { path: null, tried: path };
}

/**
 * The client spawner for a run: the fan-in at `faninPath`, or Deno's pipes when it is null.
 * With a `selection`, the fan-in passes only the stderr lines it names (and counts the rest as
 * filtered); Deno's pipes read every line either way.
 *
 * @example
 * ```ts
 * import { createLogger } from "../log/logger.ts";
 * const log = createLogger({ format: "json", level: "warn", sink: () => {} });
 * import { systemClock } from "../clock.ts";
 * const choice = { faninPath: null, deathSignal: true, bufferLines: 10_000 };
 * const clients = clientSpawner(choice, systemClock, log);
 * clients.kind; // "deno"
 * ```
 */
export function clientSpawner(
  choice: {
    faninPath: string | null;
    deathSignal: boolean;
    selection?: LineSelection | null;
    /** Deno's pipes: each run's queue, per stream (--stats-buffer); the fan-in buffers its own. */
    bufferLines: number;
  },
  clock: Clock,
  log: Logger,
): ClientSpawner {
  return choice.faninPath
    ? startFanin({ path: choice.faninPath, clock, log, selection: choice.selection })
    : pipedClients(createProcessSpawner({ deathSignal: choice.deathSignal }), clock, log, {
      bufferLines: choice.bufferLines,
    });
}

/** What a run resolves --line-reader to, or why it cannot. */
export type ReaderChoice = { faninPath: string | null; warning?: string } | { error: string };

/**
 * Resolves --line-reader: `native` requires the helper, `auto` falls back with a warning.
 *
 * @example
 * ```ts
 * const choice = chooseReader("auto", { path: null, tried: "build/hls-swarm-fanin" });
 * "faninPath" in choice && choice.faninPath; // null: Deno's pipes, with a warning that says so
 * ```
 */
export function chooseReader(setting: LineReader, found: FoundFanin): ReaderChoice {
  if (setting === "deno") return { faninPath: null };
  if (found.path) return { faninPath: found.path };
  const why = found.why ??
    `${FANIN_NAME} not found or not working at ${found.tried} (build it with ` +
      "`make native`, or name it with HLS_SWARM_FANIN)";
  if (setting === "native") return { error: `--line-reader native: ${why}` };
  return {
    faninPath: null,
    warning: `${why}; reading FFmpeg's pipes in Deno, which costs more than twice the CPU per line`,
  };
}
