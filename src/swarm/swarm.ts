/**
 * A swarm run: preflight, variant probe, metrics endpoint, the ramp, one supervisor per client,
 * and a shutdown that leaves no FFmpeg behind.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { SwarmConfig } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import { OriginScraper } from "../exporters/scraper.ts";
import { urlHost } from "../net.ts";
import { serveMetrics } from "../metrics/server.ts";
import { SwarmMetrics } from "../metrics/swarm_metrics.ts";
import { LossyLineQueue } from "../lines/lossy_queue.ts";
import { ParsePump } from "../lines/pump.ts";
import { ProgressParser } from "../parser/progress.ts";
import { type HttpEvent, StderrParser } from "../parser/stderr_events.ts";
import { type CheckResult, parseLimit, runPreflight } from "../preflight/checks.ts";
import { checkStream } from "../preflight/stream.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import type { CommandRunner } from "../process/command_runner.ts";
import {
  buildFfmpegArgs,
  effectiveUrl,
  requestHeaders,
  type StreamMapping,
} from "../process/ffmpeg_args.ts";
import { ffprobePathFor, probeVariant } from "../process/ffprobe.ts";
import type { Spawner } from "../process/spawner.ts";
import { type CurrentRates, FleetStats } from "../stats/fleet.ts";
import { exitLabel, LifecycleStats } from "../stats/lifecycle.ts";
import { type LineHealth, lineHealth } from "../stats/line_health.ts";
import { buildSummary, type RunRecord, type RunSummary } from "../report/summary.ts";
import { VERSION } from "../version.ts";
import { Backoff, DEFAULT_BACKOFF } from "../client/backoff.ts";
import { clientRandom } from "../client/jitter.ts";
import { ClientSupervisor } from "../client/supervisor.ts";
import { rampOffsets, runRamp } from "./ramp.ts";

/** Everything a swarm run uses from the outside world. */
export interface SwarmDeps {
  clock: Clock;
  spawner: Spawner;
  runCommand: CommandRunner;
  readTextFile(path: string): Promise<string>;
  fetch: typeof fetch;
  log: Logger;
  caps: FfmpegCapabilities;
  /** Whether the spawner wraps FFmpeg with a parent-death signal. */
  deathSignal: boolean;
  /** Seeds ramp and backoff jitter; fixed in tests for reproducible runs. */
  seed: number;
  /** Period of the one-line progress log; 0 turns it off (the dashboard shows progress). */
  progressLogMs: number;
}

/** The fleet's sampling period: playback states and the rate series update on it. */
const SAMPLE_INTERVAL_MS = 1000;

/** One client's two lossy line queues; they live as long as the client, across restarts. */
interface ClientPipelines {
  progress: LossyLineQueue;
  stderr: LossyLineQueue;
}

/** A run could not start: preflight or the variant probe failed, or metrics could not bind. */
export class SwarmStartError extends Error {
  override name = "SwarmStartError";
}

/**
 * Client `id`'s command line for this run.
 *
 * @example
 * ```ts
 * const { command, args } = clientCommand(config, caps, { kind: "all" }, 0);
 * ```
 */
export function clientCommand(
  config: SwarmConfig,
  caps: FfmpegCapabilities,
  mapping: StreamMapping,
  id: number,
): { command: string; args: string[] } {
  return { command: config.ffmpegPath, args: buildFfmpegArgs(id, config, caps, mapping) };
}

/**
 * One run of the swarm. Call {@linkcode Swarm.run} once; {@linkcode Swarm.stop} (or the
 * configured duration) ends it gracefully, {@linkcode Swarm.forceStop} kills at once.
 *
 * @example
 * ```ts
 * const swarm = new Swarm(config, deps);
 * Deno.addSignalListener("SIGINT", () => swarm.stop("SIGINT"));
 * const summary = await swarm.run();
 * ```
 */
export class Swarm {
  readonly lifecycle: LifecycleStats;
  readonly fleet: FleetStats;
  /** The origin's exporters, when --origin-metrics/--nginx-metrics are set (for the dashboard). */
  origin: OriginScraper | null = null;
  #stop = new AbortController();
  #stopReason = "";
  #supervisors: ClientSupervisor[] = [];
  #pump = new ParsePump();
  #metrics: SwarmMetrics | null = null;
  #finalRates: CurrentRates | null = null;
  #stoppedAt: number | null = null;
  #rampStartedAt: number | null = null;
  #pipelines: ClientPipelines[] = [];

  constructor(private config: SwarmConfig, private deps: SwarmDeps) {
    this.lifecycle = new LifecycleStats(config.clients);
    this.fleet = new FleetStats(config.targetDurationMs);
  }

  /** Why the run is stopping ("duration", "SIGINT", "quit"…), or null while it runs. */
  get stopReason(): string | null {
    return this.#stop.signal.aborted ? this.#stopReason : null;
  }

  /** Monotonic ms at which the ramp started, or null before. */
  get rampStartedAt(): number | null {
    return this.#rampStartedAt;
  }

  /** Begins a graceful shutdown (SIGTERM, grace period, SIGKILL). Later calls are ignored. */
  stop(reason: string): void {
    if (this.#stop.signal.aborted) return;
    this.#stopReason = reason;
    // Rates "at the end" are taken as the stop begins, before clients wind down.
    const now = this.deps.clock.now();
    this.fleet.sample(now);
    this.#finalRates = this.fleet.rates(now, 30_000);
    this.#stoppedAt = this.deps.clock.wallNow();
    this.deps.log.info("shutdown_started", {
      reason,
      running: this.lifecycle.running,
      grace_ms: this.config.shutdownGraceMs,
    });
    this.#stop.abort();
  }

  /** How well parsing keeps up with FFmpeg's output, over every client so far. */
  lineHealth(): LineHealth {
    return lineHealth(
      this.#pipelines.map((p) => ({ progress: p.progress.counts(), stderr: p.stderr.counts() })),
      this.config.statsDropThreshold,
      this.lifecycle.truncatedLines,
    );
  }

  /** Sends SIGKILL to every running FFmpeg now. */
  forceStop(reason: string): void {
    this.stop(reason);
    this.deps.log.warn("shutdown_forced", { reason, running: this.lifecycle.running });
    for (const s of this.#supervisors) s.kill();
  }

  /** Runs until stopped; resolves with the summary once every FFmpeg has exited. */
  async run(): Promise<RunSummary> {
    const { config, deps } = this;
    const { clock, log } = deps;
    const startedAt = clock.wallNow();
    await this.#preflight();
    const mapping = await chooseMapping(config, deps.runCommand, log);

    const metrics = new SwarmMetrics({
      clock,
      lifecycle: this.lifecycle,
      fleet: this.fleet,
      lineHealth: () => this.lineHealth(),
      streamUrl: config.streamUrl,
      variant: config.variant,
      ffmpegVersion: deps.caps.version,
      targetDurationMs: config.targetDurationMs,
      startedAt: clock.now(),
      perClient: config.promClientMetrics,
    });
    this.#metrics = metrics;
    const scraper = config.originMetrics
      ? new OriginScraper(config.originMetrics, { fetch: deps.fetch, clock })
      : null;
    this.origin = scraper;
    if (scraper) {
      metrics.addOrigin(() => scraper.snapshot());
      scraper.start();
      log.info("origin_metrics_scraping", {
        node: config.originMetrics?.nodeUrl ?? null,
        nginx: config.originMetrics?.nginxUrl ?? null,
        interval_ms: config.originMetrics?.intervalMs,
      });
    }
    if (config.promClientMetrics && config.clients > 200) {
      log.warn("per_client_metrics_large", {
        clients: config.clients,
        hint: "tier 2 adds ~10 series per client; scrapes grow accordingly",
      });
    }
    // Ready once metrics flow: some client has received media.
    const server = config.metricsAddr
      ? serveMetrics(
        metrics.registry,
        config.metricsAddr,
        () => this.lifecycle.clientsWithMedia > 0,
      )
      : null;
    const metricsUrl = server ? `http://${urlHost(server.hostname)}:${server.port}/metrics` : null;
    if (server) log.info("metrics_listening", { url: metricsUrl });

    const signal = this.#stop.signal;
    const timers: ReturnType<typeof setTimeout>[] = [];
    if (config.durationMs > 0) {
      timers.push(setTimeout(() => this.stop("duration"), config.durationMs));
    }
    timers.push(setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS));
    if (deps.progressLogMs > 0) {
      timers.push(setInterval(() => this.#logProgress(), deps.progressLogMs));
    }

    log.info("ramp_started", {
      clients: config.clients,
      ramp_rate: config.rampRate,
      expected_ramp_ms: Math.round(((config.clients - 1) / config.rampRate) * 1000),
    });
    const runs: Promise<void>[] = [];
    const rampStart = clock.now();
    this.#rampStartedAt = rampStart;
    this.fleet.sample(rampStart);
    const started = await runRamp(
      rampOffsets(config.clients, config.rampRate, config.rampJitterMs, deps.seed),
      clock,
      signal,
      (id) => runs.push(this.#startClient(id, mapping, signal)),
    );
    const rampMs = clock.now() - rampStart;
    log.info(signal.aborted ? "ramp_cancelled" : "ramp_finished", {
      started,
      ramp_ms: Math.round(rampMs),
      achieved_rate: started > 1 ? Number(((started - 1) / (rampMs / 1000)).toFixed(2)) : null,
    });

    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.all(runs);
    for (const t of timers) clearTimeout(t);
    const endedAt = clock.now();
    this.fleet.sample(endedAt);
    const run = await this.#runRecord(mapping);
    await server?.close();
    await scraper?.stop();
    log.info("shutdown_finished", { clients_stopped: runs.length });
    return buildSummary({
      run,
      lifecycle: this.lifecycle,
      target: config.streamUrl,
      startedAt,
      endedAt: clock.wallNow(),
      stopReason: this.#stopReason,
      stoppedAt: this.#stoppedAt ?? clock.wallNow(),
      metricsUrl,
      statsEnabled: config.stats,
      lines: this.lineHealth(),
      traffic: this.fleet.snapshot(endedAt),
      trafficMs: endedAt - rampStart,
      recentRates: this.#finalRates ?? this.fleet.rates(endedAt, 30_000),
      origin: scraper?.snapshot() ?? null,
    });
  }

  #startClient(id: number, mapping: StreamMapping, signal: AbortSignal): Promise<void> {
    const { config, deps, lifecycle } = this;
    const { log, clock } = deps;
    const fleet = this.fleet;
    let progress = new ProgressParser();
    let stderr = new StderrParser();
    const record = (events: HttpEvent[]) => {
      for (const e of events) {
        fleet.recordEvent(id, e);
        this.#metrics?.observe(e);
      }
    };
    const pipes: ClientPipelines = {
      progress: new LossyLineQueue(config.statsBufferLines, ({ line, at }) => {
        const block = progress.push(line);
        if (!block) return;
        if (block.frame) lifecycle.onMedia(id);
        fleet.recordProgress(id, block, at);
      }),
      stderr: new LossyLineQueue(config.statsBufferLines, ({ line, at }) => {
        if (config.ffmpegDebug) log.debug("ffmpeg_stderr", { client_id: id, line });
        if (config.stats) record(stderr.push(line, at));
      }),
    };
    this.#pipelines.push(pipes);
    this.#pump.add(pipes.progress);
    this.#pump.add(pipes.stderr);
    const offer = (queue: LossyLineQueue, line: string) => {
      queue.offer(line, clock.now());
      this.#pump.wake();
    };
    const supervisor = new ClientSupervisor(id, {
      spawner: deps.spawner,
      clock: deps.clock,
      backoff: new Backoff(DEFAULT_BACKOFF, clientRandom(id, deps.seed ^ 0x5bd1e995)),
      command: () => clientCommand(config, deps.caps, mapping, id),
      readProgress: config.stats,
      graceMs: config.shutdownGraceMs,
      hooks: {
        onState: (cid, state) => lifecycle.onState(cid, state),
        onStart: (cid, pid, restart) => {
          lifecycle.onStart(restart);
          log.info("client_started", { client_id: cid, pid, restart });
        },
        onSpawnError: (cid, error) => {
          lifecycle.spawnErrors++;
          log.error("client_spawn_failed", { client_id: cid, error: error.message });
        },
        onExit: (exit) => {
          // Parse what the run left queued before the next run resets per-run parser state.
          this.#pump.flush(pipes.progress);
          this.#pump.flush(pipes.stderr);
          // Requests still open when hls-swarm stopped FFmpeg were cut by us, not by the origin.
          const open = stderr.finish();
          if (!exit.requested) record(open);
          lifecycle.onExit(exit);
          this.#metrics?.observeUptime(exit.uptimeMs);
          const fields = {
            client_id: exit.clientId,
            pid: exit.pid,
            exit_code: exit.code,
            label: exitLabel(exit.code, exit.requested, exit.reason),
            uptime_ms: Math.round(exit.uptimeMs),
          };
          if (exit.requested) log.debug("client_stopped", fields);
          else if (exit.code === 0) log.info("client_exited", fields);
          // The Go tool swallowed stderr; the last lines are usually the reason.
          else log.warn("client_exited", { ...fields, stderr_tail: exit.stderrTail.slice(-10) });
        },
        onRestartScheduled: (cid, delayMs, attempt) =>
          log.debug("client_restart_scheduled", {
            client_id: cid,
            delay_ms: Math.round(delayMs),
            attempt,
          }),
        onRunStart: () => {
          progress = new ProgressParser();
          stderr = new StderrParser();
          fleet.client(id).playback.onRunStart();
        },
        onProgressLine: (_, line) => offer(pipes.progress, line),
        onStderrLine: config.stats || config.ffmpegDebug
          ? (_, line) => offer(pipes.stderr, line)
          : undefined,
      },
    });
    this.#supervisors.push(supervisor);
    return supervisor.run(signal);
  }

  async #preflight(): Promise<void> {
    const { config, deps } = this;
    if (config.skipPreflight) {
      deps.log.warn("preflight_skipped");
      return;
    }
    const results = await runPreflight({
      clients: config.clients,
      streamUrl: config.streamUrl,
      caps: deps.caps,
      deathSignal: deps.deathSignal,
      readTextFile: deps.readTextFile,
      checkStream: config.resolveIp ? undefined : () =>
        checkStream(deps.fetch, config.streamUrl, {
          timeoutMs: config.timeoutMs,
          headers: {
            ...Object.fromEntries(requestHeaders(config).map(splitHeader)),
            "user-agent": `${config.userAgent}/preflight`,
          },
        }),
    });
    for (const r of results) logCheck(deps.log, r);
    const failed = results.filter((r) => r.status === "fail");
    if (failed.length) {
      throw new SwarmStartError(
        `preflight failed: ${failed.map((r) => `${r.name} (${r.detail})`).join("; ")}` +
          " — fix it, or pass --skip-preflight to run anyway",
      );
    }
  }

  async #runRecord(mapping: StreamMapping): Promise<RunRecord> {
    const { config, deps } = this;
    const { command, args } = clientCommand(config, deps.caps, mapping, 0);
    const limits = await deps.readTextFile("/proc/self/limits").catch(() => "");
    return {
      hlsSwarmVersion: VERSION,
      ffmpeg: { ...deps.caps },
      ffmpegArgv: [command, ...args],
      host: {
        hostname: Deno.hostname(),
        cpus: navigator.hardwareConcurrency,
        memoryBytes: Deno.systemMemoryInfo?.().total ?? null,
        openFilesLimit: parseLimit(limits, "Max open files")?.hard ?? null,
        processLimit: parseLimit(limits, "Max processes")?.soft ?? null,
      },
      config: {
        clients: config.clients,
        rampRate: config.rampRate,
        durationMs: config.durationMs,
        variant: config.variant,
        statsLogLevel: config.statsLogLevel,
      },
    };
  }

  /** The 1 s tick: fleet sampling, then stalled clients restarted if asked to. */
  #sample(): void {
    this.fleet.sample(this.deps.clock.now());
    if (!this.config.restartOnStall || this.#stop.signal.aborted) return;
    for (const supervisor of this.#supervisors) {
      const client = this.fleet.clients.get(supervisor.clientId);
      if (!client?.state.stalled) continue;
      if (supervisor.restart("stalled")) {
        this.deps.log.warn("client_stalled_restart", {
          client_id: supervisor.clientId,
          recent_speed: client.state.recentSpeed,
          drift_ms: client.state.driftMs === null ? null : Math.round(client.state.driftMs),
        });
      }
    }
  }

  #logProgress(): void {
    const l = this.lifecycle;
    this.deps.log.info("progress", {
      running: l.running,
      target: l.targetClients,
      started: l.startedClients,
      starts: l.starts,
      restarts: l.restarts,
      unexpected_exits: l.unexpectedExits,
    });
  }
}

/**
 * The stream mapping every client uses: `all` and `first` directly, `highest`/`lowest` by asking
 * ffprobe once. A failed probe falls back to `first`, or throws with policy `fail`.
 *
 * @example
 * ```ts
 * const mapping = await chooseMapping(config, runCommand, log); // { kind: "all" }
 * ```
 */
export async function chooseMapping(
  config: SwarmConfig,
  runCommand: CommandRunner,
  log: Logger,
): Promise<StreamMapping> {
  if (config.variant === "all") return { kind: "all" };
  if (config.variant === "first") return { kind: "first" };
  try {
    const programId = await probeVariant(runCommand, {
      ffprobe: ffprobePathFor(config.ffmpegPath),
      url: effectiveUrl(config.streamUrl, config.resolveIp),
      pick: config.variant,
      userAgent: `${config.userAgent}/probe`,
      headers: requestHeaders(config),
      timeoutMs: config.probeTimeoutMs,
    });
    log.info("variant_selected", { variant: config.variant, program_id: programId });
    return { kind: "program", programId };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (config.probeFailurePolicy === "fail") {
      throw new SwarmStartError(`variant probe failed: ${reason}`);
    }
    log.warn("variant_probe_failed", { reason, fallback: "first" });
    return { kind: "first" };
  }
}

function logCheck(log: Logger, r: CheckResult): void {
  const fields = { check: r.name, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) };
  if (r.status === "ok") log.info("preflight_ok", fields);
  else if (r.status === "warn") log.warn("preflight_warning", fields);
  else log.error("preflight_failed", fields);
}

function splitHeader(header: string): [string, string] {
  const i = header.indexOf(":");
  return [header.slice(0, i).trim(), header.slice(i + 1).trim()];
}
