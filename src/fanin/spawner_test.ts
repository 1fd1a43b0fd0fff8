/**
 * The fan-in with real processes: `build/hls-swarm-fanin` (`make native`) starting `sh` stand-ins.
 */
import { systemClock } from "../clock.ts";
import { createLogger } from "../log/logger.ts";
import type { LineSink } from "../process/spawner.ts";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { chooseReader, findFanin } from "./choose.ts";
import { runCommand } from "../process/command_runner.ts";
import { FANIN_PROTOCOL } from "./records.ts";
import { startFanin } from "./spawner.ts";

const PATH = new URL("../../build/hls-swarm-fanin", import.meta.url).pathname;
const log = createLogger({ format: "json", level: "error", sink: () => {} });

function sink(): LineSink & { lines: string[]; stamps: number[]; drops: number } {
  const s = {
    lines: [] as string[],
    stamps: [] as number[],
    drops: 0,
    line(text: string, at: number) {
      s.lines.push(text);
      s.stamps.push(at);
    },
    dropped(n: number) {
      s.drops += n;
    },
  };
  return s;
}

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
  const err = sink(), out = sink();
  const t0 = systemClock.now();
  // CRLF, a lone CR, an empty line, UTF-8, a 9,000-byte line, and a last line without a newline.
  const script = `printf 'a\\r\\nb\\rc\\n\\nsmørrebrød\\n' >&2; printf 'frame=1\\nprogress=end'; ` +
    `head -c 9000 /dev/zero | tr '\\0' x >&2; printf '\\nlast' >&2; exit 3`;
  const child = await clients.spawn("sh", ["-c", script], { stderr: err, progress: out });
  assert(child.pid > 0);
  assertEquals(await child.status, { code: 3, signal: null });
  await child.linesDone;
  assertEquals(err.lines.map((l) => l.length > 20 ? `${l[0]}×${l.length}` : l), [
    "a",
    "b",
    "c",
    "smørrebrød",
    "x×8192",
    "last",
  ]);
  assertEquals(out.lines, ["frame=1", "progress=end"]);
  assertEquals(child.truncatedLines(), 1);
  for (const at of [...err.stamps, ...out.stamps]) assert(at >= t0 - 5 && at <= systemClock.now());
  await clients.close?.();
});

Deno.test("kill signals the process group; a missing program is a spawn error", async () => {
  const clients = startFanin({ path: PATH, clock: systemClock, log });
  const child = await clients.spawn("sh", ["-c", "sleep 30 & wait"], {
    stderr: sink(),
    progress: null,
  });
  child.kill("SIGTERM");
  assertEquals(await child.status, { code: 143, signal: "SIGTERM" });
  await child.linesDone; // the group's sleep died too, or its pipe would stay open
  let failure = "";
  await clients.spawn("/nonexistent/ffmpeg", [], { stderr: sink(), progress: null }).catch((e) =>
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
    const child = await clients.spawn("ffmpeg", [], { stderr: sink(), progress: null });
    assertEquals(child.pid, Number(await Deno.readTextFile(`${dir}/client.pid`)));
    const t0 = performance.now();
    assertEquals(await child.status, { code: 137, signal: "SIGKILL" });
    await child.linesDone;
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
