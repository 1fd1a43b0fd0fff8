import { FLAGS } from "../config/flags.ts";
import { assertEquals } from "../testing/assert.ts";
import { normalizeArgv } from "./argv.ts";

Deno.test("Go spelling becomes commander spelling", () => {
  assertEquals(
    normalizeArgv(["-clients", "20", "-ramp-rate=10", "-tui=false", "-stats=true", "URL"], FLAGS),
    ["--clients", "20", "--ramp-rate=10", "--no-tui", "--stats", "URL"],
  );
});

Deno.test("negative-named booleans and unknown flags", () => {
  assertEquals(normalizeArgv(["-no-cache=false", "-no-cache"], FLAGS), ["--no-cache"]);
  assertEquals(normalizeArgv(["-bogus", "-v", "-version"], FLAGS), ["-bogus", "-v", "--version"]);
});

Deno.test("nothing after -- is touched", () => {
  assertEquals(normalizeArgv(["--", "-clients"], FLAGS), ["--", "-clients"]);
});
