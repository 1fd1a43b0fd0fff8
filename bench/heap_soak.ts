/**
 * Where a long run's memory goes: hls-swarm with N replay clients (build/hls-replay playing the
 * captured FFmpeg 5.1 trace at its pace; no network, no FFmpeg) for M minutes, its /metrics
 * scraped every 5 s. Per window it prints the V8 heap in use at its lowest (the heap just after
 * a collection: what is kept, not what awaits collection) and the RSS, then the growth per hour
 * of both from minute 5 to the end (a least-squares slope). With `--workers 0` every figure is in the main thread's
 * heap; with workers, their heaps are in the RSS only.
 *
 *   make native   # build/hls-replay
 *   deno run -A bench/heap_soak.ts [--clients 100] [--minutes 15] [--workers 0] [--window 60]
 */
import { parseArgs } from "node:util";
import { freePort, ROOT, SWARM_ARGV } from "../tests/helpers.ts";
import { sleep } from "./proc.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "100" },
    minutes: { type: "string", default: "15" },
    workers: { type: "string", default: "0" },
    window: { type: "string", default: "60" },
  },
});
const minutes = Number(opts.minutes);
const windowS = Number(opts.window);
const port = freePort();
const child = new Deno.Command(Deno.execPath(), {
  args: [
    ...SWARM_ARGV,
    "--ffmpeg",
    `${ROOT}build/hls-replay`,
    "--skip-preflight",
    `--clients=${opts.clients}`,
    "--ramp-rate=20",
    "--target-duration=2s",
    `--duration=${minutes}m`,
    `--workers=${opts.workers}`,
    `--metrics=127.0.0.1:${port}`,
    "http://127.0.0.1:1/replayed.m3u8",
  ],
  env: {
    HLS_REPLAY_SCRIPT: `${ROOT}bench/replay/keepalive-5.1.script`,
    HLS_REPLAY_OFFSET_MS: "random",
  },
  stdout: "null",
  stderr: "null",
}).spawn();
let finished = false;
child.status.then(() => (finished = true));

const gauge = (text: string, name: string) => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, "m").exec(text);
  return m ? Number(m[1]) / 2 ** 20 : NaN;
};
/** RssAnon and RssFile of /proc/PID/status (MiB): the heaps and malloc's memory, and mapped
 * files (the binary, its code). */
const status = async (pid: number) => {
  const text = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { anon: kb("RssAnon") / 1024, file: kb("RssFile") / 1024 };
};
const started = performance.now();
const windows: { minute: number; heap: number; heapTotal: number; rss: number; anon: number }[] =
  [];
let heap = Infinity, heapTotal = Infinity, rss = Infinity, anon = Infinity, file = 0;
let windowEnd = windowS;
while (!finished) {
  await Promise.race([sleep(5000), child.status]);
  if (finished) break;
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() =>
    ""
  );
  if (!text) continue;
  heap = Math.min(heap, gauge(text, "deno_heap_used_bytes"));
  heapTotal = Math.min(heapTotal, gauge(text, "deno_heap_total_bytes"));
  rss = Math.min(rss, gauge(text, "process_resident_memory_bytes"));
  const st = await status(child.pid);
  anon = Math.min(anon, st.anon);
  file = st.file;
  const s = (performance.now() - started) / 1000;
  if (s >= windowEnd) {
    windows.push({ minute: s / 60, heap, heapTotal, rss, anon });
    console.log(
      `minute ${(s / 60).toFixed(1)}: heap ${heap.toFixed(2)} MiB (reserved ` +
        `${heapTotal.toFixed(1)}), RSS ${rss.toFixed(1)} MiB (anonymous ${anon.toFixed(1)}, ` +
        `files ${file.toFixed(1)})`,
    );
    heap =
      heapTotal =
      rss =
      anon =
        Infinity;
    windowEnd += windowS;
  }
}
// From minute 5 on (the first minutes are warm-up: clients starting, code compiled, pools
// filled), the least-squares slope of each: a line through noisy windows, not two of them.
const late = windows.filter((w) => w.minute >= 5);
const slope = (pick: (w: (typeof late)[number]) => number) => {
  const n = late.length, mx = late.reduce((a, w) => a + w.minute, 0) / n;
  const my = late.reduce((a, w) => a + pick(w), 0) / n;
  const sxy = late.reduce((a, w) => a + (w.minute - mx) * (pick(w) - my), 0);
  const sxx = late.reduce((a, w) => a + (w.minute - mx) ** 2, 0);
  return (60 * sxy) / sxx;
};
const from = late[0], to = late.at(-1)!;
console.log(
  `\n${opts.clients} replay clients, ${minutes} min, --workers ${opts.workers}, minute ` +
    `${from.minute.toFixed(1)} to ${to.minute.toFixed(1)}: heap ${from.heap.toFixed(2)} → ` +
    `${to.heap.toFixed(2)} MiB (slope ${slope((w) => w.heap).toFixed(2)} MiB/h; reserved ` +
    `${slope((w) => w.heapTotal).toFixed(2)} MiB/h), RSS ` +
    `${from.rss.toFixed(1)} → ${to.rss.toFixed(1)} MiB (slope ${
      slope((w) => w.rss).toFixed(2)
    } MiB/h; anonymous ${slope((w) => w.anon).toFixed(2)} MiB/h)`,
);
