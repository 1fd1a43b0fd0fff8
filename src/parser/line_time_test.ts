import { assertEquals } from "../testing/assert.ts";
import { datetimePrefixMs, elapsedMs, hasDatetimePrefix } from "./line_time.ts";

Deno.test("the datetime prefix: read as UTC, digits checked, anything else is no stamp", () => {
  const line = "2026-12-01 14:37:32.911 [http @ 0x5] [debug] request: GET /a.m3u8 HTTP/1.1";
  assertEquals(datetimePrefixMs(line), Date.UTC(2026, 11, 1, 14, 37, 32, 911));
  // Across midnight and a month end the difference stays right.
  assertEquals(
    datetimePrefixMs("2026-03-01 00:00:00.004 [info] x")! -
      datetimePrefixMs("2026-02-28 23:59:59.998 [info] x")!,
    6,
  );
  for (
    const bad of [
      "[http @ 0x5] [debug] request: GET /a.m3u8",
      "2026-12-01 14:37:32.9x1 [info] x",
      "2026-13-01 14:37:32.911 [info] x",
      "14:37:32.911 [info] x", // the `time` flag alone: hls-swarm asks for `datetime`
      "2026-12-01 14:37:32.911",
    ]
  ) assertEquals(datetimePrefixMs(bad), null, bad);
  assertEquals(hasDatetimePrefix("User-Agent: hls-swarm/0.1.0/client-0"), false);
});

Deno.test("elapsed time: FFmpeg's stamps when both lines have one, arrival otherwise", () => {
  assertEquals(elapsedMs({ at: 0, stamp: 1000 }, { at: 400, stamp: 1003 }), 3);
  assertEquals(elapsedMs({ at: 0, stamp: 1000 }, { at: 400, stamp: 1000 }), 0.5);
  assertEquals(elapsedMs({ at: 0, stamp: null }, { at: 400, stamp: 1003 }), 400);
  // The wall clock stepped between the lines: back, or an hour ahead (a DST change).
  assertEquals(elapsedMs({ at: 0, stamp: 5000 }, { at: 40, stamp: 4990 }), 40);
  assertEquals(elapsedMs({ at: 0, stamp: 5000 }, { at: 40, stamp: 5000 + 3_600_000 }), 40);
});
