/**
 * The validated configuration of one swarm run. Durations are milliseconds.
 * @module
 */
import type { Threshold } from "./thresholds.ts";
import type { AudienceConfig } from "./audience.ts";
import type { ResolvePlan } from "./resolve.ts";
import type { DnsPlan } from "../net/dns_plan.ts";
import type { MixEntry } from "./variant_mix.ts";
import type { LogFormat, LogLevel } from "../log/logger.ts";

/** Which variant of a multi-variant stream each client pulls. */
export type Variant = "all" | "highest" | "lowest" | "first";
/** What to do when ffprobe cannot pick a variant. */
export type ProbeFailurePolicy = "fallback" | "fail";
/** FFmpeg log level used while stats are collected. */
export type StatsLogLevel = "trace" | "debug" | "verbose";

/** Which origin exporters to scrape, and how often. */
export interface OriginMetricsConfig {
  nodeUrl?: string;
  nginxUrl?: string;
  intervalMs: number;
  windowMs: number;
}

/** --line-reader. */
export type LineReader = "auto" | "native" | "deno";

/**
 * Everything a swarm run needs to know, after parsing and validation. With `stages`, `clients`
 * is the stages' peak (the viewer slots).
 */
export interface SwarmConfig extends AudienceConfig {
  streamUrl: string;
  clients: number;
  rampRate: number;
  rampJitterMs: number;
  /** 0 means run until interrupted. */
  durationMs: number;
  shutdownGraceMs: number;
  /** Worker threads for the clients; null = decide from the client count and cores. */
  workers: number | null;
  /** Who reads FFmpeg's output: the native fan-in, Deno's pipes, or native when found. */
  lineReader: LineReader;
  /** This process runs one shard of a sharded run, or the whole run (null). */
  shard: { index: number; count: number } | null;
  /** Wall-clock ms to start the ramp at (after preflight), or null to start at once. */
  startAt: number | null;
  startToleranceMs: number;

  variant: Variant;
  /** --variant-mix: viewers spread over renditions (src/config/variant_mix.ts), or null. */
  variantMix: MixEntry[] | null;
  probeFailurePolicy: ProbeFailurePolicy;
  probeTimeoutMs: number;

  /** --resolve: the addresses viewers connect to instead of DNS's (src/config/resolve.ts). */
  resolve: ResolvePlan | null;
  /** --resolve-dns: each viewer looks the host up once itself (src/net/dns_plan.ts). */
  resolveDns: DnsPlan | null;
  /** A PEM CA trusted besides the system's, or null. */
  caFile: string | null;
  noCache: boolean;
  headers: string[];
  /** Headers whose values are secret besides the credential headers (--redact-header). */
  redactHeaders: string[];
  userAgent: string;
  /** Send `CMCD-Session: sid="<run id>-<client id>"` per client (src/config/cmcd.ts). */
  cmcd: boolean;
  timeoutMs: number;

  ffmpegPath: string;
  reconnect: boolean;
  reconnectDelayMaxSeconds: number;
  segMaxRetry: number;
  ffmpegDebug: boolean;

  stats: boolean;
  statsLogLevel: StatsLogLevel;
  /** Expected segment duration: progress arrives once per segment, so it sets how long a
   * silence must last before a client counts as stalled. */
  targetDurationMs: number;
  /** The virtual player's startup buffer (src/viewer/player.ts). */
  playerBufferMs: number;
  /** `--cache-header`, `--edge-header`: one more CDN header each (src/parser/cache_headers.ts). */
  cacheHeader: string | null;
  edgeHeader: string | null;
  /** Restart a client's FFmpeg when it stalls. */
  restartOnStall: boolean;
  statsBufferLines: number;
  statsDropThreshold: number;

  /** host:port, or null when metrics are off. */
  metricsAddr: { hostname: string; port: number } | null;
  /** How long /metrics stays up after the run. */
  metricsLingerMs: number;
  /** Tier 2: per-client Prometheus series. */
  promClientMetrics: boolean;
  /** null = decide from whether stdout is a terminal. */
  tui: boolean | null;
  /** null = decide from whether stderr is a terminal. */
  logFormat: LogFormat | null;
  logLevel: LogLevel;

  /** The origin's exporters to scrape, or null when none is configured. */
  originMetrics: OriginMetricsConfig | null;

  /** Labels every metric series and the summary; null until the CLI generates one. */
  runId: string;
  /** Print the summary as the last stdout line (HLS_SWARM_SUMMARY …). */
  summaryLine: boolean;
  /** Where the JSON summary goes: a path, "-" for stdout, or null. */
  summaryJson: string | null;
  thresholds: Threshold[];
  /** Check thresholds during the run and stop at the first failure. */
  abortOnFail: boolean;
  abortGraceMs: number;
  /** NDJSON per-request log, or null. */
  requestLog: string | null;
  /** CSV timeline, one row per second, or null. */
  timeline: string | null;
  /** JUnit XML of the thresholds, or null. */
  junit: string | null;
  /** Self-contained HTML report, or null. */
  html: string | null;
  /** Markdown summary to append to (e.g. $GITHUB_STEP_SUMMARY), or null. */
  markdown: string | null;

  /** TLS verification off (--dangerous or --insecure). */
  dangerous: boolean;
  printCmd: boolean;
  check: boolean;
  skipPreflight: boolean;
}
