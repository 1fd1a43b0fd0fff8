/**
 * Builds the FFmpeg argv for one client. Pure: the same inputs always give the same argv, so
 * `--print-cmd` shows exactly what client 0 runs.
 * @module
 */
import { withCmcdSession } from "../config/cmcd.ts";
import type { SwarmConfig } from "../config/config.ts";
import { edgeAddressFor, type ResolvePlan } from "../config/resolve.ts";
import { type MixRendition, renditionFor } from "./variant_match.ts";
import type { FfmpegCapabilities } from "./capabilities.ts";
import { tlsArgs, type TlsSetup } from "./tls.ts";

/** The parts of the configuration that shape a client's command. */
export type ClientCommandConfig = Pick<
  SwarmConfig,
  | "streamUrl"
  | "stats"
  | "statsLogLevel"
  | "resolve"
  | "reconnect"
  | "reconnectDelayMaxSeconds"
  | "timeoutMs"
  | "userAgent"
  | "noCache"
  | "headers"
  | "segMaxRetry"
  | "variant"
  | "cmcd"
  | "runId"
>;

/**
 * How each client maps streams: every stream, the first video/audio, one HLS program, or one
 * program per client by the rendition mix (src/process/variant_match.ts).
 */
export type StreamMapping = { kind: "all" } | { kind: "first" } | {
  kind: "program";
  programId: number;
} | { kind: "mix"; renditions: MixRendition[] };

/**
 * Chooses client `id`'s `-map` arguments for a mapping.
 *
 * @example
 * ```ts
 * mapArgs({ kind: "program", programId: 2 }, 0); // ["-map", "0:p:2"]
 * ```
 */
export function mapArgs(mapping: StreamMapping, id: number): string[] {
  switch (mapping.kind) {
    case "all":
      return ["-map", "0"];
    case "first":
      return ["-map", "0:v:0?", "-map", "0:a:0?"];
    case "program":
      return ["-map", `0:p:${mapping.programId}`];
    case "mix":
      return ["-map", `0:p:${renditionFor(mapping.renditions, id).programId}`];
  }
}

/**
 * The `-loglevel` value: `repeat` so no line is folded into "repeated N times", `level` so every
 * line carries its level tag, `datetime` where this FFmpeg accepts it.
 *
 * @example
 * ```ts
 * logLevelArg(true, "trace", false); // "repeat+level+trace"
 * ```
 */
export function logLevelArg(stats: boolean, level: string, datetime: boolean): string {
  return ["repeat", "level", ...(datetime ? ["datetime"] : []), stats ? level : "info"].join("+");
}

/**
 * The User-Agent of client `id`: every client, client 0 included, ends in `/client-<id>` so the
 * origin's access log can tell clients apart.
 *
 * @example
 * ```ts
 * clientUserAgent("hls-swarm/0.1.0", 0); // "hls-swarm/0.1.0/client-0"
 * ```
 */
export function clientUserAgent(base: string, id: number): string {
  return `${base}/client-${id}`;
}

/**
 * The URL FFmpeg opens: with `--resolve` the host is replaced by the client's address (IPv6 in
 * brackets) and the port kept; the original host travels in a Host header.
 *
 * @example
 * ```ts
 * effectiveUrl("http://cdn.example:8080/a.m3u8", "::1"); // "http://[::1]:8080/a.m3u8"
 * ```
 */
export function effectiveUrl(streamUrl: string, resolveIp: string): string {
  if (!resolveIp) return streamUrl;
  const url = new URL(streamUrl);
  url.hostname = resolveIp.includes(":") && !resolveIp.startsWith("[")
    ? `[${resolveIp}]`
    : resolveIp;
  return url.href;
}

/**
 * The request headers FFmpeg sends besides its own, in order: Host (with --resolve), no-cache
 * headers (with --no-cache), then each --header.
 *
 * @example
 * ```ts
 * requestHeaders({ streamUrl: "http://a/x.m3u8", resolve: null, noCache: true, headers: [] });
 * // ["Cache-Control: no-cache, no-store, must-revalidate", "Pragma: no-cache"]
 * ```
 */
export function requestHeaders(
  cfg: Pick<ClientCommandConfig, "streamUrl" | "resolve" | "noCache" | "headers">,
): string[] {
  const headers: string[] = [];
  if (cfg.resolve) headers.push(`Host: ${new URL(cfg.streamUrl).host}`);
  if (cfg.noCache) {
    headers.push("Cache-Control: no-cache, no-store, must-revalidate", "Pragma: no-cache");
  }
  return [...headers, ...cfg.headers];
}

/**
 * Client `id`'s request headers: {@linkcode requestHeaders}, and with `--cmcd` its own
 * `CMCD-Session` (the user's CMCD-Session keys merged in, src/config/cmcd.ts). The probe and
 * preflight are not viewers and send no sid.
 *
 * @example Not run: it needs a loaded SwarmConfig
 * ```ts ignore
 * clientHeaders({ ...cfg, cmcd: true, runId: "run1", headers: [] }, 3);
 * // ['CMCD-Session: sid="run1-3"']
 * ```
 */
export function clientHeaders(
  cfg: Pick<
    ClientCommandConfig,
    "streamUrl" | "resolve" | "noCache" | "headers" | "cmcd" | "runId"
  >,
  id: number,
): string[] {
  const headers = requestHeaders(cfg);
  return cfg.cmcd ? withCmcdSession(headers, cfg.runId, id) : headers;
}

/**
 * Builds client `id`'s FFmpeg arguments (without the binary itself).
 *
 * Progress goes to stdout (`-progress pipe:1`): the null muxer writes nothing there, and a pipe
 * on stdout needs no extra file descriptor, which `Deno.Command` cannot pass. `-nostats` keeps
 * the `\r` status line out of stderr, since progress carries the same numbers.
 *
 * @example Not run: it needs a loaded SwarmConfig, FFmpeg's capabilities and TLS
 * ```ts ignore
 * const args = buildFfmpegArgs(0, cfg, caps, { kind: "all" }, tls);
 * // ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "repeat+level+trace", ...]
 * ```
 */
export function buildFfmpegArgs(
  id: number,
  cfg: ClientCommandConfig,
  caps: Pick<FfmpegCapabilities, "datetimeLogFlag" | "segMaxRetry" | "reconnectOnNetworkError">,
  mapping: StreamMapping,
  tls: Pick<TlsSetup, "verify" | "caFile">,
): string[] {
  const args = ["-hide_banner", "-nostdin", "-nostats"];
  args.push("-loglevel", logLevelArg(cfg.stats, cfg.statsLogLevel, caps.datetimeLogFlag));
  if (cfg.stats) args.push("-progress", "pipe:1", "-stats_period", "1");
  const address = cfg.resolve ? edgeAddressFor(cfg.resolve, id) : "";
  args.push(...tlsArgs(cfg.streamUrl, tls), ...verifyHostArgs(cfg.streamUrl, cfg.resolve, tls));
  if (cfg.reconnect) {
    args.push("-reconnect", "1", "-reconnect_streamed", "1");
    if (caps.reconnectOnNetworkError) args.push("-reconnect_on_network_error", "1");
    args.push("-reconnect_delay_max", String(cfg.reconnectDelayMaxSeconds));
  }
  args.push("-rw_timeout", String(Math.round(cfg.timeoutMs * 1000)));
  args.push("-user_agent", clientUserAgent(cfg.userAgent, id));
  const headers = clientHeaders(cfg, id);
  if (headers.length) args.push("-headers", headers.map((h) => `${h}\r\n`).join(""));
  if (caps.segMaxRetry) args.push("-seg_max_retry", String(cfg.segMaxRetry));
  args.push("-i", effectiveUrl(cfg.streamUrl, address));
  args.push(...mapArgs(mapping, id), "-c", "copy", "-f", "null", "-");
  return args;
}

/**
 * With `--resolve` on https, the name the certificate must carry: the URL's host, not the
 * address FFmpeg connects to (FFmpeg's tls `verifyhost`). FFmpeg sends no SNI to an address.
 *
 * @example
 * ```ts
 * const plan = { host: "cdn.example", port: 443, addresses: [{ ip: "127.0.0.2", weight: 1 }] };
 * verifyHostArgs("https://cdn.example/a.m3u8", plan, { verify: true }); // ["-verifyhost", "cdn.example"]
 * verifyHostArgs("http://cdn.example/a.m3u8", plan, { verify: true }); // []
 * ```
 */
export function verifyHostArgs(
  streamUrl: string,
  resolve: ResolvePlan | null,
  tls: Pick<TlsSetup, "verify">,
): string[] {
  return resolve && tls.verify && streamUrl.startsWith("https:")
    ? ["-verifyhost", resolve.host]
    : [];
}

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
