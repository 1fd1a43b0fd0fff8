/**
 * `--timeline FILE`: a CSV with one row per second, for people who plot in a spreadsheet.
 * Counts come from the per-second series (what happened in that wall-clock second); TTFB
 * percentiles from the responses whose status arrived since the previous row (the difference of
 * the cumulative sketch, bin for bin).
 * @module
 */
import { openAtomicFile } from "../atomic_write.ts";
import type { Snapshot } from "../fleet/snapshot.ts";
import { WallSeries } from "../stats/series.ts";
import { Sketch, type SketchWire } from "../stats/sketch.ts";

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
].join(",");

/** Where rows go. */
export interface LineWriter {
  write(text: string): Promise<void>;
}

/**
 * Writes the rows of the seconds a snapshot closed since the last call.
 *
 * @example
 * ```ts
 * const timeline = new TimelineWriter(await fileWriter("timeline.csv"));
 * await timeline.add(swarm.snapshot()); // every second
 * ```
 */
export class TimelineWriter {
  #next: number | null = null;
  #lastTtfb: SketchWire | null = null;
  #started = false;

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
    const ttfb = snap.latency.ttfbSegment;
    const span = this.#lastTtfb ? Sketch.between(this.#lastTtfb, ttfb) : Sketch.fromWire(ttfb);
    this.#lastTtfb = ttfb;
    const rows: string[] = [];
    for (let second = from; second < upTo; second++) {
      const at = (f: Parameters<WallSeries["at"]>[0]) => series.at(f, second);
      // TTFB goes on the newest row written now: that is when those responses were seen.
      const last = second === upTo - 1;
      const pct = (q: number) => {
        const v = last ? span.quantile(q) : null;
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
        pct(0.5),
        pct(0.95),
        at("stalled"),
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
