import type { Snapshot } from "../stats/snapshot.ts";
import type { LoadboxSample } from "../loadbox/monitor.ts";
import type { GroupCell } from "../stats/groups.ts";
import { Sketch } from "../math/sketch.ts";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { ViewerStats } from "../viewer/stats.ts";
import { stageAt } from "./audience_model.ts";
import { stageText } from "./audience_panel.ts";
import { DashboardModelBuilder, type SwarmView } from "./model.ts";
import { renderDashboard } from "./render.ts";
import { syntheticSource, syntheticSwarm } from "./synthetic.ts";
import { visibleWidth } from "./text.ts";

const STAGES = [{ durationMs: 10_000, target: 10 }, { durationMs: 10_000, target: 20 }];

const BOX: LoadboxSample = {
  at: 0,
  cpuPercent: 97,
  stealPercent: 0,
  memoryAvailableBytes: null,
  memoryTotalBytes: null,
  loopLagMs: 3,
  saturated: ["cpu"],
  cpuTicks: null,
};

/** A rendition that served `segments` segments of 100 kB, TTFBs 10 … 10·n ms, 1 s rebuffered. */
function cell(viewers: number, segments: number): GroupCell {
  const ttfb = new Sketch();
  for (let i = 1; i <= segments; i++) ttfb.add(10 * i);
  const experience = { ...new ViewerStats().toWire(), playMs: 99_000, rebufferMs: 1_000 };
  return {
    viewers,
    requests: { manifest: segments, segment: segments, init: 0, other: 0 },
    bytes: segments * 100_000,
    errors: 0,
    ttfbMs: ttfb.toWire(),
    experience,
  };
}

/**
 * A synthetic swarm at 20 s whose snapshot says what a plan's process would: 12 viewers (15
 * joins, 3 leaves) of a target of 14, held 3.2 s and held now; one join a second in the series.
 */
function planSwarm(renditions: () => Record<string, GroupCell> | undefined): SwarmView {
  const base = syntheticSwarm({ clients: 20, seconds: 20 });
  return {
    ...base,
    loadbox: { latest: BOX },
    audienceNow: { status: { stageMs: 12_000 } },
    snapshot: (): Snapshot => {
      const s = base.snapshot();
      const joins = s.series.fields.joins.map(() => 1);
      return {
        ...s,
        series: { ...s.series, fields: { ...s.series.fields, joins } },
        audience: { ...s.audience, joins: 15, leaves: 3, target: 14, heldMs: 3_200, holding: 1 },
        renditions: renditions(),
      };
    },
  };
}

Deno.test("the stage the stage clock is in, and after the last one", () => {
  assertEquals(stageAt(STAGES, 12_000), {
    index: 2,
    count: 2,
    from: 10,
    to: 20,
    durationMs: 10_000,
    intoMs: 2_000,
  });
  assertEquals(stageText(stageAt(STAGES, 12_000)), "stage 2/2: 10→20 over 0:10");
  assertEquals(stageText(stageAt(STAGES, 25_000)), "stages over: 20 holds");
  assertEquals(stageText(stageAt([STAGES[0], STAGES[0]], 15_000)), "stage 2/2: hold 10 over 0:10");
});

Deno.test("with a plan: viewers against the target, the stage, the hold, joins per second", () => {
  const swarm = planSwarm(() => undefined);
  const m = new DashboardModelBuilder(syntheticSource(swarm, { stages: STAGES })).build(20_000, 0);
  assertEquals(m.audience?.target, 14);
  assertEquals(m.audience?.viewers, 12);
  assertEquals(m.audience?.joinsPerSecond, 1);
  assertEquals(m.audience?.leavesPerSecond, 0);
  assertEquals(m.renditions, [], "one rendition: no rendition panel");
  const lines = renderDashboard(m, { width: 120, height: 40, showDetails: false, color: false });
  const text = lines.join("\n");
  assertStringIncludes(lines[2], "12 viewers, target 14 · stage 2/2: 10→20 over 0:10 · ramp HELD");
  assertStringIncludes(
    text,
    " ramp              HELD: load box saturated (cpu) · held 3.2 s in all",
  );
  assertStringIncludes(text, "── Audience");
  assert(/ joins +1\.0\/s {2}total 15/.test(text), text);
  assert(/ leaves +0\.0\/s {2}total 3 /.test(text), text);
  assert(/^ joins\/s +[ ▁▂▃▄▅▆▇█]+ +1\.0\/s {2}peak 1\.0\/s/m.test(text), text);
  assert(!text.includes("── Renditions"), text);

  // One of 3 shards: the stage's targets are the whole run's, the target this shard's share.
  const shard = new DashboardModelBuilder(syntheticSource(swarm, { stages: STAGES, shards: 3 }))
    .build(20_000, 0);
  const header =
    renderDashboard(shard, { width: 120, height: 40, showDetails: false, color: false })[2];
  assertStringIncludes(header, "target 14 · stage 2/2: 10→20 over 0:10 (whole run)");

  // Without a plan the ramp line is back, and neither the panel nor its trends show.
  const plain = new DashboardModelBuilder(
    syntheticSource(syntheticSwarm({ clients: 20, seconds: 20 })),
  ).build(20_000, 0);
  assertEquals(plain.audience, null);
  const plainText = renderDashboard(plain, {
    width: 120,
    height: 40,
    showDetails: false,
    color: false,
  }).join("\n");
  assert(!plainText.includes("── Audience") && !plainText.includes(" joins/s "), plainText);
  assertStringIncludes(plainText, " ramp ");
});

Deno.test("several renditions: requests, rates over the last frames, TTFB p95, rebuffering", () => {
  let segments = 10;
  const swarm = planSwarm(() => ({ "360p": cell(6, segments), "720p": cell(4, segments * 2) }));
  const builder = new DashboardModelBuilder(syntheticSource(swarm, { stages: STAGES }));
  const first = builder.build(10_000, 0);
  assertEquals(first.renditions.map((x) => x.requestsPerSecond), [null, null], "no second yet");
  segments = 20;
  const m = builder.build(12_000, 0);
  const [low, high] = m.renditions;
  assertEquals([low.name, low.viewers, low.requests], ["360p", 6, 40]);
  assertEquals(low.requestsPerSecond, 10, "20 requests more in 2 s");
  assertEquals(high.requestsPerSecond, 20);
  assertEquals(low.bytesPerSecond, 500_000);
  assertEquals(low.rebufferRatio, 0.01);
  // The 95th of 20 TTFBs 10 … 200 ms, within the sketch's 1 %.
  assert(Math.abs(low.ttfbP95Ms! - 190) <= 2, `p95 ${low.ttfbP95Ms}`);
  for (const [width, height] of [[80, 24], [120, 40], [200, 60]] as const) {
    const lines = renderDashboard(m, { width, height, showDetails: false, color: false });
    assertEquals(lines.length, height);
    for (const l of lines) assert(visibleWidth(l) <= width, `wider than ${width}: ${l}`);
    const text = lines.join("\n");
    assertStringIncludes(text, "── Renditions");
    assert(/ 360p +6 .*10\.0\/s +4\.00 Mbit\/s +\d+ +1\.00 %/.test(text), text);
    assert(/ 720p +4 .*20\.0\/s +8\.00 Mbit\/s/.test(text), text);
    // Audience above the traffic, renditions below the latencies.
    const row = (t: string) => lines.findIndex((l) => l.includes(t));
    assert(row("── Audience") < row("── Requests"), text);
    assert(row("── Latency") < row("── Renditions"), text);
  }
});
