/**
 * The run's side: hls-swarm's `--request-log` files (one per shard or machine; client ids are
 * global, so they simply add up), read in one pass each.
 * @module
 */
import type { RequestRecord } from "../client/request_log.ts";
import { readLineBatches } from "./lines.ts";
import { LogLineError, pathOf } from "./record.ts";

/** One request the run made, as matching needs it. */
export interface SwarmRequest {
  /** When it was sent, ms since the epoch. */
  time: number;
  client: number;
  kind: string;
  path: string;
  status: number | null;
  event: RequestRecord["event"];
  /** The cache status the response's headers gave, when the request log has it. */
  cache: string | null;
}

/**
 * Appends the requests of one request log to `into`.
 *
 * @example Not run: it reads a run's --request-log file (tests/reconcile_test.ts)
 * ```ts ignore
 * const requests: SwarmRequest[] = [];
 * await readRequestLog("requests.ndjson", requests);
 * ```
 */
export async function readRequestLog(
  path: string,
  into: SwarmRequest[],
  onBytes?: (read: number) => void,
): Promise<void> {
  let lineNo = 0;
  for await (const batch of readLineBatches(path, onBytes)) {
    for (const line of batch) {
      lineNo++;
      if (line.trim() === "") continue;
      try {
        into.push(requestOf(JSON.parse(line)));
      } catch (e) {
        const why = e instanceof LogLineError ? e.message : "not a JSON line";
        throw new LogLineError(`line ${lineNo}: ${why} (is it an hls-swarm --request-log?)`);
      }
    }
  }
}

const KINDS = ["manifest", "segment", "init", "other"] as const;

function requestOf(r: Partial<RequestRecord> & { cache?: unknown }): SwarmRequest {
  const time = Date.parse(r.time ?? "");
  if (Number.isNaN(time) || typeof r.url !== "string") throw new LogLineError("no time or url");
  if (!Number.isInteger(r.client) || r.client! < 0 || r.client! >= 2 ** 24) {
    throw new LogLineError("no client id (a whole number below 2^24)");
  }
  return {
    time,
    client: r.client!,
    // One string per kind, not one per request.
    kind: KINDS.find((k) => k === r.kind) ?? "other",
    // The log redacts queries: paths are what both sides share.
    path: pathOf(r.url),
    status: typeof r.status === "number" ? r.status : null,
    event: r.event ?? null,
    cache: typeof r.cache === "string" ? r.cache : null,
  };
}
