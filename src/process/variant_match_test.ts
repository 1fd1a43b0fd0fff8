import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { parsePrograms } from "./ffprobe.ts";
import { EXIT } from "../exit/codes.ts";
import { matchVariantMix, renditionFor, VariantMixError } from "./variant_match.ts";
import { parseVariantMix } from "../config/variant_mix.ts";
import { interleave, largestRemainder } from "../math/weighted.ts";

/** ffprobe -show_programs of `hls-swarm origin --abr`'s master (360p and 180p), as captured. */
const PROGRAMS = parsePrograms(
  await Deno.readTextFile(
    new URL("../../testdata/ffmpeg-5.1/ffprobe_abr_programs.json", import.meta.url),
  ),
);

Deno.test("ffprobe's programs carry bitrate and video size", () => {
  assertEquals(PROGRAMS, [
    { programId: 0, bitrate: 950400, width: 640, height: 360 },
    { programId: 1, bitrate: 290400, width: 320, height: 180 },
  ]);
});

Deno.test("a mix names renditions by height, resolution, bandwidth or index", () => {
  const match = (text: string) =>
    matchVariantMix(parseVariantMix(text, [])!, PROGRAMS, 10).map((r) => [r.programId, r.count]);
  assertEquals(match("360p=70%,180p=30%"), [[0, 7], [1, 3]]);
  assertEquals(match("640x360=50%,320x180=50%"), [[0, 5], [1, 5]]);
  assertEquals(match("950k=20%,0.3M=80%"), [[0, 2], [1, 8]]);
  assertEquals(match("v1=10%,v0=90%"), [[1, 1], [0, 9]]);
});

Deno.test("a bad mix is a usage error, every problem at once", () => {
  const errors: string[] = [];
  assertEquals(parseVariantMix("360p=50%,best=20%,180p=20", errors), null);
  assertEquals(errors.length, 2, errors.join("\n"));
  assertStringIncludes(errors[0], '"best=20%" is not RENDITION=PERCENT%');
  const sum: string[] = [];
  parseVariantMix("360p=50%,180p=20%", sum);
  assertEquals(sum, ["variant-mix: the shares add up to 70 %, not 100 %"]);
  const twice: string[] = [];
  parseVariantMix("360p=50%,360p=50%", twice);
  assertEquals(twice, ["variant-mix: 360p is given twice"]);
});

Deno.test("a rendition the master lacks: exit 2, listing what it has", () => {
  const thrown = (text: string): VariantMixError => {
    try {
      matchVariantMix(parseVariantMix(text, [])!, PROGRAMS, 4);
    } catch (e) {
      if (e instanceof VariantMixError) return e;
      throw e;
    }
    throw new Error(`${text}: no error`);
  };
  const err = thrown("1080p=50%,360p=50%");
  assertEquals(err.exitCode, EXIT.usage);
  assertEquals(
    err.message,
    "variant-mix: no variant is 1080p; the master playlist has: v0 640x360 950 kbit/s, " +
      "v1 320x180 290 kbit/s",
  );
  assertStringIncludes(thrown("v0=50%,360p=50%").message, "v0 and 360p are the same variant");
});

Deno.test("largest remainder: counts add up and each is within 1 viewer of its share", () => {
  for (let n = 1; n <= 300; n++) {
    for (const weights of [[20, 50, 30], [33.3, 33.3, 33.4], [1, 99], [12.5, 12.5, 75]]) {
      const counts = largestRemainder(n, weights);
      assertEquals(counts.reduce((a, b) => a + b, 0), n);
      const total = weights.reduce((a, b) => a + b, 0);
      counts.forEach((c, i) =>
        assert(Math.abs(c - (n * weights[i]) / total) < 1, `${n} ${weights}`)
      );
    }
  }
});

Deno.test("by client id: ids 0..N-1 hold each rendition's count, interleaved", () => {
  const mix = matchVariantMix(parseVariantMix("360p=20%,180p=80%", [])!, PROGRAMS, 10);
  const ids = Array.from({ length: 10 }, (_, id) => renditionFor(mix, id).label);
  assertEquals(ids.filter((l) => l === "360p").length, 2);
  assertEquals(ids.join(","), "180p,180p,360p,180p,180p,180p,180p,360p,180p,180p");
  // Any prefix (a ramp cut short) stays within 1 viewer of the counts' share.
  const order = interleave([3, 5, 2]);
  for (let k = 1; k <= order.length; k++) {
    for (const [r, c] of [3, 5, 2].entries()) {
      const got = order.slice(0, k).filter((x) => x === r).length;
      assert(Math.abs(got - (k * c) / 10) < 1.5, `prefix ${k}: ${got} of ${r}`);
    }
  }
});
