/**
 * One /metrics scrape: the swarm's families and the process's, with the run id on every sample.
 * @module
 */
import { exposition } from "./exposition.ts";
import { type RunFacts, type ScrapeInput, swarmFamilies } from "./families.ts";
import { processFamilies } from "./process.ts";

/**
 * A scrape function for {@link ./server.ts serveMetrics}.
 *
 * @example Not run: it needs a running swarm
 * ```ts ignore
 * const scrape = metricsScraper(facts, () => swarm.scrapeInput(), "run-1", Deno.readTextFile);
 * const text = await scrape();
 * ```
 */
export function metricsScraper(
  facts: RunFacts,
  input: () => ScrapeInput,
  runId: string,
  readTextFile: (path: string) => Promise<string>,
): () => Promise<string> {
  return async () => {
    const families = [
      ...swarmFamilies(facts, input()),
      ...await processFamilies(readTextFile),
    ];
    return exposition(families, { run_id: runId });
  };
}
