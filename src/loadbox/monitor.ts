/**
 * The load box watches itself: host CPU (steal included), available memory and hls-swarm's own
 * event-loop lag, once a second. A second in which the box is saturated (CPU ≥ 95 %, loop lag
 * ≥ 200 ms or under 5 % of memory available) belongs to a saturation window; the summary, the
 * dashboard, /metrics and the JSON say when, because figures measured then reflect this box,
 * not the origin. The ramp asks {@linkcode LoadboxMonitor.busy} before each start.
 * @module
 */
import type { Clock } from "../clock.ts";
import { type CpuCounters, cpuShares, parseMeminfo, parseProcStat } from "./proc.ts";
import { cpuDeltas } from "../exporters/node.ts";
import { LoadboxSeries, type LoadboxSeriesWire } from "../stats/loadbox_series.ts";

/** When a second counts as saturated. */
export const SATURATION = { cpuPercent: 95, loopLagMs: 200, memoryAvailablePercent: 5 } as const;

/** One second of the load box. */
export interface LoadboxSample {
  /** Wall-clock ms at the end of the second. */
  at: number;
  cpuPercent: number | null;
  stealPercent: number | null;
  memoryAvailableBytes: number | null;
  memoryTotalBytes: number | null;
  /** Largest lateness of a 100 ms timer in the second: how long the event loop was busy. */
  loopLagMs: number;
  /** Why this second counts as saturated; empty when it does not. */
  saturated: string[];
  /** The host's CPU counters since boot (/proc/stat, in ticks), for /metrics' counters. */
  cpuTicks: CpuCounters | null;
}

/** A stretch of saturated seconds. */
export interface SaturationWindow {
  from: string;
  to: string;
  seconds: number;
  reasons: string[];
  cpuMaxPercent: number | null;
  loopLagMaxMs: number;
  /** In a merged fleet: the shard whose box it was. */
  shard?: number;
}

/** The whole run of the load box, for the summary. */
export interface LoadboxReport {
  samples: number;
  cpuMaxPercent: number | null;
  stealMaxPercent: number | null;
  loopLagMaxMs: number;
  memoryMinAvailableBytes: number | null;
  saturatedSeconds: number;
  windows: SaturationWindow[];
  /** The limits a second was judged against. */
  limits: typeof SATURATION;
}

const LAG_PERIOD_MS = 100;
/** /proc/stat counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second for user
 * space on every architecture (`getconf CLK_TCK` prints 100): a tick is 10 ms. */
const MS_PER_TICK = 10;

/**
 * Samples the load box until stopped.
 *
 * @example Not run: it samples /proc for seconds
 * ```ts ignore
 * const box = new LoadboxMonitor(systemClock, Deno.readTextFile);
 * box.start();
 * // … later
 * await box.stop();
 * box.report().windows; // when the box was saturated
 * ```
 */
export class LoadboxMonitor {
  #stop = new AbortController();
  #loops: Promise<void>[] = [];
  #lastCpu: CpuCounters | null = null;
  #lagMs = 0;
  #latest: LoadboxSample | null = null;
  #report: LoadboxReport = {
    samples: 0,
    cpuMaxPercent: null,
    stealMaxPercent: null,
    loopLagMaxMs: 0,
    memoryMinAvailableBytes: null,
    saturatedSeconds: 0,
    windows: [],
    limits: SATURATION,
  };
  #open: (SaturationWindow & { last: number }) | null = null;
  /** Per second: CPU busy and capacity ms and loop lag, for the snapshot and the report. */
  readonly #series = new LoadboxSeries();
  /** Wall time of the previous sample: a sample covers the time since. */
  #lastAt: number | null = null;

  constructor(
    private clock: Clock,
    private readTextFile: (path: string) => Promise<string>,
  ) {}

  /** Starts sampling (no-op when started). */
  start(): void {
    if (this.#loops.length) return;
    this.#loops = [this.#sampleLoop(), this.#lagLoop()];
  }

  /** Stops sampling and closes any open window. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
    this.#close();
  }

  /** The last second's sample, or null before the first. */
  get latest(): LoadboxSample | null {
    return this.#latest;
  }

  /** Whether the last second was saturated: the ramp waits rather than add load. */
  get busy(): boolean {
    return (this.#latest?.saturated.length ?? 0) > 0;
  }

  /** Everything so far. */
  report(): LoadboxReport {
    const r = structuredClone(this.#report);
    if (this.#open) r.windows.push(windowOf(this.#open));
    return r;
  }

  /**
   * The samples per wall-clock second: each sample's CPU tick deltas (× 10 ms, busy including
   * steal, capacity busy + idle + iowait) and the loop's largest lag since the sample before,
   * in the second holding the middle of that span (the loop samples about once a second, not on
   * second boundaries, so a second can now and then hold two samples or none). Undefined
   * before the second sample (the first only sets the CPU baseline).
   */
  series(): LoadboxSeriesWire | undefined {
    return this.#lastAt === null || this.#report.samples < 2 ? undefined : this.#series.toWire();
  }

  /** Takes one sample now (the loop calls it every second; tests call it directly). */
  async sample(): Promise<LoadboxSample> {
    const [stat, meminfo] = await Promise.all([
      this.readTextFile("/proc/stat").catch(() => ""),
      this.readTextFile("/proc/meminfo").catch(() => ""),
    ]);
    const cpu = parseProcStat(stat);
    const shares = cpu && this.#lastCpu ? cpuShares(this.#lastCpu, cpu) : null;
    const ticks = cpu && this.#lastCpu ? cpuDeltas(this.#lastCpu, cpu) : null;
    if (cpu) this.#lastCpu = cpu;
    const mem = parseMeminfo(meminfo);
    const lag = this.#lagMs;
    this.#lagMs = 0;
    const saturated: string[] = [];
    if (shares && shares.busyPercent >= SATURATION.cpuPercent) {
      saturated.push(`CPU ${shares.busyPercent.toFixed(0)} %`);
    }
    if (lag >= SATURATION.loopLagMs) saturated.push(`event-loop lag ${Math.round(lag)} ms`);
    if (mem && mem.availableBytes < (mem.totalBytes * SATURATION.memoryAvailablePercent) / 100) {
      saturated.push(`memory ${((100 * mem.availableBytes) / mem.totalBytes).toFixed(1)} % free`);
    }
    const s: LoadboxSample = {
      at: this.clock.wallNow(),
      cpuPercent: shares?.busyPercent ?? null,
      stealPercent: shares?.stealPercent ?? null,
      memoryAvailableBytes: mem?.availableBytes ?? null,
      memoryTotalBytes: mem?.totalBytes ?? null,
      loopLagMs: lag,
      saturated,
      cpuTicks: cpu,
    };
    this.#record(s);
    if (this.#lastAt !== null) {
      this.#series.add(Math.floor((this.#lastAt + s.at) / 2000), {
        cpuBusyMs: (ticks?.busy ?? 0) * MS_PER_TICK,
        cpuCapacityMs: ticks ? (ticks.busy + ticks.idle) * MS_PER_TICK : 0,
        loopLagMaxMs: lag,
      });
    }
    this.#lastAt = s.at;
    return s;
  }

  #record(s: LoadboxSample): void {
    this.#latest = s;
    const r = this.#report;
    r.samples++;
    const max = (a: number | null, b: number | null) => (b === null ? a : Math.max(a ?? b, b));
    r.cpuMaxPercent = max(r.cpuMaxPercent, s.cpuPercent);
    r.stealMaxPercent = max(r.stealMaxPercent, s.stealPercent);
    r.loopLagMaxMs = Math.max(r.loopLagMaxMs, s.loopLagMs);
    if (s.memoryAvailableBytes !== null) {
      r.memoryMinAvailableBytes = Math.min(
        r.memoryMinAvailableBytes ?? Infinity,
        s.memoryAvailableBytes,
      );
    }
    if (!s.saturated.length) return this.#close();
    r.saturatedSeconds++;
    const open = this.#open ??= {
      from: new Date(s.at - 1000).toISOString(),
      to: "",
      seconds: 0,
      reasons: [],
      cpuMaxPercent: null,
      loopLagMaxMs: 0,
      last: s.at,
    };
    open.seconds++;
    open.last = s.at;
    for (const reason of s.saturated) {
      const kind = reason.replace(/ [\d.]+.*$/, "");
      if (!open.reasons.some((x) => x.startsWith(kind))) open.reasons.push(kind);
    }
    open.cpuMaxPercent = max(open.cpuMaxPercent, s.cpuPercent);
    open.loopLagMaxMs = Math.max(open.loopLagMaxMs, s.loopLagMs);
  }

  #close(): void {
    if (!this.#open) return;
    this.#report.windows.push(windowOf(this.#open));
    this.#open = null;
  }

  async #sampleLoop(): Promise<void> {
    const signal = this.#stop.signal;
    await this.sample(); // the first reading only sets the CPU baseline
    while (!signal.aborted) {
      await this.clock.sleep(1000, signal);
      if (!signal.aborted) await this.sample();
    }
  }

  /** A 100 ms timer whose lateness is the time the event loop spent on something else. */
  async #lagLoop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const due = this.clock.now() + LAG_PERIOD_MS;
      await this.clock.sleep(LAG_PERIOD_MS, signal);
      if (signal.aborted) return;
      this.#lagMs = Math.max(this.#lagMs, this.clock.now() - due);
    }
  }
}

function windowOf(w: SaturationWindow & { last: number }): SaturationWindow {
  const { last, ...rest } = w;
  return { ...rest, to: new Date(last).toISOString() };
}

/**
 * The load boxes of a fleet: maxima, minima and saturated seconds over every shard, and every
 * shard's windows, labelled with its index. Null when no shard reported one.
 *
 * @example Not run: it needs the shards' loadbox reports from their summaries
 * ```ts ignore
 * mergeLoadbox([{ shard: 0, report: a }, { shard: 1, report: b }])?.windows;
 * ```
 */
export function mergeLoadbox(
  parts: readonly { shard: number; report: LoadboxReport | null }[],
): LoadboxReport | null {
  const known = parts.filter((p): p is { shard: number; report: LoadboxReport } => !!p.report);
  if (!known.length) return null;
  const vals = (pick: (r: LoadboxReport) => number | null) =>
    known.map((p) => pick(p.report)).filter((v): v is number => v !== null);
  const maxOf = (v: number[]) => (v.length ? Math.max(...v) : null);
  return {
    samples: known.reduce((n, p) => n + p.report.samples, 0),
    cpuMaxPercent: maxOf(vals((r) => r.cpuMaxPercent)),
    stealMaxPercent: maxOf(vals((r) => r.stealMaxPercent)),
    loopLagMaxMs: Math.max(...known.map((p) => p.report.loopLagMaxMs)),
    memoryMinAvailableBytes: vals((r) => r.memoryMinAvailableBytes).length
      ? Math.min(...vals((r) => r.memoryMinAvailableBytes))
      : null,
    saturatedSeconds: known.reduce((n, p) => n + p.report.saturatedSeconds, 0),
    windows: known.flatMap((p) => p.report.windows.map((w) => ({ ...w, shard: p.shard })))
      .sort((a, b) => a.from.localeCompare(b.from)),
    limits: SATURATION,
  };
}
