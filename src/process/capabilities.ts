/**
 * Detects what the installed FFmpeg can do, once at start-up, instead of assuming a version.
 * FFmpeg 5.1 rejects the `datetime` log flag and lacks `-seg_max_retry`; 7.1 has `-seg_max_retry`
 * only (it rejects `datetime` too); 9.0 has both.
 * @module
 */
import { EXIT, ExitError } from "../exit/codes.ts";
import type { CommandRunner } from "./command_runner.ts";

/** What this FFmpeg build supports, as far as hls-swarm cares. */
export interface FfmpegCapabilities {
  /** Path or name that was probed. */
  path: string;
  /** e.g. "5.1.9-0+deb12u1". */
  version: string;
  /** `-loglevel datetime+…` is accepted (timestamps on every log line). */
  datetimeLogFlag: boolean;
  /** The HLS demuxer has `-seg_max_retry`. */
  segMaxRetry: boolean;
  /** The HTTP protocol has `-reconnect_on_network_error`. */
  reconnectOnNetworkError: boolean;
  /** Input protocols, e.g. http, https, tcp, tls. */
  inputProtocols: string[];
}

/** Why FFmpeg could not be used at all. */
export class FfmpegUnavailableError extends ExitError {
  readonly exitCode = EXIT.failure;
  constructor(path: string, reason: string) {
    super(
      `FFmpeg not usable at "${path}": ${reason}. ` +
        "Install it (apt install ffmpeg) or point --ffmpeg at the binary.",
    );
    this.name = "FfmpegUnavailableError";
  }
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Runs a few cheap FFmpeg invocations and reports the capabilities found.
 *
 * @example
 * ```ts
 * import { runCommand } from "./command_runner.ts";
 * const caps = await detectCapabilities("ffmpeg", runCommand);
 * console.log(caps.version, caps.segMaxRetry);
 * ```
 */
export async function detectCapabilities(
  path: string,
  run: CommandRunner,
): Promise<FfmpegCapabilities> {
  let versionOut;
  try {
    versionOut = await run(path, ["-hide_banner", "-version"], PROBE_TIMEOUT_MS);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound ? "no such file or command" : String(e);
    throw new FfmpegUnavailableError(path, reason);
  }
  const version = /^ffmpeg version (\S+)/m.exec(versionOut.stdout)?.[1];
  if (versionOut.code !== 0 || !version) {
    throw new FfmpegUnavailableError(path, `"-version" did not identify FFmpeg`);
  }
  const [datetime, hls, http, protocols] = await Promise.all([
    run(path, ["-hide_banner", "-loglevel", "datetime+quiet", "-version"], PROBE_TIMEOUT_MS),
    run(path, ["-hide_banner", "-h", "demuxer=hls"], PROBE_TIMEOUT_MS),
    run(path, ["-hide_banner", "-h", "protocol=http"], PROBE_TIMEOUT_MS),
    run(path, ["-hide_banner", "-protocols"], PROBE_TIMEOUT_MS),
  ]);
  return {
    path,
    version,
    datetimeLogFlag: datetime.code === 0,
    segMaxRetry: /^\s*-seg_max_retry\b/m.test(hls.stdout),
    reconnectOnNetworkError: /^\s*-reconnect_on_network_error\b/m.test(http.stdout),
    inputProtocols: parseInputProtocols(protocols.stdout),
  };
}

/**
 * Reads the "Input:" list of `ffmpeg -protocols`.
 *
 * @example
 * ```ts
 * parseInputProtocols("Supported file protocols:\nInput:\n  http\n  https\nOutput:\n  file\n");
 * // ["http", "https"]
 * ```
 */
export function parseInputProtocols(text: string): string[] {
  const section = /Input:\s*\n([\s\S]*?)(?:\nOutput:|$)/.exec(text)?.[1] ?? "";
  return section.split(/\s+/).filter(Boolean);
}
