import { assert, assertEquals } from "../testing/assert.ts";
import { bar, fit, sparkline, sparkRows, spread, visibleWidth } from "./text.ts";

Deno.test("visibleWidth ignores colour codes and counts code points", () => {
  assertEquals(visibleWidth("\x1b[1m\x1b[32mok\x1b[39m\x1b[22m"), 2);
  assertEquals(visibleWidth("██░"), 3);
  assertEquals(visibleWidth(""), 0);
});

Deno.test("fit cuts with an ellipsis, keeps colour codes balanced, and pads", () => {
  assertEquals(fit("abcdef", 4), "abc…");
  assertEquals(fit("ab", 4, true), "ab  ");
  assertEquals(fit("abc", 0), "");
  const cut = fit("\x1b[31mred text here\x1b[39m", 5);
  assertEquals(visibleWidth(cut), 5);
  assert(cut.endsWith("\x1b[0m"), "a cut coloured string ends with a reset");
  assertEquals(fit("\x1b[31mab\x1b[39m", 4), "\x1b[31mab\x1b[39m");
});

Deno.test("spread puts the right part flush right and cuts the left part first", () => {
  assertEquals(spread("title", "ok", 12), "title     ok");
  assertEquals(spread("a long title", "ok", 8), "a lo… ok");
  assertEquals(visibleWidth(spread("x".repeat(50), "right", 20)), 20);
});

Deno.test("sparkline scales to the largest bucket and leaves unknown history blank", () => {
  assertEquals(sparkline([0, 1, 2, 4], 4, 1), "▁▃▅█");
  // Two points in six cells: four blank cells on the left, never a fake zero history.
  assertEquals(sparkline([1, 2], 6, 1), "    ▅█");
  // Buckets of two, from the newest backwards: [1] [2,2] [4,4] → means 1, 2, 4.
  assertEquals(sparkline([1, 2, 2, 4, 4], 3, 2), "▃▅█");
  assertEquals(sparkline([], 3, 1), "   ");
  assertEquals(sparkline([0, 0], 2, 1), "▁▁");
});

Deno.test("bar fills its share of the width", () => {
  assertEquals(bar(0.5, 4), "██░░");
  assertEquals(bar(2, 3), "███");
  assertEquals(bar(Number.NaN, 2), "░░");
});

Deno.test("sparkRows: taller columns of eighths, a measured 0 on the bottom row, no data blank", () => {
  assertEquals(sparkRows([0, 1, 2, 4], 4, 1, 2), ["   █", "▁▄██"]);
  assertEquals(sparkRows([3, 3], 4, 1, 3), ["  ██", "  ██", "  ██"]);
  assertEquals(sparkRows([0, 0], 3, 1, 2), ["   ", " ▁▁"]);
  // Two values per cell: the means 1 and 3, scaled to 3 over 16 eighths.
  assertEquals(sparkRows([0, 2, 2, 4], 2, 2, 2), ["  ", "▅█"].map((s, i) => i ? s : " █"));
  assertEquals(sparkRows([1, 2], 2, 1, 1), [sparkline([1, 2], 2, 1)]);
});
