/**
 * The machines around the swarm as metric families: the origin, through its exporters, and the
 * load box itself.
 * @module
 */
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import { type LoadboxSample, SATURATION } from "../loadbox/monitor.ts";
import type { Family, Labels } from "./exposition.ts";

const P = "hlsswarm_";

/** The origin's exporter figures, re-exported as hlsswarm_origin_* gauges. */
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
  return [
    g(
      "origin_cpu_busy_ratio",
      "Origin CPU busy share (0-1) over the last scrape interval: 1 - delta(idle+iowait) / " +
        "delta(all) of node_cpu_seconds_total.",
      [[{}, o.cpuPercent === null ? null : o.cpuPercent / 100]],
    ),
    g("origin_memory_bytes", "Origin memory from node_exporter: used = MemTotal - MemAvailable.", [
      [{ state: "used" }, o.memory?.usedBytes],
      [{ state: "total" }, o.memory?.totalBytes],
    ]),
    g(
      "origin_network_bytes_per_second",
      "Origin network rate over the last exporter scrape interval, from node_exporter counter " +
        "deltas, all devices but loopback and virtual ones.",
      [[{ direction: "receive" }, o.net?.rxBytesPerSecond], [
        { direction: "transmit" },
        o.net?.txBytesPerSecond,
      ]],
    ),
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
  return [
    g(
      "loadbox_cpu_ratio",
      "Busy share (0-1) of the load box's CPUs over the last second, steal included, from " +
        "/proc/stat.",
      s?.cpuPercent === null || !s ? null : s.cpuPercent / 100,
    ),
    g(
      "loadbox_cpu_steal_ratio",
      "Share (0-1) of the load box's CPU time the hypervisor gave elsewhere over the last second.",
      s?.stealPercent === null || !s ? null : s.stealPercent / 100,
    ),
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
