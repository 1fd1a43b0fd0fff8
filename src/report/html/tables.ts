/**
 * The HTML report's tables: thresholds, viewer experience, latency, requests by kind, responses
 * by status, exits, CDN edges, shards and the load box. Each figure cell carries a `data-key`
 * naming where in the JSON summary it comes from, and shows the number as the summary holds it
 * (counts whole, milliseconds to 0.1 as the summary rounds them), so a test can read the page
 * back and compare.
 * @module
 */
import { REQUEST_KINDS } from "../../parser/url_kind.ts";
import type { Percentiles } from "../../math/sketch.ts";
import { MAX_SHARD_LINES, type ReportExtras, type ReportInput } from "./data.ts";
import { esc, int, ms, pct } from "./text.ts";

/** A cell: text (escaped here), and the summary path it shows, when it is a figure. */
export interface Cell {
  text: string;
  key?: string;
  cls?: string;
}

const c = (text: string | number, key?: string, cls?: string): Cell => ({
  text: typeof text === "number" ? int(text) : text,
  key,
  cls,
});

/**
 * An HTML table with an id, a header row and rows of cells.
 *
 * @example
 * ```ts
 * table("t", ["a"], [[{ text: "1", key: "x.y" }]]).includes('data-key="x.y"'); // true
 * ```
 */
export function table(id: string, head: readonly string[], rows: readonly Cell[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const tr = rows.map((r) =>
    "<tr>" +
    r.map((cell) =>
      `<td${cell.key ? ` data-key="${esc(cell.key)}"` : ""}${
        cell.cls ? ` class="${cell.cls}"` : ""
      }>${esc(cell.text)}</td>`
    ).join("") + "</tr>"
  ).join("");
  return `<table data-table="${esc(id)}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** The thresholds and how each went. */
export function thresholdTable(s: ReportInput): string {
  if (!s.thresholds.length) return `<p class="note">No --threshold was given.</p>`;
  return table(
    "thresholds",
    ["threshold", "actual", "result"],
    s.thresholds.map((t, i) => [
      c(t.threshold),
      c(t.actual === null ? "not measured" : String(t.actual), `thresholds.${i}.actual`),
      c(t.passed ? "pass" : "FAIL", undefined, t.passed ? "pass" : "fail"),
    ]),
  );
}

/** The viewer experience: sessions, start failures, rebuffering, bitrate. */
export function viewerTable(s: ReportInput): string {
  const v = s.viewers;
  return table("viewers", ["figure", "value", "how"], [
    [c("sessions started"), c(v.sessions.started, "viewers.sessions.started"), c("measured")],
    [c("video start failures (VSF)"), c(v.sessions.vsf, "viewers.sessions.vsf"), c("measured")],
    [c("exits before start (EBVS)"), c(v.sessions.ebvs, "viewers.sessions.ebvs"), c("measured")],
    [c("VSF rate"), c(pct(v.vsfRate)), c("of start attempts")],
    [c("rebuffers"), c(v.rebuffers, "viewers.rebuffers"), c("inferred (virtual player)")],
    [c("rebuffering ratio"), c(pct(v.rebufferRatio)), c("rebuffer time / watch time")],
    [c("rebuffered sessions"), c(v.rebufferedSessions, "viewers.rebufferedSessions"), c("")],
    [
      c("delivered bitrate"),
      c(v.bitrate === null ? "n/a" : `${(v.bitrate / 1e6).toFixed(2)} Mbit/s`),
      c("media bytes / media time"),
    ],
  ]);
}

/** Whole-run percentiles of every latency the summary keeps. */
export function latencyTable(s: ReportInput): string {
  const row = (name: string, key: string, p: Percentiles, how: string): Cell[] => [
    c(name),
    ...(["p50", "p90", "p95", "p99", "max"] as const).map((q) => c(ms(p[q]), `${key}.${q}`)),
    c(p.count, `${key}.count`),
    c(how),
  ];
  const t = s.traffic;
  return table("latency", ["ms", "p50", "p90", "p95", "p99", "max", "samples", "how"], [
    row("segment TTFB", "traffic.ttfbMs.segment", t.ttfbMs.segment, "measured"),
    row("manifest TTFB", "traffic.ttfbMs.manifest", t.ttfbMs.manifest, "measured"),
    row("TCP connect", "traffic.tcpConnectMs", t.tcpConnectMs, "measured"),
    row(
      "segment download",
      "traffic.segmentDownloadInferredMs",
      t.segmentDownloadInferredMs,
      "inferred",
    ),
    row("viewer startup", "viewers.startupMs", s.viewers.startupMs, "measured"),
    row(
      "live latency",
      "viewers.liveLatencyMs",
      s.viewers.liveLatencyMs,
      s.viewers.liveLatencyMs.count ? "inferred (program date-time)" : "unknown (no PDT)",
    ),
  ]);
}

/** Requests, bytes and average rate by request kind. */
export function kindTable(s: ReportInput): string {
  const secs = s.trafficMs / 1000;
  const rows = REQUEST_KINDS.map((k) => [
    c(k),
    c(s.traffic.requests[k], `traffic.requests.${k}`),
    c(secs > 0 ? (s.traffic.requests[k] / secs).toFixed(2) : "n/a"),
    c(s.traffic.bytes[k], `traffic.bytes.${k}`),
    c(pct(s.cdn.byKind[k].hitRatio)),
  ]);
  rows.push([
    c("all"),
    c(s.traffic.totalRequests, "traffic.totalRequests"),
    c(secs > 0 ? (s.traffic.totalRequests / secs).toFixed(2) : "n/a"),
    c(s.traffic.totalBytes, "traffic.totalBytes"),
    c(pct(s.cdn.hitRatio)),
  ]);
  return table("kind", ["kind", "requests", "average /s", "bytes", "cache hit ratio"], rows);
}

/** Responses by kind and status. */
export function statusTable(s: ReportInput): string {
  if (!s.traffic.responses.length) return `<p class="note">No response was received.</p>`;
  return table(
    "status",
    ["kind", "status", "responses"],
    s.traffic.responses.map((r, i) => [
      c(r.kind),
      c(String(r.status)),
      c(r.count, `traffic.responses.${i}.count`),
    ]),
  ) + `<p class="note">Failed requests (status ≥ 400 or unanswered): ` +
    `<span data-key="traffic.failedRequests">${int(s.traffic.failedRequests)}</span>, ` +
    `error rate ${esc(pct(s.traffic.errorRate))}.</p>`;
}

/** FFmpeg exits by code and by whether hls-swarm asked. */
export function exitTable(s: ReportInput): string {
  if (!s.lifecycle.exits.length) return `<p class="note">No FFmpeg process exited.</p>`;
  return table(
    "exits",
    ["exit", "code", "asked by hls-swarm", "count"],
    s.lifecycle.exits.map((e, i) => [
      c(e.label),
      c(String(e.code)),
      c(e.requested ? "yes" : "no"),
      c(e.count, `lifecycle.exits.${i}.count`),
    ]),
  );
}

/** Requests by CDN edge, when responses carried edge or cache headers. */
export function edgeTable(s: ReportInput): string {
  if (!s.cdn.seen) {
    return `<p class="note">No response carried a cache or edge header (X-Cache, Age, ` +
      `Via and kin), so there is no table by edge.</p>`;
  }
  return table(
    "edge",
    ["edge", "requests", "hit ratio", "bytes", "errors"],
    s.cdn.edges.map((e, i) => [
      c(e.edge),
      c(e.requests, `cdn.edges.${i}.requests`),
      c(pct(e.hitRatio)),
      c(e.bytes, `cdn.edges.${i}.bytes`),
      c(e.errors, `cdn.edges.${i}.errors`),
    ]),
  );
}

/**
 * The shards of a merged run: which are present, missing or failed, their start offsets, and,
 * when the shard summaries are given, each one's own figures. Empty for a run of one process.
 */
export function shardTable(s: ReportInput, extras: ReportExtras): string {
  if (!s.fleet) return "";
  const f = s.fleet;
  const own = new Map((extras.shards ?? []).map((x) => [x.shard?.index ?? 0, x]));
  const rows: Cell[][] = [];
  for (let i = 0; i < f.shards; i++) {
    const failed = f.failed.find((x) => x.index === i);
    const offset = f.startOffsetsMs.find((x) => x.index === i)?.offsetMs ?? null;
    const x = own.get(i);
    const state = !f.present.includes(i)
      ? "missing"
      : failed
      ? `failed (exit ${failed.code})`
      : "ok";
    rows.push([
      c(String(i)),
      c(state, undefined, state === "ok" ? "pass" : "fail"),
      c(offset === null ? "n/a" : `${offset} ms`),
      x ? c(x.shard?.clients ?? x.clients.target, `shards.${i}.shard.clients`) : c("n/a"),
      x ? c(x.traffic.totalRequests, `shards.${i}.traffic.totalRequests`) : c("n/a"),
      x ? c(x.traffic.totalBytes, `shards.${i}.traffic.totalBytes`) : c("n/a"),
      x ? c(x.traffic.failedRequests, `shards.${i}.traffic.failedRequests`) : c("n/a"),
      x ? c(x.viewers.sessions.started, `shards.${i}.viewers.sessions.started`) : c("n/a"),
      x ? c(ms(x.traffic.ttfbMs.segment.p95), `shards.${i}.traffic.ttfbMs.segment.p95`) : c("n/a"),
      x ? c(x.run.host.hostname) : c("n/a"),
    ]);
  }
  const note = !extras.shards
    ? `<p class="note">Each shard's own figures need its summary; this report was given the ` +
      `merged summary only.</p>`
    : extras.shards.length > MAX_SHARD_LINES
    ? `<p class="note">With more than ${MAX_SHARD_LINES} shards, no plot has a line per shard; ` +
      `this table has a row for each.</p>`
    : "";
  return table("shard", [
    "shard",
    "state",
    "start offset",
    "clients",
    "requests",
    "bytes",
    "failed requests",
    "sessions started",
    "segment TTFB p95",
    "host",
  ], rows) + note;
}

/** The load box's maxima and saturated windows. */
export function loadboxTable(s: ReportInput): string {
  const b = s.loadbox;
  if (!b) return `<p class="note">The load box was not sampled.</p>`;
  const top = table("loadbox", ["figure", "value"], [
    [c("CPU max"), c(b.cpuMaxPercent === null ? "n/a" : `${b.cpuMaxPercent.toFixed(1)} %`)],
    [c("steal max"), c(b.stealMaxPercent === null ? "n/a" : `${b.stealMaxPercent.toFixed(1)} %`)],
    [c("event-loop lag max"), c(`${b.loopLagMaxMs.toFixed(1)} ms`)],
    [c("saturated seconds"), c(b.saturatedSeconds, "loadbox.saturatedSeconds")],
    [c("samples"), c(b.samples, "loadbox.samples")],
  ]);
  if (!b.windows.length) {
    return top +
      `<p class="note">The load box was never saturated (limits: CPU ${b.limits.cpuPercent} %, ` +
      `loop lag ${b.limits.loopLagMs} ms), so the figures above measure the target, not the ` +
      `load box.</p>`;
  }
  return top + table(
    "saturation",
    ["from", "to", "seconds", "why", "CPU max", "lag max"],
    b.windows.map((w, i) => [
      c(w.from),
      c(w.to),
      c(w.seconds, `loadbox.windows.${i}.seconds`),
      c(w.reasons.join(", ")),
      c(w.cpuMaxPercent === null ? "n/a" : `${w.cpuMaxPercent.toFixed(1)} %`),
      c(`${w.loopLagMaxMs.toFixed(1)} ms`),
    ]),
  );
}
