import { assert, assertEquals } from "../testing/assert.ts";
import { writeTextFileAtomic } from "../atomic_write.ts";
import { appendSink } from "./request_log.ts";

Deno.test("appendSink appends to the file the swarm created", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/requests.ndjson`;
  await writeTextFileAtomic(path, "");
  const a = appendSink(path), b = appendSink(path);
  a.write('{"a":1}\n');
  b.write('{"b":2}\n');
  a.close();
  b.close();
  assertEquals(await Deno.readTextFile(path), '{"a":1}\n{"b":2}\n');
  await Deno.remove(dir, { recursive: true });
});

Deno.test("appendSink refuses a symlink at the path, and the file it points to is untouched", async () => {
  const dir = await Deno.makeTempDir();
  const victim = `${dir}/victim`;
  await Deno.writeTextFile(victim, "precious\n");
  const path = `${dir}/requests.ndjson`;
  await Deno.symlink(victim, path);
  let error = "";
  try {
    appendSink(path).close();
  } catch (e) {
    error = (e as Error).message;
  }
  assert(error.includes("no longer the file hls-swarm created"), error);
  assertEquals(await Deno.readTextFile(victim), "precious\n");
  // What the swarm does first: the symlink is replaced by a new empty file, then appended to.
  await writeTextFileAtomic(path, "");
  const sink = appendSink(path);
  sink.write("x\n");
  sink.close();
  assertEquals(await Deno.readTextFile(victim), "precious\n");
  assertEquals(await Deno.readTextFile(path), "x\n");
  await Deno.remove(dir, { recursive: true });
});
