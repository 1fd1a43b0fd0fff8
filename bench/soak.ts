/**
 * Memory over a long run: N real FFmpeg clients of the built-in stream behind nginx for M
 * minutes, hls-swarm's RSS (with its fan-ins') sampled every 30 s. Prints the series and the growth from minute 5 to
 * the end (goal: under 5 MB over 30 minutes at 100 clients), with dropped lines and the counts
 * against nginx.
 *
 *   deno run -A bench/soak.ts [--clients 100] [--minutes 30]
 */
import { parseArgs } from "node:util";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { startNginx, SWARM_ARGV, tallyAccessLog, uniqueAgent } from "../tests/helpers.ts";
import { memoryMiB, sleep, treeCpu } from "./proc.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "100" },
    minutes: { type: "string", default: "30" },
  },
});
const minutes = Number(opts.minutes);
const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
const nginx = await startNginx(origin.dir);
const agent = uniqueAgent("soak");
const json = await Deno.makeTempFile({ suffix: ".json" });
try {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...SWARM_ARGV,
      `--clients=${opts.clients}`,
      "--ramp-rate=20",
      `--duration=${minutes}m`,
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      nginx.url("/stream.m3u8"),
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const started = performance.now();
  const samples: { minute: number; rss: number }[] = [];
  let finished = false;
  child.status.then(() => (finished = true));
  while (!finished) {
    await Promise.race([sleep(30_000), child.status]);
    if (finished) break;
    const minute = (performance.now() - started) / 60_000;
    // hls-swarm's own RSS and its fan-ins' (their output buffers are hls-swarm's memory too).
    let rss = (await memoryMiB(child.pid)).rss, fanin = 0;
    for (const pid of (await treeCpu(child.pid)).helpers.keys()) {
      fanin += (await memoryMiB(pid)).rss;
    }
    rss += fanin;
    samples.push({ minute, rss });
    console.log(
      `minute ${minute.toFixed(1)}: RSS ${rss.toFixed(1)} MiB (fan-in ${fanin.toFixed(1)})`,
    );
  }
  const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
  const at = (m: number) =>
    samples.reduce((a, b) => Math.abs(b.minute - m) < Math.abs(a.minute - m) ? b : a);
  const from = at(5), to = samples.at(-1)!;
  const served = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
  console.log(
    `\n${opts.clients} clients, ${minutes} min: RSS ${from.rss.toFixed(1)} MiB at minute ` +
      `${from.minute.toFixed(1)} → ${to.rss.toFixed(1)} MiB at minute ${to.minute.toFixed(1)} ` +
      `(growth ${(to.rss - from.rss).toFixed(1)} MiB); lines dropped ${s.lines.dropped} of ` +
      `${s.lines.read}; segments ${s.traffic.requests.segment} (nginx ${served.segment}), ` +
      `manifests ${s.traffic.requests.manifest} (nginx ${served.manifest}); keep-alive retries ` +
      `${s.traffic.events.keepaliveRetries}, unanswered ${s.traffic.events.unanswered}`,
  );
} finally {
  await Deno.remove(json).catch(() => {});
  await nginx.stop();
  await origin.close();
}
