/**
 * node_exporter maths, pure: counters and memory from one scrape, CPU busy share and counter
 * increases between two. The load box's own CPU reading ({@link ../loadbox/}) uses the same
 * busy-share formula over /proc/stat.
 * @module
 */
import type { PromFamily, PromParseResult } from "./prom_text.ts";

/** Used and total memory of the origin. */
export interface OriginMemory {
  usedBytes: number;
  totalBytes: number;
  /** used / total × 100. */
  percent: number;
}

/** Counters of one node_exporter scrape, with the time they were read. */
export interface NodeCounters {
  at: number;
  /** "cpu/mode" → seconds. */
  cpu: Map<string, number>;
  /** device → bytes, excluded devices left out. */
  rx: Map<string, number>;
  tx: Map<string, number>;
}

/**
 * Reads one node_exporter scrape: CPU, network counters and memory. Throws when the text has
 * no node_exporter metrics at all (a wrong URL).
 *
 * @example
 * ```ts
 * import { parsePromText } from "./prom_text.ts";
 * const text = 'node_cpu_seconds_total{cpu="0",mode="idle"} 10\nnode_memory_MemTotal_bytes 8e9\n';
 * const { counters } = readNode(parsePromText(text), performance.now(), /^lo$/);
 * counters.cpu.get("0/idle"); // 10
 * ```
 */
export function readNode(
  parsed: PromParseResult,
  at: number,
  excluded: RegExp,
): { counters: NodeCounters; memory: OriginMemory | null } {
  const { families } = parsed;
  const cpuFamily = families.get("node_cpu_seconds_total");
  const memTotal = single(families.get("node_memory_MemTotal_bytes"));
  if (!cpuFamily && memTotal === null) {
    throw new Error(
      "no node_exporter metrics (node_cpu_seconds_total, node_memory_MemTotal_bytes): " +
        "is this URL a node_exporter?",
    );
  }
  const counters: NodeCounters = {
    at,
    cpu: new Map(),
    rx: perDevice(families.get("node_network_receive_bytes_total"), excluded),
    tx: perDevice(families.get("node_network_transmit_bytes_total"), excluded),
  };
  for (const s of cpuFamily?.samples ?? []) {
    counters.cpu.set(`${s.labels.cpu}/${s.labels.mode}`, s.value);
  }
  let memory: OriginMemory | null = null;
  if (memTotal !== null && memTotal > 0) {
    const available = single(families.get("node_memory_MemAvailable_bytes")) ??
      single(families.get("node_memory_MemFree_bytes"));
    if (available !== null) {
      const used = Math.max(0, memTotal - available);
      memory = { usedBytes: used, totalBytes: memTotal, percent: (used / memTotal) * 100 };
    }
  }
  return { counters, memory };
}

/** Modes in which a CPU does no work. iowait is idle time with disk I/O pending: the CPU
 * could run anything, so counting it as busy would overstate saturation. */
export const IDLE_MODES: ReadonlySet<string> = new Set(["idle", "iowait"]);

/** The value of a family with exactly one finite sample (a plain gauge), else null. */
export function single(family: PromFamily | undefined): number | null {
  if (!family || family.samples.length !== 1) return null;
  const v = family.samples[0].value;
  return Number.isFinite(v) ? v : null;
}

/** device → counter, without the excluded devices. */
function perDevice(family: PromFamily | undefined, excluded: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of family?.samples ?? []) {
    const device = s.labels.device;
    if (device === undefined || excluded.test(device) || !Number.isFinite(s.value)) continue;
    out.set(device, s.value);
  }
  return out;
}

/**
 * Sum of per-device increases. A device seen only once adds nothing; a counter that went down
 * (interface re-created) counts its new value as the increase, as Prometheus' rate() does.
 */
export function counterDelta(prev: Map<string, number>, cur: Map<string, number>): number {
  let sum = 0;
  for (const [device, value] of cur) {
    const before = prev.get(device);
    if (before === undefined) continue;
    sum += value >= before ? value - before : value;
  }
  return sum;
}

/**
 * Busy and idle CPU seconds over all CPUs between two readings of `node_cpu_seconds_total`
 * (steal counts as busy: those CPUs were not available). A mode that went down counts as 0:
 * Linux's per-CPU iowait and idle are known to step back slightly, and a reset-as-increase
 * there would report a huge false spike.
 *
 * @example
 * ```ts
 * const prev = new Map([["0/idle", 10], ["0/user", 5]]);
 * cpuDeltas(prev, new Map([["0/idle", 11], ["0/user", 8]])); // { busy: 3, idle: 1 }
 * ```
 */
export function cpuDeltas(
  prev: Map<string, number>,
  cur: Map<string, number>,
): { busy: number; idle: number } {
  let busy = 0;
  let idle = 0;
  for (const [key, value] of cur) {
    const before = prev.get(key);
    if (before === undefined || !Number.isFinite(value)) continue;
    const delta = Math.max(0, value - before);
    if (IDLE_MODES.has(key.slice(key.indexOf("/") + 1))) idle += delta;
    else busy += delta;
  }
  return { busy, idle };
}

/**
 * Busy % over all CPUs between two readings of `node_cpu_seconds_total` ({@linkcode cpuDeltas}),
 * or null when no time passed.
 */
export function cpuBusyPercent(prev: Map<string, number>, cur: Map<string, number>): number | null {
  const { busy, idle } = cpuDeltas(prev, cur);
  const total = busy + idle;
  if (!(total > 0)) return null;
  return Math.min(100, Math.max(0, (busy / total) * 100));
}
