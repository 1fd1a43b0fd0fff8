/**
 * Options of the built-in test origin and their validation.
 *
 * @module
 */
import type { Fault } from "./faults.ts";

/**
 * The media segments' container: MPEG-TS (`.ts`) or fragmented MP4/CMAF (an `EXT-X-MAP` init
 * section `init.mp4` and `.m4s` segments), FFmpeg's `-hls_segment_type`.
 */
export type SegmentType = "ts" | "fmp4";

/** Every segment type, in the order `--help` lists them. */
export const SEGMENT_TYPES: readonly SegmentType[] = ["ts", "fmp4"];

/** Everything that configures the built-in test origin (generator, HTTP server, faults). */
export interface OriginOptions {
  /** Address the HTTP server binds to. */
  host: string;
  /** TCP port of the HTTP server; 0 picks a free port (the chosen port is reported by `startOrigin`). */
  port: number;
  /** Video width of the (top) rendition in pixels; must be even. */
  width: number;
  /** Video height of the (top) rendition in pixels; must be even. */
  height: number;
  /** Frames per second of the generated video. */
  fps: number;
  /** Video bitrate of the (top) rendition in kbit/s. */
  bitrateKbps: number;
  /** Target HLS segment duration in seconds (also the GOP length). */
  segmentSeconds: number;
  /** Container of the media segments (see {@linkcode SegmentType}). */
  segmentType: SegmentType;
  /** Number of segments listed in each live playlist. */
  listSize: number;
  /** Produce a two-rendition ladder with a master playlist instead of one media playlist. */
  abr: boolean;
  /** Probability (0..1) that a media segment request is answered with `failStatus`. */
  failRate: number;
  /** HTTP status of injected segment failures (400..599). */
  failStatus: number;
  /** Per-viewer faults (see faults.ts); none by default. */
  faults: readonly Fault[];
  /** Tag each segment with `EXT-X-PROGRAM-DATE-TIME` (the live-edge truth for viewers). */
  programDateTime: boolean;
  /** Directory to write and serve the stream from; a temp dir is created (and removed) if unset. */
  dir?: string;
  /** Access log file; defaults to `access.log` inside the stream directory. */
  accessLogPath?: string;
  /** FFmpeg executable (name on PATH or path). */
  ffmpegPath: string;
}

/**
 * Defaults sized for a small (2-core) load-generator box: 640x360 at 800 kbit/s keeps the
 * encoder cheap so the CPU is left for the viewers.
 *
 * @example Override a single field
 * ```ts
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * const opts = { ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true };
 * ```
 */
export const DEFAULT_ORIGIN_OPTIONS: Readonly<OriginOptions> = Object.freeze({
  host: "127.0.0.1",
  port: 17080,
  width: 640,
  height: 360,
  fps: 30,
  bitrateKbps: 800,
  segmentSeconds: 2,
  segmentType: "ts",
  listSize: 6,
  abr: false,
  failRate: 0,
  failStatus: 404,
  faults: [],
  programDateTime: true,
  ffmpegPath: "ffmpeg",
});

/**
 * Throws a `RangeError` naming the first invalid field of `opts`.
 *
 * @example
 * ```ts
 * import { DEFAULT_ORIGIN_OPTIONS, validateOriginOptions } from "./options.ts";
 * validateOriginOptions({ ...DEFAULT_ORIGIN_OPTIONS, failRate: 0.1 }); // ok
 * ```
 */
export function validateOriginOptions(opts: OriginOptions): void {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new RangeError(`origin option ${field} must be ${expected}, got ${String(value)}`);
  };
  const isInt = Number.isInteger;
  if (opts.host.trim() === "") fail("host", "a non-empty address", JSON.stringify(opts.host));
  if (!isInt(opts.port) || opts.port < 0 || opts.port > 65535) {
    fail("port", "an integer in 0..65535", opts.port);
  }
  // libx264 with yuv420p needs even dimensions.
  for (const field of ["width", "height"] as const) {
    const value = opts[field];
    if (!isInt(value) || value < 16 || value % 2 !== 0) fail(field, "an even integer >= 16", value);
  }
  if (!(opts.fps > 0 && opts.fps <= 240)) fail("fps", "in (0, 240]", opts.fps);
  if (!(opts.bitrateKbps >= 50)) fail("bitrateKbps", ">= 50", opts.bitrateKbps);
  if (!(opts.segmentSeconds > 0 && opts.segmentSeconds <= 60)) {
    fail("segmentSeconds", "in (0, 60]", opts.segmentSeconds);
  }
  if (!SEGMENT_TYPES.includes(opts.segmentType)) {
    fail("segmentType", SEGMENT_TYPES.join(" or "), JSON.stringify(opts.segmentType));
  }
  if (!isInt(opts.listSize) || opts.listSize < 1) {
    fail("listSize", "an integer >= 1", opts.listSize);
  }
  if (!(opts.failRate >= 0 && opts.failRate <= 1)) fail("failRate", "in [0, 1]", opts.failRate);
  if (!isInt(opts.failStatus) || opts.failStatus < 400 || opts.failStatus > 599) {
    fail("failStatus", "an HTTP error status (400..599)", opts.failStatus);
  }
  if (opts.ffmpegPath.trim() === "") {
    fail("ffmpegPath", "non-empty", JSON.stringify(opts.ffmpegPath));
  }
}
