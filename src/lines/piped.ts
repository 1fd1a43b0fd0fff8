/**
 * Clients whose pipes Deno reads: each line is split by {@linkcode LineDecoder} and stamped with
 * the Clock when it is read. The portable reader; the native fan-in (src/fanin/) is the cheap one.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { ClientSpawner, LineSink, Spawner } from "../process/spawner.ts";
import { LineDecoder, readLines } from "./decoder.ts";

/**
 * A {@linkcode ClientSpawner} on any {@linkcode Spawner}: FFmpeg's stderr and stdout are read
 * here, one BYOB reader per pipe.
 *
 * @example
 * ```ts
 * const clients = pipedClients(createProcessSpawner({ deathSignal: true }), systemClock);
 * const child = await clients.spawn("ffmpeg", args, { stderr: sink, progress: null });
 * await child.status;
 * ```
 */
export function pipedClients(spawner: Spawner, clock: Clock): ClientSpawner {
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
          read(child.stderr, out.stderr, decoders[0]),
          read(child.stdout, out.progress, decoders[1]),
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
