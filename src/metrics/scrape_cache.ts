/**
 * One scrape build serves every request for a short while: building /metrics walks every
 * client's figures on the main thread, the same thread that reads FFmpeg's lines, so a flood of
 * scrapes must not turn into a flood of builds.
 * @module
 */

/**
 * Wraps `build` so that requests while a build is running share it, and requests within `ttlMs`
 * of a build's start get its text. A failed build is not kept: the next request tries again.
 *
 * @example
 * ```ts
 * const scrape = cachedScrape(() => Promise.resolve("up 1\n"), 1000);
 * await Promise.all([scrape(), scrape(), scrape()]); // one build
 * ```
 */
export function cachedScrape(
  build: () => Promise<string>,
  ttlMs: number,
  now: () => number = () => performance.now(),
): () => Promise<string> {
  let inFlight: Promise<string> | null = null;
  let cached: { text: string; at: number } | null = null;
  return () => {
    if (inFlight) return inFlight;
    // Aged from the build's start: what a scrape returns is never older than ttlMs plus a build.
    if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.text);
    const at = now();
    inFlight = (async () => {
      try {
        const text = await build();
        cached = { text, at };
        return text;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
}
