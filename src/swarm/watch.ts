/**
 * What watches a run from the main thread while it goes: the progress log line (when no
 * dashboard is up), the `--timeline` rows, and `--abort-on-fail`'s threshold checks, once a
 * second just after the shards' own ticks.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { fleetView } from "../fleet/view.ts";
import type { Logger } from "../log/logger.ts";
import type { RunSummary } from "../report/summary.ts";
import { evaluateThresholds, type ThresholdResult } from "../report/thresholds.ts";
import type { Threshold } from "../config/thresholds.ts";
import type { LineWriter, TimelineWriter } from "../report/timeline.ts";
import { progressLine } from "./progress_line.ts";

/** What the watch reads, and whom it tells. */
export interface WatchDeps {
  clock: Clock;
  log: Logger;
  /** The fleet now. */
  snapshot(): Snapshot;
  /** The summary the thresholds judge, from a snapshot taken mid-run. */
  live(snap: Snapshot): RunSummary;
  /** A threshold failed with --abort-on-fail: stop the run. */
  abort(failed: ThresholdResult[]): void;
}

/** What to watch for. */
export interface WatchOptions {
  /** Period of the progress log line; 0 turns it off. */
  progressLogMs: number;
  timeline: { writer: TimelineWriter; file: LineWriter & { close(): void } } | null;
  /** Thresholds to check every second (--abort-on-fail), or null. */
  abortOn: Threshold[] | null;
  /** Checks begin this long after start(). */
  abortGraceMs: number;
}

/**
 * Runs the per-second duties until the run stops; {@linkcode RunWatch.finish} writes the last
 * timeline rows.
 *
 * @example Not run: it watches a running swarm
 * ```ts ignore
 * const watch = new RunWatch(options, deps);
 * watch.start(signal);
 * // … the run ends
 * await watch.finish(finalSnapshot);
 * ```
 */
export class RunWatch {
  #loops: Promise<void>[] = [];
  /** The failed thresholds that aborted the run, or null. */
  aborted: ThresholdResult[] | null = null;

  constructor(private options: WatchOptions, private deps: WatchDeps) {}

  start(signal: AbortSignal): void {
    const o = this.options;
    if (o.progressLogMs > 0) {
      this.#loops.push(this.#every(o.progressLogMs, signal, () => this.#progress()));
    }
    if (o.timeline || o.abortOn) {
      const checkFrom = this.deps.clock.now() + o.abortGraceMs;
      this.#loops.push(this.#everySecond(signal, async () => {
        const snap = this.deps.snapshot();
        await o.timeline?.writer.add(snap);
        if (o.abortOn && !this.aborted && this.deps.clock.now() >= checkFrom) this.#check(snap);
      }));
    }
  }

  /** Waits for the loops, then writes every remaining second of the final snapshot. */
  async finish(snap: Snapshot): Promise<void> {
    await Promise.all(this.#loops);
    const t = this.options.timeline;
    if (!t) return;
    await t.writer.add(snap, (snap.series.start ?? 0) + snap.series.fields.segments.length);
    t.file.close();
  }

  #check(snap: Snapshot): void {
    const results = evaluateThresholds(this.deps.live(snap), this.options.abortOn!);
    const failed = results.filter((r) => !r.passed);
    if (!failed.length) return;
    this.aborted = failed;
    this.deps.log.error("thresholds_failed_aborting", {
      failed: failed.map((f) => ({ threshold: f.threshold, actual: f.actual })),
    });
    this.deps.abort(failed);
  }

  #progress(): void {
    const snap = this.deps.snapshot();
    this.deps.log.info("progress", progressLine(snap, fleetView(snap)));
  }

  async #every(ms: number, signal: AbortSignal, f: () => void): Promise<void> {
    while (!signal.aborted) {
      await this.deps.clock.sleep(ms, signal);
      if (!signal.aborted) f();
    }
  }

  /** Just after each wall-clock second, when the shards have ticked (they tick at +1 ms). */
  async #everySecond(signal: AbortSignal, f: () => Promise<void>): Promise<void> {
    const { clock } = this.deps;
    while (!signal.aborted) {
      await clock.sleep(1000 - (clock.wallNow() % 1000) + 150, signal);
      if (!signal.aborted) await f();
    }
  }
}
