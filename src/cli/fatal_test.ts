import { assertEquals } from "../testing/assert.ts";
import { debugWanted, fatalText } from "./fatal.ts";
import { rawRedactor } from "../config/raw_redactor.ts";

const redactor = rawRedactor(["http://u:pw-s3cr3t@cdn/x.m3u8?sig=s1gn-s3cr3t"], {});

Deno.test("an uncaught error is one redacted line; the redacted stack only at debug", () => {
  const e = new Error("GET http://u:pw-s3cr3t@cdn/x.m3u8?sig=s1gn-s3cr3t\nfailed: s1gn-s3cr3t");
  assertEquals(
    fatalText(e, redactor, false),
    "hls-swarm: internal error: Error: GET http://<redacted>@cdn/x.m3u8?<redacted> failed: " +
      "<redacted> (exit 1; --log-level=debug shows the stack)\n",
  );
  const debug = fatalText(e, redactor, true);
  assertEquals(debug.includes("s3cr3t"), false);
  assertEquals(debug.includes("fatal_test.ts"), true);
  assertEquals(fatalText("a string s1gn-s3cr3t", redactor, true).includes("s3cr3t"), false);
});

Deno.test("debug is read from the raw inputs, before parsing", () => {
  const cases: [string[], Record<string, string>, boolean][] = [
    [["-v"], {}, true],
    [["--verbose"], {}, true],
    [["--log-level", "debug"], {}, true],
    [["-log-level=debug"], {}, true],
    [[], { HLS_SWARM_LOG_LEVEL: "debug" }, true],
    [[], { LOG_LEVEL: "DEBUG" }, true],
    [[], { HLS_SWARM_VERBOSE: "true" }, true],
    [["--log-level", "info", "http://h/x.m3u8"], {}, false],
  ];
  assertEquals(cases.map(([a, env]) => debugWanted(a, env)), cases.map(([, , want]) => want));
});
