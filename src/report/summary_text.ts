/**
 * The exit summary as text: one layout, read by people at the end of a run and by `merge`.
 * @module
 */
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import { EVENTS } from "../events/catalog.ts";
import { formatAudience } from "./audience_report.ts";
import type { LoadboxReport } from "../loadbox/monitor.ts";
import type { Percentiles } from "../math/sketch.ts";
import { formatBitrate, formatBytes, formatClock, formatDuration, formatMs } from "./format.ts";
import type { RunSummary } from "./summary.ts";
import type { ThresholdResult } from "./thresholds.ts";
import { formatViewerExperience } from "./viewer_text.ts";
import { formatCdn } from "./cdn_text.ts";
import { formatGroups, formatGroupsHeader } from "./groups_text.ts";

const RULE = "═".repeat(79);
/** Events shown in the Requests section rather than among the errors. */
const NOT_ERRORS: ReadonlySet<string> = new Set([
  "unanswered",
  "inFlightAtStop",
  "inFlightBytesAtStop",
]);
const THIN = "─".repeat(79);

/** The line readers' names in the header; a fleet's mixed list is shown as merge wrote it. */
const READERS: Readonly<Record<string, string>> = {
  native: "native fan-in",
  deno: "Deno pipes (no fan-in)",
};

/**
 * How the run was measured, in the header: the figures depend on it (Deno's pipes cost twice the
 * CPU per line and lose lines at high client counts; FFmpeg's capabilities decide what is timed).
 */
function formatMeasuredWith(
  run: RunSummary["run"],
  row: (label: string, value: string) => string,
): string[] {
  const f = run.ffmpeg;
  const caps = ([
    [f.datetimeLogFlag, "datetime log"],
    [f.segMaxRetry, "seg_max_retry"],
    [f.reconnectOnNetworkError, "reconnect_on_network_error"],
  ] as const).filter(([has]) => has).map(([, name]) => name);
  // Summaries written before these fields existed (merge inputs) have neither.
  const reader = run.lineReader ?? "unknown";
  const workers = run.workers === undefined
    ? "workers unknown"
    : run.workers === 0
    ? "main thread"
    : `${run.workers} worker thread${run.workers === 1 ? "" : "s"}`;
  return [
    row(
      "Measured with:",
      `hls-swarm ${run.hlsSwarmVersion}, ${READERS[reader] ?? reader}, ${workers}`,
    ),
    row(
      "FFmpeg:",
      `${f.version} (${caps.length ? caps.join(", ") : "none of the optional flags"})`,
    ),
  ];
}

/**
 * Renders the summary, and the threshold results beside it, as text for stdout.
 *
 * @example Not run: it needs a finished run's summary
 * ```ts ignore
 * console.log(formatSummary(summary, evaluateThresholds(summary, thresholds)));
 * ```
 */
export function formatSummary(s: RunSummary, thresholds: readonly ThresholdResult[]): string {
  const row = (label: string, value: string | number) => `  ${label.padEnd(24)}${value}`;
  const uptime = (ms: number | null) =>
    ms === null ? "n/a" : formatDuration(ms < 10_000 ? ms : Math.round(ms / 1000) * 1000);
  const { lines: health } = s;
  const degraded = health.dropped > 0
    ? [
      "",
      `  ⚠ METRICS DEGRADED: ${health.dropped} of ${health.read} FFmpeg output lines were dropped`,
      `    (${(health.dropRate * 100).toFixed(2)} %; ${health.degradedClients} clients above ` +
      `${(health.threshold * 100).toFixed(1)} %). Figures parsed from output undercount.`,
      "    Consider a larger --stats-buffer or fewer clients per machine.",
    ]
    : [];
  const lines = [
    RULE,
    "  hls-swarm exit summary",
    RULE,
    ...degraded,
    ...saturationWarning(s.loadbox),
    row("Target:", s.target),
    row("Run id:", s.runId),
    ...formatMeasuredWith(s.run, row),
    ...(s.target.startsWith("https:") ? [row("TLS:", s.run.tls)] : []),
    ...formatGroupsHeader(s.run.config),
    ...formatShards(s),
    row("Run duration:", `${formatClock(s.durationMs)} (stopped by ${s.stopReason})`),
    row("Target clients:", s.clients.target),
    row("Peak running clients:", s.clients.peakRunning),
    row("Clients started:", s.clients.started),
    row(
      "Clients with media:",
      s.clients.receivedMedia ?? "not measured (--stats=false)",
    ),
    ...formatAudience(s.audience, row),
    ...formatViewerExperience(s.viewers, s.run.config.playerBufferMs),
    ...formatCdn(s.cdn),
    ...formatGroups(s),
    ...formatTraffic(s),
    ...formatOrigin(s.origin),
    ...formatLoadbox(s.loadbox),
    "",
    "Lifecycle",
    THIN,
    row("Starts:", s.lifecycle.starts),
    row("Restarts:", s.lifecycle.restarts),
    ...(s.lifecycle.spawnErrors ? [row("Spawn errors:", s.lifecycle.spawnErrors)] : []),
    row("Unexpected exits:", s.lifecycle.unexpectedExits),
    "",
    "Exit codes",
    THIN,
    ...(s.lifecycle.exits.length
      ? s.lifecycle.exits.map((e) =>
        `  ${String(e.code).padStart(3)}  ${e.label.padEnd(48)}${String(e.count).padStart(6)}`
      )
      : ["  (no process exited)"]),
    "",
    "Uptime per FFmpeg run (measured)",
    THIN,
    row("P50:", uptime(s.uptimeMs.p50)),
    row("P95:", uptime(s.uptimeMs.p95)),
    row("P99:", uptime(s.uptimeMs.p99)),
    "",
    "FFmpeg output pipeline (measured)",
    THIN,
    row(
      "Lines read:",
      `${health.read} (progress ${health.byStream.progress.read}, ` +
        `stderr ${health.byStream.stderr.read})`,
    ),
    row("Lines dropped:", `${health.dropped} (${(health.dropRate * 100).toFixed(2)} %)`),
    row("Degraded clients:", health.degradedClients),
    row("Overlong lines:", `${health.truncated} (kept, truncated)`),
    row("Lines filtered:", `${health.filtered ?? 0} (no parser reads them; neither read nor lost)`),
    ...formatThresholds(thresholds),
    "",
    s.metricsUrl ? `Metrics endpoint was: ${s.metricsUrl}` : "Metrics endpoint: off",
    RULE,
  ];
  return lines.join("\n") + "\n";
}

function formatTraffic(s: RunSummary): string[] {
  const t = s.traffic;
  const seconds = Math.max(s.trafficMs / 1000, 0.001);
  const clients = Math.max(s.clients.started, 1);
  const row = (label: string, value: string | number) => `  ${label.padEnd(24)}${value}`;
  const kinds = [
    ["Manifest (.m3u8)", "manifest"],
    ["Segment", "segment"],
    ["Init segment", "init"],
    ["Other", "other"],
  ] as const;
  const requestRows = kinds
    .filter(([, k]) => k === "manifest" || k === "segment" || t.requests[k] > 0)
    .map(([label, k]) =>
      `  ${label.padEnd(20)}${String(t.requests[k]).padStart(10)}` +
      `${(t.requests[k] / seconds).toFixed(2).padStart(12)}` +
      `${(t.requests[k] / clients).toFixed(1).padStart(12)}` +
      `${formatBytes(t.bytes[k]).padStart(14)}`
    );
  const pct = (label: string, p: Percentiles) =>
    `  ${label.padEnd(28)}${
      [p.p50, p.p90, p.p95, p.p99, p.max].map((v) => formatMs(v).padStart(10)).join("")
    }${String(p.count).padStart(9)}`;
  const statuses = t.statuses.map((x) => `${x.status}: ${x.count}`);
  if (t.events.unanswered) statuses.push(`no response: ${t.events.unanswered}`);
  const e = t.events;
  const p = t.playback;
  return [
    "",
    "Requests (measured: one per FFmpeg request line)",
    THIN,
    `  ${"Kind".padEnd(20)}${"Total".padStart(10)}${"Rate /s".padStart(12)}` +
    `${"Per client".padStart(12)}${"Bytes".padStart(14)}`,
    ...requestRows,
    row("All requests:", `${t.totalRequests} (${(t.totalRequests / seconds).toFixed(2)} /s)`),
    row(
      "Last 30 s:",
      `segments ${fmtRate(s.recentRates.segments)} /s, manifests ${
        fmtRate(s.recentRates.manifests)
      } /s, ${s.recentRates.bytes === null ? "n/a" : formatBitrate(s.recentRates.bytes)}`,
    ),
    row(
      "Bytes:",
      `${formatBytes(t.totalBytes)} (${formatBitrate(t.totalBytes / seconds)} average; ` +
        "Content-Length of 2xx responses)",
    ),
    row("Responses by status:", statuses.join(", ") || "none"),
    row(
      "In flight at the stop:",
      `${e.inFlightAtStop} requests (${formatBytes(e.inFlightBytesAtStop)} announced, ` +
        "not received, not counted)",
    ),
    "",
    s.run.ffmpeg.datetimeLogFlag
      ? "Latency (from FFmpeg's own line stamps; fleet percentiles of all samples)"
      : `Latency (timed at line arrival: FFmpeg ${s.run.ffmpeg.version} cannot stamp its lines; ` +
        "fleet percentiles of all samples)",
    THIN,
    `  ${"".padEnd(28)}${["p50", "p90", "p95", "p99", "max"].map((h) => h.padStart(10)).join("")}` +
    `${"samples".padStart(9)}`,
    pct("Manifest time to first byte", t.ttfbMs.manifest),
    pct("Segment time to first byte", t.ttfbMs.segment),
    pct("TCP connect", t.tcpConnectMs),
    pct("Segment download (inferred)", t.segmentDownloadInferredMs),
    "  (inferred: response headers → the last packet demuxed before the next request)",
    "",
    "Errors",
    THIN,
    row(
      "Error rate:",
      `${
        (t.errorRate * 100).toFixed(2)
      } % (${t.failedRequests} of ${t.totalRequests} requests: status ≥ 400 or no response)`,
    ),
    ...EVENTS.filter((ev) => !NOT_ERRORS.has(ev.key)).map((ev) => row(ev.summary, e[ev.key])),
    "",
    "Playback (measured from FFmpeg progress)",
    THIN,
    row("Keeping up (≥ 0.9x):", p.keepingUp),
    row("Behind (< 0.9x):", p.fallingBehind),
    row("Average speed:", p.averageSpeed === null ? "n/a" : `${p.averageSpeed.toFixed(3)}x`),
    row("Stalled at the end:", `${p.stalled} (stall episodes: ${p.stallEpisodes})`),
    row("Average drift:", formatMs(p.averageDriftMs)),
    row("Max drift:", `${formatMs(p.maxDriftMs)} (${p.highDrift} clients above 5 s at the end)`),
  ];
}

function formatThresholds(results: readonly ThresholdResult[]): string[] {
  if (!results.length) return [];
  const failed = results.filter((r) => !r.passed).length;
  return [
    "",
    `Thresholds (${failed ? `${failed} FAILED` : "all passed"})`,
    THIN,
    ...results.map((r) =>
      `  ${r.passed ? "PASS" : "FAIL"}  ${r.threshold.padEnd(36)}actual: ${
        r.actual === null ? "not measured" : Number(r.actual.toFixed(4))
      }`
    ),
  ];
}

function fmtRate(r: number | null): string {
  return r === null ? "n/a" : r.toFixed(2);
}

function formatOrigin(o: ExporterSnapshot | null): string[] {
  // A summary read back from a file may hold anything here (merge checks it; this still must not
  // throw on a string or a list).
  if (!o || typeof o !== "object" || Array.isArray(o)) return [];
  const row = (label: string, value: string) => `  ${label.padEnd(24)}${value}`;
  const n = (v: number | null | undefined, f: (x: number) => string) =>
    v === null || v === undefined ? "n/a" : f(v);
  const health = Object.entries(o.sources ?? {}).map(([name, h]) =>
    `${name} ${h.healthy ? "ok" : `failing (${h.lastError ?? "no answer yet"})`}, ` +
    `${h.scrapes - h.failures}/${h.scrapes} scrapes ok`
  );
  return [
    "",
    "Origin (from its exporters; rates from counter deltas between scrapes)",
    THIN,
    row("Exporters:", health.join("; ")),
    row("CPU busy:", n(o.cpuPercent, (v) => `${v.toFixed(1)} %`)),
    row(
      "Memory used:",
      o.memory
        ? `${formatBytes(o.memory.usedBytes)} of ${formatBytes(o.memory.totalBytes)} ` +
          `(${o.memory.percent.toFixed(1)} %)`
        : "n/a",
    ),
    row(
      "Network in / out:",
      o.net
        ? `${formatBitrate(o.net.rxBytesPerSecond)} / ${formatBitrate(o.net.txBytesPerSecond)} ` +
          `(out p50 ${formatBitrate(o.net.txP50)}, max ${formatBitrate(o.net.txMax)} over ` +
          `${o.net.windowMs / 1000} s)`
        : "n/a",
    ),
    row("nginx connections:", n(o.nginx?.activeConnections, (v) => String(v))),
    row("nginx requests/s:", n(o.nginx?.requestsPerSecond, (v) => v.toFixed(1))),
  ];
}

/** Where a shard sits in its run, or which shards a merged fleet holds. */
function formatShards(s: RunSummary): string[] {
  const row = (label: string, value: string) => `  ${label.padEnd(24)}${value}`;
  const offset = (ms: number | null) => ms === null ? "n/a" : `${ms >= 0 ? "+" : ""}${ms} ms`;
  if (s.shard) {
    const { index, count, firstClient, clients, startOffsetMs } = s.shard;
    return [
      row(
        "Shard:",
        `${index} of ${count} (clients ${firstClient}–${firstClient + clients - 1}` +
          (s.shard.startAt ? `, ramp started ${offset(startOffsetMs)} after --start-at)` : ")"),
      ),
    ];
  }
  if (!s.fleet) return [];
  const f = s.fleet;
  const offsets = f.startOffsetsMs.map((o) => o.offsetMs).filter((o): o is number => o !== null);
  return [
    row("Shards merged:", `${f.present.length} of ${f.shards}`),
    row("Missing shards:", f.missing.length ? f.missing.join(", ") : "none"),
    row(
      "Failed shards:",
      f.failed.length
        ? f.failed.map((x) => `${x.index} (exit ${x.code}${x.reason ? `: ${x.reason}` : ""})`).join(
          "; ",
        )
        : "none",
    ),
    ...(offsets.length
      ? [
        row(
          "Start offsets:",
          `${offset(Math.min(...offsets))} to ${offset(Math.max(...offsets))} after --start-at`,
        ),
      ]
      : []),
  ];
}

/** Up front: when the load box itself was the bottleneck, and for which window. */
function saturationWarning(box: LoadboxReport | null): string[] {
  if (!box?.windows.length) return [];
  const time = (iso: string) => iso.slice(11, 19);
  return [
    "",
    `  ⚠ LOAD BOX SATURATED for ${box.saturatedSeconds} s: figures in these windows reflect this`,
    "    box, not the origin:",
    ...box.windows.slice(0, 5).map((w) =>
      `    ${w.shard === undefined ? "" : `shard ${w.shard}: `}${w.reasons.join(", ")} from ` +
      `${time(w.from)} to ${time(w.to)} UTC (CPU max ${
        w.cpuMaxPercent === null ? "n/a" : `${w.cpuMaxPercent.toFixed(0)} %`
      }, loop lag max ${Math.round(w.loopLagMaxMs)} ms)`
    ),
    ...(box.windows.length > 5 ? [`    … and ${box.windows.length - 5} more windows`] : []),
  ];
}

function formatLoadbox(box: LoadboxReport | null): string[] {
  if (!box) return [];
  const row = (label: string, value: string) => `  ${label.padEnd(24)}${value}`;
  const pct = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(1)} %`);
  return [
    "",
    "Load box (measured on this machine, once a second)",
    THIN,
    row("CPU busy, max:", `${pct(box.cpuMaxPercent)} (steal max ${pct(box.stealMaxPercent)})`),
    row("Event-loop lag, max:", `${Math.round(box.loopLagMaxMs)} ms`),
    row(
      "Memory available, min:",
      box.memoryMinAvailableBytes === null ? "n/a" : formatBytes(box.memoryMinAvailableBytes),
    ),
    row(
      "Saturated:",
      `${box.saturatedSeconds} s of ${box.samples} (CPU >= ${box.limits.cpuPercent} %, loop lag ` +
        `>= ${box.limits.loopLagMs} ms or memory < ${box.limits.memoryAvailablePercent} % free)`,
    ),
  ];
}
