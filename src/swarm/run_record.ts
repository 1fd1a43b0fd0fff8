/**
 * What ran, where: versions, client 0's argv, the host and the run's main settings.
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import { parseLimit } from "../preflight/checks.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import type { StreamMapping } from "../process/ffmpeg_args.ts";
import type { TlsSetup } from "../process/tls.ts";
import type { RunRecord } from "../report/summary.ts";
import { VERSION } from "../version.ts";
import { clientCommand } from "../process/ffmpeg_args.ts";
import { describeResolve } from "../config/resolve.ts";
import { describeResolveDns } from "../net/dns_plan.ts";
import { describeMix } from "../process/variant_match.ts";
import { workerCount } from "./partitions.ts";
import { stagesFlag } from "../config/stages.ts";
import { sessionDistFlag } from "../config/session_duration.ts";

/** How this process reads its clients' output, and over how many worker threads (0: main thread). */
export interface MeasuredWith {
  lineReader: "native" | "deno";
  workers: number;
}

/**
 * The worker threads `createPartitions` starts for this process's share of clients, for the
 * run record (the record is written before the shards start).
 *
 * @example
 * ```ts
 * shardWorkers({ workers: null }, { workerEntry: "file:///w.ts" }, { clients: 400 }); // 2 on 2+ cores
 * ```
 */
export function shardWorkers(
  config: Pick<SwarmConfig, "workers">,
  deps: { workerEntry?: string },
  plan: { clients: number },
): number {
  return workerCount(
    config.workers,
    plan.clients,
    navigator.hardwareConcurrency,
    deps.workerEntry !== undefined,
  );
}

/**
 * The run record of this run on this host.
 *
 * @example Not run: it needs a config, FFmpeg's capabilities and TLS
 * ```ts ignore
 * const how = { lineReader: "native", workers: 2 } as const;
 * const record = await runRecord(config, caps, mapping, tls, Deno.readTextFile, how);
 * ```
 */
export async function runRecord(
  config: SwarmConfig,
  caps: FfmpegCapabilities,
  mapping: StreamMapping,
  tls: TlsSetup,
  readTextFile: (path: string) => Promise<string>,
  how: MeasuredWith,
): Promise<RunRecord> {
  // With --resolve-dns client 0's address is its own lookup's, not known yet: its argv is shown
  // with the host name where that address goes (Host header and -verifyhost as it runs them).
  const pinned = config.resolveDns && {
    ...config,
    resolve: { ...config.resolveDns, addresses: [{ ip: config.resolveDns.host, weight: 1 }] },
  };
  const { command, args } = clientCommand(pinned || config, caps, mapping, tls, 0);
  const limits = await readTextFile("/proc/self/limits").catch(() => "");
  return {
    hlsSwarmVersion: VERSION,
    ffmpeg: { ...caps },
    ffmpegArgv: [command, ...args],
    // Said in every summary: the fan-in and Deno's pipes differ in CPU per line and lost lines.
    lineReader: how.lineReader,
    workers: how.workers,
    tls: tls.describe,
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
      playerBufferMs: config.playerBufferMs,
      variantMix: mapping.kind === "mix" ? describeMix(mapping.renditions) : null,
      resolve: config.resolve
        ? describeResolve(config.resolve)
        : config.resolveDns && describeResolveDns(config.resolveDns),
      stages: config.stages && stagesFlag(config.stages),
      sessionDuration: config.sessionDuration && sessionDistFlag(config.sessionDuration),
    },
  };
}
