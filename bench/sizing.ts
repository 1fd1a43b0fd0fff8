/**
 * What one viewer costs, for the pod requests of `hls-swarm k8s render` (src/k8s/sizing.ts,
 * nix/sizing.nix): N real FFmpeg viewers (default 40) of the built-in origin, with the FFmpeg
 * given, then
 *
 * - the ramp: hls-swarm's CPU (fan-ins included) from its first viewer to its last, at
 *   --ramp-rate (hls-swarm's default, 5 a second), and its peak RSS (VmHWM);
 * - a steady window (default 30 s, after 10 s to settle): utime+stime of hls-swarm, its fan-ins
 *   and every FFmpeg, read at the start and the end; then each FFmpeg's and hls-swarm's memory
 *   from /proc/PID/smaps_rollup: Pss (shared pages split between the processes that map them,
 *   so the sum over N FFmpegs is what they take together) and Private (Private_Clean +
 *   Private_Dirty: what one more viewer adds).
 *
 *   deno run -A bench/sizing.ts [--clients 40] [--ffmpeg PATH] [--window 30] [--ramp-rate 5]
 *
 * With a chroot's wrapper (`tools/ffmpeg-matrix/chroot.sh wrapper trixie`) it measures FFmpeg
 * 7.1 or 9.0: the wrapper execs chroot, which execs FFmpeg, so the PID and /proc are FFmpeg's.
 * The last line is `SIZING {json}` for scripts. CPU is in % of one core.
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { SWARM_ARGV, uniqueAgent } from "../tests/helpers.ts";
import { cpuBetween, cpuSeconds, memoryMiB, sleep, treeCpu } from "./proc.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "40" },
    ffmpeg: { type: "string", default: "ffmpeg" },
    window: { type: "string", default: "30" },
    settle: { type: "string", default: "10" },
    "ramp-rate": { type: "string", default: "5" },
  },
});
const clients = Number(opts.clients);
const windowS = Number(opts.window);
if (!Number.isInteger(clients) || clients < 1 || !(windowS > 0)) {
  console.error(
    "sizing: --clients must be a whole number ≥ 1 and --window a number of seconds > 0",
  );
  Deno.exit(2);
}

/** smaps_rollup of `pid`, MiB: Rss, Pss and Private (clean + dirty); zeros when it is gone. */
async function smaps(pid: number): Promise<{ rss: number; pss: number; priv: number }> {
  const text = await Deno.readTextFile(`/proc/${pid}/smaps_rollup`).catch(() => "");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return {
    rss: kb("Rss") / 1024,
    pss: kb("Pss") / 1024,
    priv: (kb("Private_Clean") + kb("Private_Dirty")) / 1024,
  };
}

/** The FFmpeg version line of `ffmpeg -version`. */
async function ffmpegVersion(path: string): Promise<string> {
  const out = await new Deno.Command(path, { args: ["-version"], stdout: "piped", stderr: "null" })
    .output();
  return /ffmpeg version (\S+)/.exec(new TextDecoder().decode(out.stdout))?.[1] ?? "unknown";
}

/** The viewers: FFmpegs under hls-swarm whose command line has the run's user agent (preflight's
 * `ffmpeg -version` and probes are children too, and are not viewers). */
async function viewers(root: number, agent: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const [pid, cpu] of (await treeCpu(root)).clients) {
    const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (cmd.includes(agent)) out.set(pid, cpu);
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];

const version = await ffmpegVersion(opts.ffmpeg);
const agent = uniqueAgent("sizing");
const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
const swarm = new Deno.Command(Deno.execPath(), {
  args: [
    ...SWARM_ARGV,
    `--clients=${clients}`,
    `--ramp-rate=${opts["ramp-rate"]}`,
    `--ffmpeg=${opts.ffmpeg}`,
    "--metrics=off",
    `--user-agent=${agent}`,
    origin.url,
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
/** hls-swarm's CPU seconds with its fan-ins'. */
const ownCpu = async () =>
  (await cpuSeconds(swarm.pid) ?? 0) + sum([...(await treeCpu(swarm.pid)).helpers.values()]);
try {
  const deadline = Date.now() + (clients / Number(opts["ramp-rate"])) * 1000 + 60_000;
  const waitFor = async (n: number) => {
    while ((await viewers(swarm.pid, agent)).size < n) {
      if (Date.now() > deadline) throw new Error(`not ${n} of ${clients} viewers within the ramp`);
      await sleep(100);
    }
  };
  // From the first viewer to the last: Deno's start-up and preflight are not the ramp.
  await waitFor(1);
  const r0 = await ownCpu(), t0 = performance.now();
  await waitFor(clients);
  const rampS = (performance.now() - t0) / 1000;
  const rampCpu = (100 * (await ownCpu() - r0)) / rampS;
  await sleep(Number(opts.settle) * 1000);

  const own0 = await ownCpu(), view0 = await viewers(swarm.pid, agent);
  const w0 = performance.now();
  await sleep(windowS * 1000);
  const own1 = await ownCpu(), view1 = await viewers(swarm.pid, agent);
  const wall = (performance.now() - w0) / 1000;
  const fanins = [...(await treeCpu(swarm.pid)).helpers.keys()];
  const ffmpegs = [...view1.keys()];
  const mem = await Promise.all(ffmpegs.map(smaps));
  const helpers = await Promise.all([swarm.pid, ...fanins].map(smaps));
  const hwm = (await memoryMiB(swarm.pid)).hwm;

  const result = {
    ffmpeg: version,
    clients,
    running: ffmpegs.length,
    windowS: Math.round(wall),
    rampS: Number(rampS.toFixed(1)),
    perViewer: {
      ffmpegCpuPct: (100 * cpuBetween(view0, view1)) / wall / ffmpegs.length,
      ffmpegPrivateMiB: median(mem.map((m) => m.priv)),
      ffmpegPssMiB: sum(mem.map((m) => m.pss)) / ffmpegs.length,
      ffmpegRssMiB: median(mem.map((m) => m.rss)),
      swarmCpuPct: (100 * (own1 - own0)) / wall / clients,
    },
    swarm: {
      steadyCpuPct: (100 * (own1 - own0)) / wall,
      rampCpuPct: rampCpu,
      pssMiB: sum(helpers.map((m) => m.pss)),
      rssMiB: sum(helpers.map((m) => m.rss)),
      peakRssMiB: hwm,
      fanins: fanins.length,
    },
  };
  const f = (n: number, d = 2) => n.toFixed(d);
  const p = result.perViewer, s = result.swarm;
  console.log(
    `FFmpeg ${version}, ${ffmpegs.length}/${clients} viewers, ramp ${result.rampS} s, ` +
      `window ${result.windowS} s\n` +
      `  per viewer: FFmpeg ${f(p.ffmpegCpuPct, 3)} % core, private ${f(p.ffmpegPrivateMiB)} MiB ` +
      `(median), Pss ${f(p.ffmpegPssMiB)} MiB (mean), RSS ${f(p.ffmpegRssMiB)} MiB; ` +
      `hls-swarm ${f(p.swarmCpuPct, 3)} % core\n` +
      `  hls-swarm (+${s.fanins} fan-ins): steady ${f(s.steadyCpuPct)} % core, ramp ` +
      `${f(s.rampCpuPct)} % core, Pss ${f(s.pssMiB, 1)} MiB, RSS ${f(s.rssMiB, 1)} MiB ` +
      `(peak ${f(s.peakRssMiB, 1)})`,
  );
  console.log(`SIZING ${JSON.stringify(result)}`);
} finally {
  swarm.kill("SIGTERM");
  await swarm.status;
  await origin.close();
}
