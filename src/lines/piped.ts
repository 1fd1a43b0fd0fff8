/**
 * Clients whose pipes Deno reads: each line is split by {@linkcode LineDecoder} and stamped with
 * the Clock when it is read. The portable reader; the native fan-in (src/fanin/) is the cheap one.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log/logger.ts";
import type { ClientSpawner, LineSink, Spawner } from "../process/spawner.ts";
import { containSink, errorKind, errorText } from "./contained.ts";
import { LineDecoder, readLines } from "./decoder.ts";

/**
 * A {@linkcode ClientSpawner} on any {@linkcode Spawner}: FFmpeg's stderr and stdout are read
 * here, one BYOB reader per pipe. What a line's consumer throws is logged (once per kind) and
 * costs that line only: {@linkcode readLines} would take it for a broken pipe and stop reading.
 *
 * @example Not run: it spawns FFmpeg (tests/shutdown_test.ts runs both readers)
 * ```ts ignore
 * const clients = pipedClients(createProcessSpawner({ deathSignal: true }), systemClock, log);
 * const child = await clients.spawn("ffmpeg", args, { stderr: sink, progress: null });
 * await child.status;
 * ```
 */
export function pipedClients(spawner: Spawner, clock: Clock, log: Logger): ClientSpawner {
  const failures = new Set<string>();
  const failed = (error: unknown) => {
    const kind = errorKind(error);
    if (failures.has(kind)) return;
    failures.add(kind);
    log.error("reader_consumer_failed", { error: errorText(error), kind });
  };
  return {
    kind: "deno",
    spawn(command, args, out) {
      // Deno.Command throws at once for a missing program: reject like the fan-in does.
      try {
        const child = spawner.spawn(command, args, { stdout: out.progress !== null, stderr: true });
        const decoders = [new LineDecoder(), new LineDecoder()];
        const read = (
          stream: ReadableStream<Uint8Array> | null,
          sink: LineSink | null,
          d: LineDecoder,
        ) =>
          stream && sink ? readLines(stream, (line) => sink.line(line, clock.now()), d) : undefined;
        const linesDone = Promise.all([
          read(child.stderr, containSink(out.stderr, failed), decoders[0]),
          read(child.stdout, out.progress && containSink(out.progress, failed), decoders[1]),
        ]).then(() => {});
        return Promise.resolve({
          pid: child.pid,
          status: child.status,
          linesDone,
          truncatedLines: () => decoders[0].truncatedLines + decoders[1].truncatedLines,
          kill: (signal) => child.kill(signal),
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
