/**
 * Which streams every client maps (the command each client runs from it is
 * process/ffmpeg_args.ts's clientCommand).
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import type { CommandRunner } from "../process/command_runner.ts";
import {
  effectiveUrl,
  requestHeaders,
  type StreamMapping,
  verifyHostArgs,
} from "../process/ffmpeg_args.ts";
import { ffprobePathFor, type ProbeOptions, probePrograms } from "../process/ffprobe.ts";
import { tlsArgs, type TlsSetup } from "../process/tls.ts";
import { secretHeaderNames } from "../secrets/redact.ts";
import { SwarmStartError } from "./errors.ts";
import { describeResolve, edgeAddressFor, type ResolvePlan } from "../config/resolve.ts";
import { DnsPins } from "../client/dns_pins.ts";
import { describeResolveDns, type DnsPlan } from "../net/dns_plan.ts";
import { dnsLookup } from "../net/dns.ts";
import { describeMix, matchVariantMix, renditionFor } from "../process/variant_match.ts";

/**
 * `--print-cmd`'s comment lines for the rendition mix and the edge addresses (none without
 * them): what each rendition and address gets, and where client 0, whose command follows, goes.
 *
 * @example
 * ```ts
 * const plan = { host: "cdn.example", port: 80,
 *   addresses: [{ ip: "127.0.0.2", weight: 1 }, { ip: "127.0.0.3", weight: 1 }] };
 * groupComments({ resolve: plan }, { kind: "all" });
 * // ["# edge addresses: cdn.example:80 → 127.0.0.2, 127.0.0.3 (round robin by client id); client 0 → 127.0.0.2"]
 * ```
 */
export function groupComments(
  config: Pick<SwarmConfig, "resolve"> & Partial<Pick<SwarmConfig, "resolveDns">>,
  mapping: StreamMapping,
  dnsAddress0: string | null = null,
): string[] {
  const lines: string[] = [];
  if (mapping.kind === "mix") {
    lines.push(
      `# rendition mix: ${describeMix(mapping.renditions)}; client 0 → ` +
        renditionFor(mapping.renditions, 0).label,
    );
  }
  if (config.resolve) {
    lines.push(
      `# edge addresses: ${describeResolve(config.resolve)}; client 0 → ` +
        edgeAddressFor(config.resolve, 0),
    );
  }
  if (config.resolveDns) {
    lines.push(
      `# edge addresses: ${describeResolveDns(config.resolveDns)}; client 0 → ` +
        `${dnsAddress0 ?? "?"} (its lookup now; every viewer, in every pod, looks up itself)`,
    );
  }
  return lines;
}

/**
 * The stream mapping every client uses: `all` and `first` directly, `highest`/`lowest` by asking
 * ffprobe once. A failed probe falls back to `first`, or throws with policy `fail`. A
 * `--variant-mix` probes once too and has no fallback: a failed probe throws (exit 1), a mix
 * naming a rendition the master lacks throws a VariantMixError (exit 2).
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
  const probes = config.variantMix !== null ||
    (config.variant !== "all" && config.variant !== "first");
  // With --resolve the probe goes where client 0 goes; with --resolve-dns it looks up itself.
  const resolve = config.resolve ??
    (config.resolveDns && probes ? await probePin(config.resolveDns, config.timeoutMs) : null);
  const probe: ProbeOptions = {
    ffprobe: ffprobePathFor(config.ffmpegPath),
    url: effectiveUrl(config.streamUrl, resolve ? edgeAddressFor(resolve, 0) : ""),
    tlsArgs: [
      ...tlsArgs(config.streamUrl, tls),
      ...verifyHostArgs(config.streamUrl, resolve, tls),
    ],
    userAgent: `${config.userAgent}/probe`,
    headers: requestHeaders({ ...config, resolve }),
    timeoutMs: config.probeTimeoutMs,
    // Credential headers reach only the stream's own origin (see net/redirects.ts).
    ...(resolve ? {} : {
      redirects: { fetch, credentialHeaders: secretHeaderNames(config.redactHeaders) },
    }),
  };
  if (config.variantMix) {
    const programs = await probePrograms(runCommand, probe).catch((e) => {
      throw new SwarmStartError(
        `variant probe failed (--variant-mix needs it): ${e instanceof Error ? e.message : e}`,
      );
    });
    const renditions = matchVariantMix(config.variantMix, programs, config.clients);
    log.info("variant_mix", { mix: describeMix(renditions) });
    return { kind: "mix", renditions };
  }
  if (config.variant === "all") return { kind: "all" };
  if (config.variant === "first") return { kind: "first" };
  try {
    const programs = await probePrograms(runCommand, probe);
    const programId =
      (config.variant === "highest" ? programs[programs.length - 1] : programs[0]).programId;
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

/** The variant probe's own lookup with --resolve-dns (it is not a viewer); a failure is exit 1. */
async function probePin(plan: DnsPlan, timeoutMs: number): Promise<ResolvePlan> {
  try {
    return await new DnsPins(plan, dnsLookup(plan.server)).pin(-1, AbortSignal.timeout(timeoutMs));
  } catch (e) {
    throw new SwarmStartError(`variant probe: ${e instanceof Error ? e.message : e}`);
  }
}
