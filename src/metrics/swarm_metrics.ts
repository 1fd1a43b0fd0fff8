/**
 * The Prometheus registry of one swarm run. Metrics read the run's stats when scraped, so a
 * scrape never disturbs them and counters follow the stats' own monotonic totals.
 * @module
 */
import client from "prom-client";
import type { LifecycleStats } from "../stats/lifecycle.ts";
import { VERSION } from "../version.ts";

const PREFIX = "hlsswarm_";

/** What the registry reads at scrape time. */
export interface SwarmMetricsSource {
  lifecycle: LifecycleStats;
  streamUrl: string;
  variant: string;
  ffmpegVersion: string;
}

/**
 * A counter whose value comes from a monotonic total read at scrape time: it increments by the
 * difference, so it never goes down.
 */
function totalCounter(
  registry: client.Registry,
  name: string,
  help: string,
  read: () => number,
): void {
  let exported = 0;
  new client.Counter({
    name: PREFIX + name,
    help,
    registers: [registry],
    collect() {
      const total = read();
      if (total > exported) this.inc(total - exported);
      exported = Math.max(exported, total);
    },
  });
}

/**
 * Builds a fresh registry (no global state) for a run.
 *
 * @example
 * ```ts
 * const registry = createSwarmRegistry({ lifecycle, streamUrl, variant: "all", ffmpegVersion });
 * const text = await registry.metrics();
 * ```
 */
export function createSwarmRegistry(source: SwarmMetricsSource): client.Registry {
  const registry = new client.Registry();
  const { lifecycle } = source;
  new client.Gauge({
    name: PREFIX + "info",
    help: "Run information; always 1. Labels carry the hls-swarm and FFmpeg versions.",
    labelNames: ["version", "ffmpeg_version", "stream_url", "variant"] as const,
    registers: [registry],
  }).set({
    version: VERSION,
    ffmpeg_version: source.ffmpegVersion,
    stream_url: source.streamUrl,
    variant: source.variant,
  }, 1);
  new client.Gauge({
    name: PREFIX + "clients_target",
    help: "Clients the run was asked for (--clients).",
    registers: [registry],
    collect() {
      this.set(lifecycle.targetClients);
    },
  });
  new client.Gauge({
    name: PREFIX + "clients_active",
    help: "Clients whose FFmpeg process is running now (measured from process state).",
    registers: [registry],
    collect() {
      this.set(lifecycle.running);
    },
  });
  new client.Gauge({
    name: PREFIX + "ramp_progress_ratio",
    help: "Clients started at least once divided by the target (0 to 1).",
    registers: [registry],
    collect() {
      this.set(lifecycle.startedClients / Math.max(1, lifecycle.targetClients));
    },
  });
  totalCounter(
    registry,
    "client_starts_total",
    "FFmpeg process starts, restarts included.",
    () => lifecycle.starts,
  );
  totalCounter(
    registry,
    "client_restarts_total",
    "FFmpeg process starts after an earlier run of the same client ended.",
    () => lifecycle.restarts,
  );
  const exitsExported = new Map<string, number>();
  new client.Counter({
    name: PREFIX + "client_exits_total",
    help: "FFmpeg process exits by exit code and cause (requested = stopped by hls-swarm).",
    labelNames: ["code", "cause"] as const,
    registers: [registry],
    collect() {
      for (const e of lifecycle.exits()) {
        const labels = { code: String(e.code), cause: e.requested ? "requested" : "unexpected" };
        const key = `${labels.code}/${labels.cause}`;
        const delta = e.count - (exitsExported.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        exitsExported.set(key, e.count);
      }
    },
  });
  return registry;
}
