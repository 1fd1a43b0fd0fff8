import { assert, assertEquals } from "../testing/assert.ts";
import { MAX_LINE_BYTES, readLineBatches } from "./lines.ts";
import { LogLineError } from "./record.ts";

async function rejects(fn: () => Promise<unknown>, part: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof LogLineError && e.message.includes(part), String(e));
    return;
  }
  throw new Error(`did not reject (${part})`);
}

async function all(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const b of readLineBatches(path)) out.push(...b);
  return out;
}

Deno.test("lines: CRLF, no final newline, multi-byte characters split across chunks, gzip", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 200 000 lines span many 64 KiB chunks; "é" is two bytes, so some straddle a chunk edge.
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i} é`);
    await Deno.writeTextFile(`${dir}/a.log`, lines.join("\r\n"));
    assertEquals(await all(`${dir}/a.log`), lines);
    const gz = new Blob([lines.join("\n") + "\n"]).stream().pipeThrough(
      new CompressionStream("gzip"),
    );
    await Deno.writeFile(`${dir}/a.log.gz`, new Uint8Array(await new Response(gz).arrayBuffer()));
    let read = 0;
    const got: string[] = [];
    for await (const b of readLineBatches(`${dir}/a.log.gz`, (n) => read = n)) got.push(...b);
    assertEquals(got, lines);
    assertEquals(read, (await Deno.stat(`${dir}/a.log.gz`)).size, "progress counts file bytes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lines: a line past the limit, or a broken gzip, is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/long.log`, "x".repeat(MAX_LINE_BYTES + 10));
    await rejects(() => all(`${dir}/long.log`), "longer than");
    await Deno.writeFile(`${dir}/bad.gz`, new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6]));
    await rejects(() => all(`${dir}/bad.gz`), "cannot gunzip");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
