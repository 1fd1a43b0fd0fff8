/**
 * The golden vectors of line splitting (testdata/lines/split.json) through both line readers:
 * src/lines/decoder.ts (Deno's pipes) and the native fan-in (`build/hls-swarm-fanin`, `make
 * native`; its splitting is native/lines.c), each vector's reads written one by one by a real
 * child, so that each is one read of the pipe. Both must give the vector's lines and truncation
 * count exactly. (Drops are not splitting: they come of a reader falling behind, and are tested
 * with the fan-in's buffer and the lossy queue.)
 */
import { systemClock } from "../clock.ts";
import { collectRun } from "./collect.ts";
import { startFanin } from "../fanin/spawner.ts";
import { createLogger } from "../log/logger.ts";
import { assertEquals } from "../testing/assert.ts";
import { LineDecoder } from "./decoder.ts";

type Read = string | { hex: string } | { repeat: string; times: number };
type Line =
  | string
  | { repeat: string; times: number; prefix?: string; suffix?: string }
  | { each: string; times: number };

interface Vector {
  name: string;
  reads: Read[];
  lines: Line[];
  truncated: number;
}

const VECTORS = (JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/lines/split.json", import.meta.url)),
) as { vectors: Vector[] }).vectors;

const utf8 = new TextEncoder();

function bytesOf(read: Read): Uint8Array {
  if (typeof read === "string") return utf8.encode(read);
  if ("hex" in read) return Uint8Array.from(read.hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  return utf8.encode(read.repeat.repeat(read.times));
}

function linesOf(lines: Line[]): string[] {
  return lines.flatMap((l) => {
    if (typeof l === "string") return [l];
    if ("each" in l) return Array<string>(l.times).fill(l.each);
    return [`${l.prefix ?? ""}${l.repeat.repeat(l.times)}${l.suffix ?? ""}`];
  });
}

/** A short name for a line in a failure: long ones by length and ends. */
const shown = (lines: string[]) =>
  lines.map((l) => l.length > 40 ? `${l.slice(0, 8)}…(${l.length})…${l.slice(-8)}` : l);

Deno.test("golden vectors: src/lines/decoder.ts", () => {
  for (const v of VECTORS) {
    const decoder = new LineDecoder();
    const lines: string[] = [];
    for (const read of v.reads) decoder.push(bytesOf(read), (l) => lines.push(l));
    decoder.flush((l) => lines.push(l));
    assertEquals(shown(lines), shown(linesOf(v.lines)), v.name);
    assertEquals(lines, linesOf(v.lines), v.name);
    assertEquals(decoder.truncatedLines, v.truncated, v.name);
  }
});

Deno.test("golden vectors: the native fan-in", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-golden-" });
  const log = createLogger({ format: "json", level: "error", sink: (l) => console.error(l) });
  const clients = startFanin({
    path: new URL("../../build/hls-swarm-fanin", import.meta.url).pathname,
    clock: systemClock,
    log,
  });
  try {
    // Every vector at once, each its own client; a pause between writes makes each its own read.
    const runs = await Promise.all(VECTORS.map(async (v, i) => {
      const files = await Promise.all(v.reads.map(async (read, k) => {
        const file = `${dir}/${i}-${k}`;
        await Deno.writeFile(file, bytesOf(read));
        return file;
      }));
      const run = collectRun();
      await clients.spawn(
        "sh",
        ["-c", 'for f; do cat "$f" >&2; sleep 0.1; done', "sh", ...files],
        run.out,
      );
      const exit = await run.exit;
      assertEquals(exit.code, 0, v.name);
      assertEquals(run.counts.stderr.dropped, 0, v.name);
      // A line after a drop would be marked: none may be.
      const lines = run.lines.map((l) => `${l.gap ? "(gap) " : ""}${l.text}`);
      return { v, lines, truncated: exit.truncatedLines };
    }));
    for (const { v, lines, truncated } of runs) {
      assertEquals(shown(lines), shown(linesOf(v.lines)), v.name);
      assertEquals(lines, linesOf(v.lines), v.name);
      assertEquals(truncated, v.truncated, v.name);
    }
    console.log(`${runs.length} vectors, both readers agree`);
  } finally {
    await clients.close?.();
    await Deno.remove(dir, { recursive: true });
  }
});
