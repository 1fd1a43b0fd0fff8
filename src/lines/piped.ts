/**
 * Clients whose pipes Deno reads: each line is split by {@linkcode LineDecoder}, stamped with the
 * Clock when it is read, and offered to the run's {@linkcode LossyLineQueue} (dropped, counted,
 * when full), which the {@linkcode ParsePump} drains into the run's sink on its own turns. The
 * portable reader; the native fan-in (src/fanin/) is the cheap one.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log/logger.ts";
import type { Spawner } from "../process/spawner.ts";
import { containSink, errorKind, errorText } from "./contained.ts";
import { LineDecoder, readLines } from "./decoder.ts";
import { LossyLineQueue } from "./lossy_queue.ts";
import { ParsePump } from "./pump.ts";
import { LineTail } from "./tail.ts";
import { type ClientSpawner, runEnded, TAIL_LINES } from "./transport.ts";

/** How Deno's pipe reader buffers. */
export interface PipedOptions {
  /** Capacity of each run's lossy line queue, per stream (--stats-buffer). */
  bufferLines: number;
}

/**
 * A {@linkcode ClientSpawner} on any {@linkcode Spawner}: FFmpeg's stderr and stdout are read
 * here, one BYOB reader per pipe, so reading (and FFmpeg, which blocks on a full pipe) never
 * waits for parsing: the queue between them drops what does not fit, and the next line that
 * fits carries the gap. One pump drains every run of this spawner. What the sink throws is
 * logged (once per kind) and costs that line only: {@linkcode readLines} would take it for a
 * broken pipe and stop reading, and the pump's timer would end hls-swarm.
 *
 * @example Not run: it spawns FFmpeg (tests/shutdown_test.ts runs both readers)
 * ```ts ignore
 * const clients = pipedClients(createProcessSpawner({ deathSignal: true }), systemClock, log, {
 *   bufferLines: 10_000,
 * });
 * const child = await clients.spawn("ffmpeg", args, { sink, counts, progress: false, stderr: true });
 * await child.status; // sink.exit follows its last line
 * ```
 */
export function pipedClients(
  spawner: Spawner,
  clock: Clock,
  log: Logger,
  opts: PipedOptions,
): ClientSpawner {
  const failures = new Set<string>();
  const failed = (error: unknown) => {
    const kind = errorKind(error);
    if (failures.has(kind)) return;
    failures.add(kind);
    log.error("reader_consumer_failed", { error: errorText(error), kind });
  };
  const pump = new ParsePump();
  return {
    kind: "deno",
    spawn(command, args, out) {
      // Deno.Command throws at once for a missing program: reject like the fan-in does.
      try {
        const child = spawner.spawn(command, args, { stdout: out.progress, stderr: true });
        const sink = containSink(out.sink, failed);
        const queues = {
          stderr: new LossyLineQueue(
            opts.bufferLines,
            out.counts.stderr,
            (text, at, gap) => sink.line("stderr", text, at, gap),
          ),
          progress: new LossyLineQueue(
            opts.bufferLines,
            out.counts.progress,
            (text, at, gap) => sink.line("progress", text, at, gap),
          ),
        };
        // The exit's tail is of every line read, before the queue can drop any.
        const tail = new LineTail(TAIL_LINES);
        const stderrLine = out.stderr
          ? (line: string) => {
            tail.push(line);
            queues.stderr.offer(line, clock.now());
            pump.wake(queues.stderr);
          }
          : (line: string) => tail.push(line);
        const progressLine = (line: string) => {
          queues.progress.offer(line, clock.now());
          pump.wake(queues.progress);
        };
        const decoders = [new LineDecoder(), new LineDecoder()];
        const read = (
          stream: ReadableStream<Uint8Array> | null,
          line: (text: string) => void,
          d: LineDecoder,
        ) => stream ? readLines(stream, line, d) : undefined;
        const linesDone = Promise.all([
          read(child.stderr, stderrLine, decoders[0]),
          read(out.progress ? child.stdout : null, progressLine, decoders[1]),
        ]).then(() => {});
        runEnded(child.status, linesDone, clock).then((status) => {
          // What the run left queued is delivered before its exit.
          pump.flush(queues.progress);
          pump.flush(queues.stderr);
          sink.exit({
            ...status,
            truncatedLines: decoders[0].truncatedLines + decoders[1].truncatedLines,
            stderrTail: tail.lines(),
          });
        });
        return Promise.resolve({
          pid: child.pid,
          status: child.status,
          kill: (signal) => child.kill(signal),
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
