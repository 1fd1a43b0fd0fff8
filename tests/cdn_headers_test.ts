/**
 * Cache status and edge from the response headers, against a real CDN-shaped setup: two nginx
 * edges (caching reverse proxies on 127.0.0.2 and 127.0.0.3, tests/cdn_edges.ts) in front of the
 * built-in origin, edge B warmed first, three viewers on each (one hls-swarm run per edge, at the
 * same time, as the two shards of one run; edge B's on two worker threads). Hits, misses, per edge
 * and per kind, read from FFmpeg's trace of the headers, agree with the edges' own
 * `$upstream_cache_status` logs; the TTFB of hits and of misses is shown apart; `hls-swarm merge`
 * of the two shards' summaries adds their CDN figures up exactly.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import type { RequestRecord } from "../src/client/request_log.ts";
import { CACHE_STATUSES, normaliseCacheStatus } from "../src/parser/cache_headers.ts";
import { classifyUrl, REQUEST_KINDS } from "../src/parser/url_kind.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { freePort, runSwarm, uniqueAgent } from "./helpers.ts";
import { mergeInProcess } from "./merge_inputs.ts";
import { type Edge, startEdge } from "./cdn_edges.ts";

const CLIENTS = 3;

/** `kind cache` → count, from an edge's `hls_swarm` log lines of `agent`'s viewers. */
async function edgeTally(edge: Edge, agent: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await Deno.readTextFile(edge.nginxLog)).split("\n")) {
    const m = /"\S+ (\S+) [^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)" \S+ \S+ (\S+) /.exec(line);
    if (!m || !m[3].startsWith(`${agent}/client-`) || m[4] === "-") continue;
    const key = `${classifyUrl(m[1])} ${normaliseCacheStatus(m[4])}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The same tally from a run's summary (its CDN figures, from the headers). */
function summaryTally(s: RunSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of REQUEST_KINDS) {
    for (const c of CACHE_STATUSES) {
      const n = s.cdn.byKind[k].byStatus[c].requests;
      if (n) out[`${k} ${c}`] = n;
    }
  }
  return out;
}

Deno.test("CDN headers: two nginx edges, hits and misses per edge and kind agree with their logs", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const port = freePort();
  const base = new URL(origin.url).origin;
  const edges = [
    await startEdge("edge-a", "127.0.0.2", port, base, "/no-such-viewer"),
    await startEdge("edge-b", "127.0.0.3", port, base, "/no-such-viewer"),
  ];
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-cdn-" });
  try {
    // Edge B's cache is warm: a viewer that is not the test's fetched what the playlist lists.
    const playlist = await (await fetch(edges[1].url("/stream.m3u8"))).text();
    for (const uri of playlist.split("\n").filter((l) => l && !l.startsWith("#"))) {
      await (await fetch(edges[1].url(`/${uri}`))).arrayBuffer();
    }
    const agent = uniqueAgent("cdn-headers");
    const runId = `cdn-${Date.now()}`;
    const runs = await Promise.all(edges.map(async (edge, i) => {
      const json = `${dir}/summary-${i}.json`, log = `${dir}/requests-${i}.ndjson`;
      const run = await runSwarm([
        `--clients=${CLIENTS * edges.length}`,
        `--shard=${i}/${edges.length}`,
        `--run-id=${runId}`,
        `--workers=${i * 2}`,
        `--ramp-rate=${CLIENTS}`,
        "--duration=12s",
        "--metrics=off",
        `--user-agent=${agent}`,
        `--summary-json=${json}`,
        `--request-log=${log}`,
        "--threshold=segment_hit_ratio>10%",
        edge.url("/stream.m3u8"),
      ]);
      assertEquals(run.code, 0, run.stderr.slice(-1500));
      const summary: RunSummary = JSON.parse(await Deno.readTextFile(json));
      const records: RequestRecord[] = (await Deno.readTextFile(log)).trim().split("\n")
        .map((l) => JSON.parse(l));
      return { run, summary, records };
    }));
    for (const [i, edge] of edges.entries()) {
      const { run, summary, records } = runs[i];
      const fromHeaders = summaryTally(summary), fromLog = await edgeTally(edge, agent);
      const withoutHeaders = records.filter((r) => r.cache === null);
      console.log(
        `${edge.name}: headers ${JSON.stringify(fromHeaders)}\n${edge.name}: its log ` +
          `${JSON.stringify(fromLog)}; requests without headers (cut by the stop): ` +
          `${withoutHeaders.length}`,
      );
      // Every response whose headers FFmpeg read is the edge's, with the edge's cache status.
      // The edge also logs a request the stop cut before its headers came: those are the
      // request log's lines without a cache status, and nothing else differs.
      let missing = 0;
      for (const key of new Set([...Object.keys(fromHeaders), ...Object.keys(fromLog)])) {
        const d = (fromLog[key] ?? 0) - (fromHeaders[key] ?? 0);
        assert(
          d >= 0,
          `${edge.name} ${key}: ${fromHeaders[key]} from headers, ${fromLog[key]} logged`,
        );
        missing += d;
      }
      assertEquals(
        missing,
        withoutHeaders.filter((r) => r.status === null || r.status >= 200).length,
      );
      // Per edge: one edge, every response with a header, under its own name.
      const [only, ...others] = summary.cdn.edges;
      assertEquals([only.edge, others.length], [edge.name, 0]);
      assertEquals(only.requests, Object.values(fromHeaders).reduce((n, x) => n + x, 0));
      // The request log carries the cache status and edge of every request that had them.
      assertEquals(
        records.filter((r) => r.cache !== null && r.edge === edge.name).length,
        only.requests,
      );
      // Hits and misses are timed apart, in the JSON and the text summary.
      const seg = summary.cdn.byKind.segment.byStatus;
      console.log(
        `${edge.name}: segment TTFB of hits p50 ${seg.hit.ttfbMs.p50?.toFixed(2)} ms ` +
          `(${seg.hit.ttfbMs.count}), of misses p50 ${seg.miss.ttfbMs.p50?.toFixed(2)} ms ` +
          `(${seg.miss.ttfbMs.count}); segment hit ratio ${summary.cdn.byKind.segment.hitRatio}`,
      );
      assert(seg.hit.ttfbMs.count > 0 && seg.miss.ttfbMs.count > 0, "hits and misses timed");
      const text = run.stdout + run.stderr;
      assert(text.includes("CDN (from response headers"), text.slice(-3000));
      assert(/TTFB of hits:\s+p50/.test(text) && /TTFB of misses:\s+p50/.test(text));
    }
    // The two shards' summaries merge: every CDN count is the sum, both edges are listed.
    const fleetJson = `${dir}/fleet.json`;
    const merged = await mergeInProcess([
      `${dir}/summary-0.json`,
      `${dir}/summary-1.json`,
      "--summary-json",
      fleetJson,
    ]);
    assertEquals(merged.code, 0, merged.stderr);
    const fleet: RunSummary = JSON.parse(await Deno.readTextFile(fleetJson));
    const sum = (a: Record<string, number>, b: Record<string, number>) => {
      const out = { ...a };
      for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
      return out;
    };
    const want = sum(summaryTally(runs[0].summary), summaryTally(runs[1].summary));
    console.log(
      `merged: ${JSON.stringify(summaryTally(fleet))}; edges ${
        fleet.cdn.edges.map((e) => `${e.edge} ${e.requests}`).join(", ")
      }`,
    );
    assertEquals(summaryTally(fleet), want);
    assertEquals(fleet.cdn.edges.map((e) => e.edge).sort(), ["edge-a", "edge-b"]);
    assert(merged.stdout.includes("CDN (from response headers"), merged.stdout.slice(0, 3000));
    // The warm edge served more of its segments from cache than the cold one.
    const ratio = (i: number) => runs[i].summary.cdn.byKind.segment.hitRatio ?? 0;
    assert(ratio(1) >= ratio(0), `warm ${ratio(1)} vs cold ${ratio(0)}`);
  } finally {
    for (const e of edges) await e.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
