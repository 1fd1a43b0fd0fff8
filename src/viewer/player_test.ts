import { assertEquals } from "../testing/assert.ts";
import { VirtualPlayer } from "./player.ts";

Deno.test("VirtualPlayer: a steady stream never stalls", () => {
  const p = new VirtualPlayer(2000);
  p.media(6000, 500); // the catch-up burst: three segments behind live
  for (let i = 1; i <= 30; i++) p.media(6000 + 2000 * i, 500 + 2000 * i);
  p.end(61_000);
  assertEquals([p.startedAt, p.rebuffers, p.rebufferMs, p.playMs], [500, 0, 0, 60_500]);
});

Deno.test("VirtualPlayer: two holds longer than the buffer are two rebuffers of known length", () => {
  const p = new VirtualPlayer(2000);
  p.media(2000, 1000); // starts at 1 s with 2 s buffered
  p.media(4000, 2500); // buffer 2.5 s at 2.5 s: runs dry at 5 s
  p.media(6000, 8000); // 3 s stalled (5 → 8)
  p.media(8000, 9000);
  p.media(10_000, 15_000); // dry at 12 s, stalled until 15 s
  p.end(16_000);
  assertEquals(p.rebuffers, 2);
  assertEquals(p.rebufferMs, 6000);
  assertEquals(p.playMs, 16_000 - 1000 - 6000);
});

Deno.test("VirtualPlayer: resumes only once the startup buffer has refilled", () => {
  const p = new VirtualPlayer(4000);
  p.media(4000, 0);
  p.media(5000, 6000); // dry at 4 s; 1 s buffered is not enough to resume
  assertEquals(p.state, "rebuffering");
  p.media(8000, 7000); // 4 s buffered: resumes at 7 s
  assertEquals([p.state, p.rebufferMs], ["playing", 3000]);
});

Deno.test("VirtualPlayer: a stall in progress at the end counts up to the end; no media, no start", () => {
  const p = new VirtualPlayer(2000);
  p.media(2000, 0);
  p.end(5000);
  assertEquals([p.rebuffers, p.rebufferMs, p.playMs], [1, 3000, 2000]);
  const never = new VirtualPlayer(2000);
  never.media(1000, 100);
  never.end(9000);
  assertEquals([never.startedAt, never.rebuffers, never.playMs], [null, 0, 0]);
});

Deno.test("VirtualPlayer: totalsAt is what end would give, without ending", () => {
  for (const at of [1500, 2000, 3000, 5000]) {
    const a = new VirtualPlayer(2000);
    const b = new VirtualPlayer(2000);
    for (const p of [a, b]) {
      p.media(2000, 0);
      p.media(3000, 1000);
    }
    const peek = a.totalsAt(at);
    b.end(at);
    assertEquals(peek, { rebuffers: b.rebuffers, rebufferMs: b.rebufferMs, playMs: b.playMs });
    assertEquals(a.state, "playing");
  }
});
