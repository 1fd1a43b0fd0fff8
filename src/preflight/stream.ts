/**
 * Checks that the stream answers before the ramp starts, so a wrong URL or a down origin is one
 * clear error instead of N crash-looping clients.
 * @module
 */
import type { CheckResult } from "./checks.ts";

/**
 * Fetches the playlist once (following redirects) and checks for a 200 and an `#EXTM3U` body.
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
  opts: { timeoutMs: number; headers: Record<string, string> },
): Promise<CheckResult> {
  const name = "stream";
  const fix = "check the URL and that the origin is up (or --skip-preflight)";
  try {
    const res = await fetchFn(url, {
      headers: opts.headers,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const body = (await res.text()).slice(0, 4096);
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
    const reason = e instanceof DOMException && e.name === "TimeoutError"
      ? `no answer within ${opts.timeoutMs} ms`
      : describeFetchError(e);
    return { name, status: "fail", detail: `GET ${url} failed: ${reason}`, fix };
  }
}

/** The innermost useful reason: Deno wraps "Connection refused" in "fetch failed" causes. */
function describeFetchError(e: unknown): string {
  let message = e instanceof Error ? e.message : String(e);
  for (let c = (e as Error)?.cause; c instanceof Error; c = c.cause) {
    message = c.message.replace(/^error sending request for url \([^)]*\): /, "");
  }
  return message;
}
