import { assert, assertEquals, assertStringIncludes } from "../../src/testing/assert.ts";
import { binaryString } from "./messages.ts";
import { buildScript } from "./make_script.ts";
import { parseArgs, UsageError } from "./options.ts";

const ROOT = new URL("../../", import.meta.url);
const REFUSED = new URL("testdata/ffmpeg-5.1/stderr_trace_connection_refused.txt", ROOT).pathname;
const read = (path: string) => binaryString(Deno.readFileSync(new URL(path, ROOT)));

/** The script make_script.ts makes from FFmpeg `version`'s nginx keep-alive capture pair. */
function keepalive(version: string, out: string, ...extra: string[]) {
  const o = parseArgs([
    ...["--stderr", `testdata/ffmpeg-${version}/stderr_trace_nginx_keepalive.txt`],
    ...["--progress", `testdata/ffmpeg-${version}/progress_trace_nginx_keepalive.txt`],
    ...["-o", out, ...extra],
  ]);
  assert(o !== "help");
  return { o, made: buildScript(o, read(o.stderr), read(o.progress)) };
}

Deno.test("make_script: the README's command remakes keepalive-5.1.script byte for byte", () => {
  // the command README.md ("How keepalive-5.1.script was made") gives, paths as written there
  const { o, made } = keepalive("5.1", "bench/replay/keepalive-5.1.script");
  assertEquals(made.timing.mode, "paced");
  // README: 11 cycles looped, messages 538..1648, 11 segments a pass
  assertEquals([made.plan.loopStart, made.plan.loopEnd, made.plan.steps.seg], [538, 1649, 11]);
  const committed = new TextDecoder().decode(Deno.readFileSync(new URL(o.out, ROOT)));
  assertEquals(made.text, committed);
});

Deno.test("make_script: a datetime capture keeps its times; --no-loop plays once and exits", () => {
  const { made } = keepalive("9.0", "unused.script", "--no-loop", "--exit-code", "3");
  assertEquals(made.timing.mode, "datetime");
  assertEquals(made.plan.looping, false);
  assertStringIncludes(made.text, "\n!exit 3\n");
  assert(!made.text.includes("\n!loop\n"));
});

Deno.test("make_script: bad input is one line and exit 2", async () => {
  const script = new URL("./make_script.ts", import.meta.url).pathname;
  for (
    const [args, says] of [
      [["--bogus"], "unknown argument --bogus"],
      [["--stderr", "/nonexistent/err.txt", "-o", "/dev/null"], "cannot read /nonexistent/err.txt"],
      // FFmpeg 5.1 (no datetime) that never played: nothing to pace from
      [["--stderr", REFUSED, "-o", "/dev/null"], "no status lines in this capture"],
    ]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      stdout: "null",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, err);
    assertStringIncludes(err, `make_script.ts: ${says}`);
  }
});

Deno.test("make_script: flags come from one table; a number that is not one is refused", () => {
  const base = ["--stderr", "e.txt", "-o", "o.script"];
  const o = parseArgs([...base, "--loop-from", "3", "--period-ms", "22000", "--keep-datetime"]);
  assert(o !== "help");
  assertEquals([o.loopFrom, o.periodMs, o.keepDatetime, o.noLoop], [3, 22000, true, false]);
  for (const bad of [["--loop-from", "abc"], ["--loop-from", "0"], ["--line-us", ""]]) {
    let said = "";
    try {
      parseArgs([...base, ...bad]);
    } catch (e) {
      said = e instanceof UsageError ? e.message : "not a UsageError";
    }
    assertStringIncludes(said, `${bad[0]} ${bad[1]}: needs a number >=`);
  }
  assertEquals(parseArgs([...base, "--help"]), "help");
});
