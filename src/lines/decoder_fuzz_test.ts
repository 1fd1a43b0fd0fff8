/**
 * Fuzzes the line decoder with random bytes cut into random chunks, against a plain reference
 * splitter: the same lines and the same truncation count however the bytes are cut, no line
 * holding a CR or an LF, none empty, none longer than the limit, and nothing thrown.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { FUZZ_SEED, FuzzRandom, fuzzReport } from "../testing/fuzz.ts";
import { LineDecoder } from "./decoder.ts";

const utf8 = new TextDecoder();

/** The decoder's rules, written the obvious way: split on CRLF, CR or LF, skip empties, cut. */
function reference(bytes: Uint8Array, max: number): { lines: string[]; truncated: number } {
  const lines: string[] = [];
  let truncated = 0, start = 0;
  const end = (to: number) => {
    if (to - start > max) truncated++;
    if (to > start) lines.push(utf8.decode(bytes.subarray(start, Math.min(to, start + max))));
  };
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10 && bytes[i] !== 13) continue;
    end(i);
    if (bytes[i] === 13 && bytes[i + 1] === 10) i++;
    start = i + 1;
  }
  end(bytes.length);
  return { lines, truncated };
}

Deno.test("fuzz: the line decoder splits random bytes as the reference does, however cut", () => {
  const t0 = performance.now();
  const r = new FuzzRandom(FUZZ_SEED + 2);
  let bytes = 0, chunks = 0, lines = 0, truncated = 0;
  const INPUTS = 3000;
  for (let i = 0; i < INPUTS; i++) {
    const max = r.pick([1, 2, 3, 7, 64, 300, 8192]);
    const input = r.chance(0.7) ? r.bytes(r.int(4000)) : new TextEncoder().encode(
      Array.from({ length: 20 }, () => r.line()).join(r.pick(["\n", "\r", "\r\n"])),
    );
    const d = new LineDecoder(max);
    const got: string[] = [];
    for (let at = 0; at < input.length;) {
      const n = r.int(r.chance(0.5) ? 4 : 600); // empty chunks too
      d.push(input.subarray(at, at + n), (l) => got.push(l));
      at += n;
      chunks++;
    }
    d.flush((l) => got.push(l));
    const want = reference(input, max);
    assertEquals(got, want.lines, `input ${i} (max ${max})`);
    assertEquals(d.truncatedLines, want.truncated, `input ${i} (max ${max})`);
    for (const l of got) {
      assert(
        l.length > 0 && l.length <= max && !/[\r\n]/.test(l),
        `input ${i}: ${JSON.stringify(l)}`,
      );
    }
    bytes += input.length;
    lines += got.length;
    truncated += want.truncated;
  }
  fuzzReport("line decoder", { inputs: INPUTS, bytes, chunks, lines, truncated }, t0);
});
