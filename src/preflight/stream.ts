/**
 * Checks that the stream answers before the ramp starts, so a wrong URL or a down origin is one
 * clear error instead of N crash-looping clients.
 * @module
 */
import { systemClock } from "../clock.ts";
import { fetchText } from "../net/fetch_text.ts";
import { CREDENTIAL_HEADERS } from "../secrets/redact.ts";
import type { CheckResult } from "./checks.ts";
import { type RedirectHop, sameOriginFetch } from "../net/redirects.ts";

/** How much of the playlist preflight reads: its head tells a playlist from anything else. */
export const PREFLIGHT_MAX_BYTES = 64 * 1024;

/**
 * Fetches the playlist once and checks for a 200 and an `#EXTM3U` body. At most
 * {@linkcode PREFLIGHT_MAX_BYTES} of the body are read, however large it is.
 *
 * Redirects are followed as a browser follows them: the credential headers (`credentialHeaders`,
 * lower case; default Authorization, Cookie, Proxy-Authorization) go to the URL's own origin
 * only. A redirect to another origin that left them out makes the check a warning, with a
 * `notice` for stderr: FFmpeg clients will send them there all the same.
 *
 * @example
 * ```ts
 * const r = await checkStream(fetch, "http://127.0.0.1:17080/stream.m3u8", {
 *   timeoutMs: 5000, headers: { "user-agent": "hls-swarm/0.1.0/preflight" } });
 * r.status; // "ok"
 * ```
 */
export async function checkStream(
  fetchFn: typeof fetch,
  url: string,
  opts: {
    timeoutMs: number;
    headers: Record<string, string>;
    credentialHeaders?: readonly string[];
  },
): Promise<CheckResult> {
  const hops: RedirectHop[] = [];
  const follow = sameOriginFetch(
    fetchFn,
    opts.credentialHeaders ?? CREDENTIAL_HEADERS,
    (h) => hops.push(h),
  );
  const result = await fetchPlaylist(follow, url, opts);
  const leak = hops.find((h) => h.dropped.length);
  if (!leak) return result;
  const names = [...new Set(hops.flatMap((h) => h.dropped))].join(", ");
  const note = `the stream redirects to another origin, ${leak.toOrigin}: preflight sent it ` +
    `no ${names}, but every FFmpeg client will (FFmpeg sends all its headers to a redirect target)`;
  return {
    name: "stream",
    status: result.status === "ok" ? "warn" : result.status,
    detail: `${result.detail}; ${note}`,
    fix: result.fix ??
      "give the URL the redirect ends at, if that origin is meant to get the credentials",
    notice: `warning: ${note}`,
  };
}

async function fetchPlaylist(
  fetchFn: typeof fetch,
  url: string,
  opts: { timeoutMs: number; headers: Record<string, string> },
): Promise<CheckResult> {
  const name = "stream";
  const fix = "check the URL and that the origin is up (or --skip-preflight)";
  try {
    const res = await fetchText(fetchFn, url, {
      clock: systemClock,
      timeoutMs: opts.timeoutMs,
      maxBytes: PREFLIGHT_MAX_BYTES,
      overLimit: "truncate",
      headers: opts.headers,
    });
    const body = res.body;
    if (res.status !== 200) {
      return { name, status: "fail", detail: `GET ${url} answered HTTP ${res.status}`, fix };
    }
    if (!body.trimStart().startsWith("#EXTM3U")) {
      return {
        name,
        status: "fail",
        detail: `GET ${url} is not an HLS playlist (no #EXTM3U)`,
        fix,
      };
    }
    const kind = body.includes("#EXT-X-STREAM-INF") ? "master playlist" : "media playlist";
    return { name, status: "ok", detail: `${url} answered 200 with a ${kind}` };
  } catch (e) {
    return { name, status: "fail", detail: `GET ${url} failed: ${(e as Error).message}`, fix };
  }
}
