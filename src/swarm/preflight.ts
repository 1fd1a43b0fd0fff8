/**
 * The swarm's start-up checks, logged one by one; a failure stops the run before any client
 * starts (unless --skip-preflight).
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import { type CheckResult, runPreflight } from "../preflight/checks.ts";
import { checkStream } from "../preflight/stream.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import { requestHeaders } from "../process/ffmpeg_args.ts";
import type { TlsSetup } from "../process/tls.ts";
import { secretHeaderNames } from "../secrets/redact.ts";
import { SwarmStartError } from "./errors.ts";

/** What the checks read from the outside world. */
export interface PreflightDeps {
  fetch: typeof fetch;
  readTextFile(path: string): Promise<string>;
  log: Logger;
  caps: FfmpegCapabilities;
  deathSignal: boolean;
  /** The native fan-in, which gives each FFmpeg a parent-death signal itself. */
  faninPath: string | null;
  tls: TlsSetup;
  /** Writes a line a person must see on stderr (none while the dashboard owns the terminal). */
  notice?(line: string): void;
}

/**
 * Runs every check for `config`; throws a {@linkcode SwarmStartError} listing the failures.
 *
 * @example Not run: it checks a stream on the network
 * ```ts ignore
 * await preflight(config, {
 *   fetch, readTextFile: Deno.readTextFile, log, caps, deathSignal, faninPath: null, tls,
 * });
 * ```
 */
export async function preflight(config: SwarmConfig, deps: PreflightDeps): Promise<void> {
  if (config.skipPreflight) {
    deps.log.warn("preflight_skipped");
    return;
  }
  const https = config.streamUrl.startsWith("https:");
  // Preflight verifies as the clients do: with the --ca-file besides Deno's own roots.
  const client = deps.tls.extraCaPem.length
    ? Deno.createHttpClient({ caCerts: deps.tls.extraCaPem })
    : null;
  const fetchFn: typeof fetch = client
    ? (input, init) => {
      const withClient: RequestInit & { client: Deno.HttpClient } = { ...init, client };
      return deps.fetch(input, withClient);
    }
    : deps.fetch;
  const unchecked = config.resolve
    ? "not checked (--resolve in use)"
    : config.resolveDns
    ? "not checked (--resolve-dns in use: each viewer looks the host up itself)"
    : https && !deps.tls.verify
    ? "not checked: TLS verification is off (--dangerous)"
    : null;
  const results = await runPreflight({
    clients: config.clients,
    streamUrl: config.streamUrl,
    caps: deps.caps,
    deathSignal: deps.deathSignal,
    fanin: deps.faninPath !== null,
    readTextFile: deps.readTextFile,
    unchecked,
    checkStream: () =>
      checkStream(fetchFn, config.streamUrl, {
        timeoutMs: config.timeoutMs,
        headers: {
          ...Object.fromEntries(requestHeaders(config).map(splitHeader)),
          "user-agent": `${config.userAgent}/preflight`,
        },
        credentialHeaders: secretHeaderNames(config.redactHeaders),
      }),
  });
  client?.close();
  for (const r of results) logCheck(deps.log, r);
  for (const r of results) if (r.notice) deps.notice?.(`hls-swarm: ${r.notice}\n`);
  const failed = results.filter((r) => r.status === "fail");
  if (failed.length) {
    throw new SwarmStartError(
      `preflight failed: ${failed.map((r) => `${r.name} (${r.detail})`).join("; ")}` +
        " — fix it, or pass --skip-preflight to run anyway",
    );
  }
}

function logCheck(log: Logger, r: CheckResult): void {
  const fields = { check: r.name, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) };
  if (r.status === "ok") log.info("preflight_ok", fields);
  else if (r.status === "warn") log.warn("preflight_warning", fields);
  else log.error("preflight_failed", fields);
}

function splitHeader(header: string): [string, string] {
  const i = header.indexOf(":");
  return [header.slice(0, i).trim(), header.slice(i + 1).trim()];
}
