/**
 * The Markdown summary of a real run's summary (testdata/merge/whole.json, recorded by
 * tools/merge-fixtures/record.sh): verdict first, the figures as the JSON holds them, and cells a
 * hostile target or reason cannot break out of.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import type { ReportInput } from "./html/data.ts";
import { markdownSummary, writeMarkdownSummary } from "./markdown.ts";
import { groupReports } from "../stats/groups_wire.ts";
import { Sketch } from "../math/sketch.ts";
import { ViewerStats } from "../viewer/stats.ts";

const whole: ReportInput = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/merge/whole.json", import.meta.url)),
);

Deno.test("the verdict first, then the figures of the JSON summary", () => {
  // Its own thresholds and outcome, whatever the fixture's re-recording gives it.
  const md = markdownSummary({ ...whole, thresholds: [], outcome: { code: 0, reason: null } });
  const lines = md.split("\n");
  assertEquals(lines[0], `## hls-swarm ${whole.runId}: ✅ PASS (exit 0, ok)`);
  const n = (v: number) => v.toLocaleString("en-US");
  for (
    const want of [
      `| sessions started | ${n(whole.viewers.sessions.started)} |`,
      `| segment | ${n(whole.traffic.requests.segment)} |`,
      `| all | ${n(whole.traffic.totalRequests)} |`,
      `Failed requests: ${n(whole.traffic.failedRequests)}`,
      "No `--threshold` was given.",
    ]
  ) assert(md.includes(want), `has "${want}":\n${md}`);
  // Sections in the order a reviewer reads them.
  const order = ["## hls-swarm", "### Viewer experience", "### Requests", "### Thresholds"];
  const at = order.map((h) => md.indexOf(h));
  assertEquals([...at].sort((a, b) => a - b), at, "sections in order");
});

Deno.test("a failed run says why; thresholds show pass and fail; cells hold pipes", () => {
  const md = markdownSummary({
    ...whole,
    target: "http://x/a|b`c.m3u8",
    thresholds: [
      { threshold: "error_rate<1%", figure: "error_rate", actual: 0, passed: true },
      { threshold: "segment_ttfb_p95<1ms", figure: "segment_ttfb_p95", actual: 2.5, passed: false },
    ],
    outcome: { code: 99, reason: "thresholds failed: segment_ttfb_p95<1ms" },
  });
  assert(md.startsWith(`## hls-swarm ${whole.runId}: ❌ FAIL (exit 99, thresholds)`), md);
  assert(md.includes("**Why:** thresholds failed: segment_ttfb_p95<1ms"), md);
  assert(md.includes("| segment_ttfb_p95<1ms | 2.5 | ❌ fail |"), md);
  assert(md.includes("| error_rate<1% | 0 | ✅ pass |"), md);
  // The target is inline code fenced longer than any backtick run in it.
  assert(md.includes("Target `` http://x/a|b`c.m3u8 ``"), md);
});

Deno.test("the file is appended to, as GitHub's step summary expects", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/summary.md`;
    await Deno.writeTextFile(path, "# an earlier step\n");
    await writeMarkdownSummary(whole, path);
    const text = await Deno.readTextFile(path);
    assert(text.startsWith("# an earlier step\n## hls-swarm "), text.slice(0, 200));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run with --variant-mix and --resolve: a short table of each", () => {
  const k = new Sketch();
  for (const v of [4, 8, 12]) k.add(v);
  const cell = (viewers: number, errors: number) => ({
    viewers,
    requests: { manifest: 5, segment: 10, init: 0, other: 1 },
    bytes: 1000,
    errors,
    ttfbMs: k.toWire(),
    experience: new ViewerStats().toWire(),
  });
  const record = {
    ...whole,
    renditions: groupReports({ "360p": cell(4, 1), "180p|x": cell(3, 0) }),
    edgeAddresses: groupReports({ "127.0.0.2": cell(7, 1) }),
  };
  const md = markdownSummary(record);
  const p95 = `${record.renditions![0].segmentTtfbMs.p95!.toFixed(1)} ms`;
  for (
    const want of [
      "### By rendition (--variant-mix)",
      `| 360p | 4 | 16 | 1 (6.25 %) | ${p95} | 0 (n/a) | n/a |`,
      `| 180p\\|x | 3 | 16 | 0 (0.00 %) | ${p95} |`,
      "### By edge address (--resolve)",
      `| 127.0.0.2 | 7 | 16 | 1 (6.25 %) |`,
    ]
  ) assert(md.includes(want), `has "${want}":\n${md}`);
  assert(md.indexOf("### By rendition") < md.indexOf("### Thresholds"), "before the thresholds");
  assert(!markdownSummary(whole).includes("### By rendition"), "none without a mix");
});
