/**
 * `hls-swarm origin --segment-type fmp4`: the real generator makes fMP4/CMAF, per variant with
 * `--abr`, and the server answers the init section and the `.m4s` segments as what they are.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { type OriginFlagValues, originOptionsFrom } from "../cli/origin_flags.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "./mod.ts";

Deno.test("an ABR CMAF origin: EXT-X-MAP init per variant, .m4s segments; faults spare the init", async () => {
  const origin = await startOrigin({
    ...DEFAULT_ORIGIN_OPTIONS,
    port: 0,
    width: 320,
    height: 180,
    fps: 15,
    bitrateKbps: 300,
    abr: true,
    segmentType: "fmp4",
    // Every media segment fails: the init section, not a media segment, must not.
    failRate: 1,
  }, { log: () => {} });
  try {
    const base = new URL(".", origin.url);
    const master = await (await fetch(origin.url)).text();
    const variants = master.split("\n").filter((l) => l.endsWith(".m3u8"));
    assertEquals(variants.length, 2, master);
    for (const variant of variants) {
      const url = new URL(variant, base);
      const playlist = await (await fetch(url)).text();
      const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist);
      assert(map, playlist);
      const segments = playlist.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
      assert(segments.length >= 2 && segments.every((s) => s.endsWith(".m4s")), playlist);
      const init = await fetch(new URL(map[1], url));
      const body = new Uint8Array(await init.arrayBuffer());
      assertEquals([init.status, init.headers.get("content-type")], [200, "video/mp4"]);
      // An ISO BMFF file starts with its `ftyp` box.
      assertEquals(new TextDecoder().decode(body.slice(4, 8)), "ftyp");
      assertEquals(init.headers.get("cache-control"), "public, max-age=3600");
      const segment = await fetch(new URL(segments[0], url));
      await segment.body?.cancel();
      assertEquals(segment.status, DEFAULT_ORIGIN_OPTIONS.failStatus);
    }
  } finally {
    await origin.close();
  }
});

Deno.test("--segment-type takes ts or fmp4, and names the flag otherwise", () => {
  const values: OriginFlagValues = {
    host: "127.0.0.1",
    port: "0",
    resolution: "640x360",
    fps: "30",
    bitrate: "800",
    segmentDuration: "2s",
    segmentType: "ts",
    listSize: "6",
    failRate: "0",
    failStatus: "404",
    ffmpeg: "ffmpeg",
  };
  for (const type of ["ts", "fmp4"] as const) {
    const r = originOptionsFrom({ ...values, segmentType: type });
    assertEquals(r.ok && r.options.segmentType, type);
  }
  assertEquals(originOptionsFrom({ ...values, segmentType: "mkv" }), {
    ok: false,
    errors: ['segment-type: expected ts or fmp4 (got "mkv")'],
  });
});
