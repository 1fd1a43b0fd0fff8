/**
 * Clients started and read by the native fan-in, `hls-swarm-fanin` ({@link ../../native/fanin.c}): one
 * helper process per partition spawns that partition's FFmpegs and hands back all their lines, split and
 * stamped, as one record stream. Reading that one stream costs hls-swarm a fraction of reading
 * two pipes per client (the README's "Line readers" has the numbers).
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log/logger.ts";
import { type ExitStatus, killGroup } from "../process/spawner.ts";
import { containSink, errorKind, errorText } from "../lines/contained.ts";
import { LineTail } from "../lines/tail.ts";
import {
  type ClientChild,
  type ClientSpawner,
  type LineCounts,
  type LineStream,
  runEnded,
  type RunOutput,
  type RunSink,
  TAIL_LINES,
} from "../lines/transport.ts";
import { type LineSelection, selectionArgs } from "../lines/selection.ts";
import {
  FANIN_PROTOCOL,
  PROTOCOL,
  RecordDecoder,
  type RecordHandler,
  spawnRequest,
  STDERR,
  STDOUT,
} from "./records.ts";

/**
 * How long the fan-in lets FFmpeg's writes gather before it reads a pipe again, once it reads
 * more than 5,000 lines a second (below that it reads each write at once). A line is stamped
 * when it is read, so a stamp is then at most this late (Deno's own pipe reads are late by
 * however long the event loop is busy, with no bound). Measured at 200 FFmpeg 5.1 clients
 * (`make bench-overhead`): the fan-in costs 6.9 % of a core reading at once, 2.0 % at 0.5 ms,
 * 1.3–1.6 % at 1 ms, 1.3 % at 2 ms.
 */
const BATCH_MS = 1;
/**
 * How long a record may wait in the fan-in before it is written to hls-swarm (unless 64 KiB
 * wait). Every write wakes hls-swarm for a read (a promise, a buffer hand-off, a turn of the
 * event loop); stamps are taken when a line is read, so this delays lines but does not move
 * their times, and the exit record of a client waits as long. Measured with 500 replay clients
 * (`bench/scale.ts --clients 500 --workers 1 --window 20`, two runs each, alternating, on a
 * shared box): hls-swarm's CPU, its fan-in's included, 5.4 and 8.1 % of a core at 5 ms, 4.8 and
 * 5.0 % at 25 ms, 4.4 and 4.5 % at 100 ms; at 200 FFmpeg 5.1 clients (`bench/overhead.ts`) 22.0
 * and 22.6 % of its FFmpegs' at 25 ms, 28.8 and 30.2 % at 5 ms.
 */
const FLUSH_MS = 100;
/** How far hls-swarm may fall behind a fan-in before its lines are dropped (and counted). */
const BUFFER_MIB = 64;

/** How long the helper's stderr may stay open after it exited (see the helper's end). */
const LAST_WORDS_MS = 1000;

/** How the fan-in runs. */
export interface FaninOptions {
  /** The `hls-swarm-fanin` executable. */
  path: string;
  clock: Clock;
  log: Logger;
  /**
   * The stderr lines the parsers read ({@link ../parser/parsers_for.ts STDERR_SELECTION}): the
   * fan-in passes those alone and counts the rest as filtered. None: every line is passed.
   */
  selection?: LineSelection | null;
}

/** The record protocol's stream numbers ({@linkcode STDERR}, {@linkcode STDOUT}) by name. */
const STREAMS: Record<number, LineStream> = { [STDERR]: "stderr", [STDOUT]: "progress" };

/** One FFmpeg run, from the spawn request to its exit and the end of both streams. */
interface Run {
  sink: RunSink;
  /** The client's counts per stream number; null: the stream's lines are not delivered. */
  counts: [LineCounts | null, LineCounts | null];
  /** Lines of the stream were dropped since its last delivered line. */
  gaps: [boolean, boolean];
  /** The last stderr lines, for the exit record. */
  tail: LineTail;
  child: PromiseWithResolvers<ClientChild>;
  status: PromiseWithResolvers<ExitStatus>;
  lines: PromiseWithResolvers<void>;
  /** Streams not ended yet. */
  open: number;
  truncated: number;
  exited: boolean;
}

/** Linux signal numbers, for exit statuses (Deno reports names). */
const SIGNALS: Record<number, Deno.Signal> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

/**
 * Clients on the fan-in. The helper starts with the first client (a run that starts none, or
 * whose clients run on workers with their own helpers, costs no process). It runs detached (its
 * own session), so a Ctrl+C at the terminal reaches hls-swarm, which stops the clients
 * gracefully, and not the helper. If hls-swarm dies, the helper's parent-death signal and its
 * closed stdin end it and every client. If the helper dies, its clients die with it (their exits
 * are reported as SIGKILL) and the next spawn starts a new helper.
 *
 * @example Not run: it starts the fan-in and FFmpeg (spawner_test.ts runs them)
 * ```ts ignore
 * const clients = startFanin({ path: "build/hls-swarm-fanin", clock: systemClock, log });
 * const child = await clients.spawn("ffmpeg", args, { sink, counts, progress: false, stderr: true });
 * await child.status; // sink.exit follows its last line
 * await clients.close?.();
 * ```
 */
export function startFanin(opts: FaninOptions): ClientSpawner {
  let helper: Helper | null = null;
  let nextToken = 1;
  return {
    kind: "native",
    spawn(command, args, out) {
      // A helper of another protocol is refused for good: another start would be refused too.
      if (helper?.refused) return Promise.reject(new Error(helper.refused));
      if (!helper || helper.gone) {
        if (helper) opts.log.warn("fanin_restarted", { reason: helper.gone });
        helper = new Helper(opts);
      }
      return helper.spawn(nextToken++, [command, ...args], out);
    },
    async close() {
      await helper?.close();
    },
  };
}

/** One helper process and the runs it carries. */
class Helper implements RecordHandler {
  /** Why the helper is gone, once it is. */
  gone: string | null = null;
  /** Why the helper was refused (another protocol), once it was. */
  refused: string | null = null;
  readonly #path: string;
  readonly #select: boolean;
  readonly #proc: Deno.ChildProcess;
  readonly #runs = new Map<number, Run>();
  readonly #clock: Clock;
  readonly #hello = Promise.withResolvers<void>();
  #offset = 0;
  #lastAt = NaN;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #ended: Promise<void>;
  readonly #log: Logger;
  /** Kinds of consumer exception already logged: each once per helper, not once per line. */
  readonly #failures = new Set<string>();

  constructor(opts: FaninOptions) {
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#path = opts.path;
    this.#select = !!opts.selection;
    const proc = this.#proc = new Deno.Command(opts.path, {
      args: [
        "--batch-ms",
        String(BATCH_MS),
        "--flush-ms",
        String(FLUSH_MS),
        "--buffer-mib",
        String(BUFFER_MIB),
        ...(opts.selection ? selectionArgs(opts.selection) : []),
      ],
      detached: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = proc.stdin.getWriter();
    const reading = this.#read(proc.stdout).catch((e) => {
      // The stream cannot be read on (corrupt, or a broken pipe): end the helper, so its exit
      // below reports every client of it as exited and no stop waits on a client for ever.
      opts.log.error("fanin_read_failed", { error: errorText(e) });
      try {
        proc.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    });
    const helperLog = new Response(proc.stderr).text().catch(() => "").then((text) => {
      for (const line of text.split("\n").filter(Boolean)) opts.log.error("fanin", { line });
    });
    this.#ended = Promise.all([reading, proc.status]).then(async ([, status]) => {
      this.gone = this.refused ?? `hls-swarm-fanin exited (code ${status.code})`;
      this.#hello.resolve();
      // Its clients died with it (parent-death signal): end every run still open.
      for (const [token, run] of this.#runs) {
        run.child.reject(new Error(this.gone));
        if (!run.exited) this.#exit(token, run, { code: 137, signal: "SIGKILL" });
        this.#endLines(token, run);
      }
      // Its last words say why it ended, but a pipe that something else still holds (a client
      // that outlived it) must not hold up close() for ever.
      const waiting = new AbortController();
      await Promise.race([helperLog, opts.clock.sleep(LAST_WORDS_MS, waiting.signal)]);
      waiting.abort();
    });
  }

  async spawn(token: number, argv: string[], out: RunOutput): Promise<ClientChild> {
    // The consumer runs inside the record loop: what it throws must not end it, or every other
    // client of this helper would lose its lines and its exit.
    const run: Run = {
      sink: containSink(out.sink, (e) => this.#consumerFailed(e)),
      counts: [out.stderr ? out.counts.stderr : null, out.progress ? out.counts.progress : null],
      gaps: [false, false],
      tail: new LineTail(TAIL_LINES),
      child: Promise.withResolvers(),
      status: Promise.withResolvers(),
      lines: Promise.withResolvers(),
      open: out.progress ? 2 : 1,
      truncated: 0,
      exited: false,
    };
    await this.#hello.promise;
    if (this.gone) throw new Error(this.gone);
    this.#runs.set(token, run);
    // The exit record follows the run's last line (or the drain time, for a pipe held open).
    run.child.promise.then(
      () =>
        runEnded(run.status.promise, run.lines.promise, this.#clock).then((status) =>
          run.sink.exit({ ...status, truncatedLines: run.truncated, stderrTail: run.tail.lines() })
        ),
      () => {}, // A failed start delivers nothing.
    );
    const streams = (1 << STDERR) | (out.progress ? 1 << STDOUT : 0) |
      (this.#select ? PROTOCOL.FANIN_FILTER_STDERR : 0);
    this.#writer.write(spawnRequest(token, streams, argv)).catch(() => {});
    return await run.child.promise;
  }

  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#ended;
  }

  hello(mono: number, protocol: number): void {
    if (protocol !== FANIN_PROTOCOL) {
      // Records of another version would be misread, silently: refuse the helper before any.
      this.refused = `${this.#path} speaks fan-in protocol ${protocol}, this hls-swarm speaks ` +
        `${FANIN_PROTOCOL}: rebuild it with \`make native\` (or name the one built with this ` +
        "hls-swarm with HLS_SWARM_FANIN)";
      this.gone = this.refused;
      this.#log.error("fanin_refused", { reason: this.refused });
      try {
        this.#proc.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      this.#hello.resolve();
      return;
    }
    // Stamps are the helper's CLOCK_MONOTONIC; the offset maps them onto the Clock's timeline.
    // It is first measured late by however long the hello took to be read, and narrowed by
    // every later read: a line cannot have been read after it arrived here.
    this.#offset = this.#clock.now() - mono;
    this.#hello.resolve();
  }

  started(token: number, pid: number): void {
    const run = this.#runs.get(token);
    run?.child.resolve({
      pid,
      status: run.status.promise,
      kill(signal) {
        if (!run.exited) killGroup(pid, signal);
      },
    });
  }

  spawnFailed(token: number, _errno: number, message: string): void {
    this.#runs.get(token)?.child.reject(new Error(message));
    this.#runs.delete(token);
  }

  line(token: number, stream: number, text: string, at: number): void {
    if (at !== this.#lastAt) { // once per group: its lines share one stamp
      this.#lastAt = at;
      this.#offset = Math.min(this.#offset, this.#clock.now() - at);
    }
    const run = this.#runs.get(token);
    if (!run) return;
    if (stream === STDERR) run.tail.push(text);
    const counts = run.counts[stream];
    if (!counts) return;
    counts.read++;
    const gap = run.gaps[stream];
    run.gaps[stream] = false;
    run.sink.line(STREAMS[stream], text, at + this.#offset, gap);
  }

  // Lines the fan-in could not hand over in time: read and lost, and the next one's gap.
  dropped(token: number, stream: number, n: number): void {
    const run = this.#runs.get(token);
    const counts = run?.counts[stream];
    if (!run || !counts) return;
    counts.read += n;
    counts.dropped += n;
    if (n > 0) run.gaps[stream] = true;
  }

  filtered(token: number, stream: number, n: number): void {
    const counts = this.#runs.get(token)?.counts[stream];
    if (counts) counts.filtered = (counts.filtered ?? 0) + n;
  }

  closed(token: number, _stream: number, truncated: number): void {
    const run = this.#runs.get(token);
    if (!run) return;
    run.truncated += truncated;
    if (--run.open === 0) this.#endLines(token, run);
  }

  exited(token: number, code: number, signal: number): void {
    const run = this.#runs.get(token);
    if (run) this.#exit(token, run, { code, signal: SIGNALS[signal] ?? null });
  }

  /** Reads records to the end of the stream; rejects when it cannot go on (see the caller). */
  async #read(stdout: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new RecordDecoder();
    const reader = stdout.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(256 * 1024);
    try {
      while (true) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done || !value) break;
        decoder.push(value, this);
        buffer = value.buffer as ArrayBuffer;
      }
    } catch (e) {
      await reader.cancel().catch(() => {});
      throw e;
    }
  }

  #consumerFailed(error: unknown): void {
    const kind = errorKind(error);
    if (this.#failures.has(kind)) return;
    this.#failures.add(kind);
    this.#log.error("fanin_consumer_failed", { error: errorText(error), kind });
  }

  // A run is forgotten once it has exited and both its streams have ended.
  #endLines(token: number, run: Run): void {
    run.lines.resolve();
    if (run.exited) this.#runs.delete(token);
  }

  #exit(token: number, run: Run, status: ExitStatus): void {
    run.exited = true;
    run.status.resolve(status);
    if (run.open === 0) this.#runs.delete(token);
  }
}
