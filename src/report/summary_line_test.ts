import { assert, assertEquals } from "../testing/assert.ts";
import { decodeSummaryLine, encodeSummaryLine, SUMMARY_LINE_PREFIX } from "./summary_line.ts";

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
    assertEquals(JSON.parse((await decodeSummaryLine(log))!), summary);
  }
  // A per-second series repeats itself: gzip shrinks it well below the JSON.
  const series = { series: Array.from({ length: 9000 }, (_, i) => 40 + (i % 3)) };
  const big = await encodeSummaryLine(series);
  assert(big.startsWith(`${SUMMARY_LINE_PREFIX}gz:`), big.slice(0, 40));
  const json = JSON.stringify(series).length;
  assert(big.length < json / 4, `${big.length} characters for ${json} of JSON`);
});

Deno.test("no summary line is null; a damaged one is a clear error", async () => {
  assertEquals(await decodeSummaryLine("nothing here\n"), null);
  let message = "";
  try {
    await decodeSummaryLine(`${SUMMARY_LINE_PREFIX}gz:AAAA\n`);
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.startsWith("the summary line's gzip+base64 payload is damaged"), message);
});
