/**
 * The one interface between a line transport and a client: a {@linkcode ClientSpawner} starts a
 * client's FFmpeg and delivers, for each run, its lines and then its exit record to one
 * {@linkcode RunSink}. Whatever buffering a transport needs is its own: Deno's pipe reader
 * (./piped.ts) keeps a lossy queue and a parse pump inside, the native fan-in (src/fanin/)
 * buffers outside this process; either way a line lost on the way arrives as a `gap` on the
 * next line, and is counted in the client's {@linkcode LineCounts}.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { ExitStatus } from "../process/spawner.ts";

/** A client's two output streams: FFmpeg's stderr (its log) and stdout (`-progress`). */
export type LineStream = "stderr" | "progress";

/**
 * Line counts of one output stream: the one such type (the snapshot's, a client's, a
 * partition's). `read` counts every line that reached hls-swarm, lost ones included; the
 * transport counts `read`, `dropped` and `filtered` as it reads, the client `parsed` as it parses.
 */
export interface LineCounts {
  read: number;
  dropped: number;
  parsed: number;
  /**
   * Lines the native fan-in read and left out, as no parser reads them (./selection.ts):
   * neither read nor lost. Absent in snapshots from before it (0).
   */
  filtered?: number;
}

/** Line counts of a client's two output streams. */
export type ClientLineCounts = Record<LineStream, LineCounts>;

/**
 * Counts of a stream that has read nothing yet.
 *
 * @example
 * ```ts
 * zeroLineCounts(); // { read: 0, dropped: 0, parsed: 0, filtered: 0 }
 * ```
 */
export function zeroLineCounts(): LineCounts {
  return { read: 0, dropped: 0, parsed: 0, filtered: 0 };
}

/** How many stderr lines a run's exit record keeps: the last ones are usually the reason. */
export const TAIL_LINES = 20;

/** How a run ended: its exit status, and what its transport saw of its output. */
export interface RunExit extends ExitStatus {
  /** Lines cut to the maximum length in this run. */
  truncatedLines: number;
  /** The last {@linkcode TAIL_LINES} non-blank stderr lines as read (before any queue). */
  stderrTail: string[];
}

/** Where one client run's output goes. */
export interface RunSink {
  /**
   * A line of `stream`, read at `at` (monotonic ms, the Clock's `now()`). `gap`: lines of this
   * stream were lost right before it, so whatever pairs lines must not pair across it. Each line
   * arrives once, in order; it is counted as read (and any lost ones as dropped) already.
   */
  line(stream: LineStream, text: string, at: number, gap: boolean): void;
  /** The run is over: called once, after its last line. */
  exit(record: RunExit): void;
}

/** What a run's output needs besides its command. */
export interface RunOutput {
  sink: RunSink;
  /** The client's counts (they outlive the run): the transport adds read, dropped, filtered. */
  counts: ClientLineCounts;
  /** Whether FFmpeg's stdout (progress) is read at all. */
  progress: boolean;
  /** Whether stderr lines are delivered and counted; false: read for the exit's tail only. */
  stderr: boolean;
}

/** A running client. */
export interface ClientChild {
  readonly pid: number;
  /** Resolves when the process has exited (its lines and exit record may still be on the way). */
  readonly status: Promise<ExitStatus>;
  /** Signals the child's whole process group. Never throws for a child that already exited. */
  kill(signal: Deno.Signal): void;
}

/**
 * Starts clients and delivers their output as lines: the pipes read by Deno (./piped.ts), or by
 * the native fan-in (src/fanin/).
 */
export interface ClientSpawner {
  /**
   * Starts a run; `out.sink` gets its lines and, once, its exit record. Rejects (and delivers
   * nothing) when the command cannot be started (missing program, no permission).
   */
  spawn(command: string, args: string[], out: RunOutput): Promise<ClientChild>;
  /** Which reader this is, for the log and the summary. */
  readonly kind: "native" | "deno";
  /** Ends the reader once every client has exited (the fan-in's helper process). */
  close?(): Promise<void>;
}

/** How long a run's streams may stay open after FFmpeg exits before its exit is delivered. */
export const READER_DRAIN_MS = 2000;

/**
 * The run's exit status once it has exited and its streams have ended, or {@linkcode
 * READER_DRAIN_MS} after its exit if they have not: pipes close when the process exits, but
 * something it started may still hold one open, and a stop must never hang on that.
 *
 * @example
 * ```ts
 * import { systemClock } from "../clock.ts";
 * const status = Promise.resolve({ code: 0, signal: null });
 * await runEnded(status, Promise.resolve(), systemClock); // { code: 0, signal: null }
 * ```
 */
export async function runEnded(
  status: Promise<ExitStatus>,
  linesDone: Promise<void>,
  clock: Clock,
): Promise<ExitStatus> {
  const exited = await status;
  const waiting = new AbortController();
  await Promise.race([linesDone, clock.sleep(READER_DRAIN_MS, waiting.signal)]);
  waiting.abort();
  return exited;
}
