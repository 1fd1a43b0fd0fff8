/**
 * What reading FFmpeg's pipes costs, by read path: N replay clients (bench/replay, FFmpeg's
 * write pattern) read by this process for a steady-state window, CPU from /proc/self/stat.
 *
 *   bench/replay/build.sh
 *   deno run -A bench/read_paths.ts [clients=300] [seconds=20] [path…]
 *
 * Paths: byob (one read per chunk, as hls-swarm did), park (after a chunk that ends mid-line,
 * wait one event-loop turn before reading on, so FFmpeg's 2–4 write() calls of a line arrive
 * together), batch10 (read at most every 10 ms), node (node:child_process 'data' events).
 */
import { spawn } from "node:child_process";
import { LineDecoder } from "../src/lines/decoder.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** With HLS_URL set, real FFmpeg clients of that stream instead of replay clients. */
const REAL = Deno.env.get("HLS_URL");
const clients = Number(Deno.args[0] ?? 300);
const seconds = Number(Deno.args[1] ?? 20);
const paths = Deno.args.slice(2).length ? Deno.args.slice(2) : ["byob", "park", "batch10", "node"];
const env = {
  HLS_REPLAY_SCRIPT: `${ROOT}bench/replay/keepalive-5.1.script`,
  HLS_REPLAY_OFFSET_MS: "random",
};
const args = [
  "-hide_banner",
  "-nostdin",
  "-nostats",
  "-loglevel",
  "repeat+level+trace",
  "-progress",
  "pipe:1",
  "-i",
  REAL ?? "x",
  ...(REAL ? ["-map", "0", "-c", "copy", "-f", "null", "-"] : []),
];
const binary = REAL ? "ffmpeg" : `${ROOT}build/hls-replay`;

function cpuSeconds(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function sysSeconds(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return Number(f[12]) / 100;
}

const yieldTurn = () => new Promise<void>((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let reads = 0;

async function readByob(
  stream: ReadableStream<Uint8Array>,
  onLine: (l: string) => void,
  after: (chunk: Uint8Array) => Promise<void> | undefined,
): Promise<void> {
  const reader = stream.getReader({ mode: "byob" });
  const decoder = new LineDecoder();
  let buffer = new ArrayBuffer(16 * 1024);
  try {
    while (true) {
      const r = await reader.read(new Uint8Array(buffer));
      if (r.done || !r.value) break;
      reads++;
      decoder.push(r.value, onLine);
      buffer = r.value.buffer as ArrayBuffer;
      const wait = after(r.value);
      if (wait) await wait;
    }
  } catch { /* killed */ }
}

async function run(path: string): Promise<void> {
  let lines = 0;
  const onLine = () => void lines++;
  const kills: (() => void)[] = [];
  for (let i = 0; i < clients; i++) {
    if (path === "node") {
      const child = spawn(binary, args, {
        env: { ...Deno.env.toObject(), ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      for (const s of [child.stdout!, child.stderr!]) {
        const d = new LineDecoder();
        s.on("data", (b: Uint8Array) => {
          reads++;
          d.push(b, onLine);
        });
      }
      kills.push(() => child.kill("SIGKILL"));
    } else {
      const child = new Deno.Command(binary, {
        args,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const after = path === "park"
        ? (c: Uint8Array) =>
          c[c.length - 1] !== 10 && c[c.length - 1] !== 13 ? yieldTurn() : undefined
        : path === "batch10"
        ? () => sleep(10)
        : () => undefined;
      readByob(child.stdout, onLine, after);
      readByob(child.stderr, onLine, after);
      kills.push(() => child.kill("SIGKILL"));
    }
  }
  await sleep(8000); // start-up bursts over
  const c0 = cpuSeconds(), s0 = sysSeconds(), l0 = lines, r0 = reads, t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = cpuSeconds() - c0, n = lines - l0, wall = (performance.now() - t0) / 1000;
  const perRead = (reads - r0) / n;
  const sys = sysSeconds() - s0;
  for (const k of kills) k();
  console.log(
    `${path.padEnd(8)} ${clients} clients: ${(100 * cpu / wall).toFixed(1)} % of a core, ` +
      `${Math.round(n / wall)} lines/s, ${(1e6 * cpu / n).toFixed(2)} µs CPU per line, ` +
      `${perRead.toFixed(2)} reads per line, ${Math.round((100 * sys) / cpu)} % of it system time`,
  );
  await sleep(2000);
}

for (const p of paths) await run(p);
