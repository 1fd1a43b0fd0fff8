import { assertEquals } from "../testing/assert.ts";
import { LineTail } from "./tail.ts";

Deno.test("a tail keeps the last lines, oldest first, across many wraps", () => {
  const tail = new LineTail(3);
  tail.push("a");
  tail.push("  ");
  tail.push("b");
  assertEquals(tail.lines(), ["a", "b"]);
  for (let i = 0; i < 10; i++) tail.push(`l${i}`);
  assertEquals(tail.lines(), ["l7", "l8", "l9"]);
  const none = new LineTail(0);
  none.push("x");
  assertEquals(none.lines(), []);
});
