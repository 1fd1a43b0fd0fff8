/**
 * The program date-time of the first segment a viewer plays, from what FFmpeg's HLS demuxer logs.
 *
 * FFmpeg up to 7.1 does not use `EXT-X-PROGRAM-DATE-TIME`; it logs each such tag of every playlist
 * it parses as `Skip ('#EXT-X-PROGRAM-DATE-TIME:2026-12-07T18:07:49.675+0000')`, in playlist
 * order, and each tag applies to the segment after it. A live playlist is opened with
 * `Opening '…m3u8' for reading`, and FFmpeg starts `live_start_index` (default −3) segments from
 * the end: the first segment it plays is the third from the last. So the PDT of the first
 * segment is the third from the last tag of the last playlist parsed before the first segment
 * request (or the first, in a playlist of fewer than three). That is an inference from FFmpeg's
 * start position (hls.c: `max(0, n_segments + live_start_index)`) and it assumes the playlist
 * tags every segment, as FFmpeg's own muxer and the packagers we know do (the spec also allows
 * tagging only some, which would misplace it); labelled so. A version that logs no `Skip` lines
 * (one that uses the tag) gives null: unknown, never a guess.
 * @module
 */

import { median } from "./event_helpers.ts";

const TAG = "#EXT-X-PROGRAM-DATE-TIME:";
/** FFmpeg's `live_start_index` default: the first segment played is this far from the end. */
export const LIVE_START_INDEX = -3;

/**
 * Tracks one FFmpeg run's playlists until its first segment request.
 *
 * @example
 * ```ts
 * import { ProgramDateTimes } from "./program_date_time.ts";
 * const p = new ProgramDateTimes();
 * p.playlistOpened();
 * for (const s of [0, 2, 4, 6]) p.skipped(`#EXT-X-PROGRAM-DATE-TIME:2026-12-07T18:00:0${s}.000Z`);
 * p.firstSegment(); // Date.parse("2026-12-07T18:00:02.000Z")
 * ```
 */
export class ProgramDateTimes {
  #tags: number[] = [];
  #done = false;
  /**
   * A segment's length from the tags of the playlist the session started from: the median step
   * between consecutive tags (exact where every segment is tagged); null with fewer than two.
   */
  segmentMs: number | null = null;

  /** A playlist is being (re)loaded: its tags replace the last one's. */
  playlistOpened(): void {
    if (this.#done) return;
    this.#tags = [];
  }

  /** A tag FFmpeg skipped: the text inside `Skip ('…')`. */
  skipped(tag: string): void {
    if (this.#done || !tag.startsWith(TAG)) return;
    const ms = parseProgramDateTime(tag.slice(TAG.length));
    if (ms !== null) this.#tags.push(ms);
  }

  /**
   * The first segment was requested: the PDT (epoch ms) of the segment FFmpeg starts with, or
   * null when unknown. Later calls return null: only the session's start is placed.
   */
  firstSegment(): number | null {
    if (this.#done) return null;
    this.#done = true;
    // FFmpeg starts at max(0, n + live_start_index) of n segments; with every segment tagged,
    // that is the tag at the same index.
    const n = this.#tags.length;
    this.segmentMs = median(
      this.#tags.slice(1).map((t, i) => t - this.#tags[i]).filter((d) => d > 0),
    );
    return n === 0 ? null : this.#tags[Math.max(0, n + LIVE_START_INDEX)];
  }
}

/**
 * Parses an ISO 8601 date-time as HLS writes it, including FFmpeg's `+0000` zone spelling
 * (no colon), which `Date.parse` does not accept everywhere. Null when it is not one.
 *
 * @example
 * ```ts
 * import { parseProgramDateTime } from "./program_date_time.ts";
 * parseProgramDateTime("2026-12-07T18:07:49.675+0000"); // 1796666869675
 * ```
 */
export function parseProgramDateTime(text: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)?$/.exec(text.trim());
  if (!m) return null;
  const zone = m[2] === undefined || m[2] === "Z" ? "Z" : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  const ms = Date.parse(m[1] + zone);
  return Number.isFinite(ms) ? ms : null;
}
