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
import {
  counterDelta,
  cpuBusyPercent,
  cpuDeltas,
  type NodeCounters,
  type OriginMemory,
  readNode,
} from "./node.ts";
import { type Clock, systemClock } from "../clock.ts";
import { fetchText } from "../net/fetch_text.ts";
import { parseHttpUrl } from "../config/http_url.ts";
import { type NginxState, nginxView, readNginx } from "./nginx.ts";
import { parsePromText, type PromParseResult } from "./prom_text.ts";
import {
  type ExporterSnapshot,
  newHealth,
  type OriginNet,
  type OriginTotals,
  type SourceHealth,
} from "./exporter_snapshot.ts";

/** Options of {@linkcode ExporterScraper}. */
export interface ExporterScraperOptions {
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
export interface ExporterScraperDeps {
  fetch?: typeof fetch;
  clock?: Clock;
}

export type {
  ExporterSnapshot,
  OriginMemory,
  OriginNet,
  OriginNginx,
  OriginTotals,
  SourceHealth,
} from "./exporter_snapshot.ts";

interface RateSample {
  at: number;
  rx: number;
  tx: number;
}

/** A scrape aborted by {@linkcode ExporterScraper.stop}. */
class StoppedError extends Error {}

const DEFAULT_WINDOW_MS = 30_000;
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
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
 * @example Not run: it scrapes node_exporter and nginx-exporter on the network (tests/origin_scraper_test.ts)
 * ```ts ignore
 * const scraper = new ExporterScraper({
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
export class ExporterScraper {
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
  #nginx: NginxState | null = null;
  #lastNode: NodeCounters | null = null;
  #totals: OriginTotals | null = null;

  #chain: Promise<void> = Promise.resolve();
  #loop: Promise<void> | null = null;
  #stopper: AbortController | null = null;

  constructor(options: ExporterScraperOptions, deps: ExporterScraperDeps = {}) {
    if (!options.nodeUrl && !options.nginxUrl) {
      throw new TypeError(
        "ExporterScraper needs a node_exporter URL, an nginx exporter URL, or both",
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
  snapshot(): ExporterSnapshot {
    const sources: ExporterSnapshot["sources"] = {};
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
      nginx: this.#nginx ? nginxView(this.#nginx) : null,
      sources,
      totals: this.#totals ? { ...this.#totals } : null,
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
    // The signal of the run this request belongs to, fixed now: stop() clears #stopper.
    const signal = this.#stopper?.signal;
    const res = await fetchText(this.#fetch, url, {
      clock: this.#clock,
      timeoutMs: this.#timeoutMs,
      maxBytes: this.#maxBody,
      overLimit: "error",
      // Ask for the text format: an exporter may otherwise choose protobuf or OpenMetrics.
      headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1" },
      signal,
    }).catch((e) => {
      throw signal?.aborted ? new StoppedError() : e;
    });
    if (res.status !== 200) {
      throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
    }
    return { body: res.body, contentType: res.contentType };
  }

  #applyNode(parsed: PromParseResult, at: number): void {
    const { counters, memory } = readNode(parsed, at, this.#excluded);
    if (memory) this.#memory = memory;
    const prev = this.#lastNode;
    this.#lastNode = counters;
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    if (!prev || !(seconds > 0)) return;

    const cpu = cpuBusyPercent(prev.cpu, counters.cpu);
    if (cpu !== null) this.#cpuPercent = cpu;
    const spent = cpuDeltas(prev.cpu, counters.cpu);
    const rxBytes = counterDelta(prev.rx, counters.rx);
    const txBytes = counterDelta(prev.tx, counters.tx);
    const t = this.#totals ??= { cpuBusySeconds: 0, cpuIdleSeconds: 0, rxBytes: 0, txBytes: 0 };
    t.cpuBusySeconds += spent.busy;
    t.cpuIdleSeconds += spent.idle;
    t.rxBytes += rxBytes;
    t.txBytes += txBytes;

    if (counters.rx.size > 0 || counters.tx.size > 0) {
      const rx = rxBytes / seconds;
      const tx = txBytes / seconds;
      this.#rates.push({ at, rx, tx });
      this.#rates = this.#rates.filter((r) => r.at > at - this.#windowMs);
      this.#net = { rxBytesPerSecond: rx, txBytesPerSecond: tx, windowMs: this.#windowMs };
    }
  }

  #applyNginx(parsed: PromParseResult, at: number): void {
    const reading = readNginx(parsed, this.#nginx, at);
    this.#nginx = reading.state;
    if (reading.error) throw new Error(reading.error);
  }
}

/** The config loader checked it with the same function, so a loaded config never throws here. */
function checkUrl(url: string, what: string): string {
  const parsed = parseHttpUrl(url);
  if (typeof parsed === "string") throw new TypeError(`invalid ${what} URL: ${parsed}`);
  return parsed.href;
}

/** Median; the mean of the middle two for an even count. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
