/**
 * A partition: a set of a process's clients that produces a mergeable snapshot. It owns the
 * clients' runners and their statistics, and ticks once per wall-clock
 * second. The same partition runs in the main thread or in a worker thread; a process's snapshot
 * is the merge of its partitions', and a fleet's the merge of its shards' (--shard I/N).
 * @module
 */
import type { Clock } from "../clock.ts";
import { type ClientDeps, type ClientHandle, startClient } from "../client/runner.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { appendSink, RequestLog, type UrlRedactor } from "../client/request_log.ts";
import { type ClientRow, clientRows } from "../stats/client_rows.ts";
import { PartitionStats, type PartitionStatsOptions } from "../stats/partition_stats.ts";
import type { PartitionHandle } from "./protocol.ts";

/** The abort reason of a viewer's own signal when it leaves (the supervisor's stop reason). */
export const LEAVE = "leave";

/** One viewer slot's current session. */
interface Slot {
  client: ClientHandle;
  /** Aborted (with {@linkcode LEAVE}) when the viewer leaves. */
  own: AbortController;
  leaving: boolean;
  /** Start the slot's next session once this one's FFmpeg has exited. */
  rejoin: boolean;
}

/** What a partition needs: its clients' dependencies (minus what it owns) and its judgement. */
export interface PartitionDeps extends Omit<ClientDeps, "stats" | "requestLog"> {
  stats: PartitionStatsOptions;
  /** Restart a client whose playback stalled (--restart-on-stall). */
  restartOnStall: boolean;
  /** Called after each second's tick (a worker reports then). */
  onTick?(): void;
  /** --request-log: the file the partition appends its requests to (created empty by the swarm). */
  requestLogPath?: string | null;
  /** Hides the run's secrets in the request log's URLs (`redactorFor(config)`). */
  requestLogRedactor?: UrlRedactor;
}

/**
 * Runs clients on demand until stopped.
 *
 * @example Not run: it spawns clients through its deps
 * ```ts ignore
 * const partition = new Partition(deps);
 * partition.start(0); partition.start(1);
 * partition.stop();
 * await partition.finished();
 * partition.snapshot().clients.started; // 2
 * ```
 */
export class Partition implements PartitionHandle {
  readonly stats: PartitionStats;
  readonly #deps: PartitionDeps;
  readonly #clients = new Map<number, Slot>();
  readonly #stop = new AbortController();
  readonly #ticking: Promise<void>;
  readonly #requestLog: { log: RequestLog; sink: { close(): void } } | null;
  #finishing: Promise<void> | null = null;

  constructor(deps: PartitionDeps) {
    this.#deps = deps;
    this.stats = new PartitionStats(deps.stats);
    const { clock } = deps;
    const sink = deps.requestLogPath ? appendSink(deps.requestLogPath) : null;
    this.#requestLog = sink && {
      log: new RequestLog(sink, () => clock.wallNow() - clock.now(), deps.requestLogRedactor),
      sink,
    };
    this.#ticking = this.#tickEverySecond(deps.clock);
  }

  /**
   * Starts client `id` (a global id): the next session of that viewer slot. A slot whose viewer
   * is still leaving starts again once its FFmpeg has exited. Ignored once the partition is stopping.
   */
  start(id: number): void {
    if (this.#stop.signal.aborted) return;
    const slot = this.#clients.get(id);
    if (slot) {
      if (slot.leaving && !slot.rejoin) {
        slot.rejoin = true;
        this.stats.audience.queued();
      }
      return;
    }
    this.#launch(id, true);
  }

  /** Starts slot `id`'s session now (`counted`: its join is not counted yet). */
  #launch(id: number, counted: boolean): void {
    const deps = {
      ...this.#deps,
      stats: this.stats,
      requestLog: this.#requestLog?.log,
    };
    const own = new AbortController();
    const signal = AbortSignal.any([this.#stop.signal, own.signal]);
    this.stats.audience.join(id, this.#deps.clock.now(), counted);
    const next: Slot = {
      client: startClient(id, deps, signal),
      own,
      leaving: false,
      rejoin: false,
    };
    this.#clients.set(id, next);
    next.client.done.then(() => {
      this.stats.audience.ended(id, this.#deps.clock.now(), next.leaving ? "leave" : "cut");
      if (!next.leaving) return;
      this.#clients.delete(id);
      if (!next.rejoin) return;
      if (this.#stop.signal.aborted) this.stats.audience.cutQueued();
      else this.#launch(id, false);
    });
  }

  /** Client `id`'s viewer leaves: a graceful stop (reason "leave"), not restarted. */
  leave(id: number): void {
    const slot = this.#clients.get(id);
    if (!slot || this.#stop.signal.aborted) return;
    if (slot.leaving) {
      // A viewer still waiting for the slot leaves before its session began.
      if (slot.rejoin) this.stats.audience.unqueued();
      slot.rejoin = false;
      return;
    }
    slot.leaving = true;
    slot.rejoin = false;
    this.stats.audience.leave(id);
    slot.own.abort(LEAVE);
  }

  /** Stops every client gracefully (SIGTERM, grace period, SIGKILL). */
  stop(): void {
    this.#stop.abort();
  }

  /** SIGKILL to every running FFmpeg now. */
  kill(): void {
    this.stop();
    for (const c of this.#clients.values()) c.client.kill();
  }

  /** Resolves once stopped and every FFmpeg has exited, after the last tick. */
  finished(): Promise<void> {
    return this.#finishing ??= this.#finish();
  }

  async #finish(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.#stop.signal.aborted) resolve();
      else this.#stop.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.all([...this.#clients.values()].map((c) => c.client.done));
    await this.#ticking;
    await this.#deps.spawner.close?.();
    const { clock } = this.#deps;
    this.stats.tick(clock.now(), clock.wallNow(), true);
    this.#requestLog?.log.flush();
    this.#requestLog?.sink.close();
  }

  /** The partition's figures now. */
  snapshot(): Snapshot {
    return this.stats.snapshot(this.#deps.clock.wallNow());
  }

  /** The `limit` worst clients now (all by default). */
  clientRows(limit?: number): ClientRow[] {
    return clientRows(this.stats.clients.values(), limit);
  }

  /** Ticks just after every wall-clock second until stopped. */
  async #tickEverySecond(clock: Clock): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      await clock.sleep(1000 - (clock.wallNow() % 1000) + 1, signal);
      if (signal.aborted) return;
      this.stats.tick(clock.now(), clock.wallNow());
      this.#requestLog?.log.flush();
      if (this.#deps.restartOnStall) this.#restartStalled();
      this.#deps.onTick?.();
    }
  }

  #restartStalled(): void {
    for (const { client } of this.#clients.values()) {
      const record = this.stats.clients.get(client.id);
      if (!record?.state.stalled || !client.restart("stalled")) continue;
      this.#deps.log.warn("client_stalled_restart", {
        client_id: client.id,
        recent_speed: record.state.recentSpeed,
        drift_ms: record.state.driftMs === null ? null : Math.round(record.state.driftMs),
      });
    }
  }
}
