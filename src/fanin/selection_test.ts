/**
 * The parsers' line selection (src/parser/parsers_for.ts STDERR_SELECTION) applied by the real
 * fan-in (`build/hls-swarm-fanin`, `make native`) to every FFmpeg stderr capture in testdata/:
 * the lines it passes parse to the same events as all the lines, and every line is either
 * passed or counted as filtered.
 */
import { systemClock } from "../clock.ts";
import { collectRun } from "../lines/collect.ts";
import type { LineSelection } from "../lines/selection.ts";
import { createLogger } from "../log/logger.ts";
import {
  CAPTURED_VERSIONS,
  type CapturedVersion,
  captureLines,
  captureUrl,
} from "../parser/capture_replay.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import { STDERR_SELECTION } from "../parser/parsers_for.ts";
import { StderrParser } from "../parser/stderr_events.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { startFanin } from "./spawner.ts";

const PATH = new URL("../../build/hls-swarm-fanin", import.meta.url).pathname;

/** The lines the fan-in passes of `text` written on a client's stderr, and how many it filtered. */
async function throughFanin(
  selection: LineSelection | null,
  file: string,
): Promise<{ lines: { text: string; at: number }[]; filtered: number }> {
  const log = createLogger({ format: "json", level: "error", sink: (l) => console.error(l) });
  const clients = startFanin({ path: PATH, clock: systemClock, log, selection });
  const run = collectRun();
  await clients.spawn("sh", ["-c", 'cat "$0" >&2', file], run.out);
  assertEquals((await run.exit).code, 0);
  await clients.close?.();
  const { read, dropped, parsed, filtered } = run.counts.stderr;
  assertEquals(dropped, 0, `${dropped} lines dropped`);
  assertEquals([read, parsed], [run.lines.length, run.lines.length]);
  return { lines: run.lines.map(({ text, at }) => ({ text, at })), filtered: filtered ?? 0 };
}

/**
 * A run's events with the times that depend on when lines arrive left out: the fan-in stamps
 * lines when it reads them, and a capture written at once arrives in a few ms. FFmpeg's own
 * stamps (the `datetime` prefix of 9.0's captures) still time TTFBs and downloads.
 */
function parse(lines: { text: string; at: number }[], stamped: boolean): unknown[] {
  const parser = new StderrParser();
  const events: HttpEvent[] = [];
  for (const { text, at } of lines) events.push(...parser.push(text, at));
  events.push(...parser.finish(false));
  const arrival = stamped ? ["at"] : ["at", "ttfbMs", "ms"];
  return events.map((e) =>
    Object.fromEntries(Object.entries(e).filter(([key]) => !arrival.includes(key)))
  );
}

async function captures(): Promise<{ version: CapturedVersion; name: string }[]> {
  const out: { version: CapturedVersion; name: string }[] = [];
  for (const version of CAPTURED_VERSIONS) {
    for await (const e of Deno.readDir(captureUrl(version, ""))) {
      if (e.name.startsWith("stderr_")) out.push({ version, name: e.name });
    }
  }
  return out.sort((a, b) => `${a.version}${a.name}`.localeCompare(`${b.version}${b.name}`));
}

Deno.test("every capture parses to the same events through the selection as whole", async () => {
  let all = 0, passed = 0;
  for (const { version, name } of await captures()) {
    const file = captureUrl(version, name).pathname;
    const whole = await captureLines(version, name);
    const selected = await throughFanin(STDERR_SELECTION, file);
    const what = `${version}/${name}`;
    assertEquals(selected.lines.length + selected.filtered, whole.length, what);
    // Each passed line is one of the capture's, in order.
    let at = 0;
    for (const { text } of selected.lines) {
      while (at < whole.length && whole[at] !== text) at++;
      assert(at++ < whole.length, `${what}: "${text}" is not a line of the capture, in order`);
    }
    const stamped = version === "9.0";
    const wholeEvents = parse(whole.map((text, i) => ({ text, at: i })), stamped);
    if (name.includes("_trace_")) assert(wholeEvents.length > 0, what);
    assertEquals(parse(selected.lines, stamped), wholeEvents, what);
    all += whole.length;
    passed += selected.lines.length;
  }
  console.log(
    `${passed} of ${all} lines passed (${(100 * (1 - passed / all)).toFixed(1)} % filtered)`,
  );
});

Deno.test("without a selection every line is passed and none is filtered", async () => {
  const file = captureUrl("5.1", "stderr_trace_cmaf.txt").pathname;
  const { lines, filtered } = await throughFanin(null, file);
  assertEquals(filtered, 0);
  assertEquals(lines.map((l) => l.text), await captureLines("5.1", "stderr_trace_cmaf.txt"));
});

Deno.test("the selection's rules, line by line: keep, level, latest (held to the next kept line or the end), datetime", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-selection-" });
  try {
    const file = `${dir}/stderr`;
    await Deno.writeTextFile(
      file,
      [
        "[h264 @ 0x1] [debug] decoded", // filtered: no rule
        "[mpegts @ 0x2] [trace] packet 1", // latest: replaced by the next
        "[mpegts @ 0x2] [trace] packet 2", // latest: passed before the kept line below
        "[debug] cur_dts", // filtered
        "[http @ 0x3] [debug] request: GET /a.ts HTTP/1.1", // keep
        "[h264 @ 0x1] [error] concealing errors", // a level after the context: kept
        "[error] Error opening input", // a level at the start: kept
        "[info] something else", // filtered
        "2026-12-07 21:23:00.353 [http @ 0x3] [trace] http_code=200", // keep, after the datetime
        "2026-12-07 21:23:00.400 [mpegts @ 0x2] [trace] packet 3", // latest
        "2026-12-07 21:23:00.401 [mpegts @ 0x2] [trace] packet 4", // latest: passed at the end
        "[h264 @ 0x1] [trace] frame", // filtered
      ].join("\n") + "\n",
    );
    const { lines, filtered } = await throughFanin(STDERR_SELECTION, file);
    assertEquals(lines.map((l) => l.text), [
      "[mpegts @ 0x2] [trace] packet 2",
      "[http @ 0x3] [debug] request: GET /a.ts HTTP/1.1",
      "[h264 @ 0x1] [error] concealing errors",
      "[error] Error opening input",
      "2026-12-07 21:23:00.353 [http @ 0x3] [trace] http_code=200",
      "2026-12-07 21:23:00.401 [mpegts @ 0x2] [trace] packet 4",
    ]);
    assertEquals(filtered, 6);
    // A held line keeps the stamp of its read, which is never after the next line's.
    assert(lines[0].at <= lines[1].at);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
