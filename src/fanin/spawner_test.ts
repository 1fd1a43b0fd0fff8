/**
 * The fan-in with real processes: `build/hls-swarm-fanin` (`make native`) starting `sh` stand-ins.
 */
import { systemClock } from "../clock.ts";
import { createLogger } from "../log/logger.ts";
import { collectRun } from "../lines/collect.ts";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { chooseReader, findFanin } from "./choose.ts";
import { runCommand } from "../process/command_runner.ts";
import { FANIN_PROTOCOL } from "./records.ts";
import { startFanin } from "./spawner.ts";

const PATH = new URL("../../build/hls-swarm-fanin", import.meta.url).pathname;
const log = createLogger({ format: "json", level: "error", sink: () => {} });

Deno.test("the fan-in is found, and --line-reader resolves as documented", async () => {
  const found = await findFanin(runCommand, { HLS_SWARM_FANIN: PATH }, "file:///x/src/main.ts");
  assertEquals(found.path, PATH, `build it first: make native (${found.tried})`);
  const missing = await findFanin(runCommand, { HLS_SWARM_FANIN: "/nonexistent/f" }, "");
  assertEquals(missing.path, null);
  assertEquals(chooseReader("deno", found), { faninPath: null });
  assertEquals(chooseReader("auto", found), { faninPath: PATH });
  const auto = chooseReader("auto", missing);
  assert(
    "faninPath" in auto && auto.faninPath === null && auto.warning?.includes("/nonexistent/f"),
  );
  const native = chooseReader("native", missing);
  assert("error" in native && native.error.startsWith("--line-reader native: hls-swarm-fanin"));
});

Deno.test("lines are split as Deno splits them, stamped on the Clock, and both streams end", async () => {
  const clients = startFanin({ path: PATH, clock: systemClock, log });
  const run = collectRun({ progress: true });
  const t0 = systemClock.now();
  // CRLF, a lone CR, an empty line, UTF-8, a 9,000-byte line, and a last line without a newline.
  const script = `printf 'a\\r\\nb\\rc\\n\\nsmørrebrød\\n' >&2; printf 'frame=1\\nprogress=end'; ` +
    `head -c 9000 /dev/zero | tr '\\0' x >&2; printf '\\nlast' >&2; exit 3`;
  const child = await clients.spawn("sh", ["-c", script], run.out);
  assert(child.pid > 0);
  assertEquals(await child.status, { code: 3, signal: null });
  const exit = await run.exit;
  assertEquals(run.texts("stderr").map((l) => l.length > 20 ? `${l[0]}×${l.length}` : l), [
    "a",
    "b",
    "c",
    "smørrebrød",
    "x×8192",
    "last",
  ]);
  assertEquals(run.texts("progress"), ["frame=1", "progress=end"]);
  assertEquals([exit.code, exit.signal, exit.truncatedLines], [3, null, 1]);
  assertEquals(exit.stderrTail.at(-1), "last");
  // Every line delivered once, counted read and parsed; none lost, so none carries a gap.
  assertEquals(run.counts.stderr, { read: 6, dropped: 0, parsed: 6, filtered: 0 });
  assertEquals(run.counts.progress, { read: 2, dropped: 0, parsed: 2, filtered: 0 });
  assert(run.lines.every((l) => !l.gap));
  for (const { at } of run.lines) assert(at >= t0 - 5 && at <= systemClock.now());
  await clients.close?.();
});

Deno.test("kill signals the process group; a missing program is a spawn error", async () => {
  const clients = startFanin({ path: PATH, clock: systemClock, log });
  const run = collectRun();
  const child = await clients.spawn("sh", ["-c", "sleep 30 & wait"], run.out);
  child.kill("SIGTERM");
  assertEquals(await child.status, { code: 143, signal: "SIGTERM" });
  // The group's sleep died too, or its pipe would stay open and the exit wait its drain time.
  const t0 = performance.now();
  assertEquals((await run.exit).code, 143);
  assert(performance.now() - t0 < 1000);
  let failure = "";
  await clients.spawn("/nonexistent/ffmpeg", [], collectRun().out).catch((e) =>
    failure = e.message
  );
  assertStringIncludes(failure, "/nonexistent/ffmpeg: No such file or directory");
  await clients.close?.();
});

Deno.test("a corrupt record stream ends its helper: its clients get their exits at once", async () => {
  // A stand-in helper: hello, the start of client 1 (a real `sleep`), then a byte that is no
  // record type, and then it hangs, as a helper whose stream went wrong might.
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-fanin-corrupt-" });
  const helper = `${dir}/fake-fanin`;
  await Deno.writeTextFile(
    helper,
    `#!/bin/sh
le32() { v=$1; for k in 0 1 2 3; do printf "\\\\$(printf %03o $((v & 255)))"; v=$((v >> 8)); done; }
sleep 30 & echo $! > ${dir}/client.pid
printf 'H'; le32 ${FANIN_PROTOCOL}; printf '\\0\\0\\0\\0\\0\\0\\0\\0'
sleep 0.3
printf 'P'; le32 1; le32 $(cat ${dir}/client.pid)
printf 'Z\\0\\0\\0\\0'
exec sleep 30
`,
    { mode: 0o755 },
  );
  const logs: string[] = [];
  const clients = startFanin({
    path: helper,
    clock: systemClock,
    log: createLogger({ format: "json", level: "error", sink: (l) => logs.push(l) }),
  });
  try {
    const run = collectRun();
    const child = await clients.spawn("ffmpeg", [], run.out);
    assertEquals(child.pid, Number(await Deno.readTextFile(`${dir}/client.pid`)));
    const t0 = performance.now();
    assertEquals(await child.status, { code: 137, signal: "SIGKILL" });
    assertEquals((await run.exit).code, 137);
    const ms = performance.now() - t0;
    assert(ms < 1000, `${ms} ms`);
    const error = "RecordStreamError: hls-swarm-fanin: unknown record type 90";
    assertStringIncludes(logs.join(""), error);
    // The orphaned \`sleep\` still holds the helper's stderr: close() waits for it 1 s, not 30.
    const t1 = performance.now();
    await clients.close?.();
    const closeMs = performance.now() - t1;
    console.log(
      `exit ${ms.toFixed(0)} ms after the start, close ${closeMs.toFixed(0)} ms; ${logs}`,
    );
    assert(closeMs < 1500, `close took ${closeMs} ms`);
  } finally {
    try {
      Deno.kill(Number(await Deno.readTextFile(`${dir}/client.pid`)), "SIGKILL");
    } catch { /* already gone */ }
    await Deno.remove(dir, { recursive: true });
  }
});

/** Records as the fan-in writes them (little-endian), built field by field. */
function record(
  type: string,
  token: number,
  fields: (["u8" | "u32" | "i32" | "f64", number] | string)[],
) {
  const le = (n: number, v: number) => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);
  const out = [type.charCodeAt(0), ...le(4, token)];
  for (const f of fields) {
    if (typeof f === "string") out.push(...new TextEncoder().encode(f));
    else if (f[0] === "f64") out.push(...new Uint8Array(new Float64Array([f[1]]).buffer));
    else out.push(...le({ u8: 1, u32: 4, i32: 4 }[f[0]], f[1]));
  }
  return out;
}

Deno.test("the fan-in's drops arrive as the next line's gap, counted with its filtered lines, then the exit", async () => {
  // A stand-in helper: its hello, then, once the spawn request comes, one run's records.
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-fanin-gaps-" });
  const lines = (stream: number, text: string, filtered = 0) =>
    record("G", 1, [["u8", stream], ["f64", 5], ["u32", filtered], ["u32", text.length], text]);
  await Deno.writeFile(`${dir}/hello`, new Uint8Array(record("H", FANIN_PROTOCOL, [["f64", 0]])));
  await Deno.writeFile(
    `${dir}/run`,
    new Uint8Array([
      ...record("P", 1, [["i32", 4242]]),
      ...lines(0, "a"),
      ...record("D", 1, [["u8", 0], ["u32", 3]]),
      ...lines(0, "b\nc", 5),
      ...record("D", 1, [["u8", 1], ["u32", 2]]),
      ...lines(1, "frame=1"),
      ...record("C", 1, [["u8", 0], ["u32", 1], ["u32", 2]]),
      ...record("C", 1, [["u8", 1], ["u32", 0], ["u32", 0]]),
      ...record("X", 1, [["i32", 1], ["i32", 0]]),
    ]),
  );
  const helper = `${dir}/fake-fanin`;
  await Deno.writeTextFile(
    helper,
    `#!/bin/sh\ncat ${dir}/hello\nhead -c 1 >/dev/null\ncat ${dir}/run\nexec cat >/dev/null\n`,
    { mode: 0o755 },
  );
  const clients = startFanin({ path: helper, clock: systemClock, log });
  try {
    const run = collectRun({ progress: true });
    await clients.spawn("ffmpeg", [], run.out);
    const exit = await run.exit;
    assertEquals(
      run.lines.map((l) => `${l.stream} ${l.text}${l.gap ? " (gap)" : ""}`),
      ["stderr a", "stderr b (gap)", "stderr c", "progress frame=1 (gap)"],
    );
    assertEquals(run.counts.stderr, { read: 6, dropped: 3, parsed: 3, filtered: 7 });
    assertEquals(run.counts.progress, { read: 3, dropped: 2, parsed: 1, filtered: 0 });
    assertEquals([exit.code, exit.truncatedLines, exit.stderrTail], [1, 1, ["a", "b", "c"]]);
  } finally {
    await clients.close?.();
    await Deno.remove(dir, { recursive: true });
  }
});
