import { assertEquals } from "../testing/assert.ts";
import type { ProgressBlock } from "../parser/progress.ts";
import { ViewerStats } from "./stats.ts";
import { Viewer } from "./viewer.ts";

const block = (outTimeUs: number): ProgressBlock => ({
  frame: 1,
  bitrateKbps: null,
  fps: 30,
  outTimeUs,
  speed: 1,
  totalSize: null,
  dropFrames: 0,
  dupFrames: 0,
  end: false,
});

Deno.test("Viewer: started once, startup at the first segment's arrival, outcomes per run", () => {
  const stats = new ViewerStats();
  const v = new Viewer(stats, 2000);
  v.runStart();
  v.event({ type: "request", req: 1, kind: "manifest", path: "/s.m3u8", at: 100 });
  v.progress(block(2_000_000), 700); // media before the arrival event: started, startup unknown yet
  v.event({ type: "segment_download_inferred", req: 2, ms: 40, at: 650 });
  v.event({ type: "body_bytes", req: 2, kind: "segment", bytes: 230_000 });
  v.progress(block(8_000_000), 900);
  v.runEnd("stopped", 10_000);
  v.runStart(); // a restart that never gets media, ended by an error: a VSF
  v.event({ type: "request", req: 1, kind: "manifest", path: "/s.m3u8", at: 11_000 });
  v.runEnd("error", 11_500);
  v.runStart(); // stopped before media: an EBVS
  v.runEnd("stopped", 12_000);
  const w = stats.toWire();
  assertEquals(w.sessions, { started: 1, vsf: 1, ebvs: 1 });
  assertEquals(w.startupMs.count, 1);
  assertEquals(Math.round(w.startupMs.sum), 550); // 650 − 100, within the sketch's 1 %
  assertEquals([w.rebuffers, w.mediaBytes, w.mediaMs], [1, 230_000, 8000]);
});
