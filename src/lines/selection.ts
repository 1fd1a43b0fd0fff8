/**
 * Which lines of a stream its parsers read, declared by them (src/parser/parsers_for.ts) and
 * applied by the native fan-in before it frames a line (native/filter.h has the exact rule):
 * at trace level FFmpeg writes about 65 lines a second per viewer, and most feed no parser.
 * A line the selection leaves out is counted as filtered: it was neither read by hls-swarm nor
 * lost. Deno's pipe reader (--line-reader deno) reads every line and filters none.
 * @module
 */

/** What a stream's parsers read. Each text is matched after FFmpeg's `datetime` prefix, if any. */
export interface LineSelection {
  /** A line that starts with one of these is read. */
  readonly keep: readonly string[];
  /**
   * Of a run of lines that start with one of these, only the last is read (passed, with its
   * own stamp, before the stream's next kept line, at the end of the read it came in, or at
   * the stream's end): the parser keeps only the last one's time, as of a demuxer's packets.
   */
  readonly latest: readonly string[];
  /**
   * A line of one of these log levels (`[error] …`, `[ctx @ 0x…] [error] …`) is read, whatever
   * its context: the stderr tail logged with a failed exit keeps FFmpeg's reasons.
   */
  readonly levels: readonly string[];
}

/**
 * The fan-in's start-up arguments for `selection`.
 *
 * @example
 * ```ts
 * selectionArgs({ keep: ["[http @ "], latest: ["[mpegts @ "], levels: ["error"] });
 * // ["--keep", "[http @ ", "--latest", "[mpegts @ ", "--keep-level", "error"]
 * ```
 */
export function selectionArgs(selection: LineSelection): string[] {
  return [
    ...selection.keep.flatMap((p) => ["--keep", p]),
    ...selection.latest.flatMap((p) => ["--latest", p]),
    ...selection.levels.flatMap((l) => ["--keep-level", l]),
  ];
}
