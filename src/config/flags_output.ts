/**
 * The flags of what is measured and reported: stats collection, observability, origin metrics,
 * results, safety and diagnostics. Part of the one flag table ({@link ./flags.ts}).
 * @module
 */
import type { FlagSpec } from "./flag_spec.ts";

/** Flags that shape what is measured and how it is reported. */
export const OUTPUT_FLAGS: readonly FlagSpec[] = [
  // Stats collection
  {
    name: "stats",
    kind: "bool",
    default: "true",
    alias: "STATS",
    group: "Stats collection",
    help: "read FFmpeg's progress and stderr for metrics (--stats=false for lifecycle only)",
  },
  {
    name: "stats-loglevel",
    kind: "value",
    arg: "<level>",
    default: "trace",
    group: "Stats collection",
    choices: ["trace", "debug", "verbose"],
    help: "FFmpeg log level; trace is the one that logs HTTP status codes and Content-Length",
  },
  {
    name: "target-duration",
    kind: "value",
    arg: "<duration>",
    default: "6s",
    alias: "TARGET_DURATION",
    group: "Stats collection",
    help: "expected segment duration; a client silent for 1.5× this (at least 5 s) is stalled",
  },
  {
    name: "player-buffer",
    kind: "value",
    arg: "<duration>",
    default: "2s",
    group: "Stats collection",
    help: "the virtual player's startup buffer: playback starts, and resumes after a rebuffer, " +
      "once this much media has arrived (default: one 2 s segment)",
  },
  {
    name: "cache-header",
    kind: "value",
    arg: "<name>",
    group: "Stats collection",
    help: "one more response header to read the CDN's cache status from (besides X-Cache, " +
      "X-Cache-Status, CF-Cache-Status, X-Proxy-Cache); read first when present",
  },
  {
    name: "edge-header",
    kind: "value",
    arg: "<name>",
    group: "Stats collection",
    help: "one more response header to read the serving edge from (besides X-Served-By, " +
      "X-Amz-Cf-Pop, CF-RAY, Via); read first when present",
  },
  {
    name: "restart-on-stall",
    kind: "bool",
    alias: "RESTART_ON_STALL",
    group: "Stats collection",
    help: "restart a client's FFmpeg when it stalls (SIGTERM, then a fresh start)",
  },
  {
    name: "stats-buffer",
    kind: "value",
    arg: "<lines>",
    default: "1000",
    group: "Stats collection",
    help: "lines queued per client and stream before lines are dropped (Deno's line reader; " +
      "the native fan-in buffers 64 MiB per shard)",
  },
  {
    name: "stats-drop-threshold",
    kind: "value",
    arg: "<fraction>",
    default: "0.01",
    group: "Stats collection",
    help: "share of dropped lines above which a client's metrics count as degraded",
  },
  // Observability
  {
    name: "metrics",
    kind: "value",
    arg: "<addr>",
    // Loopback unless asked: /metrics shows the run to anyone who can reach it. The image and the
    // manifests ask for 0.0.0.0 (HLS_SWARM_METRICS_PORT, HLS_SWARM_METRICS).
    default: "127.0.0.1:17091",
    alias: "METRICS_ADDR",
    group: "Observability",
    help:
      "Prometheus listen address host:port (:PORT is 127.0.0.1; METRICS_PORT means 0.0.0.0:PORT); off disables",
  },
  {
    name: "metrics-linger",
    kind: "value",
    arg: "<duration>",
    default: "0",
    group: "Observability",
    help: "keep /metrics up this long after the run, so Prometheus scrapes the final figures",
  },
  {
    name: "prom-client-metrics",
    kind: "bool",
    alias: "PROM_CLIENT_METRICS",
    group: "Observability",
    help: "add per-client series labelled client_id (about 10 per client; warned above 200)",
  },
  {
    name: "tui",
    kind: "bool",
    alias: "TUI",
    group: "Observability",
    help: "live dashboard; on by default when stdout is a terminal, --tui=false turns it off",
  },
  {
    name: "log-format",
    kind: "value",
    arg: "<format>",
    default: "auto",
    alias: "LOG_FORMAT",
    group: "Observability",
    choices: ["auto", "json", "text"],
    help: "stderr log format; auto is json when stderr is not a terminal, else text",
  },
  {
    name: "log-level",
    kind: "value",
    arg: "<level>",
    default: "info",
    alias: "LOG_LEVEL",
    group: "Observability",
    choices: ["debug", "info", "warn", "error"],
    help: "least severe log level written",
  },
  {
    name: "verbose",
    short: "v",
    kind: "bool",
    group: "Observability",
    help: "same as --log-level debug",
  },
  // Origin metrics
  {
    name: "origin-metrics",
    kind: "value",
    arg: "<url>",
    alias: "ORIGIN_METRICS",
    group: "Origin metrics",
    help: "node_exporter URL on the origin, e.g. http://origin:9100/metrics",
  },
  {
    name: "nginx-metrics",
    kind: "value",
    arg: "<url>",
    alias: "NGINX_METRICS",
    group: "Origin metrics",
    help: "nginx-prometheus-exporter URL on the origin, e.g. http://origin:9113/metrics",
  },
  {
    name: "origin-metrics-host",
    kind: "value",
    arg: "<host>",
    alias: "ORIGIN_METRICS_HOST",
    group: "Origin metrics",
    help: "origin host: fills in both exporter URLs that were not given, from the ports below",
  },
  {
    name: "origin-metrics-node-port",
    kind: "value",
    arg: "<port>",
    default: "9100",
    group: "Origin metrics",
    help: "node_exporter port used with --origin-metrics-host",
  },
  {
    name: "origin-metrics-nginx-port",
    kind: "value",
    arg: "<port>",
    default: "9113",
    group: "Origin metrics",
    help: "nginx exporter port used with --origin-metrics-host",
  },
  {
    name: "origin-metrics-interval",
    kind: "value",
    arg: "<duration>",
    default: "2s",
    alias: "ORIGIN_METRICS_INTERVAL",
    group: "Origin metrics",
    help: "time between origin exporter scrapes",
  },
  {
    name: "origin-metrics-window",
    kind: "value",
    arg: "<duration>",
    default: "30s",
    alias: "ORIGIN_METRICS_WINDOW",
    group: "Origin metrics",
    help: "window of the origin network-rate P50 and max (10s to 300s, at least 2 intervals)",
  },
  // Results
  {
    name: "run-id",
    kind: "value",
    arg: "<id>",
    group: "Results",
    help: "labels every metric series and the summary; shards of one run share it " +
      "(default: generated from the start time and printed)",
  },
  {
    name: "summary-json",
    kind: "value",
    arg: "<file>",
    alias: "SUMMARY_JSON",
    group: "Results",
    help: "also write the exit summary as JSON, with a run record; - writes it to stdout " +
      "(the text summary then goes to stderr)",
  },
  {
    name: "summary-line",
    kind: "bool",
    group: "Results",
    help: "print the JSON summary as the last stdout line, 'HLS_SWARM_SUMMARY {…}' (gzip+base64 " +
      "as 'HLS_SWARM_SUMMARY gz:…' when large), for kubectl logs and hls-swarm merge; with " +
      "--request-log, that log before it as 'HLS_SWARM_FILE request-log' lines",
  },
  {
    name: "request-log",
    kind: "value",
    arg: "<file>",
    group: "Results",
    help: "NDJSON, one line per HTTP request: time, client, kind, URL (query redacted), status, " +
      "TTFB, inferred download time, bytes, and what went wrong",
  },
  {
    name: "timeline",
    kind: "value",
    arg: "<file>",
    group: "Results",
    help: "CSV, one row per second: running clients, requests/s by kind, errors/s, Mbit/s, " +
      "segment TTFB p50/p95, stalled clients",
  },
  {
    name: "junit",
    kind: "value",
    arg: "<file>",
    group: "Results",
    help: "the thresholds and the run's outcome as JUnit XML, for CI test reports",
  },
  {
    name: "html",
    kind: "value",
    arg: "<file>",
    group: "Results",
    help: "a self-contained HTML report (verdict, plots over time, histograms, tables); " +
      "opens without any network fetch",
  },
  {
    name: "markdown",
    kind: "value",
    arg: "<file>",
    group: "Results",
    help: 'the summary as Markdown, appended to FILE: --markdown "$GITHUB_STEP_SUMMARY" ' +
      "shows it on the GitHub Actions job page",
  },
  {
    name: "abort-on-fail",
    kind: "bool",
    group: "Results",
    help: "check thresholds every second and stop the run (exit 99) at the first failure, " +
      "after --abort-grace",
  },
  {
    name: "abort-grace",
    kind: "value",
    arg: "<duration>",
    default: "30s",
    group: "Results",
    help: "with --abort-on-fail, how long after the ramp starts thresholds are first checked",
  },
  {
    name: "threshold",
    kind: "list",
    arg: "<expr>",
    alias: "THRESHOLDS",
    group: "Results",
    help: "pass/fail check on a summary figure, e.g. 'segment_ttfb_p95<500ms', " +
      "'error_rate<1%'; repeatable (THRESHOLDS: one per line); any failure exits 99",
  },
  // Safety and diagnostics
  {
    name: "dangerous",
    kind: "bool",
    alias: "DANGEROUS",
    group: "Safety and diagnostics",
    help: "turn off TLS certificate verification for clients, probe and preflight (the " +
      "summary says so); allows --resolve",
  },
  {
    name: "redact-header",
    kind: "list",
    arg: "<name>",
    group: "Safety and diagnostics",
    help: "keep this header's value out of every log, summary and metric, like Authorization, " +
      "Cookie and Proxy-Authorization (repeatable)",
  },
  {
    name: "insecure",
    kind: "bool",
    group: "Safety and diagnostics",
    help: "the same as --dangerous",
  },
  {
    name: "print-cmd",
    kind: "bool",
    group: "Safety and diagnostics",
    help: "print the exact FFmpeg command client 0 would run, shell-quoted, and exit",
  },
  {
    name: "check",
    kind: "bool",
    group: "Safety and diagnostics",
    help: "validate, then run 1 client for 10 s with debug logging",
  },
  {
    name: "skip-preflight",
    kind: "bool",
    group: "Safety and diagnostics",
    help: "skip the start-up checks of limits and FFmpeg",
  },
];
