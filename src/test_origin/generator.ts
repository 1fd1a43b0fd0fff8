/**
 * The FFmpeg process that produces the origin's live HLS stream.
 *
 * @module
 */

import { systemClock } from "../clock.ts";
import { readLines } from "../lines/decoder.ts";
import { LineTail } from "../lines/tail.ts";
import {
  type ChildProcess,
  type ExitStatus,
  type Spawner,
  stopGracefully,
} from "../process/spawner.ts";
import type { OriginOptions } from "./options.ts";

/** File name of every media playlist (per variant directory with ABR). */
export const MEDIA_PLAYLIST_NAME = "stream.m3u8";
/** File name of the master playlist written in ABR mode. */
export const MASTER_PLAYLIST_NAME = "master.m3u8";

/** File name of the CMAF init section (`EXT-X-MAP`); with `abr` FFmpeg adds `_N` per variant. */
export const FMP4_INIT_NAME = "init.mp4";

/**
 * The media segments' file extension: `ts`, or `m4s` for CMAF.
 *
 * @example
 * ```ts
 * import { segmentExtension } from "./generator.ts";
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * segmentExtension({ ...DEFAULT_ORIGIN_OPTIONS, segmentType: "fmp4" }); // "m4s"
 * ```
 */
export function segmentExtension(opts: OriginOptions): string {
  return opts.segmentType === "fmp4" ? "m4s" : "ts";
}

/** How many stderr lines of the generator are kept for error messages. */
const STDERR_TAIL_LINES = 20;
/** Audio bitrate of every rendition; a sine tone needs little. */
const AUDIO_BITRATE = "64k";
/** Bitrate ratio between the top and the lower ABR rendition (as in 2000k / 500k). */
const ABR_BITRATE_DIVISOR = 4;

/** One rendition of the generated stream. */
export interface GeneratorVariant {
  /** Variant name, also its sub-directory in ABR mode (e.g. `"360p"`). */
  name: string;
  /** Video width in pixels. */
  width: number;
  /** Video height in pixels. */
  height: number;
  /** Video bitrate in kbit/s. */
  bitrateKbps: number;
}

/**
 * The renditions the generator produces: the configured one, plus a half-size one at a
 * quarter of the bitrate when `abr` is set (1280x720@2000k gives 720p@2000k + 360p@500k).
 *
 * @example
 * ```ts
 * import { generatorVariants } from "./generator.ts";
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * generatorVariants({ ...DEFAULT_ORIGIN_OPTIONS, abr: true }).map((v) => v.name); // ["360p", "180p"]
 * ```
 */
export function generatorVariants(opts: OriginOptions): GeneratorVariant[] {
  const top: GeneratorVariant = {
    name: `${opts.height}p`,
    width: opts.width,
    height: opts.height,
    bitrateKbps: Math.round(opts.bitrateKbps),
  };
  if (!opts.abr) return [top];
  const width = evenHalf(opts.width);
  const height = evenHalf(opts.height);
  return [top, {
    name: `${height}p`,
    width,
    height,
    bitrateKbps: Math.max(1, Math.round(opts.bitrateKbps / ABR_BITRATE_DIVISOR)),
  }];
}

/**
 * Paths of the media playlists, relative to the stream directory.
 *
 * @example
 * ```ts
 * import { mediaPlaylistPaths } from "./generator.ts";
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * mediaPlaylistPaths(DEFAULT_ORIGIN_OPTIONS); // ["stream.m3u8"]
 * ```
 */
export function mediaPlaylistPaths(opts: OriginOptions): string[] {
  if (!opts.abr) return [MEDIA_PLAYLIST_NAME];
  return generatorVariants(opts).map((variant) => `${variant.name}/${MEDIA_PLAYLIST_NAME}`);
}

/**
 * The playlist clients should open, relative to the stream directory.
 *
 * @example
 * ```ts
 * import { entryPlaylistPath } from "./generator.ts";
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * entryPlaylistPath({ ...DEFAULT_ORIGIN_OPTIONS, abr: true }); // "master.m3u8"
 * ```
 */
export function entryPlaylistPath(opts: OriginOptions): string {
  return opts.abr ? MASTER_PLAYLIST_NAME : MEDIA_PLAYLIST_NAME;
}

/**
 * FFmpeg arguments (without the executable) for a live HLS stream written to `dir`.
 *
 * @example
 * ```ts
 * import { buildGeneratorArgs } from "./generator.ts";
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * const args = buildGeneratorArgs(DEFAULT_ORIGIN_OPTIONS, "/tmp/origin");
 * args.at(-1); // "/tmp/origin/stream.m3u8"
 * ```
 */
export function buildGeneratorArgs(opts: OriginOptions, dir: string): string[] {
  // A fixed GOP of exactly one segment, with no scene-cut keyframes, gives equal segments.
  const gop = String(Math.max(1, Math.round(opts.fps * opts.segmentSeconds)));
  const variants = generatorVariants(opts);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "warning",
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${opts.width}x${opts.height}:rate=${opts.fps}`,
    "-re",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=1000:sample_rate=48000",
  ];
  if (opts.abr) {
    const scaled = variants.slice(1)
      .map((v, i) => `[split${i + 1}]scale=${v.width}:${v.height}[v${i + 1}]`);
    const splitOutputs = variants.map((_, i) => (i === 0 ? "[v0]" : `[split${i}]`)).join("");
    args.push(
      "-filter_complex",
      [`[0:v]split=${variants.length}${splitOutputs}`, ...scaled].join(";"),
    );
    variants.forEach((_, i) => args.push("-map", `[v${i}]`, "-map", "1:a:0"));
  } else {
    args.push("-map", "0:v:0", "-map", "1:a:0");
  }
  args.push(
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-tune",
    "zerolatency",
    "-pix_fmt",
    "yuv420p",
    "-g",
    gop,
    "-keyint_min",
    gop,
    "-sc_threshold",
    "0",
  );
  variants.forEach((variant, i) => {
    const suffix = opts.abr ? `:v:${i}` : "";
    // Capped at the target rate with a two-second buffer; no minrate, which would exceed it.
    args.push(
      `-b${suffix === "" ? ":v" : suffix}`,
      `${variant.bitrateKbps}k`,
      `-maxrate${suffix}`,
      `${variant.bitrateKbps}k`,
      `-bufsize${suffix}`,
      `${variant.bitrateKbps * 2}k`,
    );
  });
  args.push(
    "-c:a",
    "aac",
    "-b:a",
    AUDIO_BITRATE,
    "-f",
    "hls",
    "-hls_time",
    String(opts.segmentSeconds),
    "-hls_list_size",
    String(opts.listSize),
    // Segments that just left the playlist stay on disk for slow viewers still fetching them.
    "-hls_delete_threshold",
    String(opts.listSize),
    "-hls_flags",
    // program_date_time: each segment's wall-clock time, the truth a viewer's live latency is
    // measured against (EXT-X-PROGRAM-DATE-TIME).
    `delete_segments+omit_endlist+temp_file${opts.programDateTime ? "+program_date_time" : ""}`,
  );
  const ext = segmentExtension(opts);
  if (opts.segmentType === "fmp4") {
    // CMAF: one init section per rendition (EXT-X-MAP), written beside its segments; with
    // several renditions FFmpeg numbers it (`360p/init_0.mp4`, `180p/init_1.mp4`).
    args.push("-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", FMP4_INIT_NAME);
  }
  if (opts.abr) {
    const streamMap = variants.map((v, i) => `v:${i},a:${i},name:${v.name}`).join(" ");
    args.push(
      "-hls_segment_filename",
      `${dir}/%v/seg%05d.${ext}`,
      "-master_pl_name",
      MASTER_PLAYLIST_NAME,
      "-var_stream_map",
      streamMap,
      `${dir}/%v/${MEDIA_PLAYLIST_NAME}`,
    );
  } else {
    args.push("-hls_segment_filename", `${dir}/seg%05d.${ext}`, `${dir}/${MEDIA_PLAYLIST_NAME}`);
  }
  return args;
}

/** A running generator process. */
export interface Generator {
  /** Process id, which is also its process group id. */
  readonly pid: number;
  /** Resolves with the exit status once the process has exited and its stderr is drained. */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once the process has exited and its stderr is drained, else undefined. */
  exitStatus(): ExitStatus | undefined;
  /** The last lines FFmpeg wrote to stderr (up to 20). */
  stderrTail(): string[];
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/**
 * Spawns FFmpeg in its own process group (through `spawner`, so with the parent-death signal
 * where available) with its stderr drained into a 20-line tail. Throws if the executable
 * cannot be started.
 *
 * @example
 * ```ts
 * import { createProcessSpawner } from "../process/spawner.ts";
 * import { buildGeneratorArgs, startGenerator } from "./generator.ts";
 * import { DEFAULT_ORIGIN_OPTIONS } from "./options.ts";
 * const dir = await Deno.makeTempDir();
 * const generator = startGenerator(createProcessSpawner({ deathSignal: true }), "ffmpeg",
 *   buildGeneratorArgs(DEFAULT_ORIGIN_OPTIONS, dir));
 * await generator.stop();
 * ```
 */
export function startGenerator(spawner: Spawner, ffmpegPath: string, args: string[]): Generator {
  let child: ChildProcess;
  try {
    child = spawner.spawn(ffmpegPath, args, { stdout: false, stderr: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot start FFmpeg generator "${ffmpegPath}": ${reason}`);
  }
  const tail = new LineTail(STDERR_TAIL_LINES);
  const drained = child.stderr ? readLines(child.stderr, (line) => tail.push(line)) : undefined;
  let exitStatus: ExitStatus | undefined;
  const exited = Promise.all([child.status, drained]).then(([status]) => {
    exitStatus = status;
    return status;
  });
  return {
    pid: child.pid,
    exited,
    exitStatus: () => exitStatus,
    stderrTail: () => tail.lines(),
    async stop(graceMs = 3000): Promise<ExitStatus> {
      await stopGracefully(child, graceMs, systemClock);
      return await exited;
    },
  };
}

/** The largest even number not above half of `size`, at least 2. */
function evenHalf(size: number): number {
  return Math.max(2, Math.floor(size / 4) * 2);
}
