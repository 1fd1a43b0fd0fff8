/**
 * The parsers of a client's FFmpeg output: {@linkcode FFMPEG_PARSERS}, and {@linkcode parsersFor}
 * with the run's `--cache-header` and `--edge-header` given to each client's stderr parser; and
 * the stderr lines those parsers read ({@linkcode STDERR_SELECTION}), which the native fan-in
 * passes alone.
 * @module
 */
import type { HttpEvent } from "./http_event.ts";
import type { LineSelection } from "../lines/selection.ts";
import type { CacheHeadersOptions } from "./cache_headers.ts";
import { DEMUXER_CONTEXTS, HTTP_CONTEXTS } from "./log_contexts.ts";
import { type ProgressBlock, ProgressParser } from "./progress.ts";
import { StderrParser } from "./stderr_events.ts";

/** The parsers of one FFmpeg run's output: a fresh pair for every run. */
export interface ClientParsers {
  stderr(): {
    push(line: string, at: number): HttpEvent[];
    gap(): void;
    finish(requested: boolean): HttpEvent[];
  };
  progress(): { push(line: string): ProgressBlock | undefined };
}

/**
 * FFmpeg's parsers: the default {@linkcode ClientParsers}.
 *
 * @example
 * ```ts
 * const stderr = FFMPEG_PARSERS.stderr();
 * stderr.push("[http @ 0x1] [debug] request: GET /a.m3u8 HTTP/1.1", 0);
 * ```
 */
export const FFMPEG_PARSERS: ClientParsers = {
  stderr: () => new StderrParser(),
  progress: () => new ProgressParser(),
};

/**
 * A client's parsers that also read the named CDN headers.
 *
 * @example
 * ```ts
 * const parsers = parsersFor({ cacheHeader: "X-My-Cache", edgeHeader: null });
 * parsers.stderr().push("[http @ 0x1] [trace] header='X-My-Cache: HIT'", 0);
 * ```
 */
export function parsersFor(cdn: CacheHeadersOptions): ClientParsers {
  return { stderr: () => new StderrParser(cdn), progress: () => new ProgressParser() };
}

/**
 * The stderr lines {@linkcode StderrParser.push} reads, as it reads them: the contexts it looks
 * into (HTTP and its headers, TCP connects, the exit statistics, the HLS demuxer: `hls`, and
 * `in#N…` from 9.0), FFmpeg's exit line, and of the segment demuxers' packet lines the last
 * of each run, whose time is the inferred end of a segment's body. The rest (decoder, probe,
 * `cur_dts`, request header dumps, status lines) returns no event whatever it says. Errors and
 * warnings are read too, for the stderr tail logged with a failed exit. Every FFmpeg capture in
 * testdata/ parses to the same events through this selection as whole
 * (src/fanin/selection_test.ts).
 */
export const STDERR_SELECTION: LineSelection = {
  keep: [
    ...[...HTTP_CONTEXTS, "tcp", "AVIOContext", "hls"].map((ctx) => `[${ctx} @ `),
    "[in#",
    "[info] Exiting normally, received signal",
  ],
  latest: [...DEMUXER_CONTEXTS].map((ctx) => `[${ctx} @ `),
  levels: ["panic", "fatal", "error", "warning"],
};

/**
 * The selection a run's clients get: none when every stderr line is wanted (`--ffmpeg-debug`
 * copies each into the log) or none is parsed (`--stats` off).
 *
 * @example
 * ```ts
 * stderrSelection({ stats: true, ffmpegDebug: false }); // STDERR_SELECTION
 * stderrSelection({ stats: true, ffmpegDebug: true }); // null
 * ```
 */
export function stderrSelection(
  run: { stats: boolean; ffmpegDebug: boolean },
): LineSelection | null {
  return run.stats && !run.ffmpegDebug ? STDERR_SELECTION : null;
}
