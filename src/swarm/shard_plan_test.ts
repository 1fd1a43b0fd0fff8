import { assertEquals } from "../testing/assert.ts";
import { shardPlan } from "./shard_plan.ts";

Deno.test("shards cover every client id once, and their ramp rates add up to the fleet's", () => {
  for (const [clients, count] of [[10, 4], [7, 3], [100, 8], [3, 5], [1000, 7]]) {
    const plans = Array.from(
      { length: count },
      (_, index) => shardPlan({ index, count }, clients, 50),
    );
    const ids = plans.flatMap((p) =>
      Array.from({ length: p.clients }, (_, j) => p.firstClient + j)
    );
    assertEquals(ids, Array.from({ length: clients }, (_, i) => i));
    const rate = plans.reduce((n, p) => n + p.rampRate, 0);
    assertEquals(Math.round(rate * 1e9) / 1e9, 50);
  }
  assertEquals(shardPlan(null, 10, 5), { firstClient: 0, clients: 10, rampRate: 5 });
});
