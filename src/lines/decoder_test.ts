import { assertEquals } from "../testing/assert.ts";
import { LineDecoder, readLines } from "./decoder.ts";

function split(
  chunks: (string | Uint8Array)[],
  max?: number,
): { lines: string[]; truncated: number } {
  const d = new LineDecoder(max);
  const lines: string[] = [];
  const enc = new TextEncoder();
  for (const c of chunks) d.push(typeof c === "string" ? enc.encode(c) : c, (l) => lines.push(l));
  d.flush((l) => lines.push(l));
  return { lines, truncated: d.truncatedLines };
}

Deno.test("LF, CRLF and lone CR end lines; empty lines are skipped", () => {
  assertEquals(split(["a\nb\r\nc\rd\n\n\re"]).lines, ["a", "b", "c", "d", "e"]);
});

Deno.test("a CRLF split across chunks is one line end", () => {
  assertEquals(split(["a\r", "\nb\r", "", "\nc"]).lines, ["a", "b", "c"]);
  assertEquals(split(["a\r", "b"]).lines, ["a", "b"]);
});

Deno.test("a UTF-8 character split across chunks survives; invalid bytes become U+FFFD", () => {
  const bytes = new TextEncoder().encode("µs=1\n");
  assertEquals(split([bytes.slice(0, 1), bytes.slice(1)]).lines, ["µs=1"]);
  assertEquals(split([new Uint8Array([0x61, 0xff, 0x62, 0x0a])]).lines, ["a\ufffdb"]);
});

Deno.test("an overlong line is truncated and counted, and the next line is intact", () => {
  const r = split(["x".repeat(50), "y".repeat(50) + "\nnext\n"], 64);
  assertEquals(r.lines, ["x".repeat(50) + "y".repeat(14), "next"]);
  assertEquals(r.truncated, 1);
});

Deno.test("readLines reads a real child's pipe to the end", async () => {
  const child = new Deno.Command("bash", {
    args: ["-c", "for i in 1 2 3; do printf 'line %s\\r' $i; done; printf 'last'"],
    stdout: "piped",
  }).spawn();
  const lines: string[] = [];
  await readLines(child.stdout, (l) => lines.push(l));
  await child.status;
  assertEquals(lines, ["line 1", "line 2", "line 3", "last"]);
});

Deno.test("a line longer than the first buffer, split over many chunks, comes out whole", () => {
  const line = "é".repeat(300) + "x".repeat(700); // 1,300 bytes, a 2-byte character at chunk edges
  const bytes = new TextEncoder().encode(line + "\n");
  const chunks = [bytes.slice(0, 1), bytes.slice(1, 301), bytes.slice(301, 999), bytes.slice(999)];
  assertEquals(split(chunks).lines, [line]);
});
