/**
 * Benchmark inputs made from the real FFmpeg 5.1 captures in testdata/.
 * @module
 */
import { LineDecoder } from "../src/lines/decoder.ts";
import { ProgressParser } from "../src/parser/progress.ts";
import { StderrParser } from "../src/parser/stderr_events.ts";
import { PartitionStats } from "../src/stats/partition_stats.ts";

const DATA = new URL("../testdata/ffmpeg-5.1/", import.meta.url);

/** A capture split into lines the way the pipeline splits them. */
export function captureLines(name: string): string[] {
  const out: string[] = [];
  const d = new LineDecoder();
  d.push(Deno.readFileSync(new URL(name, DATA)), (l) => out.push(l));
  d.flush((l) => out.push(l));
  return out;
}

/** A shard of `clients`, each fed the keep-alive trace capture and its progress output. */
export function shardFromCaptures(clients: number): PartitionStats {
  const stderr = captureLines("stderr_trace_nginx_keepalive.txt");
  const progress = captureLines("progress_trace_nginx_keepalive.txt");
  const fleet = new PartitionStats({
    targetClients: clients,
    targetDurationMs: 6000,
    dropThreshold: 0.01,
  });
  for (let id = 0; id < clients; id++) {
    const p = new StderrParser();
    stderr.forEach((l, i) => {
      for (const e of p.push(l, i)) fleet.record(id, e);
    });
    const pp = new ProgressParser();
    progress.forEach((l, i) => {
      const block = pp.push(l);
      if (block) fleet.recordProgress(id, block, i * 100);
    });
  }
  fleet.tick(1e6, 1_700_000_000_000);
  return fleet;
}
