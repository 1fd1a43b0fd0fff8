/**
 * Supervises one client: start FFmpeg, read its output, and when it exits, wait a backoff delay
 * and start it again, until told to stop. Stopping sends SIGTERM to the client's process group,
 * waits a grace period, then sends SIGKILL.
 * @module
 */
import type { Clock } from "../clock.ts";
import type {
  ClientChild,
  ClientSpawner,
  RunExit,
  RunOutput,
  RunSink,
} from "../lines/transport.ts";
import { stopGracefully } from "../process/spawner.ts";
import type { Backoff } from "./backoff.ts";
import type { ClientExit, ClientState } from "../stats/lifecycle.ts";

/** What a supervisor reports. */
export interface SupervisorHooks {
  onState?(clientId: number, state: ClientState): void;
  onStart?(clientId: number, pid: number, restart: boolean): void;
  onExit?(exit: ClientExit): void;
  onSpawnError?(clientId: number, error: Error): void;
  /** A new run begins: per-run parser state resets here. */
  onRunStart?(clientId: number): void;
  onRestartScheduled?(clientId: number, delayMs: number, attempt: number): void;
}

/** What a supervisor needs. */
export interface SupervisorDeps {
  spawner: ClientSpawner;
  clock: Clock;
  backoff: Backoff;
  /**
   * The command for each run; rebuilt every start. It may wait (a viewer's DNS lookup with
   * --resolve-dns): what it throws is a failed start, retried after the backoff.
   */
  command(signal: AbortSignal):
    | { command: string; args: string[] }
    | Promise<{
      command: string;
      args: string[];
    }>;
  /**
   * Where every run's lines go (its exit record comes back here), what is read, and the
   * client's line counts the transport adds to.
   */
  output: Omit<RunOutput, "sink"> & { line: RunSink["line"] };
  graceMs: number;
  hooks: SupervisorHooks;
}

/**
 * Runs one client until {@linkcode ClientSupervisor.run}'s signal aborts.
 *
 * @example Not run: it spawns FFmpeg through its deps (supervisor_test.ts has a fake spawner)
 * ```ts ignore
 * const stop = new AbortController();
 * const sup = new ClientSupervisor(0, deps);
 * const done = sup.run(stop.signal);
 * // …later
 * stop.abort();
 * await done; // FFmpeg has exited
 * ```
 */
export class ClientSupervisor {
  #state: ClientState = "created";
  #child: ClientChild | null = null;
  #stopReason: string | null = null;

  constructor(readonly clientId: number, private deps: SupervisorDeps) {}

  /** The current state. */
  get state(): ClientState {
    return this.#state;
  }

  /**
   * Starts the loop. Resolves once the client has stopped and its FFmpeg has exited. A signal
   * aborted with the reason "leave" stops it as a viewer leaving; any other, as the run's end.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, backoff, hooks } = this.deps;
    const onAbort = () => this.#terminate(stopReasonOf(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      let runs = 0;
      while (!signal.aborted) {
        const started = clock.now();
        const exit = await this.#runOnce(runs++ > 0, signal);
        if (signal.aborted) break;
        const uptimeMs = exit ? exit.uptimeMs : clock.now() - started;
        const delay = backoff.next(uptimeMs, exit?.code ?? -1);
        this.#setState("backoff");
        hooks.onRestartScheduled?.(this.clientId, delay, backoff.attempts);
        await clock.sleep(delay, signal);
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#setState("stopped");
    }
  }

  /** Sends SIGKILL to a running FFmpeg at once (the second Ctrl+C). */
  kill(): void {
    this.#stopReason = "shutdown";
    this.#child?.kill("SIGKILL");
  }

  /**
   * Stops the running FFmpeg gracefully so the loop starts a fresh one (after the usual
   * backoff). Returns false when no FFmpeg is running or one is already being stopped.
   */
  restart(reason: string): boolean {
    const child = this.#child;
    if (!child || this.#stopReason !== null) return false;
    this.#stopReason = reason;
    stopGracefully(child, this.deps.graceMs, this.deps.clock);
    return true;
  }

  async #runOnce(restart: boolean, signal: AbortSignal): Promise<ClientExit | null> {
    const { spawner, clock, hooks, output } = this.deps;
    const id = this.clientId;
    this.#setState("starting");
    let cmd: { command: string; args: string[] };
    try {
      cmd = await this.deps.command(signal);
    } catch (e) {
      // A stop or leave during the wait is no failed start.
      if (!signal.aborted) hooks.onSpawnError?.(id, e instanceof Error ? e : new Error(String(e)));
      return null;
    }
    // Parser state resets before the spawn: the fan-in may deliver lines before it answers.
    hooks.onRunStart?.(id);
    const ended = Promise.withResolvers<RunExit>();
    let child: ClientChild;
    try {
      child = await spawner.spawn(cmd.command, cmd.args, {
        sink: { line: output.line, exit: (record) => ended.resolve(record) },
        counts: output.counts,
        progress: output.progress,
        stderr: output.stderr,
      });
    } catch (e) {
      hooks.onSpawnError?.(id, e instanceof Error ? e : new Error(String(e)));
      return null;
    }
    this.#child = child;
    this.#stopReason = null;
    const startedAt = clock.now();
    this.#setState("running");
    hooks.onStart?.(id, child.pid, restart);
    // A stop that came while the spawn was under way found no child to signal.
    if (signal.aborted) this.#terminate(stopReasonOf(signal));

    // The transport delivers the exit after the run's last line (or its drain time).
    const run = await ended.promise;
    this.#child = null;
    const exit: ClientExit = {
      clientId: id,
      pid: child.pid,
      code: run.code,
      signal: run.signal,
      uptimeMs: clock.now() - startedAt,
      requested: this.#stopReason !== null,
      reason: this.#stopReason,
      stderrTail: run.stderrTail,
      truncatedLines: run.truncatedLines,
    };
    hooks.onExit?.(exit);
    return exit;
  }

  #terminate(reason: "shutdown" | "leave"): void {
    const child = this.#child;
    if (!child) return;
    this.#stopReason = reason;
    // #runOnce awaits the exit; nothing to wait for here.
    stopGracefully(child, this.deps.graceMs, this.deps.clock);
  }

  #setState(state: ClientState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.deps.hooks.onState?.(this.clientId, state);
  }
}

/** Why a stop signal stopped a client: a viewer leaving, or the run's end. */
function stopReasonOf(signal: AbortSignal): "shutdown" | "leave" {
  return signal.reason === "leave" ? "leave" : "shutdown";
}
