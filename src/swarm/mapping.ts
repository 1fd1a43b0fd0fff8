/**
 * Which streams every client maps, and the FFmpeg command each client runs.
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import type { CommandRunner } from "../process/command_runner.ts";
import {
  buildFfmpegArgs,
  effectiveUrl,
  requestHeaders,
  type StreamMapping,
} from "../process/ffmpeg_args.ts";
import { ffprobePathFor, probeVariant } from "../process/ffprobe.ts";
import { tlsArgs, type TlsSetup } from "../process/tls.ts";
import { secretHeaderNames } from "../secrets/redact.ts";
import { SwarmStartError } from "./errors.ts";

/**
 * Client `id`'s command line for this run.
 *
 * @example Not run: it needs a config, FFmpeg's capabilities and TLS
 * ```ts ignore
 * const { command, args } = clientCommand(config, caps, { kind: "all" }, tls, 0);
 * ```
 */
export function clientCommand(
  config: SwarmConfig,
  caps: FfmpegCapabilities,
  mapping: StreamMapping,
  tls: TlsSetup,
  id: number,
): { command: string; args: string[] } {
  return { command: config.ffmpegPath, args: buildFfmpegArgs(id, config, caps, mapping, tls) };
}

/**
 * The stream mapping every client uses: `all` and `first` directly, `highest`/`lowest` by asking
 * ffprobe once. A failed probe falls back to `first`, or throws with policy `fail`.
 *
 * @example Not run: it probes the stream with ffprobe
 * ```ts ignore
 * const mapping = await chooseMapping(config, runCommand, log, tls); // { kind: "all" }
 * ```
 */
export async function chooseMapping(
  config: SwarmConfig,
  runCommand: CommandRunner,
  log: Logger,
  tls: TlsSetup,
): Promise<StreamMapping> {
  if (config.variant === "all") return { kind: "all" };
  if (config.variant === "first") return { kind: "first" };
  try {
    const url = effectiveUrl(config.streamUrl, config.resolveIp);
    const programId = await probeVariant(runCommand, {
      ffprobe: ffprobePathFor(config.ffmpegPath),
      url,
      tlsArgs: tlsArgs(config.streamUrl, tls),
      pick: config.variant,
      userAgent: `${config.userAgent}/probe`,
      headers: requestHeaders(config),
      timeoutMs: config.probeTimeoutMs,
      // Credential headers reach only the stream's own origin (see preflight/redirects.ts).
      ...(config.resolveIp ? {} : {
        redirects: { fetch, credentialHeaders: secretHeaderNames(config.redactHeaders) },
      }),
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
