/**
 * The main thread's side of a partition's worker: starts it, forwards starts and stops, and keeps its
 * latest report (with the whole series, assembled from the reports' last seconds). Its log
 * records go to the run's logger.
 * @module
 */
import type { Snapshot } from "../stats/snapshot.ts";
import type { Logger } from "../log/logger.ts";
import type { ClientRow } from "../stats/client_rows.ts";
import { SERIES_FIELDS, WallSeries } from "../stats/series.ts";
import {
  type FromWorker,
  PARTITION_WORKER_NAME,
  type PartitionHandle,
  type ToWorker,
  type WorkerInit,
} from "./protocol.ts";

/**
 * A partition running in a worker thread.
 *
 * @example Not run: it starts a worker thread that runs FFmpeg
 * ```ts ignore
 * const partition = new WorkerPartition(entryUrl, init, log, () => emptySnapshot);
 * partition.start(0);
 * partition.stop();
 * await partition.finished();
 * ```
 */
export class WorkerPartition implements PartitionHandle {
  readonly #worker: Worker;
  readonly #series = new WallSeries();
  #latest: Snapshot;
  #rows: ClientRow[] = [];
  #done!: () => void;
  readonly #finished = new Promise<void>((r) => (this.#done = r));
  #cached: Snapshot | null = null;

  /**
   * @param entry the program's entry module, which starts the worker side when its worker is
   *   named {@linkcode PARTITION_WORKER_NAME} (the same file in a bundle or in the source tree)
   * @param empty the snapshot before the first report
   */
  constructor(entry: string, init: WorkerInit, private log: Logger, empty: Snapshot) {
    this.#latest = empty;
    this.#worker = new Worker(entry, { type: "module", name: PARTITION_WORKER_NAME });
    this.#worker.onmessage = (e: MessageEvent<FromWorker>) => this.#receive(e.data);
    this.#worker.onerror = (e) => {
      e.preventDefault();
      this.log.error("shard_worker_failed", { error: e.message });
      this.#done();
    };
    this.#send({ type: "init", init });
  }

  start(id: number): void {
    this.#send({ type: "start", id });
  }

  leave(id: number): void {
    this.#send({ type: "leave", id });
  }

  stop(): void {
    this.#send({ type: "stop" });
  }

  kill(): void {
    this.#send({ type: "kill" });
  }

  async finished(): Promise<void> {
    await this.#finished;
    this.#worker.terminate();
  }

  snapshot(): Snapshot {
    return this.#cached ??= { ...this.#latest, series: this.#series.toWire() };
  }

  clientRows(limit = Infinity): ClientRow[] {
    return this.#rows.slice(0, limit);
  }

  #send(m: ToWorker): void {
    this.#worker.postMessage(m);
  }

  #receive(m: FromWorker): void {
    if (m.type === "log") this.log[m.level](m.msg, m.fields);
    else if (m.type === "error") this.log.error("shard_worker_failed", { error: m.message });
    else {
      const w = m.snapshot.series;
      const n = w.fields.segments.length;
      for (let i = 0; i < n; i++) {
        const values = Object.fromEntries(SERIES_FIELDS.map((f) => [f, w.fields[f][i] ?? 0]));
        this.#series.put(w.start + i, values as Record<typeof SERIES_FIELDS[number], number>);
      }
      this.#latest = m.snapshot;
      this.#rows = m.rows;
      this.#cached = null;
      if (m.final) this.#done();
    }
  }
}
