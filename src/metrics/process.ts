/**
 * The standard process_* families for hls-swarm's own process, read from /proc and Deno at
 * scrape time, plus Deno's heap. Only figures that are true under Deno are exported.
 * @module
 */
import { parseLimit } from "../preflight/checks.ts";
import type { Family } from "./exposition.ts";

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * The process families now; a figure that cannot be read is left out.
 *
 * @example
 * ```ts
 * const families = await processFamilies(Deno.readTextFile);
 * ```
 */
export async function processFamilies(
  readTextFile: (path: string) => Promise<string>,
): Promise<Family[]> {
  const out: Family[] = [];
  const g = (name: string, type: "counter" | "gauge", help: string, v: number) =>
    out.push({ name, type, help, samples: [[{}, v]] });
  const stat = await readTextFile("/proc/self/stat").catch(() => "");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (f.length > 13) {
    g(
      "process_cpu_seconds_total",
      "counter",
      "User and system CPU time of hls-swarm's own process (not its FFmpeg children), seconds.",
      (Number(f[11]) + Number(f[12])) / TICKS,
    );
  }
  const mem = Deno.memoryUsage();
  g("process_resident_memory_bytes", "gauge", "Resident set size of hls-swarm's process.", mem.rss);
  g(
    "process_start_time_seconds",
    "gauge",
    "When hls-swarm's process started, Unix time.",
    performance.timeOrigin / 1000,
  );
  let fds = 0;
  try {
    for await (const _ of Deno.readDir("/proc/self/fd")) fds++;
    g("process_open_fds", "gauge", "Open file descriptors of hls-swarm's process.", fds);
  } catch {
    // Not Linux, or /proc is hidden: leave it out rather than report 0.
  }
  const limit = parseLimit(
    await readTextFile("/proc/self/limits").catch(() => ""),
    "Max open files",
  );
  if (limit && Number.isFinite(limit.soft)) {
    g(
      "process_max_fds",
      "gauge",
      "Open file descriptor limit (soft) of hls-swarm's process.",
      limit.soft,
    );
  }
  g("deno_heap_used_bytes", "gauge", "V8 heap in use by hls-swarm's main thread.", mem.heapUsed);
  g(
    "deno_heap_total_bytes",
    "gauge",
    "V8 heap reserved by hls-swarm's main thread.",
    mem.heapTotal,
  );
  return out;
}
