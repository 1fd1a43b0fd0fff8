/**
 * Watches the origin under test through its own exporters: node_exporter (CPU, memory,
 * network) and nginx-prometheus-exporter (connections, requests), so a run can tell "the
 * clients struggled" apart from "the origin was saturated".
 *
 * Every rate is a delta between two successful scrapes divided by the time between them, as
 * measured here: not a since-boot total (which barely moves during a run), and not the
 * configured interval (a slow or failed scrape stretches the real gap).
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import { parsePromText, type PromFamily, type PromParseResult } from "./prom_text.ts";

/** Options of {@linkcode OriginScraper}. */
export interface OriginScraperOptions {
  /** node_exporter's metrics URL, e.g. `http://origin:9100/metrics`. */
  nodeUrl?: string;
  /** nginx-prometheus-exporter's metrics URL, e.g. `http://origin:9113/metrics`. */
  nginxUrl?: string;
  /** Time between scrapes, ms. */
  intervalMs: number;
  /** The rolling window of the network P50 and max, ms. Default 30 000. */
  windowMs?: number;
  /** Per-request timeout (headers and body), ms. Default min(intervalMs, 5000). */
  timeoutMs?: number;
  /** Largest body accepted, bytes. Default 8 MiB (node_exporter serves ~100 KiB). */
  maxBodyBytes?: number;
  /** Network devices left out of the rates. Default {@linkcode DEFAULT_EXCLUDED_DEVICES}. */
  excludeDevices?: RegExp;
}

/**
 * Devices whose traffic is not the origin's traffic to its clients: loopback, and virtual
 * devices that carry again what a physical interface already counted (container veth pairs
 * and bridges, ifb mirrors); summing them would count one segment two or three times.
 *
 * @example
 * ```ts
 * DEFAULT_EXCLUDED_DEVICES.test("veth1a2b"); // true
 * DEFAULT_EXCLUDED_DEVICES.test("eth0"); // false
 * ```
 */
export const DEFAULT_EXCLUDED_DEVICES: RegExp =
  /^(?:lo|veth.*|docker\d*|br-.*|virbr\d*|cni\d*|flannel\..*|cali.*|ifb\d*)$/;

/** Injected effects, for tests. */
export interface OriginScraperDeps {
  fetch?: typeof fetch;
  clock?: Clock;
}

/** How one exporter has been answering. */
export interface SourceHealth {
  url: string;
  /** The latest scrape succeeded. False before the first scrape. */
  healthy: boolean;
  /** The latest failure's message (kept after recovery, see `lastErrorAt`), or null. */
  lastError: string | null;
  /** Wall-clock ms of the latest failure, or null. */
  lastErrorAt: number | null;
  /** Wall-clock ms of the latest success, or null. */
  lastSuccessAt: number | null;
  /** Failures since the latest success. */
  consecutiveFailures: number;
  /** Scrapes attempted. */
  scrapes: number;
  /** Scrapes failed. */
  failures: number;
}

/** Origin memory from node_exporter. */
export interface OriginMemory {
  usedBytes: number;
  totalBytes: number;
  percent: number;
}

/** Origin network throughput, bytes per second, summed over the interfaces not excluded
 * (loopback and virtual ones by default: {@linkcode DEFAULT_EXCLUDED_DEVICES}). */
export interface OriginNet {
  /** Over the latest interval. */
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  /** Median and max of the per-interval rates within the window. */
  rxP50: number;
  rxMax: number;
  txP50: number;
  txMax: number;
  windowMs: number;
}

/** nginx state from nginx-prometheus-exporter; a field is null when never obtained. */
export interface OriginNginx {
  /** nginx_up: whether the exporter could read nginx's stub_status. */
  up: boolean | null;
  activeConnections: number | null;
  reading: number | null;
  writing: number | null;
  waiting: number | null;
  /** From nginx_http_requests_total over the latest interval. */
  requestsPerSecond: number | null;
}

/** Plain data, safe to serialise. A value is null until it has been obtained once. */
export interface OriginSnapshot {
  /** Busy CPU over the latest interval, 0–100, all CPUs together. */
  cpuPercent: number | null;
  memory: OriginMemory | null;
  net: OriginNet | null;
  nginx: OriginNginx | null;
  sources: { node?: SourceHealth; nginx?: SourceHealth };
}

/** Counters of one node_exporter scrape, with the time they were read. */
interface NodeCounters {
  at: number;
  /** "cpu/mode" → seconds. */
  cpu: Map<string, number>;
  /** device → bytes, excluded devices left out. */
  rx: Map<string, number>;
  tx: Map<string, number>;
}

interface RateSample {
  at: number;
  rx: number;
  tx: number;
}

/** A scrape aborted by {@linkcode OriginScraper.stop}. */
class StoppedError extends Error {}

const DEFAULT_WINDOW_MS = 30_000;
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
/** Modes in which a CPU does no work. iowait is idle time with disk I/O pending: the CPU
 * could run anything, so counting it as busy would overstate saturation. */
const IDLE_MODES: ReadonlySet<string> = new Set(["idle", "iowait"]);

/**
 * Scrapes node_exporter and/or nginx-prometheus-exporter every `intervalMs`.
 *
 * CPU % is `100 × (1 − Δ(idle + iowait) / Δ(all modes))` summed over all CPUs, from
 * `node_cpu_seconds_total` between two scrapes; steal counts as busy (the origin's CPUs were
 * not available to it). Memory used is `MemTotal − MemAvailable` (MemFree on kernels without
 * MemAvailable). A failed scrape (refused, timeout, non-200, oversized or invalid body, or an
 * exporter of the wrong kind) marks that source unhealthy and keeps the last good values; the
 * next success measures its rates over the whole gap.
 *
 * @example
 * ```ts
 * const scraper = new OriginScraper({
 *   nodeUrl: "http://origin:9100/metrics",
 *   nginxUrl: "http://origin:9113/metrics",
 *   intervalMs: 2000,
 * });
 * scraper.start();
 * // … later
 * const { cpuPercent, nginx, sources } = scraper.snapshot();
 * await scraper.stop();
 * ```
 */
export class OriginScraper {
  readonly #nodeUrl: string | null;
  readonly #nginxUrl: string | null;
  readonly #intervalMs: number;
  readonly #windowMs: number;
  readonly #timeoutMs: number;
  readonly #maxBody: number;
  readonly #excluded: RegExp;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;

  #nodeHealth: SourceHealth | null;
  #nginxHealth: SourceHealth | null;
  #cpuPercent: number | null = null;
  #memory: OriginMemory | null = null;
  #net: Omit<OriginNet, "rxP50" | "rxMax" | "txP50" | "txMax"> | null = null;
  #rates: RateSample[] = [];
  #nginx: OriginNginx | null = null;
  #lastNode: NodeCounters | null = null;
  #lastRequests: { at: number; total: number } | null = null;

  #chain: Promise<void> = Promise.resolve();
  #loop: Promise<void> | null = null;
  #stopper: AbortController | null = null;

  constructor(options: OriginScraperOptions, deps: OriginScraperDeps = {}) {
    if (!options.nodeUrl && !options.nginxUrl) {
      throw new TypeError(
        "OriginScraper needs a node_exporter URL, an nginx exporter URL, or both",
      );
    }
    if (!(options.intervalMs > 0)) {
      throw new RangeError(`origin scrape interval must be > 0 ms, got ${options.intervalMs}`);
    }
    this.#nodeUrl = options.nodeUrl ? checkUrl(options.nodeUrl, "node_exporter") : null;
    this.#nginxUrl = options.nginxUrl ? checkUrl(options.nginxUrl, "nginx exporter") : null;
    this.#intervalMs = options.intervalMs;
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#timeoutMs = options.timeoutMs ?? Math.min(options.intervalMs, 5000);
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.#excluded = options.excludeDevices ?? DEFAULT_EXCLUDED_DEVICES;
    if (!(this.#windowMs > 0) || !(this.#timeoutMs > 0) || !(this.#maxBody > 0)) {
      throw new RangeError("origin scrape window, timeout and body limit must be > 0");
    }
    this.#fetch = deps.fetch ?? fetch;
    this.#clock = deps.clock ?? systemClock;
    this.#nodeHealth = this.#nodeUrl ? newHealth(this.#nodeUrl) : null;
    this.#nginxHealth = this.#nginxUrl ? newHealth(this.#nginxUrl) : null;
  }

  /** Starts scraping now and every `intervalMs` after (no-op if already running). */
  start(): void {
    if (this.#loop) return;
    const stopper = new AbortController();
    this.#stopper = stopper;
    this.#loop = this.#run(stopper.signal);
  }

  /** Stops the loop, aborting any scrape in flight, and waits for it to end. */
  async stop(): Promise<void> {
    this.#stopper?.abort();
    await this.#loop;
    this.#loop = null;
    this.#stopper = null;
  }

  /**
   * Scrapes every configured source once, in parallel. Never rejects: failures go to the
   * sources' health. Calls are serialised, so deltas are always between consecutive scrapes.
   */
  scrapeOnce(): Promise<void> {
    const next = this.#chain.then(() => this.#scrapeAll());
    this.#chain = next;
    return next;
  }

  /** The latest values and health, as a fresh plain object. */
  snapshot(): OriginSnapshot {
    const sources: OriginSnapshot["sources"] = {};
    if (this.#nodeHealth) sources.node = { ...this.#nodeHealth };
    if (this.#nginxHealth) sources.nginx = { ...this.#nginxHealth };
    let net: OriginNet | null = null;
    if (this.#net) {
      const rx = this.#rates.map((r) => r.rx);
      const tx = this.#rates.map((r) => r.tx);
      net = {
        ...this.#net,
        rxP50: median(rx),
        rxMax: Math.max(...rx),
        txP50: median(tx),
        txMax: Math.max(...tx),
      };
    }
    return {
      cpuPercent: this.#cpuPercent,
      memory: this.#memory ? { ...this.#memory } : null,
      net,
      nginx: this.#nginx ? { ...this.#nginx } : null,
      sources,
    };
  }

  async #run(signal: AbortSignal): Promise<void> {
    let next = this.#clock.now();
    while (!signal.aborted) {
      await this.scrapeOnce();
      next += this.#intervalMs;
      const now = this.#clock.now();
      // After a scrape slower than the interval, start again now rather than in a burst.
      if (next < now) next = now;
      await this.#clock.sleep(next - now, signal);
    }
  }

  async #scrapeAll(): Promise<void> {
    const jobs: Promise<void>[] = [];
    if (this.#nodeUrl && this.#nodeHealth) {
      jobs.push(this.#scrape(this.#nodeUrl, this.#nodeHealth, (p, at) => this.#applyNode(p, at)));
    }
    if (this.#nginxUrl && this.#nginxHealth) {
      jobs.push(
        this.#scrape(this.#nginxUrl, this.#nginxHealth, (p, at) => this.#applyNginx(p, at)),
      );
    }
    await Promise.all(jobs);
  }

  /** One source: fetch, parse, apply; any failure is recorded in `health`, never thrown. */
  async #scrape(
    url: string,
    health: SourceHealth,
    apply: (parsed: PromParseResult, at: number) => void,
  ): Promise<void> {
    health.scrapes++;
    try {
      const sentAt = this.#clock.now();
      const { body, contentType } = await this.#get(url);
      // The exporter read its counters somewhere during the request: the midpoint halves the
      // worst-case error, and a slow response does not skew one interval's rate.
      const at = (sentAt + this.#clock.now()) / 2;
      const parsed = parsePromText(body, { maxErrors: 1 });
      if (parsed.invalidLines > 0) {
        const e = parsed.errors[0];
        const more = parsed.invalidLines > 1 ? ` (and ${parsed.invalidLines - 1} more)` : "";
        throw new Error(
          `not Prometheus text (content-type ${contentType || "none"}): line ${e.line}: ` +
            `${e.reason}${more}`,
        );
      }
      apply(parsed, at);
      health.healthy = true;
      health.consecutiveFailures = 0;
      health.lastSuccessAt = this.#clock.wallNow();
    } catch (e) {
      // Cut short by stop(): says nothing about the exporter, so it is not a failure.
      if (e instanceof StoppedError) {
        health.scrapes--;
        return;
      }
      health.healthy = false;
      health.failures++;
      health.consecutiveFailures++;
      health.lastError = e instanceof Error ? e.message : String(e);
      health.lastErrorAt = this.#clock.wallNow();
    }
  }

  /** GET with the timeout covering headers and body, and the body size capped. */
  async #get(url: string): Promise<{ body: string; contentType: string }> {
    const abort = new AbortController();
    const done = new AbortController();
    let timedOut = false;
    const timer = this.#clock.sleep(this.#timeoutMs, done.signal).then(() => {
      if (done.signal.aborted) return;
      timedOut = true;
      abort.abort();
    });
    // The signal of the run this request belongs to, fixed now: stop() clears #stopper.
    const stopSignal = this.#stopper?.signal;
    const stopped = () => abort.abort();
    stopSignal?.addEventListener("abort", stopped, { once: true });
    try {
      const res = await this.#fetch(url, {
        signal: abort.signal,
        // Ask for the text format: an exporter may otherwise choose protobuf or OpenMetrics.
        headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1" },
      });
      const contentType = res.headers.get("content-type") ?? "";
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
      }
      const length = Number(res.headers.get("content-length") ?? NaN);
      if (length > this.#maxBody) {
        await res.body?.cancel();
        throw new Error(`body of ${length} bytes is over the ${this.#maxBody}-byte limit`);
      }
      return { body: await this.#readCapped(res), contentType };
    } catch (e) {
      if (timedOut) throw new Error(`timed out after ${this.#timeoutMs} ms`);
      if (stopSignal?.aborted) throw new StoppedError();
      throw new Error(describeFetchError(e));
    } finally {
      done.abort();
      stopSignal?.removeEventListener("abort", stopped);
      await timer;
    }
  }

  async #readCapped(res: Response): Promise<string> {
    if (!res.body) return "";
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let size = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.#maxBody) {
        await reader.cancel();
        throw new Error(`body is over the ${this.#maxBody}-byte limit`);
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }

  #applyNode(parsed: PromParseResult, at: number): void {
    const { families } = parsed;
    const cpuFamily = families.get("node_cpu_seconds_total");
    const memTotal = single(families.get("node_memory_MemTotal_bytes"));
    if (!cpuFamily && memTotal === null) {
      throw new Error(
        "no node_exporter metrics (node_cpu_seconds_total, node_memory_MemTotal_bytes): " +
          "is this URL a node_exporter?",
      );
    }
    const counters: NodeCounters = {
      at,
      cpu: new Map(),
      rx: perDevice(families.get("node_network_receive_bytes_total"), this.#excluded),
      tx: perDevice(families.get("node_network_transmit_bytes_total"), this.#excluded),
    };
    for (const s of cpuFamily?.samples ?? []) {
      counters.cpu.set(`${s.labels.cpu}/${s.labels.mode}`, s.value);
    }

    if (memTotal !== null && memTotal > 0) {
      const available = single(families.get("node_memory_MemAvailable_bytes")) ??
        single(families.get("node_memory_MemFree_bytes"));
      if (available !== null) {
        const used = Math.max(0, memTotal - available);
        this.#memory = { usedBytes: used, totalBytes: memTotal, percent: (used / memTotal) * 100 };
      }
    }

    const prev = this.#lastNode;
    this.#lastNode = counters;
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    if (!prev || !(seconds > 0)) return;

    const cpu = cpuBusyPercent(prev.cpu, counters.cpu);
    if (cpu !== null) this.#cpuPercent = cpu;

    if (counters.rx.size > 0 || counters.tx.size > 0) {
      const rx = counterDelta(prev.rx, counters.rx) / seconds;
      const tx = counterDelta(prev.tx, counters.tx) / seconds;
      this.#rates.push({ at, rx, tx });
      this.#rates = this.#rates.filter((r) => r.at > at - this.#windowMs);
      this.#net = { rxBytesPerSecond: rx, txBytesPerSecond: tx, windowMs: this.#windowMs };
    }
  }

  #applyNginx(parsed: PromParseResult, at: number): void {
    const { families } = parsed;
    const up = single(families.get("nginx_up"));
    if (up === null) {
      throw new Error("no nginx_up metric: is this URL an nginx-prometheus-exporter?");
    }
    const state: OriginNginx = this.#nginx ?? {
      up: null,
      activeConnections: null,
      reading: null,
      writing: null,
      waiting: null,
      requestsPerSecond: null,
    };
    this.#nginx = state;
    state.up = up === 1;
    if (!state.up) {
      // The exporter answers, but nginx does not: keep nginx's last values, and say why.
      throw new Error("nginx_up is 0: the exporter cannot read nginx's stub_status");
    }
    state.activeConnections = single(families.get("nginx_connections_active")) ??
      state.activeConnections;
    state.reading = single(families.get("nginx_connections_reading")) ?? state.reading;
    state.writing = single(families.get("nginx_connections_writing")) ?? state.writing;
    state.waiting = single(families.get("nginx_connections_waiting")) ?? state.waiting;

    const total = single(families.get("nginx_http_requests_total"));
    if (total === null) return;
    const prev = this.#lastRequests;
    this.#lastRequests = { at, total };
    if (!prev || !(at > prev.at)) return;
    // A smaller total means nginx restarted: like Prometheus, count the new total as the
    // increase (a stub_status counter starts from 0 with the master process).
    const delta = total >= prev.total ? total - prev.total : total;
    state.requestsPerSecond = delta / ((at - prev.at) / 1000);
  }
}

function newHealth(url: string): SourceHealth {
  return {
    url,
    healthy: false,
    lastError: null,
    lastErrorAt: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    scrapes: 0,
    failures: 0,
  };
}

function checkUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`invalid ${what} URL ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`${what} URL must be http or https, got ${JSON.stringify(url)}`);
  }
  return parsed.href;
}

/** The value of a family with exactly one finite sample (a plain gauge), else null. */
function single(family: PromFamily | undefined): number | null {
  if (!family || family.samples.length !== 1) return null;
  const v = family.samples[0].value;
  return Number.isFinite(v) ? v : null;
}

/** device → counter, without the excluded devices. */
function perDevice(family: PromFamily | undefined, excluded: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of family?.samples ?? []) {
    const device = s.labels.device;
    if (device === undefined || excluded.test(device) || !Number.isFinite(s.value)) continue;
    out.set(device, s.value);
  }
  return out;
}

/**
 * Sum of per-device increases. A device seen only once adds nothing; a counter that went down
 * (interface re-created) counts its new value as the increase, as Prometheus' rate() does.
 */
function counterDelta(prev: Map<string, number>, cur: Map<string, number>): number {
  let sum = 0;
  for (const [device, value] of cur) {
    const before = prev.get(device);
    if (before === undefined) continue;
    sum += value >= before ? value - before : value;
  }
  return sum;
}

/**
 * Busy % over all CPUs between two readings of `node_cpu_seconds_total`, or null when no time
 * passed. A mode that went down counts as 0: Linux's per-CPU iowait and idle are known to
 * step back slightly, and a reset-as-increase there would report a huge false spike.
 */
function cpuBusyPercent(prev: Map<string, number>, cur: Map<string, number>): number | null {
  let total = 0;
  let idle = 0;
  for (const [key, value] of cur) {
    const before = prev.get(key);
    if (before === undefined || !Number.isFinite(value)) continue;
    const delta = Math.max(0, value - before);
    total += delta;
    if (IDLE_MODES.has(key.slice(key.indexOf("/") + 1))) idle += delta;
  }
  if (!(total > 0)) return null;
  return Math.min(100, Math.max(0, (1 - idle / total) * 100));
}

/** Median; the mean of the middle two for an even count. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A short reason from a fetch failure: Deno nests the OS error in `cause`/the message. */
function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const parts = [e.message];
  let cause: unknown = e.cause;
  for (let i = 0; i < 3 && cause instanceof Error; i++) {
    if (!parts.some((p) => p.includes(cause instanceof Error ? cause.message : ""))) {
      parts.push(cause.message);
    }
    cause = cause.cause;
  }
  return parts.join(": ");
}
