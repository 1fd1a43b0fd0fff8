/**
 * A swarm made of synthetic events, for the dashboard's tests and benchmark: a real
 * {@linkcode PartitionStats} fed what FFmpeg clients would produce, on a time line the caller
 * controls.
 * @module
 */
import type { ProgressBlock } from "../parser/progress.ts";
import { clientRows } from "../stats/client_rows.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import type { ModelSource, SwarmView } from "./model.ts";

/** How the synthetic run goes. */
export interface SyntheticOptions {
  clients: number;
  /** Seconds of traffic, one fleet sample per second. */
  seconds: number;
  /** Clients (lowest ids) whose playback stops halfway through: they end up stalled. */
  stalled?: number;
  /** Clients (the next ids after the stalled ones) that play at 0.8x and so drift. */
  behind?: number;
  /** Every n-th segment of a client answers 404 (0: never). */
  failEvery?: number;
  /** Output lines dropped per client (for the metrics-health indicator). */
  droppedLines?: number;
}

const BLOCK: ProgressBlock = {
  frame: 1,
  fps: 30,
  bitrateKbps: null,
  totalSize: null,
  outTimeUs: 0,
  dupFrames: 0,
  dropFrames: 0,
  speed: 1,
  end: false,
};

/** Wall-clock ms of the synthetic run's monotonic time 0 (a whole second). */
export const SYNTHETIC_EPOCH_MS = 1_700_000_000_000;

/** A synthetic swarm: its view, and the stats behind it for tests to add to. */
export interface SyntheticSwarm extends SwarmView {
  readonly stats: PartitionStats;
  /** Wall time of the snapshots; tests move it with their own ticks. */
  wallNow: number;
}

/**
 * A swarm view whose clients fetched a playlist and a 2 s segment every 2 s for `seconds`,
 * ticked every second. Monotonic time starts at 0 (wall time {@linkcode SYNTHETIC_EPOCH_MS});
 * the run ends at `seconds * 1000`.
 *
 * @example
 * ```ts
 * const swarm = syntheticSwarm({ clients: 500, seconds: 60 });
 * swarm.snapshot().requests.segment; // 15000
 * ```
 */
export function syntheticSwarm(opts: SyntheticOptions): SyntheticSwarm {
  const dropped = opts.droppedLines ?? 0;
  const counts = {
    progress: { read: opts.seconds * 12, dropped: 0, parsed: opts.seconds * 12 },
    stderr: { read: opts.seconds * 75, dropped, parsed: opts.seconds * 75 - dropped },
  };
  const stats = new PartitionStats({
    targetClients: opts.clients,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  });
  const lifecycle = stats.lifecycle;
  const stalled = opts.stalled ?? 0;
  const behind = opts.behind ?? 0;
  const failEvery = opts.failEvery ?? 0;
  for (let id = 0; id < opts.clients; id++) {
    lifecycle.onState(id, "running");
    lifecycle.onStart(false);
    stats.client(id, () => counts).playback.onRunStart();
  }
  for (let t = 1; t <= opts.seconds; t++) {
    const at = t * 1000;
    for (let id = 0; id < opts.clients; id++) {
      // Spread latencies over clients and time, so percentiles have a real distribution.
      const jitter = ((id * 7 + t * 13) % 50) / 10;
      if (t % 2 === 0) {
        const segment = t / 2;
        const fails = failEvery > 0 && (segment + id) % failEvery === 0;
        stats.record(id, {
          type: "request",
          req: 1,
          kind: "manifest",
          path: "/stream.m3u8",
          at: 0,
        });
        stats.record(id, {
          type: "response",
          req: 1,
          kind: "manifest",
          status: 200,
          ttfbMs: 1 + jitter,
        });
        stats.record(id, { type: "body_bytes", req: 1, kind: "manifest", bytes: 254 });
        stats.record(id, {
          type: "request",
          req: 2,
          kind: "segment",
          path: `/seg${segment}.ts`,
          at,
        });
        stats.record(id, {
          type: "response",
          req: 1,
          kind: "segment",
          status: fails ? 404 : 200,
          ttfbMs: 2 + jitter * 3,
        });
        if (fails) stats.record(id, { type: "count", key: "segmentsFailed", n: 1 });
        else {
          stats.record(id, { type: "body_bytes", req: 1, kind: "segment", bytes: 230_000 });
          stats.record(id, {
            type: "segment_download_inferred",
            req: 1,
            ms: 20 + jitter * 10,
            at,
          });
        }
        if (t === 2) {
          stats.record(id, { type: "count", key: "tcpConnected", n: 1 });
          stats.record(id, { type: "tcp_connect", ms: 0.2 + jitter / 10 });
        }
      }
      const playing = id >= stalled || t <= opts.seconds / 2;
      const speed = id >= stalled && id < stalled + behind ? 0.8 : 1;
      if (playing) {
        const outTimeUs = Math.round(t * speed * 1_000_000);
        stats.recordProgress(id, { ...BLOCK, frame: t * 30, outTimeUs, speed }, at);
      }
    }
    stats.tick(at, SYNTHETIC_EPOCH_MS + at);
  }
  const swarm: SyntheticSwarm = {
    stats,
    wallNow: SYNTHETIC_EPOCH_MS + opts.seconds * 1000,
    dropThreshold: 0.01,
    snapshot: () => stats.snapshot(swarm.wallNow),
    clientRows: (limit) => clientRows(stats.clients.values(), limit),
  };
  return swarm;
}

/**
 * A model source around `swarm` with plain settings, for tests and benchmarks; `over` replaces
 * any of them.
 *
 * @example
 * ```ts
 * import { DashboardModelBuilder } from "./model.ts";
 * const builder = new DashboardModelBuilder(syntheticSource(syntheticSwarm({ clients: 3, seconds: 5 })));
 * ```
 */
export function syntheticSource(swarm: SwarmView, over: Partial<ModelSource> = {}): ModelSource {
  return {
    swarm,
    target: "http://127.0.0.1:17080/stream.m3u8",
    durationMs: 300_000,
    rampRate: 10,
    stats: true,
    statsLogLevel: "trace",
    logPath: "hls-swarm-20250102-030405.log",
    keys: true,
    runStartedAt: () => 0,
    stopReason: () => null,
    ...over,
  };
}
