/**
 * A run's output kept whole, for a probe or a test that starts a client on a transport and
 * looks at everything it delivered: its lines, their gaps, its counts and its exit record.
 * @module
 */
import {
  type ClientLineCounts,
  type LineStream,
  type RunExit,
  type RunOutput,
  zeroLineCounts,
} from "./transport.ts";

/** One delivered line. */
export interface DeliveredLine {
  stream: LineStream;
  text: string;
  at: number;
  gap: boolean;
}

/** A run's output as delivered, and its exit record once the transport sends it. */
export interface CollectedRun {
  /** What to give {@linkcode ClientSpawner.spawn}. */
  out: RunOutput;
  lines: DeliveredLine[];
  /** The run's counts: read, dropped and filtered by the transport, parsed as delivered. */
  counts: ClientLineCounts;
  /** Resolves with the exit record, after the run's last line. */
  exit: Promise<RunExit>;
  /** The texts of one stream's lines. */
  texts(stream?: LineStream): string[];
}

/**
 * Collects one run's output; `progress`/`stderr` say which streams are read and delivered
 * (stderr and no progress unless told).
 *
 * @example
 * ```ts
 * const run = collectRun();
 * run.out.sink.line("stderr", "hello", 1, false);
 * run.out.sink.exit({ code: 0, signal: null, truncatedLines: 0, stderrTail: ["hello"] });
 * (await run.exit).code; // 0
 * run.texts(); // ["hello"]
 * ```
 */
export function collectRun(opts: { progress?: boolean; stderr?: boolean } = {}): CollectedRun {
  const lines: DeliveredLine[] = [];
  const counts: ClientLineCounts = { progress: zeroLineCounts(), stderr: zeroLineCounts() };
  const exit = Promise.withResolvers<RunExit>();
  return {
    out: {
      sink: {
        line(stream, text, at, gap) {
          counts[stream].parsed++;
          lines.push({ stream, text, at, gap });
        },
        exit: (record) => exit.resolve(record),
      },
      counts,
      progress: opts.progress ?? false,
      stderr: opts.stderr ?? true,
    },
    lines,
    counts,
    exit: exit.promise,
    texts: (stream = "stderr") => lines.filter((l) => l.stream === stream).map((l) => l.text),
  };
}
