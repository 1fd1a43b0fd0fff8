/**
 * Every command-line flag of the swarm command, in one table: its name, value kind, default,
 * help group, help text and environment variable. The CLI builds its parser and help from this
 * table, and the environment mapping reads it too, so a flag, its variable and its documentation
 * cannot drift apart.
 * @module
 */
import { PROGRAM_NAME, VERSION } from "../version.ts";

/** Default User-Agent base; each client appends `/client-<id>`. */
export const DEFAULT_USER_AGENT = `${PROGRAM_NAME}/${VERSION}`;

/** How a flag's value is written on the command line. */
export type FlagKind = "bool" | "value" | "list";

/** One flag of the swarm command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. "ramp-rate". Go spelling `-ramp-rate` is accepted too. */
  name: string;
  kind: FlagKind;
  /** Placeholder for the value in help, e.g. "<n>". */
  arg?: string;
  /** The default as the user would type it; shown in help. */
  default?: string;
  /** Environment variable read when the flag is not given. */
  env?: string;
  group: FlagGroup;
  help: string;
  /** Allowed values, shown in help and checked by validation. */
  choices?: readonly string[];
  /** Single-letter alias, e.g. "v". */
  short?: string;
}

/** Help sections, in the order help prints them. */
export const FLAG_GROUPS = [
  "Orchestration",
  "Variant selection",
  "Network",
  "FFmpeg",
  "Stats collection",
  "Observability",
  "Origin metrics",
  "Results",
  "Safety and diagnostics",
] as const;
export type FlagGroup = typeof FLAG_GROUPS[number];

/** The swarm command's flags. */
export const FLAGS: readonly FlagSpec[] = [
  // Orchestration
  {
    name: "clients",
    kind: "value",
    arg: "<n>",
    default: "10",
    env: "CLIENTS",
    group: "Orchestration",
    help: "number of concurrent FFmpeg clients (viewers)",
  },
  {
    name: "ramp-rate",
    kind: "value",
    arg: "<n>",
    default: "5",
    env: "RAMP_RATE",
    group: "Orchestration",
    help: "clients started per second (starts are scheduled on absolute times)",
  },
  {
    name: "ramp-jitter",
    kind: "value",
    arg: "<duration>",
    default: "200ms",
    env: "RAMP_JITTER",
    group: "Orchestration",
    help: "random extra delay per client start, at most half the start interval",
  },
  {
    name: "duration",
    kind: "value",
    arg: "<duration>",
    default: "0",
    env: "DURATION",
    group: "Orchestration",
    help: "how long to run, e.g. 30s or 5m; 0 runs until interrupted",
  },
  {
    name: "shutdown-grace",
    kind: "value",
    arg: "<duration>",
    default: "5s",
    env: "SHUTDOWN_GRACE",
    group: "Orchestration",
    help: "time FFmpeg gets to exit after SIGTERM before SIGKILL",
  },
  // Variant selection
  {
    name: "variant",
    kind: "value",
    arg: "<mode>",
    default: "all",
    env: "VARIANT",
    group: "Variant selection",
    choices: ["all", "highest", "lowest", "first"],
    help: "which variant each client pulls; highest/lowest ask ffprobe once at start",
  },
  {
    name: "probe-failure-policy",
    kind: "value",
    arg: "<policy>",
    default: "fallback",
    env: "PROBE_FAILURE_POLICY",
    group: "Variant selection",
    choices: ["fallback", "fail"],
    help: "when ffprobe fails: fall back to the first variant, or stop with exit 1",
  },
  {
    name: "probe-timeout",
    kind: "value",
    arg: "<duration>",
    default: "10s",
    group: "Variant selection",
    help: "how long ffprobe may take to read the master playlist",
  },
  // Network
  {
    name: "resolve",
    kind: "value",
    arg: "<ip>",
    default: "",
    env: "RESOLVE_IP",
    group: "Network",
    help: "connect to this IP instead of the URL's host (needs --dangerous)",
  },
  {
    name: "no-cache",
    kind: "bool",
    env: "NO_CACHE",
    group: "Network",
    help: "send Cache-Control: no-cache and Pragma: no-cache",
  },
  {
    name: "header",
    kind: "list",
    arg: "<header>",
    env: "HEADERS",
    group: "Network",
    help: "extra HTTP header 'Name: value' (repeatable; HEADERS takes one per line)",
  },
  {
    name: "user-agent",
    kind: "value",
    arg: "<ua>",
    default: DEFAULT_USER_AGENT,
    env: "USER_AGENT",
    group: "Network",
    help: "User-Agent base; every client appends /client-<id>",
  },
  {
    name: "timeout",
    kind: "value",
    arg: "<duration>",
    default: "15s",
    env: "TIMEOUT",
    group: "Network",
    help: "network read/write timeout (FFmpeg -rw_timeout)",
  },
  // FFmpeg
  {
    name: "ffmpeg",
    kind: "value",
    arg: "<path>",
    default: "ffmpeg",
    env: "FFMPEG",
    group: "FFmpeg",
    help: "FFmpeg binary (ffprobe is looked up beside it)",
  },
  {
    name: "reconnect",
    kind: "bool",
    default: "true",
    env: "RECONNECT",
    group: "FFmpeg",
    help: "let FFmpeg reconnect after network errors (--reconnect=false to disable)",
  },
  {
    name: "reconnect-delay",
    kind: "value",
    arg: "<seconds>",
    default: "5",
    group: "FFmpeg",
    help: "longest delay between FFmpeg's reconnect attempts (-reconnect_delay_max)",
  },
  {
    name: "seg-retry",
    kind: "value",
    arg: "<n>",
    default: "3",
    group: "FFmpeg",
    help: "segment retries (-seg_max_retry; left out when this FFmpeg lacks it)",
  },
  {
    name: "ffmpeg-debug",
    kind: "bool",
    group: "FFmpeg",
    help: "copy every FFmpeg stderr line into hls-swarm's log at debug level",
  },
  // Stats collection
  {
    name: "stats",
    kind: "bool",
    default: "true",
    env: "STATS",
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
    env: "TARGET_DURATION",
    group: "Stats collection",
    help: "expected segment duration; a client silent for 1.5× this (at least 5 s) is stalled",
  },
  {
    name: "restart-on-stall",
    kind: "bool",
    env: "RESTART_ON_STALL",
    group: "Stats collection",
    help: "restart a client's FFmpeg when it stalls (SIGTERM, then a fresh start)",
  },
  {
    name: "stats-buffer",
    kind: "value",
    arg: "<lines>",
    default: "1000",
    group: "Stats collection",
    help: "lines queued per client and stream before lines are dropped",
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
    default: "0.0.0.0:17091",
    env: "METRICS_ADDR",
    group: "Observability",
    help: "Prometheus listen address host:port (METRICS_PORT sets the port alone); off disables",
  },
  {
    name: "prom-client-metrics",
    kind: "bool",
    env: "PROM_CLIENT_METRICS",
    group: "Observability",
    help: "add per-client series labelled client_id (about 10 per client; warned above 200)",
  },
  {
    name: "tui",
    kind: "bool",
    env: "TUI",
    group: "Observability",
    help: "live dashboard; on by default when stdout is a terminal, --tui=false turns it off",
  },
  {
    name: "log-format",
    kind: "value",
    arg: "<format>",
    default: "auto",
    env: "LOG_FORMAT",
    group: "Observability",
    choices: ["auto", "json", "text"],
    help: "stderr log format; auto is json when stderr is not a terminal, else text",
  },
  {
    name: "log-level",
    kind: "value",
    arg: "<level>",
    default: "info",
    env: "LOG_LEVEL",
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
    env: "ORIGIN_METRICS",
    group: "Origin metrics",
    help: "node_exporter URL on the origin, e.g. http://origin:9100/metrics",
  },
  {
    name: "nginx-metrics",
    kind: "value",
    arg: "<url>",
    env: "NGINX_METRICS",
    group: "Origin metrics",
    help: "nginx-prometheus-exporter URL on the origin, e.g. http://origin:9113/metrics",
  },
  {
    name: "origin-metrics-host",
    kind: "value",
    arg: "<host>",
    env: "ORIGIN_METRICS_HOST",
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
    env: "ORIGIN_METRICS_INTERVAL",
    group: "Origin metrics",
    help: "time between origin exporter scrapes",
  },
  {
    name: "origin-metrics-window",
    kind: "value",
    arg: "<duration>",
    default: "30s",
    env: "ORIGIN_METRICS_WINDOW",
    group: "Origin metrics",
    help: "window of the origin network-rate P50 and max (10s to 300s, at least 2 intervals)",
  },
  // Results
  {
    name: "summary-json",
    kind: "value",
    arg: "<file>",
    env: "SUMMARY_JSON",
    group: "Results",
    help: "also write the exit summary as JSON, with a run record; - writes it to stdout " +
      "(the text summary then goes to stderr)",
  },
  {
    name: "threshold",
    kind: "list",
    arg: "<expr>",
    env: "THRESHOLDS",
    group: "Results",
    help: "pass/fail check on a summary figure, e.g. 'segment_ttfb_p95<500ms', " +
      "'error_rate<1%'; repeatable (THRESHOLDS: one per line); any failure exits 99",
  },
  // Safety and diagnostics
  {
    name: "dangerous",
    kind: "bool",
    env: "DANGEROUS",
    group: "Safety and diagnostics",
    help: "allow --resolve; disables TLS certificate checks",
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

/** Variables read in addition to the flag table's own. */
export const EXTRA_ENV = {
  /** The stream URL, used when no URL argument is given. */
  streamUrl: "STREAM_URL",
  /** Port for the metrics listener on 0.0.0.0, used when METRICS_ADDR and --metrics are unset. */
  metricsPort: "METRICS_PORT",
  /** More flags, split like a shell would split them; real command-line flags win. */
  extraArgs: "EXTRA_ARGS",
} as const;

/**
 * Finds a flag by its long name or single-letter alias.
 *
 * @example
 * ```ts
 * findFlag("ramp-rate")?.env; // "RAMP_RATE"
 * ```
 */
export function findFlag(name: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.name === name || f.short === name);
}
