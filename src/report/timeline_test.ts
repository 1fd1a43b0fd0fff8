import { assert, assertEquals } from "../testing/assert.ts";
import { fileWriter, TIMELINE_HEADER } from "./timeline.ts";

Deno.test("fileWriter: the timeline appears whole at close, replacing a symlink", async () => {
  const dir = await Deno.makeTempDir();
  const victim = `${dir}/victim`;
  await Deno.writeTextFile(victim, "precious\n");
  const path = `${dir}/timeline.csv`;
  await Deno.symlink(victim, path);
  const out = await fileWriter(path);
  await out.write(TIMELINE_HEADER + "\n");
  await out.write("2026-01-01T00:00:00Z,1,0,0,0,0,0,0.000,,,0\n");
  // Mid-run the path still is what it was: a reader never sees half a timeline.
  assert((await Deno.lstat(path)).isSymlink);
  out.close();
  assertEquals(await Deno.readTextFile(victim), "precious\n");
  assert(!(await Deno.lstat(path)).isSymlink);
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  assertEquals(lines.length, 2);
  assertEquals(lines[0], TIMELINE_HEADER);
  await Deno.remove(dir, { recursive: true });
});
