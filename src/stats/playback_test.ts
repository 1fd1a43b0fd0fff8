import type { ProgressBlock } from "../parser/progress.ts";
import { assertEquals } from "../testing/assert.ts";
import { PlaybackTracker } from "./playback.ts";

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
