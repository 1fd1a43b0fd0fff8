/**
 * HTTP GET of a text body with one timeout over headers and body, and a cap on how much of the
 * body is read: an exporter or an origin that answers with gigabytes, or trickles, cannot hold
 * hls-swarm up or fill its memory.
 * @module
 */
import type { Clock } from "../clock.ts";

/** What came back. */
export interface TextResponse {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
  /** The body was longer than the cap and was cut there (with `overLimit: "truncate"`). */
  truncated: boolean;
}

/** How to fetch. */
export interface FetchTextOptions {
  clock: Clock;
  timeoutMs: number;
  /** Bytes of body read at most. */
  maxBytes: number;
  /** Past `maxBytes`: fail, or keep the first `maxBytes` and stop reading. */
  overLimit: "error" | "truncate";
  headers?: Record<string, string>;
  /** Aborts the request (a stopping run); the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * GETs `url`. Rejects with a one-line reason: `timed out after N ms`, `body is over the N-byte
 * limit`, or the innermost network error ("Connection refused (os error 111)").
 *
 * @example Not run: it fetches over the network
 * ```ts ignore
 * const r = await fetchText(fetch, "http://origin/stream.m3u8", {
 *   clock: systemClock, timeoutMs: 5000, maxBytes: 65_536, overLimit: "truncate" });
 * ```
 */
export async function fetchText(
  fetchFn: typeof fetch,
  url: string,
  opts: FetchTextOptions,
): Promise<TextResponse> {
  const abort = new AbortController();
  const done = new AbortController();
  let timedOut = false;
  const timer = opts.clock.sleep(opts.timeoutMs, done.signal).then(() => {
    if (done.signal.aborted) return;
    timedOut = true;
    abort.abort();
  });
  const outer = opts.signal;
  const stopped = () => abort.abort();
  outer?.addEventListener("abort", stopped, { once: true });
  try {
    const res = await fetchFn(url, { signal: abort.signal, headers: opts.headers });
    const contentType = res.headers.get("content-type") ?? "";
    const length = Number(res.headers.get("content-length") ?? NaN);
    if (length > opts.maxBytes && opts.overLimit === "error") {
      await res.body?.cancel();
      throw new Error(`body of ${length} bytes is over the ${opts.maxBytes}-byte limit`);
    }
    const { body, truncated } = await readCapped(res, opts.maxBytes, opts.overLimit);
    return { status: res.status, statusText: res.statusText, contentType, body, truncated };
  } catch (e) {
    if (timedOut) throw new Error(`timed out after ${opts.timeoutMs} ms`);
    if (outer?.aborted) throw outer.reason;
    throw new Error(describeFetchError(e));
  } finally {
    done.abort();
    outer?.removeEventListener("abort", stopped);
    await timer;
  }
}

async function readCapped(
  res: Response,
  maxBytes: number,
  overLimit: FetchTextOptions["overLimit"],
): Promise<{ body: string; truncated: boolean }> {
  if (!res.body) return { body: "", truncated: false };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let body = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      await reader.cancel();
      if (overLimit === "error") throw new Error(`body is over the ${maxBytes}-byte limit`);
      body += decoder.decode(value.subarray(0, maxBytes - size));
      return { body, truncated: true };
    }
    size += value.byteLength;
    body += decoder.decode(value, { stream: true });
  }
  return { body: body + decoder.decode(), truncated: false };
}

/**
 * A short reason from a fetch failure: Deno nests the OS error in `cause`, inside messages
 * such as "error sending request for url (…): …".
 *
 * @example
 * ```ts
 * describeFetchError(new TypeError("fetch failed", { cause: new Error("Connection refused") }));
 * // "fetch failed: Connection refused"
 * // Deno's own: "fetch failed: client error (Connect): tcp connect error: Connection refused (os error 111)"
 * ```
 */
export function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const parts = [e.message];
  let cause: unknown = e.cause;
  for (let i = 0; i < 3 && cause instanceof Error; i++) {
    // The URL is already known to the caller, and may carry a signed query.
    const message = cause.message.replace(/^error sending request for url \([^)]*\): /, "");
    if (!parts.some((p) => p.includes(message))) parts.push(message);
    cause = cause.cause;
  }
  return parts.join(": ");
}
