import { assert, assertEquals } from "./testing/assert.ts";
import { openAtomicFile, writeTextFileAtomic } from "./atomic_write.ts";

async function leftovers(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".tmp")) names.push(e.name);
  return names;
}

Deno.test("writeTextFileAtomic writes a new file and replaces an old one whole", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/summary.json`;
  await writeTextFileAtomic(path, '{"v":1}\n');
  assertEquals(await Deno.readTextFile(path), '{"v":1}\n');
  await writeTextFileAtomic(path, '{"v":2}\n');
  assertEquals(await Deno.readTextFile(path), '{"v":2}\n');
  assertEquals(await leftovers(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a write that throws midway leaves the old file intact and no temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/summary.json`;
  await Deno.writeTextFile(path, '{"old":true}\n');
  const out = await openAtomicFile(path);
  let thrown = false;
  try {
    await out.file.write(new TextEncoder().encode('{"new":'));
    throw new Error("disk full (simulated)");
  } catch {
    thrown = true;
  } finally {
    await out.abort();
  }
  assert(thrown);
  assertEquals(await Deno.readTextFile(path), '{"old":true}\n');
  assertEquals(await leftovers(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a process killed mid-write leaves the old file intact", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/summary.json`;
  await Deno.writeTextFile(path, '{"old":true}\n');
  // A real crash: a child writes half of the new file and exits without committing.
  const child = `
    import { openAtomicFile } from ${
    JSON.stringify(new URL("./atomic_write.ts", import.meta.url).href)
  };
    const out = await openAtomicFile(${JSON.stringify(path)});
    await out.file.write(new TextEncoder().encode('{"new":'));
    Deno.exit(70);
  `;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", child],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(code, 70);
  assertEquals(await Deno.readTextFile(path), '{"old":true}\n');
  // The crash's half file stays as a hidden temp beside it, never under the target's name.
  const temps = await leftovers(dir);
  assertEquals(temps.length, 1);
  assert(temps[0].startsWith(".summary.json."), temps[0]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a symlink at the target is replaced, not followed", async () => {
  const dir = await Deno.makeTempDir();
  const victim = `${dir}/victim`;
  await Deno.writeTextFile(victim, "precious\n");
  const path = `${dir}/junit.xml`;
  await Deno.symlink(victim, path);
  await writeTextFileAtomic(path, "<testsuites/>\n");
  assertEquals(await Deno.readTextFile(victim), "precious\n");
  assert(!(await Deno.lstat(path)).isSymlink, "the symlink itself was replaced");
  assertEquals(await Deno.readTextFile(path), "<testsuites/>\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a dangling symlink at the target does not create the file it points to", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/timeline.csv`;
  await Deno.symlink(`${dir}/created-elsewhere`, path);
  await writeTextFileAtomic(path, "t\n");
  assertEquals(await leftovers(dir), []);
  let exists = true;
  await Deno.lstat(`${dir}/created-elsewhere`).catch(() => exists = false);
  assert(!exists, "nothing was created through the symlink");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mode 0o600 makes a private file, also when replacing a world-readable one", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/secret`;
  await Deno.writeTextFile(path, "old", { mode: 0o644 });
  await Deno.chmod(path, 0o644);
  await writeTextFileAtomic(path, "x", { mode: 0o600 });
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a relative path writes beside it, in the current folder's terms", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    await writeTextFileAtomic("out.txt", "here\n");
    assertEquals(await Deno.readTextFile(`${dir}/out.txt`), "here\n");
  } finally {
    Deno.chdir(cwd);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a missing folder is an error and nothing is written", async () => {
  const dir = await Deno.makeTempDir();
  let error: unknown;
  await writeTextFileAtomic(`${dir}/nope/out.txt`, "x").catch((e) => error = e);
  assert(error instanceof Deno.errors.NotFound, String(error));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("commitSync publishes like commit; before it the target is the old file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/timeline.csv`;
  await Deno.writeTextFile(path, "old\n");
  const out = await openAtomicFile(path);
  await out.file.write(new TextEncoder().encode("new\n"));
  assertEquals(await Deno.readTextFile(path), "old\n");
  out.commitSync();
  await out.abort(); // a no-op after commit: the published file stays
  assertEquals(await Deno.readTextFile(path), "new\n");
  assertEquals(await leftovers(dir), []);
  await Deno.remove(dir, { recursive: true });
});
