/**
 * One client, end to end: its FFmpeg (through the supervisor: spawn, backoff, restart, stop),
 * its two output streams as delivered by the line transport, the parsers, and the fan-out of
 * every parsed event into the partition's stats.
 *
 * The path of one stderr line, hop by hop. Below the {@linkcode ClientSpawner} the two readers
 * differ; above it there is one path.
 *
 * - Native fan-in (`--line-reader native`, src/fanin/spawner.ts): FFmpeg's stderr pipe →
 *   `hls-swarm-fanin` reads it, splits and stamps the line (native/lines.c), applies the
 *   parsers' selection (a line left out is counted `filtered`), and buffers its record (64 MiB,
 *   beyond which lines are dropped there and counted) → up to 100 ms later, a write to
 *   hls-swarm's pipe → the record decoder (src/fanin/records.ts) → the helper's `line`: the
 *   stamp is mapped onto the Clock, the line goes into the run's stderr tail, is counted `read`,
 *   and carries `gap` if a `dropped` record came since the last one → `RunSink.line`.
 * - Deno's pipes (`--line-reader deno`, src/lines/piped.ts): FFmpeg's stderr pipe → a BYOB
 *   read → {@link ../lines/decoder.ts LineDecoder} splits it → stamped with the Clock, into the
 *   run's stderr tail, counted `read` → the run's {@link ../lines/lossy_queue.ts LossyLineQueue}
 *   (full: dropped, counted, and the next queued line carries `gap`) → a {@link
 *   ../lines/pump.ts ParsePump} turn (or the flush at the run's end) → `RunSink.line`.
 * - Then, for both: the supervisor hands the line on untouched → the client's parse entry here
 *   (counted `parsed`; with --ffmpeg-debug, logged; a line a parser throws on is counted,
 *   logged once per kind and skipped) → {@link ../parser/stderr_events.ts StderrParser.push}
 *   (a `gap` first cuts what lines would pair across it) → {@linkcode PartitionStats.record}
 *   (and the request log, when asked for). After the run's last line, the transport delivers
 *   its exit record (`RunSink.exit`) to the supervisor, which hands it to `onExit` here.
 * @module
 */
import type { Clock } from "../clock.ts";
import { errorKind, errorText, excerpt } from "../lines/contained.ts";
import {
  type ClientLineCounts,
  type ClientSpawner,
  type LineStream,
  zeroLineCounts,
} from "../lines/transport.ts";
import type { Logger } from "../log/logger.ts";
import { type ClientParsers, FFMPEG_PARSERS } from "../parser/parsers_for.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import type { RequestLog } from "./request_log.ts";
import type { PartitionStats } from "../stats/partition_stats.ts";
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
  /** Time FFmpeg gets after SIGTERM before SIGKILL. */
  graceMs: number;
}

/** What a client needs from its partition. */
export interface ClientDeps {
  spawner: ClientSpawner;
  clock: Clock;
  log: Logger;
  stats: PartitionStats;
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
  const { clock, log, stats, options } = deps;
  const parsers = deps.parsers ?? FFMPEG_PARSERS;
  let progress = parsers.progress();
  let stderr = parsers.stderr();
  // Every parsed event goes to the partition's stats and, with --request-log, to its request log.
  const record = (e: HttpEvent) => {
    stats.record(id, e);
    deps.requestLog?.event(id, e);
  };
  // The client's parse entry, the one place every delivered line (and the end of a run) meets
  // the parsers: what a parser throws on a line costs that line, counted (`parserErrors`) and
  // logged once per kind of error, never the reader, the client's exit or the stop.
  const failed = (stream: LineStream, line: string, error: unknown) => {
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
  const parseProgress = (line: string, at: number, gap: boolean) => {
    // A block missing lines is not a block: start over with the next one.
    if (gap) progress = parsers.progress();
    const block = progress.push(line);
    if (block) stats.recordProgress(id, block, at);
  };
  const parseStderr = (line: string, at: number, gap: boolean) => {
    if (options.ffmpegDebug) log.debug("ffmpeg_stderr", { client_id: id, line });
    if (!options.stats) return;
    if (gap) stderr.gap();
    for (const e of stderr.push(line, at)) record(e);
  };
  // The client's line counts, over every run: the transport counts what it reads, drops and
  // filters, and each line it delivers is parsed here, once.
  const counts: ClientLineCounts = { progress: zeroLineCounts(), stderr: zeroLineCounts() };
  const line = (stream: LineStream, text: string, at: number, gap: boolean) => {
    counts[stream].parsed++;
    try {
      if (stream === "stderr") parseStderr(text, at, gap);
      else parseProgress(text, at, gap);
    } catch (e) {
      failed(stream, text, e);
    }
  };
  const copy = () => ({ progress: { ...counts.progress }, stderr: { ...counts.stderr } });
  stats.client(id, copy);
  const life = stats.lifecycle;
  const supervisor = new ClientSupervisor(id, {
    spawner: deps.spawner,
    clock,
    backoff: new Backoff(DEFAULT_BACKOFF, clientRandom(id, deps.seed ^ 0x5bd1e995)),
    command: (signal) => deps.command(id, signal),
    output: {
      line,
      counts,
      progress: options.stats,
      stderr: options.stats || options.ffmpegDebug,
    },
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
        // Every line of the run was delivered (and parsed) before its exit record. A stop hls-swarm asked for cuts what was open: finish() keeps those requests out of
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
    },
  });
  return {
    id,
    get state() {
      return supervisor.state;
    },
    counts: copy,
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
