import { assert, assertBetween, assertEquals } from "../testing/assert.ts";
import { FaultPlan, parseFault } from "./faults.ts";
import { handleOriginRequest, type OriginHandlerOptions } from "./server.ts";

const UA = (id: number) => `hls-swarm/0.1.0/client-${id}`;

Deno.test("parseFault reads each kind and refuses what it does not know", () => {
  const stall = parseFault("stall:hold=4s:at=30s,10s:clients=1-3,7");
  assertEquals(stall.kind === "stall" && [...stall.clients], [1, 2, 3, 7]);
  assertEquals(stall.kind === "stall" && stall.atMs, [10_000, 30_000]);
  assertEquals(parseFault("pause:at=30s:for=10s"), { kind: "pause", atMs: 30_000, forMs: 10_000 });
  const fail = parseFault("playlist-fail:status=503:clients=2");
  assertEquals(fail.kind === "playlist-fail" && fail.status, 503);
  for (
    const [spec, message] of [
      ["jitter:hold=1s", 'unknown kind "jitter"'],
      ["startup:clients=1", "needs hold="],
      ["startup:hold=3:clients=1", "needs a unit"],
      ["startup:hold=1s:clients=1:extra=2", "unknown key extra"],
      ["startup:hold=1s:clients=3-1", 'bad range "3-1"'],
      ["startup:hold=1s:clients=0-999999999", "bad range"],
      ["playlist-fail:status=200:clients=1", "400..599"],
    ]
  ) {
    try {
      parseFault(spec);
      throw new Error(`${spec} was accepted`);
    } catch (e) {
      assert(e instanceof RangeError && e.message.includes(message), `${spec}: ${e}`);
    }
  }
});

Deno.test("FaultPlan: startup holds the first segment once, stalls fire once per time", () => {
  const plan = new FaultPlan([
    parseFault("startup:hold=3s:clients=0"),
    parseFault("stall:hold=4s:at=10s,20s:clients=1"),
  ]);
  assertEquals(plan.decide("/stream.m3u8", UA(0), 0, false), { kind: "none" });
  assertEquals(plan.decide("/seg1.ts", UA(0), 100, true), { kind: "hold", ms: 3000 });
  assertEquals(plan.decide("/seg2.ts", UA(0), 200, true), { kind: "none" });
  // Client 1's session starts at its first request (1,000); the stalls count from there.
  assertEquals(plan.decide("/stream.m3u8", UA(1), 1_000, false), { kind: "none" });
  assertEquals(plan.decide("/seg1.ts", UA(1), 10_999, true), { kind: "none" });
  assertEquals(plan.decide("/seg2.ts", UA(1), 11_000, true), { kind: "hold", ms: 4000 });
  assertEquals(plan.decide("/seg3.ts", UA(1), 13_000, true), { kind: "none" });
  assertEquals(plan.decide("/seg4.ts", UA(1), 25_000, true), { kind: "hold", ms: 4000 });
  assertEquals(plan.decide("/seg5.ts", UA(1), 60_000, true), { kind: "none" });
  // Another client, or no client id at all, is untouched.
  assertEquals(plan.decide("/seg1.ts", UA(2), 100, true), { kind: "none" });
  assertEquals(plan.decide("/seg1.ts", "curl/8", 100, true), { kind: "none" });
});

Deno.test("origin handler: a failed playlist, a held segment, a frozen playlist", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/stream.m3u8`, "#EXTM3U\n#v1\n");
    await Deno.writeFile(`${dir}/seg1.ts`, new Uint8Array(188));
    let now = 0;
    const plan = new FaultPlan([
      parseFault("playlist-fail:status=404:clients=7"),
      parseFault("startup:hold=300ms:clients=1"),
      parseFault("pause:at=10s:for=5s"),
    ], 0);
    const opts: OriginHandlerOptions = {
      dir,
      failRate: 0,
      failStatus: 404,
      random: Math.random,
      faults: { plan, now: () => now },
    };
    const get = (path: string, id: number) =>
      handleOriginRequest(
        new Request(`http://o${path}`, { headers: { "user-agent": UA(id) } }),
        opts,
      );
    assertEquals((await get("/stream.m3u8", 7)).status, 404);
    assertEquals((await get("/stream.m3u8", 1)).status, 200);
    const t0 = performance.now();
    assertEquals((await get("/seg1.ts", 1)).status, 200);
    const held = performance.now() - t0;
    assertBetween(held, 295, 2000, "held ms");

    now = 11_000; // paused: the playlist is frozen as first read in the pause
    assertEquals(await (await get("/stream.m3u8", 2)).text(), "#EXTM3U\n#v1\n");
    await Deno.writeTextFile(`${dir}/stream.m3u8`, "#EXTM3U\n#v2\n");
    assertEquals(await (await get("/stream.m3u8", 2)).text(), "#EXTM3U\n#v1\n");
    now = 15_000; // the pause is over
    assertEquals(await (await get("/stream.m3u8", 2)).text(), "#EXTM3U\n#v2\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
