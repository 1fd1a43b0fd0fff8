/**
 * `--markdown FILE`: the summary as GitHub-flavoured Markdown for a CI job's summary page
 * (`--markdown "$GITHUB_STEP_SUMMARY"` in GitHub Actions; GitLab shows a Markdown artifact the
 * same way). The verdict comes first, as a reviewer reads it, then the viewer experience, the
 * requests, the CDN when responses carried its headers, the renditions and edge addresses when
 * the run had --variant-mix or --resolve, the shards of a merged run, and the thresholds. Written from the redacted record, like the JSON summary.
 *
 * GitHub appends what a step writes to `$GITHUB_STEP_SUMMARY`, so the file is appended to, not
 * replaced: a job that runs hls-swarm twice shows both.
 * @module
 */
import { EXIT_CODES, type ExitName } from "../exit/codes.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import type { ReportInput } from "./html/data.ts";

/** A table cell: pipes and line breaks would break the row. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

/** Inline code that holds any text (a target URL may hold a backtick). */
function code(text: string): string {
  const t = text.replace(/[\r\n]+/g, " ");
  const fence = "`".repeat((t.match(/`+/g) ?? []).reduce((n, m) => Math.max(n, m.length), 0) + 1);
  return `${fence} ${t} ${fence}`;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(1)} ms`);
const pct = (v: number | null) => (v === null ? "n/a" : `${(v * 100).toFixed(2)} %`);

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    row(head),
    `|${head.map((_, i) => (i ? " ---: " : " --- ")).join("|")}|`,
    ...rows.map(row),
  ];
}

/**
 * The Markdown of a run's (or a merged fleet's) record.
 *
 * @example Not run: it needs a finished run's record (src/report/markdown_test.ts makes one)
 * ```ts ignore
 * markdownSummary({ ...summary, thresholds, outcome }).split("\n")[0];
 * // "## hls-swarm run-20261207-214034-468c: ✅ PASS (exit 0)"
 * ```
 */
export function markdownSummary(s: ReportInput): string {
  const c = s.outcome.code;
  const name = (Object.keys(EXIT_CODES) as ExitName[]).find((k) => EXIT_CODES[k].code === c);
  const out: string[] = [
    `## hls-swarm ${cell(s.runId)}: ${c === 0 ? "✅ PASS" : "❌ FAIL"} (exit ${c}${
      name ? `, ${name}` : ""
    })`,
    "",
  ];
  if (s.outcome.reason) out.push(`**Why:** ${cell(s.outcome.reason)}`, "");
  const shards = s.fleet
    ? ` · ${s.fleet.present.length} of ${s.fleet.shards} shards`
    : s.shard
    ? ` · shard ${s.shard.index}/${s.shard.count}`
    : "";
  out.push(
    `Target ${code(s.target)} · ${int(s.clients.target)} clients (peak ${
      int(s.clients.peakRunning)
    } running)${shards} · ${(s.durationMs / 1000).toFixed(1)} s, stopped by ${
      cell(s.stopReason)
    } · hls-swarm ${cell(s.run.hlsSwarmVersion)}, ${cell(s.run.lineReader ?? "unknown")} ` +
      `line reader, FFmpeg ${cell(s.run.ffmpeg.version)}`,
    "",
    "### Viewer experience",
    "",
  );
  const v = s.viewers;
  out.push(
    ...mdTable(["figure", "value"], [
      ["sessions started", int(v.sessions.started)],
      ["video start failures (VSF)", `${int(v.sessions.vsf)} (${pct(v.vsfRate)})`],
      ["exits before start (EBVS)", `${int(v.sessions.ebvs)} (${pct(v.ebvsRate)})`],
      ["startup p50 / p95", `${ms(v.startupMs.p50)} / ${ms(v.startupMs.p95)}`],
      ["rebuffering ratio (inferred)", pct(v.rebufferRatio)],
      ["rebuffered sessions", `${int(v.rebufferedSessions)} (${pct(v.rebufferedShare)})`],
      [
        "live latency p50 / p95",
        v.liveLatencyMs.count
          ? `${ms(v.liveLatencyMs.p50)} / ${ms(v.liveLatencyMs.p95)}`
          : "unknown (no program date-time)",
      ],
      ["delivered bitrate", v.bitrate === null ? "n/a" : `${(v.bitrate / 1e6).toFixed(2)} Mbit/s`],
    ]),
    "",
    "### Requests",
    "",
  );
  const t = s.traffic;
  const secs = s.trafficMs / 1000;
  const rate = (n: number) => (secs > 0 ? (n / secs).toFixed(2) : "n/a");
  const ttfb = (k: string) =>
    k === "segment" ? t.ttfbMs.segment : k === "manifest" ? t.ttfbMs.manifest : null;
  const kinds = REQUEST_KINDS.filter((k) => k === "segment" || k === "manifest" || t.requests[k]);
  out.push(
    ...mdTable(
      ["kind", "requests", "per s", "bytes", "TTFB p50", "TTFB p95", "TTFB p99"],
      [
        ...kinds.map((k) => {
          const p = ttfb(k);
          return [
            k,
            int(t.requests[k]),
            rate(t.requests[k]),
            int(t.bytes[k]),
            ms(p?.p50 ?? null),
            ms(p?.p95 ?? null),
            ms(p?.p99 ?? null),
          ];
        }),
        ["all", int(t.totalRequests), rate(t.totalRequests), int(t.totalBytes), "", "", ""],
      ],
    ),
    "",
    `Failed requests: ${int(t.failedRequests)} (error rate ${pct(t.errorRate)}); responses by ` +
      `status: ${t.statuses.map((x) => `${x.status}: ${int(x.count)}`).join(", ") || "none"}.`,
    "",
  );
  if (s.cdn.seen) {
    out.push(
      `### CDN (cache hit ratio ${pct(s.cdn.hitRatio)})`,
      "",
      ...mdTable(
        ["edge", "requests", "hit ratio", "errors"],
        s.cdn.edges.map((e) => [e.edge, int(e.requests), pct(e.hitRatio), int(e.errors)]),
      ),
      "",
    );
  }
  for (
    const [title, groups] of [
      ["By rendition (--variant-mix)", s.renditions],
      ["By edge address (--resolve)", s.edgeAddresses],
    ] as const
  ) {
    if (!groups?.length) continue;
    out.push(
      `### ${title}`,
      "",
      ...mdTable(
        ["", "viewers", "requests", "errors", "segment TTFB p95", "VSF", "rebuffering (inferred)"],
        groups.map((g) => [
          g.name,
          int(g.viewers),
          int(REQUEST_KINDS.reduce((n, k) => n + g.requests[k], 0)),
          `${int(g.errors)} (${pct(g.errorRate)})`,
          ms(g.segmentTtfbMs.p95),
          `${int(g.experience.sessions.vsf)} (${pct(g.experience.vsfRate)})`,
          pct(g.experience.rebufferRatio),
        ]),
      ),
      "",
    );
  }
  if (s.fleet) {
    const f = s.fleet;
    out.push(
      "### Shards",
      "",
      `Present: ${f.present.join(", ") || "none"}; missing: ${f.missing.join(", ") || "none"}; ` +
        `failed: ${
          f.failed.map((x) => `${x.index} (exit ${x.code})`).join(", ") || "none"
        } (of ${f.shards}).`,
      "",
    );
  }
  out.push("### Thresholds", "");
  if (s.thresholds.length) {
    out.push(
      ...mdTable(
        ["threshold", "actual", "result"],
        s.thresholds.map((x) => [
          x.threshold,
          x.actual === null ? "not measured" : String(x.actual),
          x.passed ? "✅ pass" : "❌ fail",
        ]),
      ),
    );
  } else out.push("No `--threshold` was given.");
  return out.join("\n") + "\n\n";
}

/**
 * Appends the Markdown to `path` (GitHub's step summary is appended to by every step that writes
 * it). Throws what the write throws.
 *
 * @example Not run: it needs a finished run's record
 * ```ts ignore
 * await writeMarkdownSummary(record, Deno.env.get("GITHUB_STEP_SUMMARY")!);
 * ```
 */
export async function writeMarkdownSummary(s: ReportInput, path: string): Promise<void> {
  await Deno.writeTextFile(path, markdownSummary(s), { append: true });
}
