/**
 * `hls-swarm reconcile` against a real CDN-shaped setup: two nginx edges (caching reverse
 * proxies on 127.0.0.2 and 127.0.0.3) in front of the built-in origin, four viewers on each
 * (two hls-swarm shards, one per edge), logs in nginx's documented format and in CloudFront's
 * layout (one of them gzipped). A clean run reconciles exactly; then a run with 20 log lines
 * deleted and one viewer's segments refused (444) at one edge reports exactly those, and exits 99.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { ReconcileReport } from "../src/reconcile/report.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { freePort, ROOT, runSwarm, SWARM_ARGV, uniqueAgent } from "./helpers.ts";
import { type Edge, startEdge } from "./cdn_edges.ts";

const CLIENTS = 8;

/** Both shards' runs, one per edge, at the same time; their request logs. */
async function runPhase(edges: Edge[], dir: string, agent: string, tag: string) {
  const runs = edges.map((edge, i) => {
    const log = `${dir}/${tag}-requests-${i}.ndjson`;
    return runSwarm([
      `--clients=${CLIENTS}`,
      `--shard=${i}/${edges.length}`,
      `--ramp-rate=${CLIENTS}`,
      "--duration=12s",
      "--metrics=off",
      "--seg-retry=0",
      "--reconnect=false",
      `--user-agent=${agent}`,
      `--request-log=${log}`,
      edge.url("/stream.m3u8"),
    ]).then((run) => ({ run, log }));
  });
  const done = await Promise.all(runs);
  for (const { run } of done) assertEquals(run.code, 0, run.stderr.slice(-1500));
  return done.map((d) => d.log);
}

async function reconcile(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...SWARM_ARGV, "reconcile", ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The bytes of `path` from `offset` on, as lines. */
async function linesFrom(path: string, offset: number): Promise<string[]> {
  const all = await Deno.readFile(path);
  return new TextDecoder().decode(all.subarray(offset)).split("\n").filter(Boolean);
}

async function gzip(text: string, path: string): Promise<void> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(path, new Uint8Array(await new Response(stream).arrayBuffer()));
}

Deno.test("reconcile: two nginx edges, nginx and CloudFront layouts, clean then 20 lines lost and 444s", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const port = freePort();
  const originBase = new URL(origin.url).origin;
  const edges = [
    await startEdge("edge-a", "127.0.0.2", port, originBase, "/client-3"),
    await startEdge("edge-b", "127.0.0.3", port, originBase, "/client-3"),
  ];
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-reconcile-" });
  try {
    const agent = uniqueAgent("reconcile");
    // Clean: every request on both sides, in both layouts.
    const clean = await runPhase(edges, dir, agent, "clean");
    const requestArgs = clean.flatMap((l) => ["--request-log", l]);
    const nginx = await reconcile([...requestArgs, "--json", ...edges.map((e) => e.nginxLog)]);
    console.log(nginx.stderr);
    assertEquals(nginx.code, 0, nginx.stdout.slice(0, 3000) + nginx.stderr);
    const r: ReconcileReport = JSON.parse(nginx.stdout);
    console.log(
      `clean, nginx format: ${r.total.counted} counted, ${r.total.logged} logged, ` +
        `${r.total.matched} matched, ${r.mismatches} mismatches, ${r.total.explained} explained, ` +
        `skew ${r.skew.ms} ms over ${r.skew.samples}, edges ${JSON.stringify(r.edges)}`,
    );
    assertEquals(r.mismatches, 0);
    assert(r.total.matched > 50, `${r.total.matched} matched`);
    assertEquals(Object.keys(r.byViewer).length, CLIENTS);
    // Per edge: each edge's log is one edge, with every line of the run's viewers in it.
    for (const e of edges) {
      // Viewers only: hls-swarm's own preflight request has no /client-<id>.
      const lines = (await Deno.readTextFile(e.nginxLog)).split("\n").filter((l) =>
        l.includes(`${agent}/client-`)
      );
      assertEquals(
        r.edges[e.nginxLog].lines,
        lines.length,
        e.name,
      );
      assertEquals(r.edges[e.nginxLog].hit, lines.filter((l) => / HIT "/.test(l)).length, e.name);
    }
    const cfA = `${dir}/edge-a-cloudfront.log.gz`, cfB = `${dir}/edge-b-cloudfront.log`;
    await gzip(await Deno.readTextFile(edges[0].cloudfrontLog), cfA);
    await Deno.copyFile(edges[1].cloudfrontLog, cfB);
    const cf = await reconcile([...requestArgs, cfA, cfB]);
    console.log(cf.stdout);
    assertEquals(cf.code, 0, cf.stdout + cf.stderr);
    assert(/OK: 0 mismatches/.test(cf.stdout));
    assert(/edge-a\s+\d+/.test(cf.stdout) && /edge-b\s+\d+/.test(cf.stdout), "x-edge-location");

    // Faulty: one viewer's segments refused at edge A (444) for five requests; 20 lines lost.
    const offsets = await Promise.all(edges.map(async (e) => (await Deno.stat(e.nginxLog)).size));
    await Deno.writeTextFile(edges[0].blockFile, "");
    const blocked = (async () => {
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        const refused = (await linesFrom(edges[0].nginxLog, offsets[0]))
          .filter((l) => / 444 /.test(l) && l.includes(`${agent}/client-3"`));
        if (refused.length >= 5) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await Deno.remove(edges[0].blockFile);
    })();
    const faulty = await runPhase(edges, dir, agent, "faulty");
    await blocked;
    const logA = await linesFrom(edges[0].nginxLog, offsets[0]);
    const logB = await linesFrom(edges[1].nginxLog, offsets[1]);
    const refused = logA.filter((l) => / 444 /.test(l));
    console.log(`refused at edge A: ${refused.length}\n${refused.join("\n")}`);
    assert(refused.length >= 5, `${refused.length} requests refused`);
    // 20 of edge B's viewer lines from the middle of the run (not near its start or stop).
    const viewerLines = logB.map((l, i) => [l, i] as const).filter(([l]) =>
      l.includes(`${agent}/client-`)
    );
    const middle = viewerLines.slice(Math.floor(viewerLines.length / 2) - 10);
    const dropped = new Set(middle.slice(0, 20).map(([, i]) => i));
    assertEquals(dropped.size, 20);
    const faultyA = `${dir}/edge-a.log`, faultyB = `${dir}/edge-b.log`;
    await Deno.writeTextFile(faultyA, logA.join("\n") + "\n");
    await Deno.writeTextFile(faultyB, logB.filter((_, i) => !dropped.has(i)).join("\n") + "\n");
    const faultyArgs = faulty.flatMap((l) => ["--request-log", l]);
    const text = await reconcile([...faultyArgs, faultyA, faultyB]);
    console.log(text.stdout, text.stderr);
    assertEquals(text.code, 99);
    const json = await reconcile([...faultyArgs, "--json", "--examples=30", faultyA, faultyB]);
    const f: ReconcileReport = JSON.parse(json.stdout);
    assertEquals(json.code, 99);
    assertEquals(f.total.onlySwarm, 20, JSON.stringify(f.total));
    // Every refused request is reported (answered differently, or a line only the edge has),
    // by client 3 at edge A, and nothing else is.
    assertEquals(f.total.statusDiffers + f.total.onlyCdn, refused.length, JSON.stringify(f.total));
    assertEquals(f.mismatches, 20 + refused.length);
    const droppedPaths = new Set(middle.slice(0, 20).map(([l]) => l.split('"')[1].split(" ")[1]));
    const only = f.examples.filter((e) => e.type === "only_swarm");
    assertEquals(only.length, 20);
    assert(only.every((e) => droppedPaths.has(e.path)), JSON.stringify(only.slice(0, 3)));
    const refusedExamples = f.examples.filter((e) => e.type !== "only_swarm");
    assert(
      refusedExamples.every((e) =>
        e.client === 3 && e.edge === "edge-a.log" && e.cdnStatus === 444
      ),
      JSON.stringify(refusedExamples),
    );
    assert(/MISMATCH: \d+ mismatches/.test(text.stdout));
    assert(!text.stdout.includes("?"), "no query in the report");
  } finally {
    for (const e of edges) await e.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("reconcile: an unreadable log is exit 2 with one line naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-reconcile-bad-" });
  try {
    await Deno.writeTextFile(`${dir}/req.ndjson`, "");
    await Deno.writeTextFile(`${dir}/cdn.log`, "this is not a log\n");
    const bad = await reconcile(["--request-log", `${dir}/req.ndjson`, `${dir}/cdn.log`]);
    assertEquals(bad.code, 2);
    assertEquals(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    assert(bad.stderr.includes("cdn.log: line 1"), bad.stderr);
    const missing = await reconcile(["--request-log", `${dir}/nope.ndjson`, `${dir}/cdn.log`]);
    assertEquals(missing.code, 2);
    assert(missing.stderr.includes("nope.ndjson: no such file"), missing.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
void ROOT;
