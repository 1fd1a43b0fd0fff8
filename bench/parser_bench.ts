/**
 * Parser and aggregation costs over real FFmpeg 5.1 output (testdata/ffmpeg-5.1).
 * The Go tool measured ~0.25 µs per rejected line, 2–4 µs per matched line and 61 µs to
 * aggregate 100 clients (go-anchor §11.2).
 *
 *   deno bench -A bench/parser_bench.ts
 */
import { LineDecoder } from "../src/lines/decoder.ts";
import { ProgressParser } from "../src/parser/progress.ts";
import { StderrParser } from "../src/parser/stderr_events.ts";
import { captureLines, shardFromCaptures } from "./fixtures.ts";

const stderr = captureLines("stderr_trace_nginx_keepalive.txt");
const parser = new StderrParser();
const matched = stderr.filter((l) => parser.push(l, 0).length > 0);
parser.finish();
const rejected = stderr.filter((l) => !matched.includes(l));
const progress = captureLines("progress_trace_nginx_keepalive.txt");
console.log(
  `stderr capture: ${stderr.length} lines, ${matched.length} produce events, ` +
    `${rejected.length} rejected; progress capture: ${progress.length} lines`,
);

// Each iteration is one pass over a set of lines: divide by the line count printed above.
Deno.bench(`stderr: ${rejected.length} rejected lines`, { group: "stderr" }, () => {
  const p = new StderrParser();
  for (let i = 0; i < rejected.length; i++) p.push(rejected[i], i);
});

Deno.bench(`stderr: whole trace capture, ${stderr.length} lines`, { group: "stderr" }, () => {
  const p = new StderrParser();
  for (let i = 0; i < stderr.length; i++) p.push(stderr[i], i);
  p.finish();
});

Deno.bench(`stderr: ${matched.length} matched lines`, { group: "stderr" }, () => {
  const p = new StderrParser();
  for (let i = 0; i < matched.length; i++) p.push(matched[i], i);
  p.finish();
});

Deno.bench(`progress: ${progress.length} lines`, { group: "progress" }, () => {
  const p = new ProgressParser();
  for (const l of progress) p.push(l);
});

const stderrBytes = Deno.readFileSync(
  new URL("../testdata/ffmpeg-5.1/stderr_trace_nginx_keepalive.txt", import.meta.url),
);

Deno.bench("line decoder: stderr capture bytes → lines", { group: "decode" }, () => {
  const d = new LineDecoder();
  let n = 0;
  d.push(stderrBytes, () => n++);
});

for (const clients of [100, 1000]) {
  const shard = shardFromCaptures(clients);
  Deno.bench(`shard: tick + snapshot, ${clients} clients`, { group: "fleet" }, () => {
    shard.tick(1e6, 1_700_000_001_000);
    shard.snapshot(1_700_000_001_000);
  });
}
