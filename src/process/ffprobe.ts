/**
 * Reads the variants of a master playlist with ffprobe, once before the ramp (for `--variant
 * highest|lowest` and `--variant-mix`), with a timeout and the same User-Agent and headers the
 * clients send.
 *
 * FFmpeg sends every header to a redirect target, so the redirects are followed first (as
 * preflight follows them, credential headers to the first origin only) and ffprobe gets the URL
 * they end at, without the credential headers when that URL is on another origin.
 * @module
 */
import { resolveRedirects, withoutHeaders } from "../net/redirects.ts";
import type { CommandRunner } from "./command_runner.ts";

/** One HLS program (variant) as ffprobe reports it. */
export interface ProbedProgram {
  programId: number;
  bitrate: number;
  /** The video stream's size, or null for an audio-only variant. */
  width: number | null;
  height: number | null;
}

/**
 * ffprobe's path for an FFmpeg path: the sibling `ffprobe` when the path ends in `ffmpeg`.
 *
 * @example
 * ```ts
 * ffprobePathFor("/opt/ff/bin/ffmpeg"); // "/opt/ff/bin/ffprobe"
 * ffprobePathFor("ffmpeg"); // "ffprobe"
 * ```
 */
export function ffprobePathFor(ffmpegPath: string): string {
  return ffmpegPath.endsWith("ffmpeg") ? `${ffmpegPath.slice(0, -6)}ffprobe` : "ffprobe";
}

/**
 * Reads `programs[].program_id`, `tags.variant_bitrate` and the first video stream's size from
 * `ffprobe -show_programs` JSON.
 *
 * @example
 * ```ts
 * parsePrograms('{"programs":[{"program_id":0,"tags":{"variant_bitrate":"800000"},' +
 *   '"streams":[{"codec_type":"video","width":640,"height":360}]}]}');
 * // [{ programId: 0, bitrate: 800000, width: 640, height: 360 }]
 * ```
 */
export function parsePrograms(json: string): ProbedProgram[] {
  const data = JSON.parse(json) as {
    programs?: {
      program_id?: number;
      tags?: { variant_bitrate?: string };
      streams?: { codec_type?: string; width?: number; height?: number }[];
    }[];
  };
  return (data.programs ?? [])
    .filter((p) => typeof p.program_id === "number")
    .map((p) => {
      const video = p.streams?.find((s) => s.codec_type === "video" && s.width && s.height);
      return {
        programId: p.program_id as number,
        bitrate: Number.parseInt(p.tags?.variant_bitrate ?? "", 10) || 0,
        width: video?.width ?? null,
        height: video?.height ?? null,
      };
    });
}

/** How to probe a master playlist. */
export interface ProbeOptions {
  ffprobe: string;
  url: string;
  userAgent: string;
  headers: string[];
  /** TLS arguments for the URL (see tls.ts). */
  tlsArgs: string[];
  timeoutMs: number;
  /**
   * Follow the redirects first, with this fetch, keeping the headers named in
   * `credentialHeaders` (lower case) to the URL's own origin. Without it ffprobe gets the URL
   * as given (with --resolve: Deno's fetch cannot send the Host header that needs).
   */
  redirects?: { fetch: typeof fetch; credentialHeaders: readonly string[] };
}

/**
 * Probes `url` and returns its variants, lowest bitrate first. Throws with a message saying why
 * when ffprobe fails, times out or finds no programs.
 *
 * @example Not run: it runs ffprobe against a stream on the network
 * ```ts ignore
 * const programs = await probePrograms(runCommand, { ffprobe: "ffprobe", url,
 *   userAgent: "hls-swarm/0.1.0/probe", headers: [], tlsArgs: [], timeoutMs: 10_000 });
 * ```
 */
export async function probePrograms(
  run: CommandRunner,
  opts: ProbeOptions,
): Promise<ProbedProgram[]> {
  let { url, headers } = opts;
  if (opts.redirects) {
    const chain = await resolveRedirects(opts.redirects.fetch, url, {
      headers: [...headers, `User-Agent: ${opts.userAgent}`],
      credentialHeaders: opts.redirects.credentialHeaders,
      timeoutMs: opts.timeoutMs,
    }).catch(() => null); // Unreachable here too: ffprobe says why in its own words.
    if (chain) {
      url = chain.finalUrl;
      if (chain.crossOrigin) headers = withoutHeaders(headers, opts.redirects.credentialHeaders);
    }
  }
  const args = ["-v", "error", "-print_format", "json", "-show_programs"];
  args.push("-user_agent", opts.userAgent, "-rw_timeout", String(opts.timeoutMs * 1000));
  if (headers.length) args.push("-headers", headers.map((h) => `${h}\r\n`).join(""));
  args.push(...opts.tlsArgs, url);
  const out = await run(opts.ffprobe, args, opts.timeoutMs);
  if (out.timedOut) throw new Error(`ffprobe timed out after ${opts.timeoutMs} ms`);
  if (out.code !== 0) {
    throw new Error(`ffprobe exited ${out.code}: ${out.stderr.trim().split("\n").pop() ?? ""}`);
  }
  const programs = parsePrograms(out.stdout).sort((a, b) => a.bitrate - b.bitrate);
  if (!programs.length) throw new Error("ffprobe found no variants (is this a master playlist?)");
  return programs;
}
