import { assert, assertEquals } from "../testing/assert.ts";
import { gzipSync } from "node:zlib";
import {
  decodeSummaryLine,
  encodeSummaryLine,
  MAX_SUMMARY_JSON_BYTES,
  SUMMARY_LINE_PREFIX,
} from "./summary_line.ts";

Deno.test("small summaries are plain JSON on the line, large ones gzip+base64; both decode from logs", async () => {
  for (
    const summary of [{ runId: "r1" }, {
      runId: "r2",
      series: Array.from({ length: 9000 }, (_, i) => i % 7),
    }]
  ) {
    const line = await encodeSummaryLine(summary);
    assert(line.startsWith(SUMMARY_LINE_PREFIX) && !line.includes("\n"));
    const log = `{"level":"info","msg":"x"}\nsome text\n${line}\n`;
    assertEquals(JSON.parse(decodeSummaryLine(log)!), summary);
  }
  // A per-second series repeats itself: gzip shrinks it well below the JSON.
  const series = { series: Array.from({ length: 9000 }, (_, i) => 40 + (i % 3)) };
  const big = await encodeSummaryLine(series);
  assert(big.startsWith(`${SUMMARY_LINE_PREFIX}gz:`), big.slice(0, 40));
  const json = JSON.stringify(series).length;
  assert(big.length < json / 4, `${big.length} characters for ${json} of JSON`);
});

Deno.test("no summary line is null; a damaged one is a clear error", () => {
  assertEquals(decodeSummaryLine("nothing here\n"), null);
  let message = "";
  try {
    decodeSummaryLine(`${SUMMARY_LINE_PREFIX}gz:AAAA\n`);
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.startsWith("the summary line's gzip+base64 payload is damaged"), message);
});

Deno.test("a line whose JSON would pass 64 MiB is refused: by its gzip trailer, or by the inflate limit when the trailer lies", () => {
  const refusal = (line: string) => {
    try {
      decodeSummaryLine(line);
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  const tooLarge = "the summary line's JSON is larger than 64 MiB, the most a summary may hold";
  const gz = gzipSync(new Uint8Array(MAX_SUMMARY_JSON_BYTES + 1024 * 1024).fill(32));
  const line = (b: Uint8Array) => `${SUMMARY_LINE_PREFIX}gz:${b.toBase64()}\n`;
  assertEquals(refusal(line(gz)), tooLarge);
  const forged = new Uint8Array(gz);
  new DataView(forged.buffer).setUint32(forged.length - 4, 1000, true);
  assertEquals(refusal(line(forged)), tooLarge);
  // Exactly at the limit is a summary's size: inflated, then judged as JSON by the caller.
  const atLimit = gzipSync(new Uint8Array(MAX_SUMMARY_JSON_BYTES).fill(32));
  assertEquals(decodeSummaryLine(line(atLimit))?.length, MAX_SUMMARY_JSON_BYTES);
  // Plain JSON on the line has the same limit, and base64 longer than 64 MiB could hold.
  assertEquals(
    refusal(`${SUMMARY_LINE_PREFIX}{"a":"${"x".repeat(MAX_SUMMARY_JSON_BYTES)}"}\n`),
    tooLarge,
  );
  assertEquals(refusal(`${SUMMARY_LINE_PREFIX}gz:${"A".repeat(90 * 1024 * 1024)}\n`), tooLarge);
});
