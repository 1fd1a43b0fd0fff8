/**
 * The shape of src/, read from `deno info --json` (as Deno resolves imports, type imports
 * included): folders in layers that import only downward, no import cycles between files, and no
 * file over 400 lines.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { ROOT } from "./helpers.ts";

/**
 * src/'s folders (and its top-level files) from the bottom up. A module may import its own
 * folder and any folder of a lower layer; never one of its own layer or a higher one. What a low
 * folder needs from a high one moves down (a type beside the data it describes, a flag's parse
 * into config/) rather than being excused here. docs/architecture.md shows this map.
 */
const LAYERS: readonly { name: string; parts: readonly string[] }[] = [
  {
    name: "base: time, output, files, exit codes, a command's io",
    parts: ["clock.ts", "io.ts", "atomic_write.ts", "version.ts", "exit"],
  },
  {
    name:
      "leaves: math (sketch, weighted shares, seeded randomness), event names, redaction, logging",
    parts: ["math", "events", "net", "secrets", "log"],
  },
  { name: "what the user asked for", parts: ["config"] },
  { name: "running programs: FFmpeg's command, ffprobe, TLS", parts: ["process"] },
  { name: "lines and outside readers", parts: ["lines", "preflight", "exporters", "testing"] },
  {
    name: "reading output, line transports, test origin",
    parts: ["parser", "fanin", "test_origin"],
  },
  { name: "one viewer", parts: ["viewer"] },
  { name: "figures and their snapshot", parts: ["stats"] },
  {
    name: "merging snapshots; one client; the load box's own series",
    parts: ["fleet", "client", "loadbox"],
  },
  {
    name: "outputs; a partition of a run's clients (a worker thread's, or the main thread's)",
    parts: ["metrics", "report", "partition"],
  },
  { name: "a run, its screen, reconciliation", parts: ["swarm", "tui", "reconcile"] },
  { name: "runs on Kubernetes", parts: ["k8s"] },
  { name: "the command line", parts: ["cli"] },
  { name: "entry point", parts: ["main.ts"] },
];

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

/** src/'s import graph, file → files it imports, paths relative to src/. */
async function graph(): Promise<Map<string, string[]>> {
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
  const src = `file://${ROOT}src/`;
  const edges = new Map<string, string[]>();
  for (const m of info.modules) {
    if (!m.specifier.startsWith(src)) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => !!s && s.startsWith(src)).map((s) => s.slice(src.length));
    edges.set(m.specifier.slice(src.length), [...new Set(deps)]);
  }
  return edges;
}

/** The part of src/ a file belongs to: its top folder, or its own name at the top. */
const partOf = (file: string) => file.split("/")[0];

/** The layer map as text, for a failure message. */
function printedMap(): string {
  return LAYERS.map((l, i) => `  ${String(i).padStart(2)}  ${l.parts.join(", ")}  (${l.name})`)
    .reverse().join("\n");
}

Deno.test("the layer map names every part of src/ once, and nothing else", async () => {
  const named = LAYERS.flatMap((l) => l.parts);
  const parts = [...new Set((await sources()).map((f) => partOf(f.slice(`${ROOT}src/`.length))))];
  assertEquals(
    {
      unnamed: parts.filter((p) => !named.includes(p)),
      twice: named.filter((p, i) => named.indexOf(p) !== i),
      // A name of the map that no longer exists is a stale map.
      gone: named.filter((p) => !parts.includes(p)),
    },
    { unnamed: [], twice: [], gone: [] },
  );
});

Deno.test("src/ imports only downward through the layer map (deno info --json)", async () => {
  const layerOf = new Map(LAYERS.flatMap((l, i) => l.parts.map((p) => [p, i] as const)));
  const bad: string[] = [];
  for (const [from, deps] of await graph()) {
    for (const to of deps) {
      const [a, b] = [partOf(from), partOf(to)];
      const [la, lb] = [layerOf.get(a), layerOf.get(b)];
      if (a === b || la === undefined || lb === undefined || lb < la) continue;
      bad.push(`${from} (${la}) -> ${to} (${lb}${lb === la ? ", same layer" : ""})`);
    }
  }
  if (bad.length) {
    console.error(
      `${bad.length} import(s) against the layer map:\n  ${bad.sort().join("\n  ")}\n` +
        `The layer map, top first (a module imports its own folder and lower layers only):\n${printedMap()}`,
    );
  }
  assertEquals(bad.sort(), []);
});

Deno.test("src/ has no import cycles (deno info --json)", async () => {
  const edges = await graph();
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
        comp.push(`src/${w}`);
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
