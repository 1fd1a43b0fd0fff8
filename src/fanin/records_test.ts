import { assertEquals, assertThrows } from "../testing/assert.ts";
import { RecordDecoder, type RecordHandler, spawnRequest } from "./records.ts";

/** Records as the fan-in writes them (little-endian), built field by field. */
function record(
  type: string,
  token: number,
  fields: (["u8" | "u32" | "i32" | "f64" | "u16", number] | string)[],
): number[] {
  const out = [type.charCodeAt(0), ...le(4, token)];
  for (const f of fields) {
    if (typeof f === "string") out.push(...new TextEncoder().encode(f));
    else if (f[0] === "f64") out.push(...new Uint8Array(new Float64Array([f[1]]).buffer));
    else out.push(...le({ u8: 1, u16: 2, u32: 4, i32: 4 }[f[0]], f[1]));
  }
  return out;
}
const le = (n: number, v: number) => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);

function collect(): { handler: RecordHandler; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    handler: {
      hello: (ms) => seen.push(`hello ${ms}`),
      started: (t, pid) => seen.push(`started ${t} ${pid}`),
      spawnFailed: (t, errno, m) => seen.push(`failed ${t} ${errno} ${m}`),
      line: (t, s, text, at) => seen.push(`line ${t}/${s} @${at} ${text}`),
      dropped: (t, s, n) => seen.push(`dropped ${t}/${s} ${n}`),
      filtered: (t, s, n) => seen.push(`filtered ${t}/${s} ${n}`),
      closed: (t, s, n) => seen.push(`closed ${t}/${s} ${n}`),
      exited: (t, code, sig) => seen.push(`exited ${t} ${code} ${sig}`),
    },
  };
}

const group = "[http @ 0x1] Opening 'a.ts'\nsmørrebrød\n\u00ff";
const groupBytes = new TextEncoder().encode(group);
const stream = new Uint8Array([
  ...record("H", 0, [["f64", 1234.5]]),
  ...record("P", 7, [["i32", 4242]]),
  ...record("G", 7, [["u8", 0], ["f64", 99.25], ["u32", 5], ["u32", groupBytes.length]]),
  ...groupBytes,
  ...record("D", 7, [["u8", 1], ["u32", 3]]),
  ...record("C", 7, [["u8", 0], ["u32", 2], ["u32", 0]]),
  ...record("C", 7, [["u8", 1], ["u32", 0], ["u32", 6]]),
  ...record("X", 7, [["i32", 143], ["i32", 15]]),
  ...record("E", 8, [["i32", 2], ["u16", 12], "nope: ENOENT"]),
]);
const expected = [
  "hello 1234.5",
  "started 7 4242",
  "filtered 7/0 5",
  "line 7/0 @99.25 [http @ 0x1] Opening 'a.ts'",
  "line 7/0 @99.25 smørrebrød",
  "line 7/0 @99.25 \u00ff",
  "dropped 7/1 3",
  "closed 7/0 2",
  "filtered 7/1 6",
  "closed 7/1 0",
  "exited 7 143 15",
  "failed 8 2 nope: ENOENT",
];

Deno.test("records decode the same however the stream is cut", () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const { handler, seen } = collect();
    const d = new RecordDecoder();
    d.push(stream.subarray(0, cut), handler);
    d.push(stream.subarray(cut), handler);
    assertEquals(seen, expected, `cut at ${cut}`);
    assertEquals(d.pending, 0);
  }
  // One byte at a time.
  const { handler, seen } = collect();
  const d = new RecordDecoder();
  for (let i = 0; i < stream.length; i++) d.push(stream.subarray(i, i + 1), handler);
  assertEquals(seen, expected);
});

Deno.test("an unknown record type is an error, not a guess", () => {
  assertThrows(() =>
    new RecordDecoder().push(new Uint8Array([0x5a, 0, 0, 0, 0]), collect().handler)
  );
});

Deno.test("a spawn request carries the token, the streams and argv with NULs", () => {
  const r = spawnRequest(5, 3, ["ffmpeg", "-i", "ü"]);
  const view = new DataView(r.buffer);
  assertEquals(view.getUint32(0, true), r.length - 4);
  assertEquals([r[4], view.getUint32(5, true), r[9]], [0x53, 5, 3]);
  assertEquals(new TextDecoder().decode(r.subarray(10)), "ffmpeg\0-i\0ü\0");
});
