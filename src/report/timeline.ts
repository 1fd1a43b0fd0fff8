/**
 * `--timeline FILE`: a CSV with one row per second, for people who plot in a spreadsheet.
 * Counts come from the per-second series (what happened in that wall-clock second); TTFB and
 * startup percentiles from the responses (sessions) seen since the previous row (the difference
 * of the cumulative sketch, bin for bin). The viewer columns use src/viewer's definitions:
 * `viewers_playing` and `viewers_rebuffering` are play and rebuffer time spent in that second,
 * in viewer-seconds (the average number of viewers playing, or frozen, during it). `viewers` is
 * joins - leaves so far (src/stats/audience.ts): the audience at the end of the second, which
 * `running_clients` (FFmpeg processes) follows a leave's exit later.
 * @module
 */
import { openAtomicFile } from "../atomic_write.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { WallSeries } from "../stats/series.ts";
import { Sketch, type SketchWire } from "../math/sketch.ts";

/** The CSV's columns. */
export const TIMELINE_HEADER = [
  "time",
  "running_clients",
  "manifest_requests_per_s",
  "segment_requests_per_s",
  "init_requests_per_s",
  "other_requests_per_s",
  "errors_per_s",
  "mbit_per_s",
  "segment_ttfb_p50_ms",
  "segment_ttfb_p95_ms",
  "stalled_clients",
  "video_starts_per_s",
  "video_start_failures_per_s",
  "exits_before_video_start_per_s",
  "rebuffer_events_per_s",
  "viewers_playing",
  "viewers_rebuffering",
  "startup_p50_ms",
  "startup_p95_ms",
  "joins_per_s",
  "leaves_per_s",
  "viewers",
].join(",");

/** Where rows go. */
export interface LineWriter {
  write(text: string): Promise<void>;
}

/**
 * Writes the rows of the seconds a snapshot closed since the last call.
 *
 * @example Not run: it needs a running swarm
 * ```ts ignore
 * const timeline = new TimelineWriter(await fileWriter("timeline.csv"));
 * await timeline.add(swarm.snapshot()); // every second
 * ```
 */
export class TimelineWriter {
  #next: number | null = null;
  #lastTtfb: SketchWire | null = null;
  #lastStartup: SketchWire | null = null;
  #started = false;
  /** Joins - leaves up to the last row written. */
  #viewers = 0;

  constructor(private out: LineWriter) {}

  /** Writes a row for every second `snap` holds that has not been written, up to `end`. */
  async add(snap: Snapshot, end?: number): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      await this.out.write(TIMELINE_HEADER + "\n");
    }
    const series = WallSeries.fromWire(snap.series);
    if (series.start === null) return;
    // The last second may still be filling up until the next tick: leave it for then.
    const upTo = end ?? series.end - 1;
    const from = Math.max(this.#next ?? series.start, series.start);
    // No new row: the responses (sessions) seen since the last row wait for the next one.
    if (from >= upTo) return;
    const ttfb = snap.latency.ttfbSegment, startup = snap.viewers.startupMs;
    const span = this.#lastTtfb ? Sketch.between(this.#lastTtfb, ttfb) : Sketch.fromWire(ttfb);
    const starts = this.#lastStartup
      ? Sketch.between(this.#lastStartup, startup)
      : Sketch.fromWire(startup);
    this.#lastTtfb = ttfb;
    this.#lastStartup = startup;
    const rows: string[] = [];
    for (let second = from; second < upTo; second++) {
      const at = (f: Parameters<WallSeries["at"]>[0]) => series.at(f, second);
      // TTFB goes on the newest row written now: that is when those responses were seen.
      const last = second === upTo - 1;
      const pct = (sketch: Sketch, q: number) => {
        const v = last ? sketch.quantile(q) : null;
        return v === null ? "" : v.toFixed(1);
      };
      rows.push([
        new Date(second * 1000).toISOString().slice(0, 19) + "Z",
        at("running"),
        at("manifests"),
        at("segments"),
        at("inits"),
        at("others"),
        at("errors"),
        ((at("bytes") * 8) / 1e6).toFixed(3),
        pct(span, 0.5),
        pct(span, 0.95),
        at("stalled"),
        at("videoStarts"),
        at("startFailures"),
        at("exitsBeforeStart"),
        at("rebuffers"),
        (at("playMs") / 1000).toFixed(3),
        (at("rebufferMs") / 1000).toFixed(3),
        pct(starts, 0.5),
        pct(starts, 0.95),
        at("joins"),
        at("leaves"),
        this.#viewers += at("joins") - at("leaves"),
      ].join(","));
    }
    if (rows.length) await this.out.write(rows.join("\n") + "\n");
    this.#next = Math.max(from, upTo);
  }
}

/**
 * A line writer for a new file that appears whole: rows go to a temp file beside `path`, and
 * close() flushes it and renames it over `path` (so a symlink planted at `path` is replaced, not
 * written through, and a crashed run leaves the previous timeline, not a cut one).
 *
 * @example
 * ```ts
 * const out = await fileWriter("/tmp/timeline.csv");
 * await out.write("time\n");
 * out.close(); // now /tmp/timeline.csv exists
 * ```
 */
export async function fileWriter(path: string): Promise<LineWriter & { close(): void }> {
  const out = await openAtomicFile(path);
  const encoder = new TextEncoder();
  return {
    async write(text: string) {
      const bytes = encoder.encode(text);
      for (let done = 0; done < bytes.length;) done += await out.file.write(bytes.subarray(done));
    },
    close: () => out.commitSync(),
  };
}
