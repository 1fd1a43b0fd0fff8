import { CAPTURED_VERSIONS, replayProgress } from "../parser/capture_replay.ts";
import type { ProgressBlock } from "../parser/progress.ts";
import { assert, assertBetween, assertEquals } from "../testing/assert.ts";
import { type PlaybackState, PlaybackTracker } from "./playback.ts";

const block = (mediaS: number, speed = 1): ProgressBlock => ({
  frame: Math.round(mediaS * 30) + 1,
  fps: 30,
  bitrateKbps: null,
  totalSize: null,
  outTimeUs: mediaS * 1e6,
  dupFrames: 0,
  dropFrames: 0,
  speed,
  end: false,
});

/** Feeds one progress block per 2 s segment: start-up burst of 3 segments, then real time. */
function playing(p: PlaybackTracker, seconds: number, t0 = 0, media0 = 0): number {
  let media = media0;
  for (let t = t0; t <= t0 + seconds * 1000; t += 2000) {
    p.onProgress(block(media), t);
    media += 2;
  }
  return media;
}

Deno.test("real-time playback after a catch-up burst: no stall, no drift", () => {
  const p = new PlaybackTracker(2000);
  p.onRunStart();
  p.onProgress(block(0), 0);
  p.onProgress(block(6, 3), 200); // catch-up: 6 s of media in 0.2 s
  playing(p, 30, 2200, 8);
  const s = p.state(32_500);
  assertEquals([s.stalled, s.hasMedia], [false, true]);
  assertEquals(s.driftMs! <= 250, true);
  assertEquals(p.stalls, 0);
});

Deno.test("a frozen origin: silent longer than the limit is a stall, counted once", () => {
  const p = new PlaybackTracker(2000);
  p.onRunStart();
  playing(p, 10);
  assertEquals(p.state(12_000).stalled, false);
  assertEquals(p.state(15_100).stalled, true); // silent for 5.1 s > max(5 s, 1.5 × 2 s)
  assertEquals(p.state(16_000).stalled, true);
  assertEquals(p.stalls, 1);
});

Deno.test("media arriving slower than 0.9x real time is a stall; drift grows by the lag", () => {
  const p = new PlaybackTracker(2000);
  p.onRunStart();
  let media = 0;
  for (let t = 0; t <= 20_000; t += 2000) {
    p.onProgress(block(media), t);
    media += 1.5; // 0.75x
  }
  const s = p.state(20_100);
  assertEquals(s.stalled, true);
  assertEquals(Math.round(s.driftMs!), 5000); // 20 s wall, 15 s media
});

Deno.test("drift restarts with each FFmpeg run", () => {
  const p = new PlaybackTracker(2000);
  p.onRunStart();
  p.onProgress(block(0), 0);
  p.onProgress(block(1), 10_000); // 9 s behind
  assertEquals(p.state(10_000).driftMs, 9000);
  p.onRunStart();
  p.onProgress(block(0), 20_000);
  p.onProgress(block(2), 22_000);
  assertEquals(p.state(22_000).driftMs, 0);
  assertEquals(p.maxDriftMs, 9000);
});

Deno.test("FFmpeg 7.1+: blocks every second that repeat out_time at the live edge are not progress", () => {
  const p = new PlaybackTracker(2000);
  p.onRunStart();
  // out_time steps by one 2 s segment while a block comes every second.
  for (let t = 0; t <= 30_000; t += 1000) p.onProgress(block(2 * Math.floor(t / 2000)), t);
  assertEquals(p.state(30_000).stalled, false);
  assertBetween(p.state(30_000).recentSpeed!, 0.95, 1.05);
  // The origin freezes: FFmpeg keeps writing blocks, all repeating the last out_time.
  for (let t = 31_000; t <= 40_000; t += 1000) p.onProgress(block(30), t);
  assertEquals(p.state(35_000).stalled, false); // 5 s since the last advance: not yet
  assertEquals(p.state(36_000).stalled, true);
  assertEquals(p.stalls, 1);
});

/**
 * Replays a captured progress file at the times FFmpeg wrote its blocks, evaluating the state
 * every second as a shard's tick does.
 */
async function replay(version: typeof CAPTURED_VERSIONS[number], run: string) {
  const blocks = await replayProgress(version, `progress_trace_${run}.txt`);
  const p = new PlaybackTracker(2000);
  p.onRunStart();
  const states: PlaybackState[] = [];
  let i = 0;
  for (let t = 0; t <= blocks.at(-1)!.at + 1000; t += 1000) {
    for (; i < blocks.length && blocks[i].at <= t; i++) p.onProgress(blocks[i].block, blocks[i].at);
    states.push(p.state(t));
  }
  const repeats = blocks.filter((b, j) =>
    j > 0 && b.block.outTimeUs === blocks[j - 1].block.outTimeUs
  );
  return { p, states, repeats: repeats.length };
}

for (const v of CAPTURED_VERSIONS) {
  for (const run of ["nginx_keepalive", "window_slide"]) {
    Deno.test(`FFmpeg ${v} "${run}" capture: a healthy client keeps up and never stalls`, async () => {
      const { p, states, repeats } = await replay(v, run);
      // 5.1 writes a block per segment; 7.1 and 9.0 one a second, repeating out_time.
      if (v === "5.1") assertEquals(repeats, 0);
      else assert(repeats >= 8, `${repeats} repeated blocks`);
      assertEquals(states.filter((s) => s.stalled).length, 0);
      assertEquals(p.stalls, 0);
      assertBetween(states.at(-1)!.recentSpeed!, 0.95, 1.05);
      assert(p.maxDriftMs < 1000, `drift ${p.maxDriftMs}`);
    });
  }
}

Deno.test("FFmpeg 5.1 capture of a 20 s origin freeze: one stall, over when media flows again", async () => {
  const { p, states } = await replay("5.1", "origin_frozen_20s");
  const stalledTicks = states.filter((s) => s.stalled).length;
  assertBetween(stalledTicks, 14, 20); // the freeze, minus the 5 s no-progress limit and a bit
  assertEquals(p.stalls, 1);
  assertEquals(states.at(-1)!.stalled, false);
  assertBetween(p.maxDriftMs, 18_000, 21_000);
});
