/**
 * hls-swarm beyond what real FFmpeg allows on this machine: 500, 1,000 and 2,000 replay clients
 * (bench/replay: a captured FFmpeg 5.1 trace played at its pace, with FFmpeg's write pattern),
 * with one worker and with one per core. Prints hls-swarm's CPU per 1,000 lines, dropped lines,
 * RSS and the main thread's largest event-loop lag, for a steady window after the ramp.
 *
 *   bench/replay/build.sh
 *   deno run -A bench/scale.ts [--clients 500,1000,2000] [--workers 1,all] [--window 30] \
 *     [--line-reader auto|native|deno]
 */
import { parseArgs } from "node:util";
import type { RunSummary } from "../src/report/summary.ts";
import { ROOT, SWARM_ARGV } from "../tests/helpers.ts";
import { cpuBetween, cpuSeconds, memoryMiB, sleep, treeCpu } from "./proc.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "500,1000,2000" },
    workers: { type: "string", default: `1,${navigator.hardwareConcurrency}` },
    window: { type: "string", default: "30" },
    "ramp-rate": { type: "string", default: "100" },
    "line-reader": { type: "string", default: "auto" },
  },
});
const window = Number(opts.window);
const rampRate = Number(opts["ramp-rate"]);
const rows: string[] = [];

for (const clients of opts.clients.split(",").map(Number)) {
  for (
    const workers of opts.workers.split(",").map((w) =>
      w === "all" ? navigator.hardwareConcurrency : Number(w)
    )
  ) {
    const ramp = clients / rampRate;
    const duration = Math.ceil(ramp + 10 + window + 5);
    const json = await Deno.makeTempFile({ suffix: ".json" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        ...SWARM_ARGV,
        "--ffmpeg",
        `${ROOT}build/hls-replay`,
        "--skip-preflight",
        `--clients=${clients}`,
        `--ramp-rate=${rampRate}`,
        "--target-duration=2s",
        `--duration=${duration}s`,
        "--metrics=off",
        `--workers=${workers}`,
        `--line-reader=${opts["line-reader"]}`,
        `--summary-json=${json}`,
        "http://127.0.0.1:1/replayed.m3u8",
      ],
      env: {
        HLS_REPLAY_SCRIPT: `${ROOT}bench/replay/keepalive-5.1.script`,
        HLS_REPLAY_OFFSET_MS: "random",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await sleep((ramp + 10) * 1000);
    const c0 = (await cpuSeconds(child.pid))!, tree0 = await treeCpu(child.pid);
    const t0 = performance.now();
    await sleep(window * 1000);
    const tree1 = await treeCpu(child.pid);
    // The native fan-in's CPU and memory are hls-swarm's own.
    const cpu = (await cpuSeconds(child.pid))! - c0 + cpuBetween(tree0.helpers, tree1.helpers);
    const wall = (performance.now() - t0) / 1000;
    const mem = await memoryMiB(child.pid);
    for (const pid of tree1.helpers.keys()) {
      const m = await memoryMiB(pid);
      mem.rss += m.rss;
      mem.hwm += m.hwm;
    }
    await child.status;
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    await Deno.remove(json);
    // Lines in the window: the run's lines scaled by the window's share of the steady time.
    const linesPerSecond = s.lines.read / (s.trafficMs / 1000);
    const row = `| ${clients} | ${workers} | ${(100 * cpu / wall).toFixed(1)} % | ` +
      `${Math.round(linesPerSecond)} | ${
        ((1000 * cpu) / (linesPerSecond * wall) * 1000).toFixed(1)
      } ms | ` +
      `${s.lines.dropped} of ${s.lines.read} | ${mem.rss.toFixed(0)} (${mem.hwm.toFixed(0)}) | ` +
      `${Math.round(s.loadbox?.loopLagMaxMs ?? NaN)} ms | ${s.clients.peakRunning} |`;
    rows.push(row);
    console.log(row);
  }
}
console.log(`\nreplay clients, ${window} s window after the ramp (${rampRate} starts/s)\n`);
console.log(
  "| clients | workers | hls-swarm CPU | lines/s | CPU per 1,000 lines | lines dropped | RSS (peak) MiB | max loop lag (main) | peak running |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
