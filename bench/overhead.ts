/**
 * hls-swarm's own cost next to its FFmpeg clients': runs N clients for D seconds against the
 * built-in generator behind nginx, samples /proc every 2 s, and prints CPU (utime + stime) and
 * RSS for hls-swarm and the clients' total, plus the pipeline's line counts.
 *
 *   deno run -A bench/overhead.ts [clients=200] [seconds=60]
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { ffmpegPids, ROOT, startNginx, uniqueAgent } from "../tests/helpers.ts";

const clients = Number(Deno.args[0] ?? 200);
const seconds = Number(Deno.args[1] ?? 60);
const TICKS = 100; // USER_HZ on Linux

async function cpuTicks(pid: number): Promise<number | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return null;
  }
}

async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
const nginx = await startNginx(origin.dir);
const agent = uniqueAgent("overhead");
const json = await Deno.makeTempFile({ suffix: ".json" });
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    `${ROOT}src/main.ts`,
    `--clients=${clients}`,
    "--ramp-rate=20",
    `--duration=${seconds}s`,
    "--metrics=off",
    `--user-agent=${agent}`,
    `--summary-json=${json}`,
    nginx.url("/stream.m3u8"),
  ],
  stdout: "null",
  stderr: "null",
}).spawn();

const clientTicks = new Map<number, number>();
let swarmTicks = 0, maxRss = 0, peakClients = 0;
const start = performance.now();
const done = child.status;
let finished = false;
done.then(() => (finished = true));
while (!finished) {
  swarmTicks = (await cpuTicks(child.pid)) ?? swarmTicks;
  maxRss = Math.max(maxRss, await rssKiB(child.pid));
  const pids = await ffmpegPids(agent);
  peakClients = Math.max(peakClients, pids.length);
  for (const pid of pids) {
    const t = await cpuTicks(pid);
    if (t !== null) clientTicks.set(pid, t);
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
}
const wall = (performance.now() - start) / 1000;
const summary: RunSummary = JSON.parse(await Deno.readTextFile(json));
await Deno.remove(json);
await nginx.stop();
await origin.close();

const clientCpu = [...clientTicks.values()].reduce((a, b) => a + b, 0) / TICKS;
const swarmCpu = swarmTicks / TICKS;
console.log(`clients ${clients} (peak seen ${peakClients}), wall ${wall.toFixed(1)} s`);
console.log(
  `hls-swarm: CPU ${swarmCpu.toFixed(2)} s (${
    (100 * swarmCpu / wall).toFixed(1)
  } % of one core), ` +
    `peak RSS ${(maxRss / 1024).toFixed(0)} MiB`,
);
console.log(
  `FFmpeg clients: CPU ${clientCpu.toFixed(2)} s total (${(100 * clientCpu / wall).toFixed(1)} % ` +
    `of one core; ${(100 * clientCpu / wall / clients).toFixed(2)} % per client)`,
);
console.log(
  `lines read ${summary.lines.read}, dropped ${summary.lines.dropped} ` +
    `(${(summary.lines.dropRate * 100).toFixed(3)} %), degraded clients ` +
    `${summary.lines.degradedClients}; requests ${summary.traffic.totalRequests}, ` +
    `clients with media ${summary.clients.receivedMedia}, restarts ${summary.lifecycle.restarts}`,
);
