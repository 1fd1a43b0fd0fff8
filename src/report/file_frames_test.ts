import { gzipSync } from "node:zlib";
import { assert, assertEquals } from "../testing/assert.ts";
import { FILE_FRAME_PREFIX, printFileFrames, readFileFrames } from "./file_frames.ts";

/** A request-log-like file of `n` lines, and its frames as a pod prints them. */
async function framed(n: number, cap?: number) {
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  const text = Array.from(
    { length: n },
    (_, i) =>
      JSON.stringify({ time: new Date(i * 1000).toISOString(), client: i % 9, url: `/s${i}.ts` }) +
      "\n",
  ).join("");
  await Deno.writeTextFile(path, text);
  let log = '{"level":"info","msg":"run_started"}\n';
  const end = await printFileFrames("request-log", path, (t) => (log += t), cap);
  await Deno.remove(path);
  return { text, log: log + "HLS_SWARM_SUMMARY {}\n", end };
}

Deno.test("frames carry a file whole, in parts of about 1 MiB, and say what the cap left out", async () => {
  const { text, log, end } = await framed(40_000);
  assert(end.parts > 1, `${end.parts} parts`);
  assertEquals([end.lines, end.bytes, end.omittedLines], [40_000, text.length, 0]);
  const back = readFileFrames(log, "request-log")!;
  assertEquals([back.text === text, back.lines, back.incomplete], [true, 40_000, null]);
  // No other file's frames, nor none at all.
  assertEquals(readFileFrames(log, "timeline"), null);

  const capped = await framed(1000, 10_000);
  const kept = readFileFrames(capped.log, "request-log")!;
  assertEquals(kept.incomplete, null);
  assert(kept.lines < 1000 && kept.lines === capped.end.lines, `${kept.lines} lines kept`);
  assertEquals(capped.end.lines + capped.end.omittedLines, 1000);
  assert(capped.text.startsWith(kept.text), "the first lines are kept, whole");
});

Deno.test("lost, damaged, repeated or oversized frames are said or refused, never passed off", async () => {
  const { log, end } = await framed(40_000);
  const lines = log.split("\n");
  const without = (re: RegExp) => lines.filter((l) => !re.test(l)).join("\n");
  const lost = readFileFrames(without(/ part 1 /), "request-log")!;
  assert(lost.incomplete?.startsWith(`part 1 of ${end.parts} not in the log`), lost.incomplete!);
  const noEnd = readFileFrames(without(/ end \{/), "request-log")!;
  assert(noEnd.incomplete?.startsWith("no end frame"), noEnd.incomplete!);

  const part0 = lines.find((l) => l.includes(" part 0 "))!;
  const refused = (text: string, message: string) => {
    let error = "";
    try {
      readFileFrames(text, "request-log");
    } catch (e) {
      error = (e as Error).message;
    }
    assert(error.includes(message), `expected "${message}", got "${error}"`);
  };
  refused(`${part0}\n${log}`, "part 0 is in the log twice");
  refused(`${FILE_FRAME_PREFIX}request-log part 0 gz:***\n`, "not base64");
  refused(`${FILE_FRAME_PREFIX}request-log part 0 gz:AAAA\n`, "damaged");
  refused(`${FILE_FRAME_PREFIX}request-log end {"parts":-1}\n`, "end frame's parts is not a count");
  refused(`${FILE_FRAME_PREFIX}request-log middle\n`, "neither part nor end");
  // Counts that disagree with the parts: a frame was altered.
  refused(log.replace(`"lines":${end.lines}`, `"lines":${end.lines + 1}`), "the end frame says");
  // A gzip bomb: 1 KiB of log that would inflate to 100 MiB stops at the cap.
  const bomb = gzipSync(new Uint8Array(100 * 1024 * 1024), { level: 9 });
  assert(bomb.length < 200 * 1024, `${bomb.length} bytes of gzip`);
  refused(
    `${FILE_FRAME_PREFIX}request-log part 0 gz:${bomb.toBase64()}\n`,
    "larger than 64 MiB, the most a pod prints",
  );
});
