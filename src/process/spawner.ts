/**
 * Starts child processes in their own process group, so a signal reaches FFmpeg and anything it
 * started, and (where `setpriv` works) with a parent-death signal, so no child outlives a
 * SIGKILLed hls-swarm.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { CommandRunner } from "./command_runner.ts";

/** How a child ended. `code` is 128 + signal number when a signal ended it, like a shell's `$?`. */
export interface ExitStatus {
  code: number;
  signal: Deno.Signal | null;
}

/** A running child. */
export interface ChildProcess {
  readonly pid: number;
  /** null when the spawn options did not ask for the stream. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  readonly status: Promise<ExitStatus>;
  /** Signals the child's whole process group. Never throws for a child that already exited. */
  kill(signal: Deno.Signal): void;
}

/** Starts children. Injected so tests can drive supervisors without real processes. */
export interface Spawner {
  spawn(command: string, args: string[], io: { stdout: boolean; stderr: boolean }): ChildProcess;
}

/**
 * Checks once whether `setpriv --pdeathsig KILL` can wrap commands here (util-linux on Linux).
 *
 * @example
 * ```ts
 * import { runCommand } from "./command_runner.ts";
 * const wrap = await detectDeathSignalWrapper(runCommand); // true on Debian
 * ```
 */
export async function detectDeathSignalWrapper(run: CommandRunner): Promise<boolean> {
  try {
    const out = await run("setpriv", ["--pdeathsig", "KILL", "--", "true"], 5000);
    return out.code === 0;
  } catch {
    return false;
  }
}

/**
 * The real spawner, on `Deno.Command` with `detached: true` (a new session and process group).
 * With `deathSignal`, the command runs under `setpriv --pdeathsig KILL --`, which sets the
 * signal and then execs it, so the pid is still the command's own.
 *
 * @example
 * ```ts
 * const spawner = createProcessSpawner({ deathSignal: true });
 * const child = spawner.spawn("ffmpeg", ["-version"], { stdout: true, stderr: true });
 * console.log((await child.status).code);
 * ```
 */
export function createProcessSpawner(opts: { deathSignal: boolean }): Spawner {
  return {
    spawn(command, args, io) {
      const argv = opts.deathSignal
        ? ["setpriv", "--pdeathsig", "KILL", "--", command, ...args]
        : [command, ...args];
      const child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        detached: true,
        stdin: "null",
        stdout: io.stdout ? "piped" : "null",
        stderr: io.stderr ? "piped" : "null",
      }).spawn();
      const pid = child.pid;
      let exited = false;
      const status = child.status.then((s) => {
        exited = true;
        return { code: s.code, signal: s.signal };
      });
      return {
        pid,
        stdout: io.stdout ? child.stdout : null,
        stderr: io.stderr ? child.stderr : null,
        status,
        kill(signal) {
          if (!exited) killGroup(pid, signal);
        },
      };
    },
  };
}

/**
 * Signals the process group that `pid` leads. Never throws: a group that is gone raced with its
 * exit, and signalling the child itself is then moot.
 *
 * @example Not run: it signals a running process group
 * ```ts ignore
 * killGroup(child.pid, "SIGTERM");
 * ```
 */
export function killGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // The group is gone.
  }
}

/**
 * Stops a child: SIGTERM to its process group, then SIGKILL if it is still running after
 * `graceMs`. Resolves with its exit status.
 *
 * @example Not run: it stops a running process
 * ```ts ignore
 * const status = await stopGracefully(child, 5000, systemClock);
 * ```
 */
export async function stopGracefully(
  child: Pick<ChildProcess, "kill" | "status">,
  graceMs: number,
  clock: Clock,
): Promise<ExitStatus> {
  child.kill("SIGTERM");
  const exited = new AbortController();
  child.status.finally(() => exited.abort());
  await clock.sleep(graceMs, exited.signal);
  if (!exited.signal.aborted) child.kill("SIGKILL");
  return await child.status;
}
