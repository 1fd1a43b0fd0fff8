/**
 * `hls-swarm reconcile` on a 1 GB log: throughput (MB/s) and peak memory (max RSS).
 *
 * Generates, in a temporary directory, a request log of a long run (1,000 viewers × 1,000
 * requests: an hour of 2-second segments, playlist and segment alternating) and a 1 GB nginx
 * log in the documented `hls_swarm` format that holds every one of those requests (its clock
 * 1.5 s ahead) among other traffic (browsers, 4 lines in 5). Then runs the real command once,
 * under /usr/bin/time, and prints seconds, MB/s of CDN log and the peak RSS.
 *
 *   deno run -A bench/reconcile.ts [--gb=1] [--keep]
 *
 * Not part of `make test`: it writes 1.2 GB and reads it back.
 * @module
 */
import { SWARM_ARGV } from "../tests/helpers.ts";

const args = new Map(Deno.args.map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const TARGET = Number(args.get("gb") ?? 1) * 1e9;
const VIEWERS = 1000, PER_VIEWER = 1000;
const T0 = Date.parse("2026-12-07T18:00:00Z");
const dir = await Deno.makeTempDir({ prefix: "hls-swarm-reconcile-bench-" });
const encoder = new TextEncoder();

/** Buffered writes: one write per ~4 MB. */
function writer(file: Deno.FsFile) {
  let parts: string[] = [], size = 0, total = 0;
  const flush = async () => {
    const bytes = encoder.encode(parts.join(""));
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
    total += bytes.length;
    parts = [];
    size = 0;
  };
  return {
    async line(text: string) {
      parts.push(text + "\n");
      size += text.length + 1;
      if (size > 4_000_000) await flush();
    },
    async close() {
      await flush();
      file.close();
      return total;
    },
  };
}

const pad = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function timeLocal(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function nginxLine(at: number, path: string, status: number, agent: string, cache: string) {
  const end = at + 1500 + 35; // the CDN's clock 1.5 s ahead; 35 ms to serve
  return `10.1.${(at >> 8) & 255}.${at & 255} - - [${timeLocal(end)}] "GET ${path} HTTP/1.1" ` +
    `${status} ${path.endsWith(".ts") ? 231_744 : 409} "-" "${agent}" ${(end / 1000).toFixed(3)} ` +
    `0.035 ${cache} "-"`;
}

const started = performance.now();
const requests = writer(await Deno.open(`${dir}/requests.ndjson`, { write: true, create: true }));
const cdn = writer(await Deno.open(`${dir}/edge.log`, { write: true, create: true }));
let cdnBytes = 0, other = 0;
for (let step = 0; step < PER_VIEWER; step++) {
  for (let v = 0; v < VIEWERS; v++) {
    const at = T0 + step * 2000 + v;
    const path = step % 2
      ? `/live/seg${String(step >> 1).padStart(6, "0")}.ts`
      : "/live/stream.m3u8";
    const kind = step % 2 ? "segment" : "manifest";
    await requests.line(JSON.stringify({
      time: new Date(at).toISOString(),
      client: v,
      kind,
      url: path,
      status: 200,
      ttfb_ms: 12,
      download_ms_inferred: null,
      bytes: 1,
      event: null,
    }));
    const l = nginxLine(at, path, 200, `hls-swarm/0.1.0/client-${v}`, v % 10 ? "HIT" : "MISS");
    await cdn.line(l);
    cdnBytes += l.length + 1;
  }
  // Other traffic fills the log to its target size, spread over the run.
  while (cdnBytes < (TARGET * (step + 1)) / PER_VIEWER) {
    const l = nginxLine(
      T0 + step * 2000 + (other % 2000),
      `/vod/title${other % 5000}/seg${other % 900}.ts`,
      200,
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",
      "HIT",
    );
    await cdn.line(l);
    cdnBytes += l.length + 1;
    other++;
  }
}
const reqBytes = await requests.close();
const logBytes = await cdn.close();
console.log(
  `generated in ${((performance.now() - started) / 1000).toFixed(1)} s: CDN log ` +
    `${(logBytes / 1e6).toFixed(0)} MB (${VIEWERS * PER_VIEWER} viewer lines, ${other} other), ` +
    `request log ${(reqBytes / 1e6).toFixed(0)} MB (${VIEWERS * PER_VIEWER} requests)`,
);

const t = performance.now();
const out = await new Deno.Command("/usr/bin/time", {
  args: [
    "-f",
    "TIME %e s, max RSS %M kB",
    Deno.execPath(),
    ...SWARM_ARGV,
    "reconcile",
    "--request-log",
    `${dir}/requests.ndjson`,
    "--json",
    `${dir}/edge.log`,
  ],
  stdout: "piped",
  stderr: "piped",
}).output();
const seconds = (performance.now() - t) / 1000;
const stderr = new TextDecoder().decode(out.stderr);
const report = JSON.parse(new TextDecoder().decode(out.stdout));
const rss = Number(/max RSS (\d+) kB/.exec(stderr)?.[1] ?? NaN) / 1024;
console.log(stderr.split("\n").filter((l) => l.includes("MiB/s")).slice(-2).join("\n"));
console.log(
  `reconcile exit ${out.code}: ${report.total.matched} matched, ${report.mismatches} mismatches, ` +
    `skew ${report.skew.ms} ms; ${seconds.toFixed(1)} s wall for ` +
    `${((logBytes + reqBytes) / 1e6).toFixed(0)} MB read: ` +
    `${(logBytes / 1e6 / seconds).toFixed(0)} MB/s of CDN log ` +
    `(${((logBytes + reqBytes) / 1e6 / seconds).toFixed(0)} MB/s of both); peak RSS ${
      rss.toFixed(0)
    } MiB`,
);
if (!args.has("keep")) await Deno.remove(dir, { recursive: true });
else console.log(`kept ${dir}`);
