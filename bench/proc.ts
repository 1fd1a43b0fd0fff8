/**
 * /proc readings for the benchmarks: a process's CPU (utime + stime) and memory, the CPU of
 * its FFmpeg children, and nginx's access log tallied by kind for one user agent.
 * @module
 */

/** Clock ticks per second of /proc/PID/stat times (USER_HZ). */
export const TICKS = 100;

/** utime + stime of `pid` in seconds, or null when it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM of `pid`, MiB. */
export async function memoryMiB(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** CPU seconds by pid of the processes under `root`: its helpers (hls-swarm's native fan-in,
 * whose CPU is hls-swarm's own) and its clients (FFmpeg or replay clients: children of root or of
 * a helper; setpriv execs FFmpeg in place, the Go tool's wrapper does the same). */
export async function treeCpu(
  root: number,
): Promise<{ clients: Map<number, number>; helpers: Map<number, number> }> {
  const procs = new Map<number, { ppid: number; helper: boolean; cpu: number }>();
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    procs.set(Number(e.name), {
      ppid: Number(f[1]),
      helper: stat.includes("(hls-swarm-fanin)"),
      cpu: (Number(f[11]) + Number(f[12])) / TICKS,
    });
  }
  const out = { clients: new Map<number, number>(), helpers: new Map<number, number>() };
  for (const [pid, p] of procs) {
    // Under root directly, or through helpers only (what a client starts is not counted).
    let up = p.ppid, throughClient = false;
    while (up !== root && up > 1 && procs.has(up)) {
      throughClient ||= !procs.get(up)!.helper;
      up = procs.get(up)!.ppid;
    }
    if (up !== root || throughClient) continue;
    (p.helper ? out.helpers : out.clients).set(pid, p.cpu);
  }
  return out;
}

/** CPU the FFmpegs spent between two readings (processes that ended in between are left out). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? t);
  return sum;
}

/** Sleeps `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
