/**
 * hls-swarm's own cost next to its FFmpeg swarm's, as ../shared/spec/measuring.md says to
 * measure it: real FFmpeg clients of the built-in stream behind nginx, the ramp apart, then a
 * steady-state window in which utime+stime of hls-swarm and of all its FFmpeg children are read
 * at the start and the end; RSS (and its high-water mark), dropped lines, and the counts against
 * nginx's access log. With --go, the Go tool runs the same load right after, in the same run.
 *
 *   deno run -A bench/overhead.ts [--clients 200,400] [--ramp-rate 50] [--window 30] \
 *     [--workers auto] [--line-reader auto|native|deno] [--request-log] [--v8-flags=FLAGS|none] \
 *     [--go /work/scratch/go-tool/go-ffmpeg-hls-swarm --go-ffmpeg WRAPPER]
 *
 * hls-swarm runs as it ships (tests/helpers.ts SWARM_ARGV: nix/deploy.json's V8 flags);
 * --v8-flags replaces them (`none` drops them) to weigh memory against CPU. --request-log adds
 * the per-request log (to a temporary file) to measure its cost.
 */
import { parseArgs } from "node:util";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { ROOT, startNginx, SWARM_ARGV, tallyAccessLog, uniqueAgent } from "../tests/helpers.ts";
import { cpuBetween, cpuSeconds, memoryMiB, sleep, treeCpu } from "./proc.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "200,400" },
    "ramp-rate": { type: "string", default: "50" },
    window: { type: "string", default: "30" },
    workers: { type: "string", default: "auto" },
    go: { type: "string" },
    "go-ffmpeg": { type: "string" },
    "request-log": { type: "boolean", default: false },
    "v8-flags": { type: "string" },
    "line-reader": { type: "string", default: "auto" },
  },
});
const window = Number(opts.window);
const rampRate = Number(opts["ramp-rate"]);
/** How much longer than clients / ramp rate a ramp may take on a saturated box. */
const RAMP_SLACK_MS = 60_000;
/** `deno run …` up to the entry module, with the V8 flags asked for. */
const v8 = opts["v8-flags"];
const swarmArgv = v8 === undefined
  ? SWARM_ARGV
  : ["run", "-A", ...(v8 === "none" ? [] : [`--v8-flags=${v8}`]), `${ROOT}src/main.ts`];

interface Row {
  clients: number;
  tool: string;
  ownCpu: number;
  /** Of ownCpu, what its helper processes (the native fan-in) spent. */
  helperCpu: number;
  ffmpegCpu: number;
  rss: number;
  hwm: number;
  dropped: string;
  counts: string;
}

/** Waits for the ramp (all clients running), then measures one steady window. */
async function measure(
  child: Deno.ChildProcess,
  clients: number,
): Promise<Omit<Row, "tool" | "dropped" | "counts">> {
  // All of them, or as many as run once the ramp should be over: on a saturated box a client or
  // two is always restarting, and waiting for every last one outlived the Go tool's --duration.
  const deadline = Date.now() + (clients / rampRate) * 1000 + RAMP_SLACK_MS;
  while ((await treeCpu(child.pid)).clients.size < clients && Date.now() < deadline) {
    await sleep(500);
  }
  await sleep(5000); // the last starts settle
  const own0 = (await cpuSeconds(child.pid))!, tree0 = await treeCpu(child.pid);
  const t0 = performance.now();
  await sleep(window * 1000);
  const own1 = (await cpuSeconds(child.pid))!, tree1 = await treeCpu(child.pid);
  const wall = (performance.now() - t0) / 1000;
  // The fan-in is hls-swarm's: its CPU and memory count as hls-swarm's own.
  const mem = await memoryMiB(child.pid);
  for (const pid of tree1.helpers.keys()) {
    const m = await memoryMiB(pid);
    mem.rss += m.rss;
    mem.hwm += m.hwm;
  }
  const helperCpu = (100 * cpuBetween(tree0.helpers, tree1.helpers)) / wall;
  return {
    clients,
    ownCpu: (100 * (own1 - own0)) / wall + helperCpu,
    helperCpu,
    ffmpegCpu: (100 * cpuBetween(tree0.clients, tree1.clients)) / wall,
    ...mem,
  };
}

const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
const nginx = await startNginx(origin.dir);
const url = nginx.url("/stream.m3u8");
const rows: Row[] = [];
try {
  for (const clients of opts.clients.split(",").map(Number)) {
    const agent = uniqueAgent(`overhead-${clients}`);
    const json = await Deno.makeTempFile({ suffix: ".json" });
    const requestLog = opts["request-log"] ? await Deno.makeTempFile({ suffix: ".ndjson" }) : null;
    const swarm = new Deno.Command(Deno.execPath(), {
      args: [
        ...swarmArgv,
        ...(requestLog ? [`--request-log=${requestLog}`] : []),
        `--clients=${clients}`,
        `--ramp-rate=${rampRate}`,
        "--metrics=off",
        `--workers=${opts.workers}`,
        `--line-reader=${opts["line-reader"]}`,
        `--user-agent=${agent}`,
        `--summary-json=${json}`,
        url,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const m = await measure(swarm, clients);
    // Stopped after the window, not by --duration: the ramp holds its starts while the box is
    // saturated, so how long it takes is not known in advance.
    swarm.kill("SIGTERM");
    await swarm.status;
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    const served = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
    const pct = (a: number, b: number) =>
      `${a === b ? "=" : ((100 * (a - b)) / b).toFixed(2) + " %"}`;
    rows.push({
      ...m,
      tool: `hls-swarm (${opts["line-reader"]})`,
      dropped: `${s.lines.dropped} of ${s.lines.read}` +
        (s.lines.filtered ? ` (${s.lines.filtered} filtered in the fan-in)` : "") +
        (s.loadbox?.saturatedSeconds ? ` (box saturated ${s.loadbox.saturatedSeconds} s)` : ""),
      counts:
        `manifests ${s.traffic.requests.manifest}/${served.manifest} (${
          pct(s.traffic.requests.manifest, served.manifest)
        }), ` +
        `segments ${s.traffic.requests.segment}/${served.segment} (${
          pct(s.traffic.requests.segment, served.segment)
        }), ` +
        `bytes ${pct(s.traffic.totalBytes, served.bytes.all)}`,
    });
    console.log(rows.at(-1));
    if (opts.go) {
      const duration = Math.ceil(clients / rampRate) + RAMP_SLACK_MS / 1000 + 5 + window + 25;
      const go = new Deno.Command(opts.go, {
        args: [
          "-clients",
          String(clients),
          "-ramp-rate",
          String(rampRate),
          "-duration",
          `${duration}s`,
          "-tui=false",
          "-metrics",
          "127.0.0.1:0",
          ...(opts["go-ffmpeg"] ? ["-ffmpeg", opts["go-ffmpeg"]] : []),
          url,
        ],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const before = (await nginx.accessLog()).length;
      const gm = await measure(go, clients);
      const out = new TextDecoder().decode((await go.output()).stdout);
      const logged = (await nginx.accessLog()).slice(before);
      const goServed = tallyAccessLog(logged, "");
      // Its summary's request table: "Manifest (.m3u8)   3 …" and "Segments (.ts)   36 …".
      const num = (label: string) =>
        Number(new RegExp(`${label}\\s+([\\d,]+)`).exec(out)?.[1]?.replace(/,/g, "") ?? NaN);
      rows.push({
        ...gm,
        tool: "Go tool",
        dropped: "–",
        counts: `manifests ${num("Manifest \\(\\.m3u8\\)")}/${goServed.manifest}, ` +
          `segments ${num("Segments \\(\\.ts\\)")}/${goServed.segment}, ` +
          `bytes ${out.match(/Total Bytes:\s+(\S+ \S+)/)?.[1] ?? "?"} of ${goServed.bytes.all}`,
      });
      console.log(rows.at(-1));
    }
    await Deno.remove(json);
    if (requestLog) await Deno.remove(requestLog);
  }
} finally {
  await nginx.stop();
  await origin.close();
}

console.log(
  `\n${window} s steady window after the ramp (--ramp-rate ${rampRate}); CPU in % of one core\n`,
);
console.log(
  "| clients | tool | its own CPU | its FFmpeg swarm's CPU | own / FFmpeg | RSS (peak) MiB | lines dropped | counts vs nginx |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.clients} | ${r.tool} | ${r.ownCpu.toFixed(2)} %${
      r.helperCpu ? ` (fan-in ${r.helperCpu.toFixed(2)} %)` : ""
    } | ${r.ffmpegCpu.toFixed(1)} % | ` +
      `${((100 * r.ownCpu) / r.ffmpegCpu).toFixed(1)} % | ${r.rss.toFixed(0)} (${
        r.hwm.toFixed(0)
      }) | ${r.dropped} | ${r.counts} |`,
  );
}
