import { assertBetween, assertEquals } from "../testing/assert.ts";
import { Backoff, DEFAULT_BACKOFF } from "./backoff.ts";
import { clientRandom } from "../math/random.ts";

Deno.test("delays grow ×1.7 from 250 ms, cap at 5 s, and stay within ±20 %", () => {
  for (let id = 0; id < 50; id++) {
    const b = new Backoff(DEFAULT_BACKOFF, clientRandom(id, 1234));
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(250 * 1.7 ** attempt, 5000);
      assertBetween(b.next(100, 1), base * 0.8, base * 1.2, `client ${id} attempt ${attempt}`);
    }
  }
});

Deno.test("the same client and seed give the same delays; other clients differ", () => {
  const seq = (id: number, seed: number) => {
    const b = new Backoff(DEFAULT_BACKOFF, clientRandom(id, seed));
    return Array.from({ length: 5 }, () => b.next(0, 1));
  };
  assertEquals(seq(4, 99), seq(4, 99));
  assertEquals(seq(4, 99).join() === seq(5, 99).join(), false);
  assertEquals(seq(4, 99).join() === seq(4, 100).join(), false);
});

Deno.test("30 s of uptime or a clean exit resets the sequence", () => {
  const b = new Backoff({ ...DEFAULT_BACKOFF, jitterFraction: 0 }, () => 0.5);
  assertEquals([b.next(10, 1), b.next(10, 1), b.next(10, 1)].map(Math.round), [250, 425, 722]);
  assertEquals(b.next(30_000, 1), 250);
  assertEquals(b.next(10, 1), 425);
  assertEquals(b.next(10, 0), 250);
  assertEquals(b.attempts, 1);
});

Deno.test("clientRandom stays in [0, 1)", () => {
  const r = clientRandom(0, 0);
  for (let i = 0; i < 10_000; i++) assertBetween(r(), 0, 0.9999999999);
});
