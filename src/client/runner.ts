/**
 * One client, end to end: its FFmpeg (through the supervisor: spawn, backoff, restart, stop),
 * its two output streams, their lossy queues, the parsers, and the fan-out of every parsed
 * event into the partition's stats. The path of one stderr line:
 *
 *   pipe → read, split and stamped by the native fan-in ({@link ../../native/fanin.c}), which
 *   buffers and drops (counted) outside this process → {@linkcode LossyLineQueue.pass}; or by
 *   Deno ({@link ../lines/piped.ts}) → {@linkcode LossyLineQueue.offer} (dropped when full) →
 *   {@link ../lines/pump.ts ParsePump}; then → the client's parse entry (a line a parser
 *   throws on is counted, logged once per kind and skipped there) → {@link
 *   ../parser/stderr_events.ts StderrParser.push} → {@linkcode PartitionStats.record} (and the
 *   request log, when asked for)
 * @module
 */
import type { Clock } from "../clock.ts";
import { errorKind, errorText, excerpt } from "../lines/contained.ts";
import { LossyLineQueue, type StampedLine } from "../lines/lossy_queue.ts";
import type { ParsePump } from "../lines/pump.ts";
import type { Logger } from "../log/logger.ts";
import { type ClientParsers, FFMPEG_PARSERS } from "../parser/parsers_for.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import type { ClientSpawner } from "../process/spawner.ts";
import type { RequestLog } from "./request_log.ts";
import type { ClientLineCounts, PartitionStats } from "../stats/partition_stats.ts";
import type { SessionResult } from "../viewer/session.ts";
import { Backoff, DEFAULT_BACKOFF } from "./backoff.ts";
import { clientRandom } from "../math/random.ts";
import { ClientSupervisor } from "./supervisor.ts";
import { type ClientExit, type ClientState, exitLabel } from "../stats/lifecycle.ts";

/** How every client of a run behaves. */
export interface ClientOptions {
  /** Parse FFmpeg's output into figures (--stats). */
  stats: boolean;
  /** Copy every stderr line into the debug log (--ffmpeg-debug). */
  ffmpegDebug: boolean;
  /** Capacity of each lossy line queue (--stats-buffer). */
  bufferLines: number;
  /** Time FFmpeg gets after SIGTERM before SIGKILL. */
  graceMs: number;
}

/** What a client needs from its partition. */
export interface ClientDeps {
  spawner: ClientSpawner;
  clock: Clock;
  log: Logger;
  stats: PartitionStats;
  pump: ParsePump;
  /** Seeds the client's backoff jitter. */
  seed: number;
  /** The FFmpeg command of client `id` (rebuilt at every start; may wait, see the supervisor). */
  command(id: number, signal: AbortSignal):
    | { command: string; args: string[] }
    | Promise<{
      command: string;
      args: string[];
    }>;
  options: ClientOptions;
  /** The partition's per-request log (--request-log), or none. */
  requestLog?: RequestLog;
  /** What reads the client's output; {@linkcode FFMPEG_PARSERS} unless another is given. */
  parsers?: ClientParsers;
}

/** A running client. */
export interface ClientHandle {
  readonly id: number;
  readonly state: ClientState;
  /** Lines read, dropped and parsed per stream, over every FFmpeg run so far. */
  counts(): ClientLineCounts;
  /** Stops the running FFmpeg gracefully so a fresh one starts; false when none runs. */
  restart(reason: string): boolean;
  /** SIGKILL to the running FFmpeg now. */
  kill(): void;
  /** Resolves once `signal` has aborted and the client's FFmpeg has exited. */
  readonly done: Promise<void>;
}

/**
 * Starts client `id`; it runs (restarting FFmpeg as needed) until `signal` aborts.
 *
 * @example Not run: it spawns FFmpeg through its deps (runner_test.ts has a fake spawner)
 * ```ts ignore
 * const stop = new AbortController();
 * const client = startClient(0, deps, stop.signal);
 * stop.abort();
 * await client.done; // FFmpeg has exited and its last lines are counted
 * ```
 */
export function startClient(id: number, deps: ClientDeps, signal: AbortSignal): ClientHandle {
  const { clock, log, stats, pump, options } = deps;
  const parsers = deps.parsers ?? FFMPEG_PARSERS;
  let progress = parsers.progress();
  let stderr = parsers.stderr();
  // Every parsed event goes to the partition's stats and, with --request-log, to its request log.
  const record = (e: HttpEvent) => {
    stats.record(id, e);
    deps.requestLog?.event(id, e);
  };
  // The client's parse entry, the one place both readers' lines (and the end of a run) meet
  // the parsers: what a parser throws on a line costs that line, counted (`parserErrors`) and
  // logged once per kind of error, never the reader, the client's exit or the stop.
  const failed = (stream: "stderr" | "progress", line: string, error: unknown) => {
    const kind = errorKind(error);
    if (!stats.parserError(id, kind)) return;
    log.warn("parser_error", {
      client_id: id,
      stream,
      error: errorText(error),
      kind,
      // Cut at a space, so the logger's redactor still sees every secret whole.
      line: excerpt(line),
      line_chars: line.length,
    });
  };
  const parse =
    (stream: "stderr" | "progress", step: (l: StampedLine) => void) => (l: StampedLine) => {
      try {
        step(l);
      } catch (e) {
        failed(stream, l.line, e);
      }
    };
  const queues = {
    progress: new LossyLineQueue(
      options.bufferLines,
      parse("progress", ({ line, at, gap }) => {
        // A block missing lines is not a block: start over with the next one.
        if (gap) progress = parsers.progress();
        const block = progress.push(line);
        if (block) stats.recordProgress(id, block, at);
      }),
    ),
    stderr: new LossyLineQueue(
      options.bufferLines,
      parse("stderr", ({ line, at, gap }) => {
        if (options.ffmpegDebug) log.debug("ffmpeg_stderr", { client_id: id, line });
        if (!options.stats) return;
        if (gap) stderr.gap();
        for (const e of stderr.push(line, at)) record(e);
      }),
    ),
  };
  const counts = () => ({ progress: queues.progress.counts(), stderr: queues.stderr.counts() });
  stats.client(id, counts);
  // Deno's pipe readers queue each line for the pump, so reading never waits for parsing. The
  // fan-in already buffers (and drops, and counts) outside this process, so its lines are
  // parsed as they arrive: no queue, no pump turn.
  const offer = deps.spawner.kind === "native"
    ? (queue: LossyLineQueue) => (_: number, line: string, at: number) => queue.pass(line, at)
    : (queue: LossyLineQueue) => (_: number, line: string, at: number) => {
      queue.offer(line, at);
      pump.wake(queue);
    };
  const life = stats.lifecycle;
  const supervisor = new ClientSupervisor(id, {
    spawner: deps.spawner,
    clock,
    backoff: new Backoff(DEFAULT_BACKOFF, clientRandom(id, deps.seed ^ 0x5bd1e995)),
    command: (signal) => deps.command(id, signal),
    readProgress: options.stats,
    graceMs: options.graceMs,
    hooks: {
      onState: (cid, state) => life.onState(cid, state),
      onStart: (cid, pid, restart) => {
        life.onStart(restart);
        log.info("client_started", { client_id: cid, pid, restart });
      },
      onSpawnError: (cid, error) => {
        life.spawnErrors++;
        // A viewer's DNS lookup (--resolve-dns) that found nothing is a failed start too.
        const event = error.name === "DnsLookupError"
          ? "client_lookup_failed"
          : "client_spawn_failed";
        log.error(event, { client_id: cid, error: error.message });
      },
      onRunStart: () => {
        progress = parsers.progress();
        stderr = parsers.stderr();
        const c = stats.client(id);
        c.playback.onRunStart();
        c.viewer.runStart();
        deps.requestLog?.runStart(id, c.viewer.sessionNumber);
      },
      onExit: (exit) => {
        // Parse what the run left queued before the next run resets per-run parser state.
        pump.flush(queues.progress);
        pump.flush(queues.stderr);
        // A stop hls-swarm asked for cuts what was open: finish() keeps those requests out of
        // "unanswered" and counts bodies still arriving apart, as in flight at the stop.
        try {
          for (const e of stderr.finish(exit.requested)) record(e);
        } catch (e) {
          failed("stderr", "(the end of the run)", e);
        }
        deps.requestLog?.endRun(id);
        const viewer = stats.client(id).viewer;
        // A session hls-swarm ended at the run's end, or because the viewer left (its session
        // was over, the audience's target fell), is the viewer leaving (an exit before video
        // start, if no media came); any other end (an error, a crash, a restart hls-swarm
        // asked for because the client stalled) is a failure to start, if no media came.
        const left = exit.reason === "shutdown" || exit.reason === "leave";
        const session = viewer.runEnd(
          exit.requested && left ? "stopped" : "error",
          clock.now(),
        );
        if (session && options.stats) logSession(log, id, viewer.sessionNumber, session);
        life.onExit(exit);
        logExit(log, exit);
      },
      onRestartScheduled: (cid, delayMs, attempt) =>
        log.debug("client_restart_scheduled", {
          client_id: cid,
          delay_ms: Math.round(delayMs),
          attempt,
        }),
      onProgressLine: offer(queues.progress),
      onStderrLine: options.stats || options.ffmpegDebug ? offer(queues.stderr) : undefined,
      onLinesDropped: (_, stream, n) => queues[stream].lost(n),
      onLinesFiltered: (_, n) => queues.stderr.filtered(n),
    },
  });
  return {
    id,
    get state() {
      return supervisor.state;
    },
    counts,
    restart: (reason) => supervisor.restart(reason),
    kill: () => supervisor.kill(),
    done: supervisor.run(signal),
  };
}

/** One line per viewing session: what this viewer experienced in this FFmpeg run. */
function logSession(log: Logger, id: number, session: number, r: SessionResult): void {
  log.info("session_ended", {
    client_id: id,
    session,
    outcome: r.outcome,
    startup_ms: r.startupMs === null ? null : Math.round(r.startupMs),
    rebuffers: r.rebuffers,
    rebuffer_ms: Math.round(r.rebufferMs),
    play_ms: Math.round(r.playMs),
    expired_segments: r.expiredSegments,
  });
}

function logExit(log: Logger, exit: ClientExit): void {
  const fields = {
    client_id: exit.clientId,
    pid: exit.pid,
    exit_code: exit.code,
    label: exitLabel(exit.code, exit.requested, exit.reason),
    uptime_ms: Math.round(exit.uptimeMs),
  };
  if (exit.requested) log.debug("client_stopped", fields);
  else if (exit.code === 0) log.info("client_exited", fields);
  // The Go tool swallowed stderr; the last lines are usually the reason.
  else log.warn("client_exited", { ...fields, stderr_tail: exit.stderrTail.slice(-10) });
}
