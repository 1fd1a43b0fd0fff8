/**
 * The hlsswarm_* metric families: one declarative table, read from the fleet's snapshot and its
 * view at scrape time. Counters are the snapshot's totals, which only grow (FFmpeg restarts
 * included); latency histograms are bucketed from the same sketches as the summary's
 * percentiles. Rates are left to Prometheus (`rate()`), and every family sums meaningfully
 * across shards: averages travel as a sum and a count.
 * @module
 */
import { EVENTS } from "../events/catalog.ts";
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import type { LoadboxSample } from "../loadbox/monitor.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import type { FleetView, LineHealth } from "../fleet/view.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import type { ClientRow } from "../stats/client_rows.ts";
import {
  type Family,
  familyMaker,
  type Labels,
  LATENCY_BUCKETS,
  one,
  type SketchSamples,
} from "./exposition.ts";
import { loadboxFamilies, originFamilies } from "./machines.ts";
import { viewerFamilies } from "./viewers.ts";
import { cdnFamilies } from "./cdn.ts";
import { groupFamilies } from "./groups.ts";
import { audienceFamilies } from "./audience.ts";

const P = "hlsswarm_";
/** The latency buckets (declared with the format, so every module can import them). */
export { LATENCY_BUCKETS };
const UPTIME_BUCKETS = [1, 5, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 43200];

/** What one scrape reads. */
export interface ScrapeInput {
  snapshot: Snapshot;
  view: FleetView;
  lines: LineHealth;
  /** Per-client rows (tier 2), or null when --prom-client-metrics is off. */
  clients: readonly ClientRow[] | null;
  origin: ExporterSnapshot | null;
  /** The load box's last second and its saturated seconds so far. */
  loadbox: { latest: LoadboxSample | null; saturatedSeconds: number } | null;
}

/** Fixed facts of the run. */
export interface RunFacts {
  version: string;
  ffmpegVersion: string;
  denoVersion: string;
  /** The stream URL as it may be shown (query redacted). */
  streamUrl: string;
  variant: string;
  /** What reads FFmpeg's output: "native" (the fan-in) or "deno" (Deno's pipes). */
  lineReader: string;
  targetDurationMs: number;
  /** Wall-clock ms at which the run started. */
  startedAt: number;
}

/** The catalog's events counted in hlsswarm_events_total, and those that count bytes. */
const COUNTED_EVENTS = EVENTS.filter((e) => !("unit" in e));
const BYTE_EVENTS = EVENTS.filter((e) => "unit" in e && e.unit === "bytes");

/**
 * Every hlsswarm family at this scrape.
 *
 * @example Not run: it needs a running swarm's scrape input
 * ```ts ignore
 * const text = exposition(swarmFamilies(facts, input), { run_id: "r1" });
 * ```
 */
export function swarmFamilies(facts: RunFacts, x: ScrapeInput): Family[] {
  const s = x.snapshot, v = x.view;
  const { counter, gauge, histogram } = familyMaker(P);
  const latency = (name: string, help: string, samples: SketchSamples) =>
    histogram(name, help, LATENCY_BUCKETS, 0.001, samples);
  const families: Family[] = [
    gauge("info", "Run information; always 1. Labels carry the versions, stream and variant.", [[
      {
        version: facts.version,
        ffmpeg_version: facts.ffmpegVersion,
        deno_version: facts.denoVersion,
        stream_url: facts.streamUrl,
        variant: facts.variant,
        line_reader: facts.lineReader,
      },
      1,
    ]]),
    gauge(
      "run_start_time_seconds",
      "When the run started, Unix time.",
      one(facts.startedAt / 1000),
    ),
    gauge(
      "target_duration_seconds",
      "Expected segment duration (--target-duration), used for stall detection.",
      one(facts.targetDurationMs / 1000),
    ),
    gauge(
      "clients_target",
      "Clients this process was asked to run (--clients, or its shard's share).",
      one(s.clients.target),
    ),
    gauge(
      "clients_started",
      "Clients started at least once (the ramp's progress).",
      one(s.clients.started),
    ),
    gauge(
      "clients_active",
      "Clients whose FFmpeg process is running now (process state).",
      one(s.clients.running),
    ),
    gauge(
      "clients_with_media",
      "Clients whose FFmpeg has decoded media at least once (from -progress).",
      one(s.clients.withMedia),
    ),
    counter(
      "requests_total",
      "HTTP requests by kind, counted from FFmpeg's request lines (retries included).",
      REQUEST_KINDS.map((kind) => [{ kind }, s.requests[kind]]),
    ),
    counter(
      "responses_total",
      "HTTP responses by kind and status code, from FFmpeg's http_code and HTTP error lines.",
      v.responses.map((r) => [{ kind: r.kind, status: String(r.status) }, r.count]),
    ),
    counter(
      "downloaded_bytes_total",
      "Body bytes of 2xx responses, from their Content-Length headers (FFmpeg trace level), " +
        "by request kind.",
      REQUEST_KINDS.map((kind) => [{ kind }, s.bytes[kind]]),
    ),
    counter(
      "events_total",
      "HLS and network events from FFmpeg's stderr, by event: " +
        COUNTED_EVENTS.map((e) => `${e.metric} = ${e.help}`).join("; ") + ".",
      COUNTED_EVENTS.map((e) => [{ event: e.metric }, s.events[e.key]]),
    ),
    ...BYTE_EVENTS.map((e) =>
      counter(`${e.metric}_total`, `Bytes: ${e.help}.`, one(s.events[e.key]))
    ),
    latency(
      "ttfb_seconds",
      "Time to first byte: from FFmpeg's request line to its status line, by request kind; " +
        "from its line stamps (FFmpeg with the datetime log flag) or at line arrival.",
      [[{ kind: "manifest" }, s.latency.ttfbManifest], [
        { kind: "segment" },
        s.latency.ttfbSegment,
      ]],
    ),
    latency(
      "tcp_connect_seconds",
      "TCP connect time: FFmpeg's connection attempt to success, from its line stamps " +
        "(FFmpeg with the datetime log flag) or at line arrival.",
      [[{}, s.latency.tcpConnect]],
    ),
    latency(
      "segment_download_inferred_seconds",
      "Segment download time, inferred: response headers to the last packet FFmpeg demuxed " +
        "before its next request (FFmpeg logs no end-of-body line).",
      [[{}, s.latency.downloadInferred]],
    ),
    gauge(
      "clients_keeping_up",
      "Clients whose media advanced at >= 0.9x real time over >= 5 s.",
      one(s.playback.keepingUp),
    ),
    gauge(
      "clients_falling_behind",
      "Clients whose media advanced at < 0.9x real time.",
      one(s.playback.behind),
    ),
    gauge(
      "clients_stalled",
      "Clients stalled now: < 0.9x over >= 5 s, or no progress for 1.5 target durations.",
      one(s.playback.stalled),
    ),
    gauge(
      "clients_high_drift",
      "Clients more than 5 s behind real time in their current run.",
      one(s.playback.highDrift),
    ),
    gauge(
      "playback_speed_sum_ratio",
      "Sum of the recent playback speeds (1 = real time) of the clients with one; divide by " +
        "hlsswarm_playback_speed_clients for the average.",
      one(s.playback.speedSum),
    ),
    gauge(
      "playback_speed_clients",
      "Clients with a measured playback speed.",
      one(s.playback.speedCount),
    ),
    gauge(
      "drift_sum_seconds",
      "Sum of the clients' lag behind real time in their current runs (catch-up counts as 0); " +
        "divide by hlsswarm_drift_clients for the average.",
      one(s.playback.driftSumMs / 1000),
    ),
    gauge("drift_clients", "Clients with a measured drift.", one(s.playback.driftCount)),
    gauge(
      "drift_max_seconds",
      "Largest lag behind real time seen in any run.",
      one(s.playback.maxDriftMs / 1000),
    ),
    counter(
      "stall_episodes_total",
      "Times a client entered the stalled state.",
      one(s.playback.stallEpisodes),
    ),
    counter(
      "client_starts_total",
      "FFmpeg process starts, restarts included.",
      one(s.lifecycle.starts),
    ),
    counter(
      "client_restarts_total",
      "FFmpeg starts after an earlier run of the same client ended.",
      one(s.lifecycle.restarts),
    ),
    counter(
      "client_exits_total",
      "FFmpeg exits by exit code and cause: shutdown and restart reasons were asked for by " +
        "hls-swarm, unexpected ones were not.",
      s.lifecycle.exits.map((
        e,
      ) => [{ code: String(e.code), cause: e.reason ?? "unexpected" }, e.count]),
    ),
    histogram(
      "client_uptime_seconds",
      "How long each FFmpeg run lasted, observed when it exits.",
      UPTIME_BUCKETS,
      0.001,
      [[{}, s.lifecycle.uptimeMs]],
    ),
    ...(["read", "dropped", "parsed"] as const).map((key) =>
      counter(
        `stats_lines_${key}_total`,
        key === "dropped"
          ? "FFmpeg output lines dropped because parsing fell behind (lossy by design), by stream."
          : `FFmpeg output lines ${key}, by stream.`,
        (["progress", "stderr"] as const).map((
          stream,
        ) => [{ stream }, x.lines.byStream[stream][key]]),
      )
    ),
    gauge(
      "stats_clients_degraded",
      "Clients whose dropped-line share exceeds --stats-drop-threshold.",
      one(x.lines.degradedClients),
    ),
  ];
  families.push(...viewerFamilies(s.viewers));
  families.push(...cdnFamilies(s.cdn));
  families.push(...groupFamilies(s));
  families.push(...audienceFamilies(s.audience));
  if (x.loadbox) families.push(...loadboxFamilies(x.loadbox.latest, x.loadbox.saturatedSeconds));
  if (x.clients) families.push(...perClient(x.clients));
  if (x.origin) families.push(...originFamilies(x.origin));
  return families;
}

/** Tier 2 (--prom-client-metrics): per-client series labelled client_id. */
function perClient(rows: readonly ClientRow[]): Family[] {
  const id = (n: number) => ({ client_id: String(n) });
  const f = familyMaker(P).scalar;
  return [
    f(
      "client_requests_total",
      "counter",
      "Per client: HTTP requests by kind (tier 2).",
      rows.flatMap((c) =>
        REQUEST_KINDS.map((kind): [Labels, number] => [{ ...id(c.id), kind }, c.requests[kind]])
      ),
    ),
    f(
      "client_downloaded_bytes_total",
      "counter",
      "Per client: body bytes of 2xx responses (tier 2).",
      rows.map((c) => [id(c.id), c.bytes]),
    ),
    f(
      "client_failed_requests_total",
      "counter",
      "Per client: responses >= 400 plus unanswered requests (tier 2).",
      rows.map((c) => [id(c.id), c.failed]),
    ),
    f(
      "client_speed_ratio",
      "gauge",
      "Per client: recent playback speed, 1 = real time (tier 2).",
      rows.flatMap((c) => c.speed === null ? [] : [[id(c.id), c.speed]]),
    ),
    f(
      "client_drift_seconds",
      "gauge",
      "Per client: lag behind real time in the current run (tier 2).",
      rows.flatMap((c) => c.driftMs === null ? [] : [[id(c.id), c.driftMs / 1000]]),
    ),
    f(
      "client_stalled",
      "gauge",
      "Per client: 1 when stalled now, else 0 (tier 2).",
      rows.map((c) => [id(c.id), c.status === "stalled" ? 1 : 0]),
    ),
  ];
}
