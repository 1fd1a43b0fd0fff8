/**
 * The worker side of a partition: runs in a Deno Worker, owns its clients' FFmpeg processes, pipes,
 * parsing and statistics, and reports a snapshot to the main thread every second. Only the
 * series' last seconds travel each time; the main thread keeps the whole series.
 * @module
 */
import { systemClock } from "../clock.ts";
import type { LogFields, Logger } from "../log/logger.ts";
import { clientSpawner } from "../fanin/choose.ts";
import { partitionClients } from "./partition_clients.ts";
import { redactorFor } from "../secrets/redact.ts";
import { clientRows } from "../stats/client_rows.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.ts";
import { Partition } from "./partition.ts";
import { parsersFor, stderrSelection } from "../parser/parsers_for.ts";

/** Seconds of series sent again with every report (a late tick may still add to them). */
const SERIES_OVERLAP_S = 3;

/**
 * Serves a partition in this worker until it is stopped and finished.
 *
 * @example Not run: it serves a partition only inside its worker thread
 * ```ts ignore
 * // in the entry module, when self.name is PARTITION_WORKER_NAME:
 * await runPartitionWorker();
 * ```
 */
export function runPartitionWorker(): Promise<void> {
  // The worker's global scope (the program's types are those of the main thread's).
  const scope = self as unknown as {
    postMessage(m: FromWorker): void;
    onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  };
  const post = (m: FromWorker) => scope.postMessage(m);
  const log = (level: "debug" | "info" | "warn" | "error") => (msg: string, fields?: LogFields) =>
    post({ type: "log", level, msg, fields });
  const logger: Logger = {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    // The main thread's logger filters by level; debug lines cost a message each, so they are
    // only sent when asked for.
    enabled: () => true,
  };
  return new Promise((resolve) => {
    let partition: Partition | null = null;
    let init: WorkerInit | null = null;
    let sentUpTo = -Infinity;
    const report = (final: boolean) => {
      if (!partition || !init) return;
      const snap = partition.snapshot();
      const from = final ? undefined : sentUpTo - SERIES_OVERLAP_S;
      const series = partition.stats.series.toWire(from);
      sentUpTo = partition.stats.series.end;
      post({
        type: "report",
        snapshot: { ...snap, series },
        rows: clientRows(partition.stats.clients.values(), init.rows),
        final,
      });
    };
    scope.onmessage = (e: MessageEvent<ToWorker>) => {
      const m = e.data;
      if (m.type === "init") {
        init = m.init;
        const { config, caps, mapping, tls } = m.init;
        const debug = config.logLevel === "debug";
        const clients = partitionClients(
          config,
          caps,
          mapping,
          { ...tls, cleanup: async () => {} },
          logger,
        );
        partition = new Partition({
          spawner: clientSpawner(
            {
              ...m.init,
              selection: stderrSelection(config),
              bufferLines: config.statsBufferLines,
            },
            systemClock,
            logger,
          ),
          clock: systemClock,
          log: debug ? logger : { ...logger, debug: () => {}, enabled: (l) => l !== "debug" },
          seed: m.init.seed,
          command: clients.command,
          options: {
            stats: config.stats,
            ffmpegDebug: config.ffmpegDebug,
            graceMs: config.shutdownGraceMs,
          },
          stats: {
            targetClients: m.init.targetClients,
            targetDurationMs: config.targetDurationMs,
            playerBufferMs: config.playerBufferMs,
            dropThreshold: config.statsDropThreshold,
            groupsOf: clients.groupsOf,
          },
          restartOnStall: config.restartOnStall,
          parsers: parsersFor(config),
          requestLogPath: config.requestLog,
          requestLogRedactor: redactorFor(config),
          onTick: () => report(false),
        });
      } else if (m.type === "start") partition?.start(m.id);
      else if (m.type === "leave") partition?.leave(m.id);
      else if (m.type === "stop" || m.type === "kill") {
        if (m.type === "kill") partition?.kill();
        else partition?.stop();
        partition?.finished().then(() => {
          report(true);
          scope.onmessage = null;
          resolve();
        }, (err) => post({ type: "error", message: String(err) }));
      }
    };
  });
}
