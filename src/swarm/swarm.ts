/**
 * A swarm run: preflight, variant probe, the metrics endpoint, the ramp over the partitions that
 * run the clients, and a shutdown that leaves no FFmpeg behind. Per-client work (spawn, read,
 * parse, record) is the partitions' and their clients'; the swarm keeps fleet concerns only.
 * @module
 */
import { writeTextFileAtomic } from "../atomic_write.ts";
import type { SwarmConfig } from "../config/config.ts";
import { ExporterScraper } from "../exporters/scraper.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { fleetView, lineHealth } from "../fleet/view.ts";
import type { ScrapeInput } from "../metrics/families.ts";
import type { StreamMapping } from "../process/ffmpeg_args.ts";
import { buildSummary, type RunRecord, type RunSummary } from "../report/summary.ts";
import { fileWriter, TimelineWriter } from "../report/timeline.ts";
import type { PartitionSet } from "../partition/partition_set.ts";
import type { ClientRow } from "../stats/client_rows.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { LoadboxMonitor } from "../loadbox/monitor.ts";
import { LateStartError } from "./errors.ts";
import { chooseMapping } from "./mapping.ts";
import type { SwarmDeps } from "./deps.ts";
import { createPartitions } from "./partitions.ts";
import { type Endpoint, serveEndpoint } from "./endpoint.ts";
import { preflight } from "./preflight.ts";
import { rampOffsets, runRamp } from "./ramp.ts";
import { runRecord, shardWorkers } from "./run_record.ts";
import type { ShardPlan } from "./shard_plan.ts";
import { audiencePlan, processPlan } from "./audience_plan.ts";
import { RunWatch } from "./watch.ts";
import { AudienceNow, type AudiencePlan, runAudience } from "./audience.ts";
import { describeStages } from "../config/stages.ts";
import { describeSessionDist } from "../config/session_duration.ts";

export type { SwarmDeps };

/**
 * One run of the swarm. Call {@linkcode Swarm.run} once; {@linkcode Swarm.stop} (or the
 * configured duration) ends it gracefully, {@linkcode Swarm.forceStop} kills at once.
 *
 * @example Not run: it runs FFmpeg clients against a stream
 * ```ts ignore
 * const swarm = new Swarm(config, deps);
 * Deno.addSignalListener("SIGINT", () => swarm.stop("SIGINT"));
 * const summary = await swarm.run();
 * ```
 */
export class Swarm {
  /** The origin's exporters, when --origin-metrics/--nginx-metrics are set (for the dashboard). */
  origin: ExporterScraper | null = null;
  #partitions: PartitionSet | null = null;
  readonly #empty: PartitionStats;
  readonly #plan: ShardPlan;
  #mapping: StreamMapping = { kind: "all" };
  #stop = new AbortController();
  #stopReason = "";
  #stoppedAt: number | null = null;
  #rampStartedAt: number | null = null;
  readonly audienceNow = new AudienceNow(() => this.deps.clock.wallNow()); // /metrics, TUI, series
  #endpoint: Endpoint | null = null;
  /** The endpoint's URL, kept for the summary after the endpoint closes. */
  #metricsUrl: string | null = null;
  /** Aborted by forceStop: ends a --metrics-linger wait at once. */
  #forced = new AbortController();
  /** The load box watching itself: saturation windows, and the ramp's brake. */
  readonly loadbox: LoadboxMonitor;

  constructor(private config: SwarmConfig, private deps: SwarmDeps) {
    this.#plan = processPlan(config);
    this.loadbox = new LoadboxMonitor(deps.clock, deps.readTextFile);
    // Shards start once the mapping is known (run); until then the figures are empty ones.
    this.#empty = new PartitionStats({
      targetClients: this.#plan.clients,
      targetDurationMs: config.targetDurationMs,
      playerBufferMs: config.playerBufferMs,
      dropThreshold: config.statsDropThreshold,
    });
  }

  /** Why the run is stopping ("duration", "SIGINT", "quit"…), or null while it runs. */
  get stopReason(): string | null {
    return this.#stop.signal.aborted ? this.#stopReason : null;
  }

  /** Monotonic ms at which the ramp started, or null before. */
  get rampStartedAt(): number | null {
    return this.#rampStartedAt;
  }

  /** Above this share of dropped lines a client counts as degraded. */
  get dropThreshold(): number {
    return this.config.statsDropThreshold;
  }

  /** The fleet's figures now, as a mergeable snapshot. */
  snapshot(): Snapshot {
    const snap = this.#partitions?.snapshot() ?? this.#empty.snapshot(this.deps.clock.wallNow());
    return this.audienceNow.overlay(snap);
  }

  /** The `limit` worst clients now (all of them by default). */
  clientRows(limit?: number): ClientRow[] {
    return this.#partitions?.clientRows(limit) ?? [];
  }

  /** Begins a graceful shutdown (SIGTERM, grace period, SIGKILL). Later calls are ignored. */
  stop(reason: string): void {
    if (this.#stop.signal.aborted) return;
    this.#stopReason = reason;
    this.#stoppedAt = this.deps.clock.wallNow();
    this.deps.log.info("shutdown_started", {
      reason,
      running: this.snapshot().clients.running,
      grace_ms: this.config.shutdownGraceMs,
    });
    this.#stop.abort();
    this.#partitions?.stop();
  }

  /** Sends SIGKILL to every running FFmpeg now. */
  forceStop(reason: string): void {
    this.stop(reason);
    this.#forced.abort();
    this.deps.log.warn("shutdown_forced", {
      reason,
      running: this.snapshot().clients.running,
    });
    this.#partitions?.kill();
  }

  /**
   * Runs until stopped; resolves with the summary once every FFmpeg has exited. With
   * --metrics-linger, /metrics stays up until {@linkcode Swarm.closeMetrics}.
   */
  async run(): Promise<RunSummary> {
    const { config, deps } = this;
    const { clock, log } = deps;
    const startedAt = clock.wallNow();
    this.loadbox.start();
    await preflight(config, deps);
    this.#mapping = await chooseMapping(config, deps.runCommand, log, deps.tls);
    const run = await runRecord(config, deps.caps, this.#mapping, deps.tls, deps.readTextFile, {
      lineReader: deps.faninPath ? "native" : "deno",
      workers: shardWorkers(config, deps, this.#plan),
    });
    // Every partition appends to the request log: it starts empty, a new regular file (a symlink at
    // the path is replaced, not written through).
    if (config.requestLog) await writeTextFileAtomic(config.requestLog, "");
    const partitions = createPartitions(config, deps, this.#mapping, this.#plan);
    this.#partitions = partitions;
    if (this.#stop.signal.aborted) partitions.stop();
    const scraper = this.#startExporterScraper();
    this.#endpoint = serveEndpoint(config, {
      ffmpegVersion: deps.caps.version,
      lineReader: run.lineReader,
      startedAt,
      readTextFile: deps.readTextFile,
      input: () => this.#scrapeInput(),
      ready: () => this.snapshot().clients.withMedia > 0,
    });
    this.#metricsUrl = this.#endpoint?.url ?? null;
    if (this.#endpoint) log.info("metrics_listening", { url: this.#endpoint.url });
    if (config.promClientMetrics && config.clients > 200) {
      log.warn("per_client_metrics_large", {
        clients: config.clients,
        hint: "tier 2 adds ~10 series per client; scrapes grow accordingly",
      });
    }

    const signal = this.#stop.signal;
    await this.#waitForStart(signal);
    const rampStart = clock.wallNow();
    const summaryOf = (snapshot: Snapshot, endedAt: number) =>
      this.#summary(run, snapshot, startedAt, rampStart, endedAt, scraper);
    const watch = await this.#watch(signal, (snap) => summaryOf(snap, clock.wallNow()));
    if (config.durationMs > 0) {
      clock.sleep(config.durationMs, signal).then(() => this.stop("duration"));
    }
    const started = await this.#ramp(signal);

    await partitions.finished();
    await watch.finish(this.snapshot());
    if (config.metricsLingerMs <= 0) await this.closeMetrics();
    await scraper?.stop();
    await this.loadbox.stop();
    log.info("shutdown_finished", { clients_stopped: started });
    return summaryOf(this.snapshot(), clock.wallNow());
  }

  /**
   * Keeps /metrics up for --metrics-linger so Prometheus scrapes the final figures, then closes
   * it; a second signal ends the wait early.
   */
  async closeMetrics(): Promise<void> {
    const endpoint = this.#endpoint;
    this.#endpoint = null;
    if (!endpoint) return;
    const linger = this.config.metricsLingerMs;
    if (linger > 0 && !this.#forced.signal.aborted) {
      this.deps.log.info("metrics_lingering", { url: endpoint.url, linger_ms: linger });
      await this.deps.clock.sleep(linger, this.#forced.signal);
    }
    await endpoint.server.close();
  }

  #summary(
    run: RunRecord,
    snapshot: Snapshot,
    startedAt: number,
    rampStartedAt: number,
    endedAt: number,
    scraper: ExporterScraper | null,
  ): RunSummary {
    const { config } = this;
    const plan = this.#plan;
    return buildSummary({
      run,
      runId: config.runId,
      shard: config.shard && {
        ...config.shard,
        firstClient: plan.firstClient,
        clients: plan.clients,
        startAt: config.startAt,
      },
      snapshot,
      target: config.streamUrl,
      startedAt,
      endedAt,
      stoppedAt: this.#stoppedAt ?? endedAt,
      rampStartedAt,
      stopReason: this.#stopReason,
      metricsUrl: this.#endpoint?.url ?? this.#metricsUrl,
      statsEnabled: config.stats,
      dropThreshold: config.statsDropThreshold,
      origin: scraper?.snapshot() ?? null,
      loadbox: this.loadbox.report(),
      loadboxSeries: this.loadbox.series(),
    });
  }

  /** Starts the ramp over this process's share of the clients; resolves when all started. */
  async #ramp(signal: AbortSignal): Promise<number> {
    const { config, deps } = this;
    const { clock, log } = deps;
    const plan = this.#plan;
    const audience = audiencePlan(config, plan, deps.seed);
    if (audience) return await this.#audience(signal, audience);
    log.info("ramp_started", {
      clients: plan.clients,
      first_client: plan.firstClient,
      ramp_rate: plan.rampRate,
      expected_ramp_ms: Math.round(((plan.clients - 1) / plan.rampRate) * 1000),
    });
    const rampStart = clock.now();
    this.#rampStartedAt = rampStart;
    const offsets = plan.clients
      ? rampOffsets(plan.clients, plan.rampRate, config.rampJitterMs, deps.seed)
      : [];
    const started = await runRamp(
      offsets,
      clock,
      signal,
      (local) => this.#partitions!.start(local, plan.firstClient + local),
      (s) => this.#holdWhileBusy(s),
    );
    const rampMs = clock.now() - rampStart;
    log.info(signal.aborted ? "ramp_cancelled" : "ramp_finished", {
      started,
      ramp_ms: Math.round(rampMs),
      achieved_rate: started > 1 ? Number(((started - 1) / (rampMs / 1000)).toFixed(2)) : null,
    });
    return started;
  }

  /**
   * Follows --stages or --session-duration: viewers join and leave (src/swarm/audience.ts).
   * Without --duration, a run with stages ends with its last stage. Resolves with the joins.
   */
  async #audience(signal: AbortSignal, audience: AudiencePlan): Promise<number> {
    const { config, deps } = this;
    const { clock, log } = deps;
    const plan = this.#plan;
    log.info("audience_started", {
      slots: plan.clients,
      first_client: plan.firstClient,
      stages: config.stages && describeStages(config.stages),
      sessions: config.sessionDuration && describeSessionDist(config.sessionDuration),
      // With it, every session's length can be drawn again (sessionLengthMs).
      seed: deps.seed,
    });
    this.#rampStartedAt = clock.now();
    let heldSince = 0;
    const result = await runAudience(audience, clock, signal, {
      join: (local) => this.#partitions!.start(local, plan.firstClient + local),
      leave: (local) => this.#partitions!.leave(local, plan.firstClient + local),
      busy: () => this.loadbox.busy,
      onHold: (held) => {
        if (held) {
          heldSince = clock.now();
          log.warn("ramp_held", { reasons: this.loadbox.latest?.saturated ?? [] });
        } else log.info("ramp_resumed", { held_ms: Math.round(clock.now() - heldSince) });
      },
      onStatus: this.audienceNow.set,
    });
    log.info(result.completed ? "audience_finished" : "audience_cancelled", {
      joins: result.joins,
      leaves: result.leaves,
      held_ms: Math.round(result.heldMs),
    });
    // The stages are over (the plan has an end only without --duration).
    if (result.completed) this.stop("duration");
    return result.joins;
  }

  /** The per-second watch: progress line, timeline rows, thresholds with --abort-on-fail. */
  async #watch(signal: AbortSignal, live: (snap: Snapshot) => RunSummary): Promise<RunWatch> {
    const { config, deps } = this;
    const file = config.timeline ? await fileWriter(config.timeline) : null;
    const watch = new RunWatch({
      progressLogMs: deps.progressLogMs,
      timeline: file && { writer: new TimelineWriter(file), file },
      abortOn: config.abortOnFail ? config.thresholds : null,
      abortGraceMs: config.abortGraceMs,
    }, {
      clock: deps.clock,
      log: deps.log,
      snapshot: () => this.snapshot(),
      live,
      abort: () => this.stop("thresholds"),
    });
    watch.start(signal);
    return watch;
  }

  #startExporterScraper(): ExporterScraper | null {
    const { config, deps } = this;
    if (!config.originMetrics) return null;
    const scraper = new ExporterScraper(config.originMetrics, {
      fetch: deps.fetch,
      clock: deps.clock,
    });
    this.origin = scraper;
    scraper.start();
    deps.log.info("origin_metrics_scraping", { interval_ms: config.originMetrics.intervalMs });
    return scraper;
  }

  /**
   * The ramp's brake: while the load box is saturated, the next start waits (checking every
   * 250 ms). Starting FFmpeg is the most expensive thing a client does; adding starts to a
   * saturated box would cost lines and timing accuracy for every client already running.
   */
  async #holdWhileBusy(signal: AbortSignal): Promise<void> {
    if (!this.loadbox.busy) return;
    const { clock, log } = this.deps;
    const since = clock.now();
    log.warn("ramp_held", { reasons: this.loadbox.latest?.saturated ?? [] });
    while (this.loadbox.busy && !signal.aborted) await clock.sleep(250, signal);
    log.info("ramp_resumed", { held_ms: Math.round(clock.now() - since) });
  }

  /**
   * With --start-at, waits for that instant (preflight and probe are done by now). A shard
   * already later than --start-tolerance does not run: its figures would not line up with the
   * others'.
   */
  async #waitForStart(signal: AbortSignal): Promise<void> {
    const { startAt, startToleranceMs } = this.config;
    if (startAt === null) return;
    const { clock, log } = this.deps;
    const wait = startAt - clock.wallNow();
    if (wait < -startToleranceMs) {
      throw new LateStartError(
        `started ${Math.round(-wait)} ms after --start-at ${new Date(startAt).toISOString()}, ` +
          `more than --start-tolerance ${startToleranceMs} ms allows`,
      );
    }
    log.info("waiting_for_start", {
      start_at: new Date(startAt).toISOString(),
      wait_ms: Math.round(wait),
    });
    await clock.sleep(Math.max(0, wait), signal);
  }

  #scrapeInput(): ScrapeInput {
    const snapshot = this.snapshot();
    return {
      snapshot,
      view: fleetView(snapshot),
      lines: lineHealth(snapshot, this.config.statsDropThreshold),
      clients: this.config.promClientMetrics ? this.clientRows() : null,
      origin: this.origin?.snapshot() ?? null,
      loadbox: {
        latest: this.loadbox.latest,
        saturatedSeconds: this.loadbox.report().saturatedSeconds,
      },
    };
  }
}
