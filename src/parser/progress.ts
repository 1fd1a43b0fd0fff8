/**
 * Parses FFmpeg's `-progress` output: blocks of `key=value` lines, each ended by
 * `progress=continue` or `progress=end`. Tolerates padding (`speed=  11x`) and `N/A`.
 * @module
 */

/** One completed progress block. Fields FFmpeg reported as N/A are null. */
export interface ProgressBlock {
  frame: number | null;
  fps: number | null;
  /** kbit/s, from `bitrate=512.0kbits/s`. */
  bitrateKbps: number | null;
  /** Output bytes; N/A for the null muxer, so always null for hls-swarm's clients. */
  totalSize: number | null;
  /** Media time written so far, µs. */
  outTimeUs: number | null;
  dupFrames: number | null;
  dropFrames: number | null;
  /** Playback speed relative to real time (1 = real time). */
  speed: number | null;
  /** True for the last block (`progress=end`). */
  end: boolean;
}

/** Progress keys hls-swarm reads, and the block field each fills. */
const FIELDS: Readonly<Record<string, Exclude<keyof ProgressBlock, "end">>> = {
  frame: "frame",
  fps: "fps",
  bitrate: "bitrateKbps",
  total_size: "totalSize",
  out_time_us: "outTimeUs",
  dup_frames: "dupFrames",
  drop_frames: "dropFrames",
  speed: "speed",
};

const EMPTY: ProgressBlock = {
  frame: null,
  fps: null,
  bitrateKbps: null,
  totalSize: null,
  outTimeUs: null,
  dupFrames: null,
  dropFrames: null,
  speed: null,
  end: false,
};

/**
 * A number from a progress value: trims padding, drops a unit suffix (`x`, `kbits/s`), and
 * returns null for `N/A` or anything unparsable, an overflow (`1e999`) included: an infinite
 * speed or frame count would poison every average it joins.
 *
 * @example
 * ```ts
 * progressNumber("  11x"); // 11
 * progressNumber("N/A"); // null
 * ```
 */
export function progressNumber(value: string): number | null {
  const m = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(value);
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * Assembles blocks from lines. Feed every stdout line to {@linkcode ProgressParser.push}; it
 * returns a block when one completes. Unknown keys and lines without `=` are ignored.
 *
 * @example
 * ```ts
 * const p = new ProgressParser();
 * p.push("frame=180");
 * p.push("speed=  2.99x");
 * p.push("progress=continue"); // { frame: 180, speed: 2.99, end: false, … }
 * ```
 */
export class ProgressParser {
  #block: ProgressBlock = { ...EMPTY };

  push(line: string): ProgressBlock | undefined {
    const eq = line.indexOf("=");
    if (eq < 0) return undefined;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1);
    const b = this.#block;
    const field = FIELDS[key];
    if (field) b[field] = progressNumber(value);
    else if (key === "progress") {
      this.#block = { ...EMPTY };
      return { ...b, end: value.trim() === "end" };
    }
    return undefined;
  }
}
