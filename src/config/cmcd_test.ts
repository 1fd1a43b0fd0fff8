import { assertEquals } from "../testing/assert.ts";
import { cmcdSid as sidOfLog } from "../reconcile/record.ts";
import { viewerOf } from "../reconcile/match.ts";
import { cmcdProblems, withCmcdSession } from "./cmcd.ts";
import { loadConfig } from "./load.ts";

Deno.test("CMCD-Session: the sid is appended, user keys merge in alphabetical order, later wins", () => {
  assertEquals(withCmcdSession([], "r1", 0), ['CMCD-Session: sid="r1-0"']);
  assertEquals(
    withCmcdSession(
      ["X-A: 1", 'CMCD-Session: st=l, cid="ev 42"', "X-B: 2", "cmcd-session: st=v,bs"],
      "r1",
      9,
    ),
    ["X-A: 1", 'CMCD-Session: bs,cid="ev 42",sid="r1-9",st=v', "X-B: 2"],
  );
});

Deno.test("what reconcile reads back from the header is the sid, and the sid names the viewer", () => {
  const [line] = withCmcdSession(["CMCD-Session: sf=h"], "run-20261201-142233-7f3a", 12);
  const value = line.slice(line.indexOf(":") + 1).trim();
  // nginx logs the value's quotes as \x22 (escape=default).
  const logged = value.replaceAll('"', "\\x22");
  assertEquals(sidOfLog(logged), "run-20261201-142233-7f3a-12");
  assertEquals(viewerOf({ sid: sidOfLog(logged), userAgent: "proxy-rewrote-it" }), 12);
});

Deno.test("--cmcd problems: a user sid, an unparsable value (not quoted), a sid over 64 characters", () => {
  const ok = { cmcd: true, headers: ["CMCD-Session: sf=h,st=l"], runId: "r", clients: 10 };
  assertEquals(cmcdProblems(ok), []);
  assertEquals(cmcdProblems({ ...ok, cmcd: false, headers: ['CMCD-Session: sid="x"'] }), []);
  assertEquals(cmcdProblems({ ...ok, headers: ['CMCD-Session: sid="x"'] }), [
    "cmcd: --header CMCD-Session sets sid, which --cmcd sets per client; drop one",
  ]);
  const bad = cmcdProblems({ ...ok, headers: ["CMCD-Session: s3cr3t value,"] });
  assertEquals(bad.length, 1);
  assertEquals(bad[0].includes("s3cr3t"), false, bad[0]);
  const runId = "r".repeat(61);
  assertEquals(cmcdProblems({ ...ok, runId, clients: 100 }).length, 0, "r…-99 is 64");
  assertEquals(cmcdProblems({ ...ok, runId, clients: 101 }), [
    `cmcd: the sid "${runId}-100" has 65 characters, CTA-5004 allows 64: use a shorter --run-id`,
  ]);
});

Deno.test("--cmcd through the flag table and HLS_SWARM_CMCD-style raw flags: a usage error lists the problem", () => {
  const r = loadConfig(
    { cmcd: true, header: ['CMCD-Session: sid="mine"'] },
    "http://a.test/x.m3u8",
  );
  assertEquals(r.ok, false);
  if (!r.ok) assertEquals(r.errors.some((e) => e.startsWith("cmcd: --header CMCD-Session")), true);
  const d = loadConfig({}, "http://a.test/x.m3u8");
  assertEquals(d.ok && d.config.cmcd, false);
});
