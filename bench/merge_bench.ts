/**
 * `hls-swarm merge` at fleet size: 100 shard summaries of 1,000 clients each (every client fed
 * the real 5.1 keep-alive capture), read from JSON, checked and merged exactly.
 *
 *   deno bench -A bench/merge_bench.ts
 */
import { mergeSummaries, readShardSummary } from "../src/report/merge.ts";
import { buildSummary, type RunRecord } from "../src/report/summary.ts";
import { shardFromCaptures } from "./fixtures.ts";

const SHARDS = 100;
const CLIENTS = 1000;
// The fixture ticked its clients once at this wall time: the series goes on from there.
const EPOCH = 1_700_000_000_000;

const run: RunRecord = {
  hlsSwarmVersion: "bench",
  ffmpeg: {
    path: "ffmpeg",
    version: "5.1",
    datetimeLogFlag: false,
    segMaxRetry: false,
    reconnectOnNetworkError: true,
    inputProtocols: ["http"],
  },
  ffmpegArgv: ["ffmpeg"],
  lineReader: "native",
  workers: 0,
  tls: "n/a",
  host: { hostname: "bench", cpus: 2, memoryBytes: null, openFilesLimit: null, processLimit: null },
  config: {
    clients: SHARDS * CLIENTS,
    rampRate: 50,
    durationMs: 600_000,
    variant: "all",
    statsLogLevel: "trace",
    playerBufferMs: 2000,
  },
};
const shard = shardFromCaptures(CLIENTS);
// Ten minutes of per-second series, as a long shard would carry.
for (let t = 1; t <= 600; t++) shard.tick(t * 1000, EPOCH + t * 1000);
const snapshot = shard.snapshot(EPOCH + 600_000);
const texts = Array.from({ length: SHARDS }, (_, index) =>
  JSON.stringify(buildSummary({
    run,
    runId: "bench-run",
    shard: { index, count: SHARDS, firstClient: index * CLIENTS, clients: CLIENTS, startAt: EPOCH },
    snapshot,
    target: "http://origin/stream.m3u8",
    startedAt: EPOCH,
    endedAt: EPOCH + 600_000,
    stoppedAt: EPOCH + 600_000,
    rampStartedAt: EPOCH + index,
    stopReason: "duration",
    metricsUrl: null,
    statsEnabled: true,
    dropThreshold: 0.01,
    origin: null,
    loadbox: null,
  })));
const merged = mergeSummaries(
  texts.map((t, i) => ({
    name: `shard-${i}`,
    summary: readShardSummary(JSON.parse(t), `shard-${i}`),
  })),
);
console.log(
  `${SHARDS} shards × ${CLIENTS} clients: ${(texts[0].length / 1024).toFixed(0)} KiB of JSON per ` +
    `shard; merged ${merged.traffic.totalRequests} requests, ${merged.clients.target} clients`,
);

Deno.bench(
  `merge ${SHARDS} shard summaries of ${CLIENTS} clients (parse, check, merge, summary)`,
  () => {
    mergeSummaries(
      texts.map((t, i) => ({
        name: `shard-${i}`,
        summary: readShardSummary(JSON.parse(t), `shard-${i}`),
      })),
    );
  },
);
