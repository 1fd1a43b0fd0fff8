/**
 * FFmpeg's parsers for a run: {@link ../client/runner.ts FFMPEG_PARSERS} with the run's
 * `--cache-header` and `--edge-header` given to each client's stderr parser.
 * @module
 */
import type { ClientParsers } from "../client/runner.ts";
import type { CacheHeadersOptions } from "./cache_headers.ts";
import { ProgressParser } from "./progress.ts";
import { StderrParser } from "./stderr_events.ts";

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
