/**
 * The parsers of a client's FFmpeg output: {@linkcode FFMPEG_PARSERS}, and {@linkcode parsersFor}
 * with the run's `--cache-header` and `--edge-header` given to each client's stderr parser.
 * @module
 */
import type { HttpEvent } from "./http_event.ts";
import type { CacheHeadersOptions } from "./cache_headers.ts";
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
