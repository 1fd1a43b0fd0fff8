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
import { clientCommand } from "./mapping.ts";

/**
 * The run record of this run on this host.
 *
 * @example
 * ```ts
 * const record = await runRecord(config, caps, mapping, tls, Deno.readTextFile);
 * ```
 */
export async function runRecord(
  config: SwarmConfig,
  caps: FfmpegCapabilities,
  mapping: StreamMapping,
  tls: TlsSetup,
  readTextFile: (path: string) => Promise<string>,
): Promise<RunRecord> {
  const { command, args } = clientCommand(config, caps, mapping, tls, 0);
  const limits = await readTextFile("/proc/self/limits").catch(() => "");
  return {
    hlsSwarmVersion: VERSION,
    ffmpeg: { ...caps },
    ffmpegArgv: [command, ...args],
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
    },
  };
}
