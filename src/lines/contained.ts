/**
 * Exceptions of whatever consumes lines, contained where the readers call it: a consumer that
 * throws costs the line it threw on, never the reader, the client's exit or the stop. The native
 * fan-in once lost every later record of its partition to one exception (no lines, no exits, a stop
 * that waited forever), and Deno's pipes crashed hls-swarm from the parse pump's timer.
 * Also the safe description of such an exception for a log: its kind, its text, and an excerpt
 * of the line that the logger's redactor can still redact.
 * @module
 */
import type { RunSink } from "./transport.ts";

/** How much of an offending line a log shows. */
export const EXCERPT_CHARS = 200;

/**
 * `sink` with each call contained: what it throws goes to `onError` and the line is skipped
 * (a sink's exit that throws costs nothing either: the run is over).
 *
 * @example
 * ```ts
 * import { createLogger } from "../log/logger.ts";
 * const log = createLogger({ format: "json", level: "warn", sink: () => {} });
 * const parse = () => {
 *   throw new Error("a bug in a parser");
 * };
 * const safe = containSink(
 *   { line: parse, exit: () => {} },
 *   (e) => log.error("reader_consumer_failed", { error: String(e) }),
 * );
 * safe.line("stderr", "frame=1", 0, false); // never throws
 * ```
 */
export function containSink(sink: RunSink, onError: (error: unknown) => void): RunSink {
  return {
    line(stream, text, at, gap) {
      try {
        sink.line(stream, text, at, gap);
      } catch (e) {
        onError(e);
      }
    },
    exit(record) {
      try {
        sink.exit(record);
      } catch (e) {
        onError(e);
      }
    },
  };
}

/**
 * What kind of failure `error` is: its class and where it was thrown (the first stack frame),
 * so one bug is one kind however many different lines trip it, whatever its message says.
 *
 * @example
 * ```ts
 * errorKind(new TypeError("x is undefined")); // "TypeError at file:///…/progress.ts:80:12"
 * errorKind("oops"); // "thrown string"
 * ```
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return `thrown ${typeof error}`;
  const frame = error.stack?.split("\n").find((l) => l.trimStart().startsWith("at "));
  return frame ? `${error.name} ${frame.trim()}` : `${error.name}: ${excerpt(error.message)}`;
}

/**
 * `error` as one short line of text (its class and message, cut to {@linkcode EXCERPT_CHARS}).
 *
 * @example
 * ```ts
 * errorText(new RangeError("bad length")); // "RangeError: bad length"
 * ```
 */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return excerpt(text);
}

/**
 * The start of `text`, at most `max` characters, cut at a space and marked with `…`. The cut
 * drops the word it would split: the logger's redactor hides a secret it sees whole (a header
 * value, a password, a query value), and half a secret is one it could no longer recognise.
 *
 * @example
 * ```ts
 * excerpt("GET /a.ts?token=s3cr3t HTTP/1.1", 20); // "GET …"
 * excerpt("short"); // "short"
 * ```
 */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const space = cut.search(/\s\S*$/);
  return space > 0 ? `${text.slice(0, space)} …` : "…";
}
