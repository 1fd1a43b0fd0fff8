/**
 * The machines around the swarm as metric families: the origin, through its exporters, and the
 * load box itself.
 * @module
 */
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import { type LoadboxSample, SATURATION } from "../loadbox/monitor.ts";
import type { Family, Labels } from "./exposition.ts";

const P = "hlsswarm_";

/** Clock ticks per second of /proc/stat (USER_HZ): 100 on every Linux architecture's ABI. */
const USER_HZ = 100;

/**
 * The origin's exporter figures, re-exported as hlsswarm_origin_*. CPU time and traffic are
 * counters (totals since the first scrape, `OriginTotals` of the scraper), for Prometheus to rate over
 * its own window; memory and connections are gauges, which a value at scrape time is.
 */
export function originFamilies(o: ExporterSnapshot): Family[] {
  const g = (
    name: string,
    help: string,
    samples: [Labels, number | null | undefined][],
  ): Family => ({
    name: P + name,
    type: "gauge",
    help,
    samples: samples.filter((x): x is [Labels, number] => typeof x[1] === "number"),
  });
  const t = o.totals;
  return [
    {
      name: P + "origin_cpu_seconds_total",
      type: "counter",
      help: "Origin CPU seconds over all CPUs since hls-swarm's first node_exporter scrape, by " +
        "mode: busy (all but idle and iowait, steal included) and idle (idle + iowait). Busy " +
        "share: rate(busy) / rate(busy + idle).",
      samples: t && o.cpuPercent !== null
        ? [[{ mode: "busy" }, t.cpuBusySeconds], [{ mode: "idle" }, t.cpuIdleSeconds]]
        : [],
    },
    {
      name: P + "origin_network_bytes_total",
      type: "counter",
      help: "Origin network bytes since hls-swarm's first node_exporter scrape, from its " +
        "counter increases (a reset counts as an increase of the new value), all devices but " +
        "loopback and virtual ones.",
      samples: t && o.net
        ? [[{ direction: "receive" }, t.rxBytes], [{ direction: "transmit" }, t.txBytes]]
        : [],
    },
    g("origin_memory_bytes", "Origin memory from node_exporter: used = MemTotal - MemAvailable.", [
      [{ state: "used" }, o.memory?.usedBytes],
      [{ state: "total" }, o.memory?.totalBytes],
    ]),
    g(
      "origin_nginx_connections",
      "nginx connections by state, from the nginx exporter (stub_status).",
      [
        [{ state: "active" }, o.nginx?.activeConnections],
        [{ state: "reading" }, o.nginx?.reading],
        [{ state: "writing" }, o.nginx?.writing],
        [{ state: "waiting" }, o.nginx?.waiting],
      ],
    ),
    g(
      "origin_source_up",
      "1 when the latest scrape of that exporter succeeded, else 0 (last good values are kept).",
      Object.entries(o.sources).map(([source, h]) => [{ source }, h.healthy ? 1 : 0]),
    ),
  ];
}

/** The load box's own state: whether figures reflect it rather than the origin. */
export function loadboxFamilies(s: LoadboxSample | null, saturatedSeconds: number): Family[] {
  const g = (name: string, help: string, v: number | null | undefined): Family => ({
    name: P + name,
    type: "gauge",
    help,
    samples: typeof v === "number" ? [[{}, v]] : [],
  });
  const ticks = s?.cpuTicks ?? null;
  // Whole ticks are added and subtracted before the division, so the seconds print exactly.
  const modes = (names: readonly string[]) => {
    let sum = 0;
    for (const m of names) sum += ticks?.get(`all/${m}`) ?? 0;
    return sum;
  };
  const idle = modes(["idle", "iowait"]);
  const all = modes(["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]);
  return [
    {
      name: P + "loadbox_cpu_seconds_total",
      type: "counter",
      help: "The load box's CPU seconds over all CPUs since boot (/proc/stat), by mode: busy " +
        "(all but idle and iowait, steal included) and idle (idle + iowait). Busy share: " +
        "rate(busy) / rate(busy + idle).",
      samples: ticks
        ? [[{ mode: "busy" }, (all - idle) / USER_HZ], [{ mode: "idle" }, idle / USER_HZ]]
        : [],
    },
    {
      name: P + "loadbox_cpu_steal_seconds_total",
      type: "counter",
      help: "The load box's CPU seconds the hypervisor gave elsewhere since boot (/proc/stat " +
        "steal; part of busy).",
      samples: ticks ? [[{}, modes(["steal"]) / USER_HZ]] : [],
    },
    g("loadbox_memory_available_bytes", "MemAvailable of the load box.", s?.memoryAvailableBytes),
    g(
      "loadbox_loop_lag_seconds",
      "Largest lateness of hls-swarm's 100 ms timer in the last second: how long its event " +
        "loop was busy with something else.",
      s ? s.loopLagMs / 1000 : null,
    ),
    g(
      "loadbox_saturated",
      `1 when the last second saturated the load box (CPU >= ${SATURATION.cpuPercent} %, loop ` +
        `lag >= ${SATURATION.loopLagMs} ms or memory under ${SATURATION.memoryAvailablePercent} ` +
        "% free): figures then reflect this box, not the origin.",
      s ? (s.saturated.length ? 1 : 0) : null,
    ),
    {
      name: P + "loadbox_saturated_seconds_total",
      type: "counter",
      help: "Seconds in which the load box was saturated.",
      samples: [[{}, saturatedSeconds]],
    },
  ];
}
