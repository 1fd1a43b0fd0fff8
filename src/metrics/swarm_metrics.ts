/**
 * The Prometheus registry of one swarm run. Tier 1 covers every figure of the exit summary;
 * tier 2 (`--prom-client-metrics`) adds per-client series. Totals are read from the run's stats
 * at scrape time and exported as counters that only ever grow, FFmpeg restarts included;
 * latency histograms are observed as events arrive. Every name carries its unit, and every help
 * text says what is measured and, where a figure is inferred, how.
 * @module
 */
import client from "prom-client";
import type { Clock } from "../clock.ts";
import type { HttpEvent } from "../parser/stderr_events.ts";
import type { OriginSnapshot } from "../exporters/scraper.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import type { FleetSnapshot, FleetStats } from "../stats/fleet.ts";
import type { LifecycleStats } from "../stats/lifecycle.ts";
import type { LineHealth } from "../stats/line_health.ts";
import { VERSION } from "../version.ts";

const P = "hlsswarm_";
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const UPTIME_BUCKETS = [1, 5, 30, 60, 300, 600, 1800, 3600, 7200];

/** What the registry reads at scrape time. */
export interface SwarmMetricsSource {
  clock: Clock;
  lifecycle: LifecycleStats;
  fleet: FleetStats;
  lineHealth(): LineHealth;
  streamUrl: string;
  variant: string;
  ffmpegVersion: string;
  targetDurationMs: number;
  /** Monotonic ms at which the run started, for elapsed time. */
  startedAt: number;
  /** Adds per-client series labelled client_id (tier 2). */
  perClient: boolean;
}

type Labels = Record<string, string>;

const MISLEADING_DEFAULT_METRICS = [
  "nodejs_active_handles",
  "nodejs_active_handles_total",
  "nodejs_active_requests",
  "nodejs_active_requests_total",
  "nodejs_active_resources",
  "nodejs_active_resources_total",
  "nodejs_gc_duration_seconds",
  "nodejs_version_info",
];

/**
 * Prometheus metrics for one run, on a fresh registry (no global state).
 *
 * @example
 * ```ts
 * const metrics = new SwarmMetrics(source);
 * metrics.observe({ type: "response", kind: "segment", status: 206, ttfbMs: 12 });
 * const text = await metrics.registry.metrics();
 * ```
 */
export class SwarmMetrics {
  readonly registry = new client.Registry();
  #ttfb: client.Histogram<"kind">;
  #tcpConnect: client.Histogram;
  #download: client.Histogram;
  #uptime: client.Histogram;
  #snapshot: { at: number; value: FleetSnapshot } | null = null;

  constructor(private source: SwarmMetricsSource) {
    const r = [this.registry];
    client.collectDefaultMetrics({ register: this.registry });
    // Under Deno these report nothing true (measured): handle/request/resource counts are 0,
    // GC durations never get samples, and the "Node" version is Deno's compat number. The
    // *_total gauges also break Prometheus naming rules (promtool check metrics).
    for (const name of MISLEADING_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    this.#ttfb = new client.Histogram({
      name: P + "ttfb_seconds",
      help: "Time to first byte: from FFmpeg's request line to its status line, measured at " +
        "line arrival (FFmpeg 5.1 cannot timestamp lines), by request kind.",
      labelNames: ["kind"] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.#tcpConnect = new client.Histogram({
      name: P + "tcp_connect_seconds",
      help: "TCP connect time: FFmpeg's connection attempt to success, measured at line arrival.",
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.#download = new client.Histogram({
      name: P + "segment_download_inferred_seconds",
      help: "Segment download time, inferred: response headers to the last packet FFmpeg " +
        "demuxed before its next request (FFmpeg logs no end-of-body line).",
      buckets: [...LATENCY_BUCKETS, 30],
      registers: r,
    });
    this.#uptime = new client.Histogram({
      name: P + "client_uptime_seconds",
      help: "How long each FFmpeg run lasted, observed when it exits.",
      buckets: UPTIME_BUCKETS,
      registers: r,
    });
    this.#tier1();
    if (source.perClient) this.#tier2();
  }

  /** Observes the latency an event carries. */
  observe(e: HttpEvent): void {
    if (e.type === "response" && (e.kind === "manifest" || e.kind === "segment")) {
      this.#ttfb.observe({ kind: e.kind }, e.ttfbMs / 1000);
    } else if (e.type === "tcp_connected") this.#tcpConnect.observe(e.ms / 1000);
    else if (e.type === "segment_download_inferred") this.#download.observe(e.ms / 1000);
  }

  /** Observes an FFmpeg run's uptime when it exits. */
  observeUptime(ms: number): void {
    this.#uptime.observe(ms / 1000);
  }

  /** One fleet snapshot per scrape, shared by every metric's collect(). */
  #fleet(): FleetSnapshot {
    const now = this.source.clock.now();
    if (!this.#snapshot || now - this.#snapshot.at > 100) {
      this.#snapshot = { at: now, value: this.source.fleet.snapshot(now) };
    }
    return this.#snapshot.value;
  }

  #tier1(): void {
    const s = this.source;
    const { lifecycle } = s;
    const f = () => this.#fleet();
    const info = new client.Gauge({
      name: P + "info",
      help: "Run information; always 1. Labels carry the versions, target URL and variant.",
      labelNames: ["version", "ffmpeg_version", "deno_version", "stream_url", "variant"] as const,
      registers: [this.registry],
    });
    info.set({
      version: VERSION,
      ffmpeg_version: s.ffmpegVersion,
      deno_version: Deno.version.deno,
      stream_url: s.streamUrl,
      variant: s.variant,
    }, 1);
    this.#gauge(
      "clients_target",
      "Clients the run was asked for (--clients).",
      () => lifecycle.targetClients,
    );
    this.#gauge(
      "clients_active",
      "Clients whose FFmpeg process is running now (process state, not registrations).",
      () => lifecycle.running,
    );
    this.#gauge(
      "ramp_progress_ratio",
      "Clients started at least once / target (0 to 1).",
      () => lifecycle.startedClients / Math.max(1, lifecycle.targetClients),
    );
    this.#gauge(
      "clients_with_media",
      "Clients whose FFmpeg has decoded media at least once (from -progress).",
      () => lifecycle.clientsWithMedia,
    );
    this.#gauge(
      "run_elapsed_seconds",
      "Seconds since the run started.",
      () => (s.clock.now() - s.startedAt) / 1000,
    );
    this.#gauge(
      "target_duration_seconds",
      "Expected segment duration (--target-duration), used for stall detection.",
      () => s.targetDurationMs / 1000,
    );

    for (const kind of REQUEST_KINDS) {
      this.#counter(
        `${kind}_requests_total`,
        `HTTP requests for ${kind} URLs, counted from FFmpeg's request lines (retries included).`,
        () => f().requests[kind],
      );
    }
    this.#counters(
      "downloaded_bytes_total",
      "Body bytes of 2xx responses, from their Content-Length headers (FFmpeg trace level), " +
        "by request kind.",
      ["kind"],
      () => REQUEST_KINDS.map((kind) => [{ kind }, f().bytes[kind]]),
    );
    this.#counters(
      "http_responses_total",
      "HTTP responses by status code, from FFmpeg's http_code and HTTP error lines.",
      ["status"],
      () => f().statuses.map((x) => [{ status: String(x.status) }, x.count]),
    );
    this.#counter(
      "unanswered_requests_total",
      "Requests that got no status line: the socket closed or timed out first.",
      () => f().events.unanswered,
    );
    const eventNames = [
      ["segments_failed", "segmentsFailed"],
      ["segments_skipped", "segmentsSkipped"],
      ["playlists_failed", "playlistsFailed"],
      ["segments_expired", "segmentsExpired"],
      ["sequence_skips", "sequenceSkips"],
      ["timeouts", "timeouts"],
      ["reconnects", "reconnects"],
      ["keepalive_retries", "keepaliveRetries"],
      ["tcp_refused", "tcpRefused"],
      ["tcp_timeouts", "tcpTimeouts"],
      ["tcp_errors", "tcpErrors"],
    ] as const;
    this.#counters(
      "events_total",
      "HLS and network events from FFmpeg's stderr: failed/skipped/expired segments, failed " +
        "playlist reloads, media-sequence numbers skipped, timeouts, reconnects, keep-alive " +
        "retries and TCP connect failures.",
      ["event"],
      () => eventNames.map(([event, key]) => [{ event }, f().events[key]]),
    );
    this.#gauge(
      "error_ratio",
      "Failed requests (status >= 400 or no response) / all requests, over the run.",
      () => f().errorRate,
    );
    this.#gauge(
      "segment_requests_per_second",
      "Segment request rate over the last 10 s, from a series sampled every second.",
      () => f().rates.segments ?? 0,
    );
    this.#gauge(
      "manifest_requests_per_second",
      "Manifest request rate over the last 10 s, from a series sampled every second.",
      () => f().rates.manifests ?? 0,
    );
    this.#gauge(
      "throughput_bytes_per_second",
      "Body bytes per second over the last 10 s (Content-Length of 2xx responses).",
      () => f().rates.bytes ?? 0,
    );
    const playback: [string, string, (x: FleetSnapshot) => number][] = [
      ["clients_keeping_up", "Clients whose media advanced at >= 0.9x real time over >= 5 s.", (
        x,
      ) => x.playback.keepingUp],
      [
        "clients_falling_behind",
        "Clients whose media advanced at < 0.9x real time.",
        (x) => x.playback.fallingBehind,
      ],
      [
        "clients_stalled",
        "Clients stalled now: < 0.9x over >= 5 s, or no progress for 1.5 target durations.",
        (x) => x.playback.stalled,
      ],
      ["clients_high_drift", "Clients more than 5 s behind real time in their current run.", (
        x,
      ) => x.playback.highDrift],
      ["speed_ratio_average", "Average recent playback speed (1 = real time) over clients.", (
        x,
      ) => x.playback.averageSpeed ?? 0],
      [
        "drift_average_seconds",
        "Average lag behind real time in the clients' current runs (catch-up counts as 0).",
        (x) => (x.playback.averageDriftMs ?? 0) / 1000,
      ],
      [
        "drift_max_seconds",
        "Largest lag behind real time seen in any run.",
        (x) => x.playback.maxDriftMs / 1000,
      ],
    ];
    for (const [name, help, read] of playback) this.#gauge(name, help, () => read(f()));
    this.#counter(
      "stall_episodes_total",
      "Times a client entered the stalled state.",
      () => f().playback.stallEpisodes,
    );

    this.#counter(
      "client_starts_total",
      "FFmpeg process starts, restarts included.",
      () => lifecycle.starts,
    );
    this.#counter(
      "client_restarts_total",
      "FFmpeg starts after an earlier run of the same client ended.",
      () => lifecycle.restarts,
    );
    this.#counters(
      "client_exits_total",
      "FFmpeg exits by exit code and cause: shutdown and restart reasons were asked for by " +
        "hls-swarm, unexpected ones were not.",
      ["code", "cause"],
      () =>
        lifecycle.exits().map((e) => [
          { code: String(e.code), cause: e.reason ?? "unexpected" },
          e.count,
        ]),
    );

    const lines = () => s.lineHealth();
    for (
      const [metric, key, help] of [
        ["stats_lines_read_total", "read", "FFmpeg output lines read, by stream."],
        [
          "stats_lines_dropped_total",
          "dropped",
          "FFmpeg output lines dropped because parsing fell behind (lossy by design), by stream.",
        ],
        ["stats_lines_parsed_total", "parsed", "FFmpeg output lines parsed, by stream."],
      ] as const
    ) {
      this.#counters(
        metric,
        help,
        ["stream"],
        () =>
          (["progress", "stderr"] as const).map((stream) => [
            { stream },
            lines().byStream[stream][key],
          ]),
      );
    }
    this.#gauge(
      "stats_clients_degraded",
      "Clients whose dropped-line share exceeds --stats-drop-threshold.",
      () => lines().degradedClients,
    );
  }

  #tier2(): void {
    const clients = () => [...this.source.fleet.clients.values()];
    const id = (n: number) => ({ client_id: String(n) });
    this.#counters(
      "client_requests_total",
      "Per client: HTTP requests by kind (tier 2).",
      ["client_id", "kind"],
      () =>
        clients().flatMap((c) =>
          REQUEST_KINDS.map((kind): [Labels, number] => [
            { ...id(c.id), kind },
            c.http.requests[kind],
          ])
        ),
    );
    this.#counters(
      "client_downloaded_bytes_total",
      "Per client: body bytes from Content-Length of 2xx responses (tier 2).",
      ["client_id"],
      () => clients().map((c) => [id(c.id), c.http.totalBytes]),
    );
    this.#counters(
      "client_failed_requests_total",
      "Per client: responses >= 400 plus unanswered requests (tier 2).",
      ["client_id"],
      () => clients().map((c) => [id(c.id), c.http.failedRequests]),
    );
    this.#labelledGauge(
      "client_speed_ratio",
      "Per client: recent playback speed, 1 = real time (tier 2).",
      () =>
        clients().flatMap((c) => {
          const v = c.state.recentSpeed ?? c.state.speed;
          return v === null ? [] : [[id(c.id), v] as [Labels, number]];
        }),
    );
    this.#labelledGauge(
      "client_drift_seconds",
      "Per client: lag behind real time in the current run (tier 2).",
      () =>
        clients().flatMap((c) =>
          c.state.driftMs === null ? [] : [[id(c.id), c.state.driftMs / 1000] as [Labels, number]]
        ),
    );
    this.#labelledGauge(
      "client_stalled",
      "Per client: 1 when stalled now, else 0 (tier 2).",
      () => clients().map((c) => [id(c.id), c.state.stalled ? 1 : 0]),
    );
  }

  /** Re-exports the origin's exporter figures as hlsswarm_origin_* gauges. */
  addOrigin(read: () => OriginSnapshot): void {
    const gauge = (
      name: string,
      help: string,
      labelNames: string[],
      values: (o: OriginSnapshot) => [Labels, number | null | undefined][],
    ) =>
      new client.Gauge({
        name: P + name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [labels, v] of values(read())) {
            if (v !== null && v !== undefined) this.set(labels, v);
          }
        },
      });
    gauge(
      "origin_cpu_busy_ratio",
      "Origin CPU busy share (0-1) over the last scrape interval: 1 - delta(idle+iowait) / " +
        "delta(all) of node_cpu_seconds_total.",
      [],
      (o) => [[{}, o.cpuPercent === null ? null : o.cpuPercent / 100]],
    );
    gauge(
      "origin_memory_bytes",
      "Origin memory from node_exporter: used = MemTotal - MemAvailable.",
      ["state"],
      (o) => [[{ state: "used" }, o.memory?.usedBytes], [{ state: "total" }, o.memory?.totalBytes]],
    );
    gauge(
      "origin_network_bytes_per_second",
      "Origin network rate from node_exporter counter deltas, all devices but lo; stat=current " +
        "is the last interval, p50/max are over --origin-metrics-window.",
      ["direction", "stat"],
      (o) => [
        [{ direction: "receive", stat: "current" }, o.net?.rxBytesPerSecond],
        [{ direction: "receive", stat: "p50" }, o.net?.rxP50],
        [{ direction: "receive", stat: "max" }, o.net?.rxMax],
        [{ direction: "transmit", stat: "current" }, o.net?.txBytesPerSecond],
        [{ direction: "transmit", stat: "p50" }, o.net?.txP50],
        [{ direction: "transmit", stat: "max" }, o.net?.txMax],
      ],
    );
    gauge(
      "origin_nginx_connections",
      "nginx connections by state, from the nginx exporter (stub_status).",
      ["state"],
      (o) => [
        [{ state: "active" }, o.nginx?.activeConnections],
        [{ state: "reading" }, o.nginx?.reading],
        [{ state: "writing" }, o.nginx?.writing],
        [{ state: "waiting" }, o.nginx?.waiting],
      ],
    );
    gauge(
      "origin_nginx_requests_per_second",
      "nginx requests per second over the last scrape interval (nginx_http_requests_total delta).",
      [],
      (o) => [[{}, o.nginx?.requestsPerSecond]],
    );
    gauge(
      "origin_source_up",
      "1 when the latest scrape of that exporter succeeded, else 0 (last good values are kept).",
      ["source"],
      (o) => Object.entries(o.sources).map(([source, h]) => [{ source }, h.healthy ? 1 : 0]),
    );
  }

  #gauge(name: string, help: string, read: () => number): void {
    new client.Gauge({
      name: P + name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  #labelledGauge(name: string, help: string, read: () => [Labels, number][]): void {
    const labelNames = ["client_id"];
    new client.Gauge({
      name: P + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.set(labels, v);
      },
    });
  }

  /** A counter mirroring a monotonic total: it increments by the difference at each scrape. */
  #counter(name: string, help: string, read: () => number): void {
    let exported = 0;
    new client.Counter({
      name: P + name,
      help,
      registers: [this.registry],
      collect() {
        const total = read();
        if (total > exported) {
          this.inc(total - exported);
          exported = total;
        }
      },
    });
  }

  #counters(
    name: string,
    help: string,
    labelNames: string[],
    read: () => [Labels, number][],
  ): void {
    const exported = new Map<string, number>();
    new client.Counter({
      name: P + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        for (const [labels, total] of read()) {
          const key = labelNames.map((l) => labels[l]).join("\u0000");
          const before = exported.get(key);
          if (before === undefined) this.inc(labels, 0); // the series exists from its first read
          if (total > (before ?? 0)) this.inc(labels, total - (before ?? 0));
          exported.set(key, Math.max(total, before ?? 0));
        }
      },
    });
  }
}
