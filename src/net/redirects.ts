/**
 * Redirects followed the way a browser follows them: credential headers (Authorization, Cookie,
 * Proxy-Authorization and every `--redact-header`) go only to the origin (scheme, host and
 * port) of the URL they were configured for. `fetch` with `redirect: "follow"` sends every
 * header to wherever the origin points, so preflight follows redirects itself, hop by hop, and
 * drops them at the first hop to another origin. The ffprobe variant probe gets the URL at the
 * end of the chain the same way, since FFmpeg sends every header to a redirect target and
 * cannot be told not to.
 * @module
 */

/** Statuses that redirect (with a Location). */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Hops followed at most, as browsers do (Chrome and Firefox stop at 20; 10 is plenty here). */
export const MAX_REDIRECTS = 10;

/** One redirect followed. */
export interface RedirectHop {
  status: number;
  /** The URL redirected to, whole (it may hold a signed query: redact it before printing). */
  to: string;
  /** The origin redirected to, e.g. `http://127.0.0.2:8080` (no path, query or user info). */
  toOrigin: string;
  /** It is not the origin of the first URL: credential headers were left out from here on. */
  crossOrigin: boolean;
  /** Credential headers that were configured and left out at this hop (names). */
  dropped: string[];
}

/**
 * A fetch that follows redirects itself (at most {@linkcode MAX_REDIRECTS}), sending the headers
 * named in `credentialHeaders` (any case) only to the first URL's origin, and reporting each
 * hop to `onHop`. A redirect to anything but http(s) is an error, as it is for a browser.
 *
 * @example
 * ```ts
 * // An origin (a) that redirects to a CDN (cdn), and what each of them was sent:
 * const sent: string[] = [];
 * const fetchFn: typeof fetch = (input, init) => {
 *   sent.push(`${input} ${new Headers(init?.headers).get("authorization") ?? "(none)"}`);
 *   return Promise.resolve(
 *     String(input).startsWith("http://a/")
 *       ? new Response(null, { status: 302, headers: { location: "http://cdn/stream.m3u8" } })
 *       : new Response("#EXTM3U\n"),
 *   );
 * };
 * const hops: RedirectHop[] = [];
 * const f = sameOriginFetch(fetchFn, ["authorization", "x-api-key"], (h) => hops.push(h));
 * await f("http://a/stream.m3u8", { headers: { authorization: "Bearer x" } });
 * sent; // ["http://a/stream.m3u8 Bearer x", "http://cdn/stream.m3u8 (none)"]
 * hops.some((h) => h.crossOrigin); // true: the credentials stayed home
 * ```
 */
export function sameOriginFetch(
  fetchFn: typeof fetch,
  credentialHeaders: readonly string[],
  onHop?: (hop: RedirectHop) => void,
): typeof fetch {
  const secret = new Set(credentialHeaders.map((h) => h.toLowerCase()));
  return async (input, init) => {
    const first = new URL(input instanceof Request ? input.url : String(input));
    let url = first;
    let headers = new Headers(init?.headers);
    for (let hop = 0;; hop++) {
      const res = await fetchFn(url.href, { ...init, headers, redirect: "manual" });
      const location = REDIRECT_STATUSES.has(res.status) ? res.headers.get("location") : null;
      if (location === null) return res;
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new Error(`HTTP ${res.status} redirects to an invalid Location`);
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new Error(`HTTP ${res.status} redirects to a ${next.protocol} URL (not followed)`);
      }
      const crossOrigin = next.origin !== first.origin;
      const dropped = crossOrigin ? [...headers.keys()].filter((k) => secret.has(k)) : [];
      if (dropped.length) {
        headers = new Headers(headers);
        for (const name of dropped) headers.delete(name);
      }
      onHop?.({ status: res.status, to: next.href, toOrigin: next.origin, crossOrigin, dropped });
      url = next;
    }
  };
}

/** Where a URL's redirect chain ends, and whether it left the first URL's origin. */
export interface RedirectChain {
  /** The URL that answered without redirecting (the first one when nothing redirected). */
  finalUrl: string;
  /** Some hop went to another origin. */
  crossOrigin: boolean;
  hops: RedirectHop[];
}

/**
 * Follows `url`'s redirects with GETs (bodies unread) and says where they end. Credential
 * headers are sent only to `url`'s origin, as {@linkcode sameOriginFetch} does. Rejects when
 * the URL cannot be fetched or the time is up.
 *
 * @example
 * ```ts
 * // A fetch that answers like an origin whose playlist moved to b:
 * const fetchFn: typeof fetch = (input) =>
 *   Promise.resolve(
 *     String(input) === "http://a/master.m3u8"
 *       ? new Response(null, { status: 302, headers: { location: "http://b/master.m3u8" } })
 *       : new Response("#EXTM3U\n"),
 *   );
 * const chain = await resolveRedirects(fetchFn, "http://a/master.m3u8", {
 *   headers: ["Authorization: Bearer x"], credentialHeaders: ["authorization"], timeoutMs: 5000 });
 * chain.finalUrl; // "http://b/master.m3u8"
 * ```
 */
export async function resolveRedirects(fetchFn: typeof fetch, url: string, opts: {
  /** `Name: value` lines. */
  headers: readonly string[];
  credentialHeaders: readonly string[];
  timeoutMs: number;
}): Promise<RedirectChain> {
  const hops: RedirectHop[] = [];
  const follow = sameOriginFetch(fetchFn, opts.credentialHeaders, (h) => hops.push(h));
  const res = await follow(url, {
    headers: opts.headers.map((h) => {
      const i = h.indexOf(":");
      return [h.slice(0, i).trim(), h.slice(i + 1).trim()] as [string, string];
    }),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  await res.body?.cancel();
  const finalUrl = hops.length ? hops[hops.length - 1].to : url;
  return { finalUrl, crossOrigin: hops.some((h) => h.crossOrigin), hops };
}

/**
 * `headers` (`Name: value` lines) without the ones named in `names` (any case).
 *
 * @example
 * ```ts
 * withoutHeaders(["Authorization: x", "X-Plain: y"], ["authorization"]); // ["X-Plain: y"]
 * ```
 */
export function withoutHeaders(headers: readonly string[], names: readonly string[]): string[] {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return headers.filter((h) =>
    !drop.has(h.slice(0, Math.max(0, h.indexOf(":"))).trim().toLowerCase())
  );
}
