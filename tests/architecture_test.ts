/**
 * The shape of src/: no import cycles (read from `deno info --json`, as Deno resolves them) and
 * no file over 400 lines.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { ROOT } from "./helpers.ts";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/** Every .ts file under src/, tests excluded. */
async function sources(dir = `${ROOT}src`): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await sources(path));
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

Deno.test("src/ has no import cycles (deno info --json)", async () => {
  // `deno info` takes one root: a module that imports every source file, so modules that
  // only tests reach are in the graph too.
  const root = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(root, (await sources()).map((f) => `import "file://${f}";\n`).join(""));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    stdout: "piped",
    stderr: "null",
  }).output();
  await Deno.remove(root);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const edges = new Map<string, string[]>();
  for (const m of info.modules) {
    if (!m.specifier.startsWith(`file://${ROOT}src/`)) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => !!s && s.startsWith(`file://${ROOT}src/`));
    edges.set(m.specifier, [...new Set(deps)]);
  }
  // Tarjan's strongly connected components: any component of two or more files is a cycle.
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      for (let w = stack.pop()!;; w = stack.pop()!) {
        on.delete(w);
        comp.push(w.replace(`file://${ROOT}`, ""));
        if (w === v) break;
      }
      if (comp.length > 1) cycles.push(comp);
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  console.log(`${edges.size} modules of src/ in the graph`);
  assertEquals(cycles, []);
});

Deno.test("no file in src/ is over 400 lines", async () => {
  const long: string[] = [];
  // The C of native/ too (its .c and .h files).
  const c = [...Deno.readDirSync(`${ROOT}native`)].filter((e) => /\.[ch]$/.test(e.name));
  for (const path of [...await sources(), ...c.map((e) => `${ROOT}native/${e.name}`)]) {
    const lines = (await Deno.readTextFile(path)).split("\n").length - 1;
    if (lines > 400) long.push(`${path.replace(ROOT, "")}: ${lines}`);
  }
  assertEquals(long, []);
});
