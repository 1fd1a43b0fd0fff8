/**
 * Flags of `hls-swarm origin`, and their conversion into origin options.
 * @module
 */
import { parseDuration } from "../config/duration.ts";
import {
  type Fault,
  type OriginOptions,
  parseFault,
  SEGMENT_TYPES,
  type SegmentType,
} from "../test_origin/mod.ts";

/** Raw values as commander hands them over. */
export interface OriginFlagValues {
  host: string;
  port: string;
  resolution: string;
  fps: string;
  bitrate: string;
  segmentDuration: string;
  segmentType: string;
  listSize: string;
  abr?: boolean;
  failRate: string;
  failStatus: string;
  fault?: string[];
  programDateTime?: boolean;
  dir?: string;
  accessLog?: string;
  ffmpeg: string;
}

/** The origin subcommand's flags, as commander flag strings. */
export const ORIGIN_FLAGS: readonly { flags: string; help: string; default?: string }[] = [
  { flags: "--host <host>", help: "listen address", default: "127.0.0.1" },
  { flags: "--port <port>", help: "listen port (0 picks a free one)", default: "17080" },
  { flags: "--resolution <WxH>", help: "video size of the top variant", default: "640x360" },
  { flags: "--fps <n>", help: "frames per second", default: "30" },
  { flags: "--bitrate <kbps>", help: "video bitrate of the top variant", default: "800" },
  { flags: "--segment-duration <duration>", help: "HLS segment length", default: "2s" },
  {
    flags: "--segment-type <type>",
    help: "media segments: ts (MPEG-TS) or fmp4 (CMAF: EXT-X-MAP init.mp4 and .m4s segments)",
    default: "ts",
  },
  { flags: "--list-size <n>", help: "segments listed in the live playlist", default: "6" },
  { flags: "--abr", help: "multi-variant ladder with a master playlist" },
  {
    flags: "--fail-rate <fraction>",
    help: "share of media segment requests answered with --fail-status",
    default: "0",
  },
  { flags: "--fail-status <code>", help: "status for injected failures", default: "404" },
  {
    flags: "--fault <spec...>",
    help: "a per-viewer fault (repeatable): startup:hold=3s:clients=0,4 | " +
      "stall:hold=4s:at=10s,30s:clients=1-3 | playlist-fail:status=404:clients=7 | pause:at=30s:for=10s",
  },
  { flags: "--no-program-date-time", help: "leave EXT-X-PROGRAM-DATE-TIME out of the playlists" },
  { flags: "--dir <path>", help: "write the stream here instead of a temporary directory" },
  { flags: "--access-log <path>", help: "access log file (default: inside the stream dir)" },
  { flags: "--ffmpeg <path>", help: "FFmpeg binary for the generator", default: "ffmpeg" },
];

/**
 * Converts and validates origin flags, collecting every error.
 *
 * @example
 * ```ts
 * import { originOptionsFrom } from "./origin_flags.ts";
 * const r = originOptionsFrom({
 *   host: "127.0.0.1",
 *   port: "0",
 *   resolution: "1280x720",
 *   fps: "30",
 *   bitrate: "800",
 *   segmentDuration: "2s",
 *   segmentType: "fmp4",
 *   listSize: "6",
 *   failRate: "0",
 *   failStatus: "404",
 *   ffmpeg: "ffmpeg",
 * });
 * if (r.ok) r.options.width; // 1280
 * ```
 */
export function originOptionsFrom(
  v: OriginFlagValues,
): { ok: true; options: OriginOptions } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const int = (name: string, s: string, min: number, max = Infinity) => {
    const n = Number(s);
    if (!/^\d+$/.test(s.trim()) || n < min || n > max) {
      errors.push(`${name}: expected a whole number from ${min} to ${max} (got "${s}")`);
    }
    return n;
  };
  const size = /^(\d+)x(\d+)$/.exec(v.resolution);
  if (!size) errors.push(`resolution: expected WIDTHxHEIGHT, e.g. 640x360 (got "${v.resolution}")`);
  const segment = parseDuration(v.segmentDuration);
  if (!segment.ok || segment.ms < 1000) {
    errors.push(`segment-duration: ${segment.ok ? "must be at least 1s" : segment.error}`);
  }
  const segmentType = SEGMENT_TYPES.find((t) => t === v.segmentType);
  if (!segmentType) {
    errors.push(`segment-type: expected ${SEGMENT_TYPES.join(" or ")} (got "${v.segmentType}")`);
  }
  const failRate = Number(v.failRate);
  if (!(failRate >= 0 && failRate <= 1)) {
    errors.push(`fail-rate: must be between 0 and 1 (got "${v.failRate}")`);
  }
  const faults: Fault[] = [];
  for (const spec of v.fault ?? []) {
    try {
      faults.push(parseFault(spec));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const options: OriginOptions = {
    host: v.host,
    port: int("port", v.port, 0, 65535),
    width: size ? Number(size[1]) : 0,
    height: size ? Number(size[2]) : 0,
    fps: int("fps", v.fps, 1, 120),
    bitrateKbps: int("bitrate", v.bitrate, 50),
    segmentSeconds: segment.ok ? segment.ms / 1000 : 0,
    segmentType: segmentType ?? ("ts" satisfies SegmentType),
    listSize: int("list-size", v.listSize, 2),
    abr: v.abr === true,
    failRate,
    failStatus: int("fail-status", v.failStatus, 400, 599),
    faults,
    programDateTime: v.programDateTime !== false,
    dir: v.dir,
    accessLogPath: v.accessLog,
    ffmpegPath: v.ffmpeg,
  };
  return errors.length ? { ok: false, errors } : { ok: true, options };
}
