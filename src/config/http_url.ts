/**
 * The one check of an http(s) URL given in the configuration, shared by the config loader and
 * the code that later calls `new URL` on it (the origin-metrics scraper): a URL that passed the
 * loader cannot fail later, after the clients have started, with its secrets in a stack trace.
 * Messages quote the URL without its user info and query.
 * @module
 */
import { safeUrl } from "../secrets/redact.ts";

/**
 * The parsed URL, or why `text` is not an http(s) URL with a host (one line, redacted).
 *
 * @example
 * ```ts
 * parseHttpUrl("http://node:9100/metrics"); // URL
 * parseHttpUrl("http://u:p@node:99999/metrics"); // 'not a valid URL: "http://<redacted>@node:99999/metrics"'
 * ```
 */
export function parseHttpUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a valid URL: "${safeUrl(text)}"`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `scheme must be http or https (got "${url.protocol.slice(0, -1)}")`;
  }
  if (!url.hostname) return `has no host: "${safeUrl(text)}"`;
  return url;
}
