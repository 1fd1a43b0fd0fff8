/**
 * How this process runs its clients: on the main thread (`--workers 0`), or spread over worker
 * threads, each a partition with its own FFmpeg pipes, parsing and statistics, so reading and
 * parsing use every core while the main thread keeps the ramp, /metrics and the dashboard.
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { StreamMapping } from "../process/ffmpeg_args.ts";
import type { PartitionHandle } from "../partition/protocol.ts";
import { Partition } from "../partition/partition.ts";
import { PartitionSet } from "../partition/partition_set.ts";
import { WorkerPartition } from "../partition/worker_partition.ts";
import { redactorFor } from "../secrets/redact.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { clientGroupsOption } from "../stats/groups.ts";
import { partitionClients } from "../partition/partition_clients.ts";
import type { ShardPlan } from "./shard_plan.ts";
import type { SwarmDeps } from "./deps.ts";
import { parsersFor } from "../parser/parsers_for.ts";

/** Rows of worst clients a worker reports each second (the dashboard shows at most this). */
const REPORTED_ROWS = 50;

/**
 * How many worker threads run `clients` clients: `--workers N` as given, or by default one per
 * 200 clients, at most one per core, and none without an entry module to start them from.
 *
 * @example
 * ```ts
 * workerCount(null, 400, 8, true); // 2
 * ```
 */
export function workerCount(
  asked: number | null,
  clients: number,
  cores: number,
  canSpawn: boolean,
): number {
  if (!canSpawn) return 0;
  if (asked !== null) return asked;
  return Math.max(1, Math.min(cores, Math.ceil(clients / 200)));
}

/**
 * The partitions of this process, started and ready for clients.
 *
 * @example Not run: it starts FFmpeg clients
 * ```ts ignore
 * const partitions = createPartitions(config, deps, mapping, plan);
 * partitions.start(0, plan.firstClient);
 * ```
 */
export function createPartitions(
  config: SwarmConfig,
  deps: SwarmDeps,
  mapping: StreamMapping,
  plan: ShardPlan,
): PartitionSet {
  const stats = (targetClients: number) => ({
    targetClients,
    targetDurationMs: config.targetDurationMs,
    playerBufferMs: config.playerBufferMs,
    dropThreshold: config.statsDropThreshold,
    ...clientGroupsOption(config, mapping),
  });
  const n = workerCount(
    config.workers,
    plan.clients,
    navigator.hardwareConcurrency,
    deps.workerEntry !== undefined,
  );
  // Client k of this process goes to partition k % n.
  const share = (i: number, of: number) => Math.floor((plan.clients - i + of - 1) / of);
  let partitions: PartitionHandle[];
  if (n === 0) {
    const clients = partitionClients(config, deps.caps, mapping, deps.tls, deps.log);
    partitions = [
      new Partition({
        spawner: deps.spawner,
        clock: deps.clock,
        log: deps.log,
        seed: deps.seed,
        command: clients.command,
        options: {
          stats: config.stats,
          ffmpegDebug: config.ffmpegDebug,
          graceMs: config.shutdownGraceMs,
        },
        stats: { ...stats(plan.clients), groupsOf: clients.groupsOf },
        restartOnStall: config.restartOnStall,
        parsers: parsersFor(config),
        requestLogPath: config.requestLog,
        requestLogRedactor: redactorFor(config),
      }),
    ];
  } else {
    const { cleanup: _, ...tls } = deps.tls;
    partitions = Array.from({ length: n }, (_, i) =>
      new WorkerPartition(
        deps.workerEntry!,
        {
          config,
          caps: deps.caps,
          mapping,
          tls,
          deathSignal: deps.deathSignal,
          faninPath: deps.faninPath,
          seed: deps.seed + i,
          targetClients: share(i, n),
          rows: config.promClientMetrics ? Infinity : REPORTED_ROWS,
        },
        deps.log,
        new PartitionStats(stats(share(i, n))).snapshot(deps.clock.wallNow()),
      ));
  }
  deps.log.info("shards_started", { workers: n, clients: plan.clients });
  return new PartitionSet(partitions, deps.clock);
}
