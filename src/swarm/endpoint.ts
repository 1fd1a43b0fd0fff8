/**
 * The run's HTTP endpoint: /metrics (the swarm's and the process's families, run id on every
 * sample), /health and /ready (ready once some client has received media).
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { ScrapeInput } from "../metrics/families.ts";
import { metricsScraper } from "../metrics/scrape.ts";
import { type MetricsServer, serveMetrics } from "../metrics/server.ts";
import { urlHost } from "../net/url_host.ts";
import { redactorFor } from "../secrets/redact.ts";
import { VERSION } from "../version.ts";

/** A listening endpoint and the URL people scrape. */
export interface Endpoint {
  server: MetricsServer;
  url: string;
}

/**
 * Serves the endpoint, or returns null with --metrics off. Throws MetricsListenError when the
 * address is taken.
 *
 * @example Not run: it serves /metrics for a running swarm
 * ```ts ignore
 * const endpoint = serveEndpoint(config, { ffmpegVersion, lineReader, startedAt, readTextFile, input, ready });
 * ```
 */
export function serveEndpoint(
  config: SwarmConfig,
  deps: {
    ffmpegVersion: string;
    /** "native" or "deno": the run record's line reader, for hlsswarm_info. */
    lineReader: string;
    /** Wall-clock ms of the run's start. */
    startedAt: number;
    readTextFile(path: string): Promise<string>;
    input(): ScrapeInput;
    ready(): boolean;
  },
): Endpoint | null {
  if (!config.metricsAddr) return null;
  const scrape = metricsScraper(
    {
      version: VERSION,
      ffmpegVersion: deps.ffmpegVersion,
      denoVersion: Deno.version.deno,
      streamUrl: redactorFor(config).text(config.streamUrl),
      variant: config.variant,
      lineReader: deps.lineReader,
      targetDurationMs: config.targetDurationMs,
      startedAt: deps.startedAt,
    },
    deps.input,
    config.runId,
    deps.readTextFile,
  );
  const server = serveMetrics(scrape, config.metricsAddr, deps.ready);
  return { server, url: `http://${urlHost(server.hostname)}:${server.port}/metrics` };
}
