import { assertEquals } from "../testing/assert.ts";
import { progressNumber, ProgressParser } from "./progress.ts";

const CAPTURE = new URL(
  "../../testdata/ffmpeg-5.1/progress_trace_nginx_keepalive.txt",
  import.meta.url,
);

Deno.test("progress blocks from a real FFmpeg 5.1 capture", async () => {
  const p = new ProgressParser();
  const blocks = (await Deno.readTextFile(CAPTURE)).split("\n").flatMap((l) => p.push(l) ?? []);
  assertEquals(blocks.length > 5, true);
  assertEquals(blocks[0], {
    frame: 1,
    fps: 0,
    bitrateKbps: null,
    totalSize: null,
    outTimeUs: 11,
    dupFrames: 0,
    dropFrames: 0,
    speed: null,
    end: false,
  });
  assertEquals([blocks[1].frame, blocks[1].outTimeUs, blocks[1].speed], [180, 6_000_000, 2.99]);
  // Frames and media time only grow.
  for (let i = 1; i < blocks.length; i++) {
    assertEquals(blocks[i].frame! >= blocks[i - 1].frame!, true);
    assertEquals(blocks[i].outTimeUs! >= blocks[i - 1].outTimeUs!, true);
  }
});

Deno.test("padding, N/A, units and garbage", () => {
  assertEquals(progressNumber("  11x"), 11);
  assertEquals(progressNumber("512.0kbits/s"), 512);
  assertEquals(progressNumber("N/A"), null);
  assertEquals(progressNumber("garbage"), null);
  assertEquals(progressNumber("1e999x"), null); // found by the fuzz test: was Infinity
  const p = new ProgressParser();
  for (const l of ["no equals sign", "weird_key=1", "speed=  1.01x"]) {
    assertEquals(p.push(l), undefined);
  }
  assertEquals(p.push("progress=end")?.speed, 1.01);
  assertEquals(p.push("progress=continue")?.speed, null);
});
