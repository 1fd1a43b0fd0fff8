/**
 * The load box's own CPU and memory, from /proc, pure: the host-wide CPU counters of
 * /proc/stat (steal included, which on a VM is CPU the hypervisor gave to someone else) and
 * MemAvailable from /proc/meminfo. The busy share uses the same formula as an origin's
 * node_exporter ({@link ../exporters/node.ts cpuBusyPercent}).
 * @module
 */
import { cpuBusyPercent } from "../exporters/node.ts";

/** /proc/stat's aggregate CPU line, in clock ticks by mode, keyed like node_exporter's. */
export type CpuCounters = Map<string, number>;

const MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

/**
 * Reads the `cpu` line of /proc/stat; null when there is none.
 *
 * @example
 * ```ts
 * parseProcStat("cpu  10 0 5 80 5 0 0 0 0 0\n")?.get("all/idle"); // 80
 * ```
 */
export function parseProcStat(text: string): CpuCounters | null {
  const m = /^cpu\s+([\d\s]+)$/m.exec(text);
  if (!m) return null;
  const values = m[1].trim().split(/\s+/).map(Number);
  return new Map(MODES.map((mode, i) => [`all/${mode}`, values[i] ?? 0]));
}

/** CPU busy and steal shares between two readings, in %; null when no time passed. */
export function cpuShares(
  prev: CpuCounters,
  cur: CpuCounters,
): { busyPercent: number; stealPercent: number } | null {
  const busy = cpuBusyPercent(prev, cur);
  if (busy === null) return null;
  let total = 0;
  for (const [key, v] of cur) total += Math.max(0, v - (prev.get(key) ?? v));
  const steal = Math.max(0, (cur.get("all/steal") ?? 0) - (prev.get("all/steal") ?? 0));
  return { busyPercent: busy, stealPercent: total > 0 ? (100 * steal) / total : 0 };
}

/**
 * MemAvailable and MemTotal of /proc/meminfo, in bytes; null when missing.
 *
 * @example
 * ```ts
 * parseMeminfo("MemTotal: 100 kB\nMemAvailable: 40 kB\n"); // { totalBytes: 102400, availableBytes: 40960 }
 * ```
 */
export function parseMeminfo(
  text: string,
): { totalBytes: number; availableBytes: number } | null {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb("MemTotal"), available = kb("MemAvailable") ?? kb("MemFree");
  return total === null || available === null
    ? null
    : { totalBytes: total, availableBytes: available };
}
