/**
 * Real shards with their CI outputs, for the merge-output and k8s-collect tests: `shards` runs of
 * hls-swarm (`--shard I/N`, one client each) against the built-in origin, each with a JSON
 * summary, a request log, and its stdout and stderr as its pod's log would hold them (set up the
 * way the manifests set a pod up: HLS_SWARM_SUMMARY_LINE and HLS_SWARM_REQUEST_LOG).
 * @module
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { finishSwarm, spawnSwarm, uniqueAgent } from "./helpers.ts";

/** One shard's files. */
export interface ShardOutputs {
  index: number;
  summary: string;
  requestLog: string;
  /** stderr then stdout, as `kubectl logs` of its pod reads. */
  podLog: string;
}

/**
 * Runs `shards` shards of run `runId` at once into `dir`; fails the test if one does not exit 0.
 *
 * @example Not run: it runs FFmpeg clients against the built-in origin
 * ```ts ignore
 * const shards = await runShards(await Deno.makeTempDir(), "run-1", 2);
 * ```
 */
export async function runShards(
  dir: string,
  runId: string,
  shards: number,
  duration = "8s",
): Promise<ShardOutputs[]> {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const agent = uniqueAgent("shard-outputs");
    const indexes = Array.from({ length: shards }, (_, i) => i);
    return await Promise.all(indexes.map(async (i) => {
      const summary = `${dir}/shard-${i}.json`, requestLog = `${dir}/shard-${i}.ndjson`;
      const r = await finishSwarm(spawnSwarm([
        `--shard=${i}/${shards}`,
        `--clients=${shards}`,
        `--duration=${duration}`,
        `--run-id=${runId}`,
        "--metrics=off",
        `--user-agent=${agent}`,
        `--summary-json=${summary}`,
        origin.url,
      ], { HLS_SWARM_SUMMARY_LINE: "true", HLS_SWARM_REQUEST_LOG: requestLog }));
      assertEquals(r.code, 0, r.stderr.slice(-2000));
      assert(r.stdout.trimEnd().split("\n").at(-1)!.startsWith("HLS_SWARM_SUMMARY "), r.stdout);
      return { index: i, summary, requestLog, podLog: r.stderr + r.stdout };
    }));
  } finally {
    await origin.close();
  }
}

/** The lines of an NDJSON file, parsed. */
export async function readNdjson(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
