/**
 * Turns raw flag values (strings from the command line or the environment) into a
 * {@linkcode SwarmConfig}, collecting every problem instead of stopping at the first.
 * @module
 */
import type {
  LineReader,
  OriginMetricsConfig,
  ProbeFailurePolicy,
  StatsLogLevel,
  SwarmConfig,
  Variant,
} from "./config.ts";
import type { LogFormat, LogLevel } from "../log/logger.ts";
import { audienceOf, slotsOf } from "./audience.ts";
import { cmcdProblems } from "./cmcd.ts";
import { parseDuration } from "./duration.ts";
import { parseThreshold } from "./thresholds.ts";
import { findFlag } from "./flags.ts";
import { parseHttpUrl } from "./http_url.ts";
import { resolvePlan } from "./resolve.ts";
import { resolveDnsPlan } from "../net/dns_plan.ts";
import { parseVariantMix } from "./variant_mix.ts";

/** Raw values keyed by flag name: strings, booleans for bool flags, string lists for lists. */
export type RawFlags = Record<string, string | boolean | string[] | undefined>;

/**
 * Where values came from, for messages that must not quote them: the variable (`HEADERS`,
 * `HLS_SWARM_HEADER`…) keyed by flag name; flags not listed came from the command line.
 */
export type ValueSources = Readonly<Record<string, string>>;

/** The result of loading: a config, or every error found (one line each). */
export type LoadResult = { ok: true; config: SwarmConfig } | { ok: false; errors: string[] };

/**
 * Builds and validates the configuration. Flags missing from `raw` take their table defaults.
 *
 * @example
 * ```ts
 * const r = loadConfig({ clients: "20", "ramp-rate": "10" }, "http://127.0.0.1:17080/stream.m3u8");
 * if (r.ok) console.log(r.config.clients); // 20
 * ```
 */
export function loadConfig(
  raw: RawFlags,
  url: string | undefined,
  jobIndex?: string,
  sources: ValueSources = {},
): LoadResult {
  const errors: string[] = [];
  const read = new FieldReader(raw, errors);

  const audience = audienceOf(
    read.string("stages"),
    read.string("session-duration"),
    (flag) => raw[flag] !== undefined,
    errors,
  );
  const config: SwarmConfig = {
    ...audience,
    streamUrl: url ?? "",
    clients: slotsOf(audience.stages, read.int("clients", 1)),
    rampRate: read.number("ramp-rate", (n) => n > 0, "must be greater than 0"),
    rampJitterMs: read.duration("ramp-jitter"),
    durationMs: read.duration("duration"),
    shutdownGraceMs: read.duration("shutdown-grace"),
    workers: read.string("workers") === "auto" ? null : read.int("workers", 0),
    lineReader: read.choice<LineReader>("line-reader"),
    shard: shardOf(read.string("shard"), read.string("shards"), jobIndex, errors),
    startAt: startAtOf(read.string("start-at"), errors),
    startToleranceMs: read.duration("start-tolerance"),
    variant: read.choice<Variant>("variant"),
    variantMix: read.string("variant-mix")
      ? parseVariantMix(read.string("variant-mix"), errors)
      : null,
    probeFailurePolicy: read.choice<ProbeFailurePolicy>("probe-failure-policy"),
    probeTimeoutMs: read.duration("probe-timeout", true),
    resolve: resolvePlan(read.list("resolve"), url ?? "", errors),
    resolveDns: resolveDnsPlan(
      read.bool("resolve-dns"),
      read.string("dns-server"),
      read.list("resolve").length > 0,
      url ?? "",
      errors,
    ),
    caFile: read.string("ca-file") || null,
    noCache: read.bool("no-cache"),
    headers: read.list("header"),
    redactHeaders: read.list("redact-header"),
    userAgent: read.string("user-agent"),
    cmcd: read.bool("cmcd"),
    timeoutMs: read.duration("timeout", true),
    ffmpegPath: read.string("ffmpeg"),
    reconnect: read.bool("reconnect"),
    reconnectDelayMaxSeconds: read.int("reconnect-delay", 0),
    segMaxRetry: read.int("seg-retry", 0),
    ffmpegDebug: read.bool("ffmpeg-debug"),
    stats: read.bool("stats"),
    statsLogLevel: read.choice<StatsLogLevel>("stats-loglevel"),
    targetDurationMs: read.duration("target-duration", true),
    playerBufferMs: read.duration("player-buffer", true),
    cacheHeader: headerNameOf("cache-header", read.string("cache-header"), errors),
    edgeHeader: headerNameOf("edge-header", read.string("edge-header"), errors),
    restartOnStall: read.bool("restart-on-stall"),
    statsBufferLines: read.int("stats-buffer", 1),
    statsDropThreshold: read.number(
      "stats-drop-threshold",
      (n) => n >= 0 && n <= 1,
      "must be between 0 and 1",
    ),
    metricsAddr: read.listenAddress("metrics"),
    metricsLingerMs: read.duration("metrics-linger"),
    promClientMetrics: read.bool("prom-client-metrics"),
    tui: read.optionalBool("tui"),
    logFormat: read.choice<LogFormat | "auto">("log-format") === "auto"
      ? null
      : read.choice<LogFormat>("log-format"),
    logLevel: read.bool("verbose") ? "debug" : read.choice<LogLevel>("log-level"),
    originMetrics: originMetrics(read, errors),
    runId: runIdOf(read.string("run-id"), errors),
    summaryLine: read.bool("summary-line"),
    summaryJson: read.string("summary-json") || null,
    thresholds: read.list("threshold").flatMap((text) => {
      const t = parseThreshold(text);
      if (typeof t === "string") {
        errors.push(`threshold: ${t}`);
        return [];
      }
      return [t];
    }),
    abortOnFail: read.bool("abort-on-fail"),
    abortGraceMs: read.duration("abort-grace"),
    requestLog: read.string("request-log") || null,
    timeline: read.string("timeline") || null,
    junit: read.string("junit") || null,
    html: read.string("html") || null,
    markdown: read.string("markdown") || null,
    dangerous: read.bool("dangerous") || read.bool("insecure"),
    printCmd: read.bool("print-cmd"),
    check: read.bool("check"),
    skipPreflight: read.bool("skip-preflight"),
  };

  validateUrl(config, errors);
  validateCombinations(config, errors);
  validateHeaders(config.headers, sources.header, errors);
  errors.push(...cmcdProblems(config));
  if (config.check) {
    config.stages = config.sessionDuration = null;
    config.clients = 1;
    config.durationMs = 10_000;
    config.logLevel = "debug";
  }
  return errors.length ? { ok: false, errors } : { ok: true, config };
}

/** Builds the origin-metrics settings; null when no exporter is named. */
function originMetrics(read: FieldReader, errors: string[]): OriginMetricsConfig | null {
  const host = read.string("origin-metrics-host");
  const nodePort = read.int("origin-metrics-node-port", 1);
  const nginxPort = read.int("origin-metrics-nginx-port", 1);
  const hostUrl = (port: number) =>
    `http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`;
  const nodeUrl = read.string("origin-metrics") || (host ? hostUrl(nodePort) : "");
  const nginxUrl = read.string("nginx-metrics") || (host ? hostUrl(nginxPort) : "");
  const intervalMs = read.duration("origin-metrics-interval", true);
  const windowMs = read.duration("origin-metrics-window", true);
  if (!nodeUrl && !nginxUrl) return null;
  for (const [name, url] of [["origin-metrics", nodeUrl], ["nginx-metrics", nginxUrl]]) {
    // The scraper parses it again with the same function: it cannot fail there.
    const parsed = url ? parseHttpUrl(url) : null;
    if (typeof parsed === "string") errors.push(`${name}: ${parsed}`);
  }
  if (windowMs < 10_000 || windowMs > 300_000) {
    errors.push(`origin-metrics-window: must be between 10s and 300s (got ${windowMs / 1000}s)`);
  } else if (windowMs < 2 * intervalMs) {
    errors.push("origin-metrics-window: must cover at least 2 scrape intervals");
  }
  return {
    ...(nodeUrl ? { nodeUrl } : {}),
    ...(nginxUrl ? { nginxUrl } : {}),
    intervalMs,
    windowMs,
  };
}

function validateUrl(config: SwarmConfig, errors: string[]): void {
  if (!config.streamUrl) {
    if (!config.printCmd) {
      errors.push("stream URL: required (give it as an argument or set HLS_SWARM_URL)");
    }
    return;
  }
  const parsed = parseHttpUrl(config.streamUrl);
  if (typeof parsed === "string") errors.push(`stream URL: ${parsed}`);
}

function validateCombinations(config: SwarmConfig, errors: string[]): void {
  if (config.abortOnFail && !config.thresholds.length) {
    errors.push("abort-on-fail: needs at least one --threshold to check");
  }
  if (config.variantMix && config.variant !== "all") {
    errors.push("variant-mix: give --variant or --variant-mix, not both");
  }
}

/**
 * Checks each header line without quoting it: a line that does not parse may be a bare token,
 * and the value of one that does may be secret. The message names the line instead.
 */
function validateHeaders(headers: readonly string[], source: string | undefined, errors: string[]) {
  headers.forEach((header, i) => {
    const which = source
      ? `header ${i + 1} of ${headers.length} in ${source}`
      : `--header #${i + 1} of ${headers.length}`;
    const colon = header.indexOf(":");
    let problem = "";
    if (colon < 0) problem = "has no ':'";
    else if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(header.slice(0, colon))) {
      problem = "has a name with characters a header name cannot have";
    } else if (/[\r\n]/.test(header)) problem = "spans more than one line";
    if (problem) {
      errors.push(
        `header: ${which} ${problem}; expected "Name: value" (not shown: it may be secret)`,
      );
    }
  });
}

/** Reads typed fields from raw strings, appending one message per bad value. */
class FieldReader {
  constructor(private raw: RawFlags, private errors: string[]) {}

  #value(name: string): string | boolean | string[] {
    const v = this.raw[name];
    if (v !== undefined) return v;
    const spec = findFlag(name);
    if (!spec) throw new Error(`unknown flag in config loader: ${name}`);
    if (spec.kind === "bool") return spec.default === "true";
    if (spec.kind === "list") return [];
    return spec.default ?? "";
  }

  #fail(name: string, message: string): void {
    this.errors.push(`${name}: ${message}`);
  }

  string(name: string): string {
    return String(this.#value(name));
  }

  bool(name: string): boolean {
    return this.#value(name) === true;
  }

  optionalBool(name: string): boolean | null {
    const v = this.raw[name];
    return v === undefined ? null : v === true;
  }

  list(name: string): string[] {
    const v = this.#value(name);
    return Array.isArray(v) ? v : [String(v)];
  }

  number(name: string, ok: (n: number) => boolean, rule: string): number {
    const s = String(this.#value(name)).trim();
    const n = Number(s);
    if (s === "" || !Number.isFinite(n)) this.#fail(name, `not a number: "${s}"`);
    else if (!ok(n)) this.#fail(name, `${rule} (got ${s})`);
    return n;
  }

  int(name: string, min: number): number {
    const s = String(this.#value(name)).trim();
    const n = Number(s);
    if (!/^-?\d+$/.test(s)) this.#fail(name, `not a whole number: "${s}"`);
    else if (n < min) this.#fail(name, `must be at least ${min} (got ${s})`);
    return n;
  }

  duration(name: string, positive = false): number {
    const s = String(this.#value(name));
    const r = parseDuration(s);
    if (!r.ok) {
      this.#fail(name, r.error);
      return 0;
    }
    if (positive && r.ms <= 0) this.#fail(name, `must be greater than 0 (got ${s})`);
    return r.ms;
  }

  choice<T extends string>(name: string): T {
    const s = String(this.#value(name));
    const choices = findFlag(name)?.choices ?? [];
    if (!choices.includes(s)) this.#fail(name, `must be one of ${choices.join(", ")} (got "${s}")`);
    return s as T;
  }

  listenAddress(name: string): { hostname: string; port: number } | null {
    const s = String(this.#value(name)).trim();
    if (s === "" || s === "off") return null;
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(s);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535) {
      this.#fail(name, `expected host:port, e.g. 127.0.0.1:17091 (got "${s}")`);
      return null;
    }
    // ":PORT" is loopback, like the default: all interfaces is something to ask for by name.
    return { hostname: m[1] ?? (m[2] || "127.0.0.1"), port };
  }
}

/**
 * A header name flag's value (an RFC 9110 token of at most 64 characters), or null when not
 * given. A bad value is not quoted back: it may be a header with its (secret) value.
 */
function headerNameOf(flag: string, value: string, errors: string[]): string | null {
  if (!value) return null;
  if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(value)) return value;
  errors.push(
    `${flag}: expected one header name such as X-My-Cache (letters, digits, - ; at most ` +
      "64 characters), without a value",
  );
  return null;
}

/**
 * The shard this process runs: `--shard I/N`, or `JOB_COMPLETION_INDEX` with `--shards N`.
 *
 * @example
 * ```ts
 * shardOf("2/4", "", undefined, []); // { index: 2, count: 4 }
 * shardOf("", "4", "3", []);         // { index: 3, count: 4 }
 * ```
 */
export function shardOf(
  shard: string,
  shards: string,
  jobIndex: string | undefined,
  errors: string[],
): { index: number; count: number } | null {
  let text = shard;
  if (!text && shards) {
    if (jobIndex === undefined) {
      errors.push("shards: needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or --shard I/N");
      return null;
    }
    text = `${jobIndex}/${shards}`;
  }
  if (!text) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]), count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    errors.push(`shard: expected I/N with 0 <= I < N, e.g. 0/4 (got "${text}")`);
    return null;
  }
  return { index, count };
}

/** `--start-at` as wall-clock ms: an RFC 3339 time with a zone (Z or ±hh:mm). */
function startAtOf(text: string, errors: string[]): number | null {
  if (!text) return null;
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text.trim())
    ? Date.parse(text.trim())
    : NaN;
  if (Number.isNaN(ms)) {
    errors.push(`start-at: expected an RFC 3339 time such as 2026-12-01T15:04:05Z (got "${text}")`);
    return null;
  }
  return ms;
}

/** Run ids name Kubernetes objects and label series: a DNS label, lower case. */
const RUN_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A run id from `--run-id`, or a new one from the time: `run-20261201-142233-7f3a`.
 *
 * @example
 * ```ts
 * runIdOf("", []); // "run-20261201-142233-7f3a"
 * ```
 */
export function runIdOf(given: string, errors: string[], now = new Date()): string {
  if (given) {
    if (!RUN_ID.test(given)) {
      errors.push(
        `run-id: "${given}" must be lower-case letters, digits and "-", at most 63, ` +
          "starting and ending with a letter or digit",
      );
    }
    return given;
  }
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const suffix = crypto.getRandomValues(new Uint16Array(1))[0].toString(16).padStart(4, "0");
  return `run-${stamp}-${suffix}`;
}
