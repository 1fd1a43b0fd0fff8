/**
 * A load box saturated on purpose (busy loops on every core): the summary says when, the JSON
 * carries the window, the ramp holds its starts, and a loadbox_cpu_max threshold fails the run.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { runSwarm, uniqueAgent } from "./helpers.ts";

Deno.test("a saturated load box is named in the summary, holds the ramp, and can fail a threshold", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const json = await Deno.makeTempFile({ suffix: ".json" });
  // One busy loop per core, for the middle of the run.
  const burners = Array.from(
    { length: navigator.hardwareConcurrency },
    () =>
      new Deno.Command("timeout", {
        args: ["14", "sh", "-c", "while :; do :; done"],
        stdout: "null",
        stderr: "null",
      }).spawn(),
  );
  try {
    const run = await runSwarm([
      "--clients=6",
      "--ramp-rate=1",
      "--duration=16s",
      "--metrics=off",
      `--user-agent=${uniqueAgent("loadbox")}`,
      `--summary-json=${json}`,
      "--threshold=loadbox_cpu_max<90%",
      origin.url,
    ]);
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    assert(s.loadbox && s.loadbox.saturatedSeconds >= 3, JSON.stringify(s.loadbox));
    assert(s.loadbox.windows.length >= 1);
    assertStringIncludes(s.loadbox.windows[0].reasons.join(), "CPU");
    assertStringIncludes(run.stdout, "⚠ LOAD BOX SATURATED for");
    assertStringIncludes(run.stdout, "figures in these windows reflect this");
    assertStringIncludes(run.stdout, "FAIL  loadbox_cpu_max<90%");
    assertEquals(run.code, 99, run.stderr.slice(-1500));
    assert(run.logs.some((l) => l.msg === "ramp_held"), "the ramp held its starts");
  } finally {
    for (const b of burners) {
      try {
        b.kill("SIGKILL");
      } catch { /* already ended */ }
      await b.status;
    }
    await Deno.remove(json).catch(() => {});
    await origin.close();
  }
});
