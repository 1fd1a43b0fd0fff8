/**
 * `--html` and `--markdown` on a real run and on a real 3-shard merge, read back the way a person
 * sees them: Debian's Chromium (headless) renders the page, `--dump-dom` gives the DOM it built
 * and `--screenshot` a picture. From the DOM: every plot has a point per second of the summary's
 * series (or a bar count that adds up to the sketch's samples), the verdict is the exit code's,
 * and every figure cell equals the JSON summary's figure. The runs go through two nginx edges
 * (--resolve) to the two-rendition test origin (--variant-mix), so the tables by rendition, by
 * edge address and by CDN edge have rows, each checked against the JSON. Screenshots go to
 * $HLS_SWARM_SCREENSHOTS (default: the test's temp dir, removed after).
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { startEdge } from "./cdn_edges.ts";
import { freePort, runSwarm } from "./helpers.ts";

/** Debian's package; `make deps` installs it (APT_PACKAGES). */
const CHROMIUM = "/usr/bin/chromium";

type Json = Record<string, unknown>;

/** Renders `file` in headless Chromium: the DOM it built, and a screenshot at `png`. */
async function chromium(file: string, png: string, profile: string): Promise<string> {
  const common = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    `--user-data-dir=${profile}`,
  ];
  const run = async (args: string[]) => {
    const out = await new Deno.Command(CHROMIUM, {
      args: [...common, ...args, `file://${file}`],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(90_000),
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-1500));
    return new TextDecoder().decode(out.stdout);
  };
  await run([`--screenshot=${png}`, "--window-size=1100,9000"]);
  assert((await Deno.stat(png)).size > 10_000, `${png} is a picture`);
  return await run(["--dump-dom"]);
}

/** A name no DNS knows: --resolve sends the viewers to the edges' addresses. */
const HOST = "cdn.hls-swarm.test";

/** The value at a dotted path of a JSON document (`a.0.b`). */
function at(doc: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Json)[k] : undefined),
    doc,
  );
}

/** How many plots and points a page has, for the log. */
function plotCount(dom: string): string {
  const plots = dom.match(/<svg data-plot=/g)?.length ?? 0;
  const points = [...dom.matchAll(/points="([^"]*)"/g)].reduce(
    (n, m) => n + m[1].trim().split(/\s+/).length,
    0,
  );
  return `${plots} plots, ${points} points`;
}

/**
 * Checks a rendered report against its summary (and, for a fleet, its shards' summaries);
 * returns how many figure cells were compared.
 */
function checkDom(dom: string, summary: Json, code: number, shards: Json[] = []): number {
  // The verdict is the exit code's.
  const verdict = /<section id="verdict"[^>]*data-exit-code="(\d+)" data-verdict="(\w+)"/.exec(dom);
  assert(verdict, "a verdict");
  assertEquals(Number(verdict[1]), code);
  assertEquals(verdict[2], code === 0 ? "pass" : "fail");
  assertEquals((summary.outcome as Json).code, code);
  assert(dom.includes(code === 0 ? ">PASS<" : ">FAIL<"), "the verdict's word");

  // Nothing to fetch: no script, stylesheet link, image, frame or CSS url().
  for (const bad of [/<script/i, /<link/i, /<img/i, /<iframe/i, /\burl\(/i, /@import/i]) {
    assert(!bad.test(dom), `the page fetches nothing (${bad})`);
  }

  // Every plot has points: a point per second of the series (per interval with samples, per
  // second the load box was read), or bars adding up to the samples.
  const series = (at(summary, "snapshot.series.fields.segments") as number[]).length;
  assert(series >= 8, `${series} seconds of series`);
  const plots = [...dom.matchAll(/<svg data-plot="([^"]+)" data-kind="(\w+)"[^>]*>(.*?)<\/svg>/gs)];
  assert(plots.length >= 12, `${plots.length} plots`);
  const sampled = (doc: Json, kind: string) =>
    (at(doc, `ttfbPercentiles.${kind}`) as { count: number }[]).filter((x) => x.count > 0).length;
  const read = (doc: Json) =>
    (at(doc, "loadboxSeries.cpuCapacityMs") as number[]).filter((c) => c > 0).length;
  const shardDoc = (name: string) =>
    shards.find((x) => `shard ${(x.shard as Json).index}` === name)!;
  const points: Record<string, (line: string) => number> = {
    "ttfb-segment-interval": () => sampled(summary, "segment"),
    "ttfb-manifest-interval": () => sampled(summary, "manifest"),
    "loadbox-cpu": () => read(summary),
    "loadbox-lag": () => (at(summary, "loadboxSeries.loopLagMaxMs") as number[]).length,
    "shard-ttfb": (line) => sampled(shardDoc(line), "segment"),
    "shard-cpu": (line) => read(shardDoc(line)),
  };
  const sketches: Record<string, string> = {
    "ttfb-segment": "snapshot.latency.ttfbSegment.count",
    "ttfb-manifest": "snapshot.latency.ttfbManifest.count",
    "startup": "snapshot.viewers.startupMs.count",
  };
  for (const [, id, kind, body] of plots) {
    if (kind === "series") {
      const lines = [...body.matchAll(/<polyline data-line="([^"]+)"[^>]*points="([^"]*)"/g)];
      assert(lines.length > 0, `plot ${id} has lines`);
      // A line with gaps is several polylines: count its points over all of them.
      const got = new Map<string, number>();
      for (const [, name, pts] of lines) {
        got.set(name, (got.get(name) ?? 0) + pts.trim().split(/\s+/).length);
      }
      for (const [name, n] of got) {
        const want = points[id]?.(name) ?? series;
        assert(want > 0, `${id}/${name}: the JSON has points`);
        assertEquals(n, want, `${id}/${name}: a point per second or interval of the JSON`);
      }
    } else {
      const counts = [...body.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]));
      assert(counts.some((n) => n > 0), `histogram ${id} has bars`);
      assertEquals(counts.reduce((a, b) => a + b, 0), at(summary, sketches[id]), id);
    }
  }
  for (
    const id of [
      "viewers",
      "joins",
      "requests",
      "errors",
      "throughput",
      "ttfb-segment",
      "ttfb-segment-interval",
      "ttfb-manifest-interval",
      "loadbox-cpu",
      "loadbox-lag",
    ]
  ) assert(plots.some((p) => p[1] === id), `a ${id} plot`);
  assert(!dom.includes("data-missing="), "no plot said not recorded");

  // The tables by rendition, edge address and CDN edge: a row each, a cell per figure.
  for (const [table, list] of [["renditions", "renditions"], ["edgeAddresses", "edgeAddresses"]]) {
    const rows = (at(summary, list) as Json[] | null) ?? [];
    assertEquals(rows.length, 2, `${list}: two in the JSON`);
    rows.forEach((_, i) =>
      assert(dom.includes(`data-key="${list}.${i}.requests.segment"`), `${table} row ${i}`)
    );
  }
  const edges = at(summary, "cdn.edges") as Json[];
  assert(edges.length >= 2, `${edges.length} CDN edges`);
  edges.forEach((_, i) => assert(dom.includes(`data-key="cdn.edges.${i}.requests"`), `edge ${i}`));

  // Every figure cell equals the summary's figure.
  const cells = [...dom.matchAll(/<(?:td|span) data-key="([^"]+)"[^>]*>([^<]*)</g)];
  for (const [, key, text] of cells) {
    const m = /^shards\.(\d+)\.(.*)$/.exec(key);
    const doc = m ? shards.find((s) => (s.shard as Json).index === Number(m[1])) : summary;
    assert(doc, `a summary for ${key}`);
    const want = at(doc, m ? m[2] : key);
    if (want === null) {
      assert(text === "n/a" || text === "not measured", `${key}: "${text}" for null`);
      continue;
    }
    assertEquals(typeof want, "number", `${key} is a figure`);
    const got = Number(text.replace(/,/g, ""));
    assert(Math.abs(got - (want as number)) < 0.051, `${key}: page "${text}", summary ${want}`);
  }
  return cells.length;
}

Deno.test("--html and --markdown, rendered by headless Chromium", async (t) => {
  assert(
    await Deno.stat(CHROMIUM).then(() => true, () => false),
    `${CHROMIUM} is missing: apt-get install -y chromium (make deps installs it)`,
  );
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true });
  const port = freePort();
  const upstream = new URL(origin.url).origin;
  const edges = [
    await startEdge("edge-a", "127.0.0.2", port, upstream, "none"),
    await startEdge("edge-b", "127.0.0.3", port, upstream, "none"),
  ];
  // Viewers split over both renditions and both edges.
  const through = [
    "--variant-mix=360p=50%,180p=50%",
    `--resolve=${HOST}:${port}:127.0.0.2,127.0.0.3`,
  ];
  const url = `http://${HOST}:${port}/master.m3u8`;
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-html-" });
  const shots = Deno.env.get("HLS_SWARM_SCREENSHOTS") || dir;
  await Deno.mkdir(shots, { recursive: true });
  try {
    await t.step("a run: the verdict, plots with points, tables equal to the JSON", async () => {
      const json = `${dir}/run.json`, html = `${dir}/run.html`, md = `${dir}/run.md`;
      const run = await runSwarm([
        "--clients=4",
        "--ramp-rate=4",
        "--duration=25s",
        "--metrics=off",
        `--summary-json=${json}`,
        `--html=${html}`,
        "--threshold=error_rate<1%",
        ...through,
        url,
      ], { HLS_SWARM_MARKDOWN: md });
      assertEquals(run.code, 0, run.stderr.slice(-1500));
      const summary: Json = JSON.parse(await Deno.readTextFile(json));
      const dom = await chromium(html, `${shots}/html_report_run.png`, `${dir}/chrome-run`);
      const compared = checkDom(dom, summary, run.code);
      assert(compared >= 40, `${compared} figure cells compared`);
      console.log(`run: ${compared} figure cells equal the JSON's; ${plotCount(dom)}`);
      // The Markdown: the verdict first, then the figures as the JSON has them.
      const text = await Deno.readTextFile(md);
      assert(text.startsWith(`## hls-swarm ${summary.runId}: ✅ PASS (exit 0, ok)`), text);
      const n = (v: unknown) => Number(v).toLocaleString("en-US");
      for (
        const want of [
          `| sessions started | ${n(at(summary, "viewers.sessions.started"))} |`,
          `| all | ${n(at(summary, "traffic.totalRequests"))} |`,
          `| ${n(at(summary, "traffic.totalBytes"))} |`,
          `| segment | ${n(at(summary, "traffic.requests.segment"))} |`,
          `${(at(summary, "traffic.ttfbMs.segment.p95") as number).toFixed(1)} ms`,
          "| error_rate<1% | 0 | ✅ pass |",
          "### By rendition (--variant-mix)",
          `| ${at(summary, "edgeAddresses.0.name")} | ${
            n(at(summary, "edgeAddresses.0.viewers"))
          } |`,
        ]
      ) assert(text.includes(want), `the Markdown has "${want}":\n${text}`);
    });

    await t.step("a 3-shard merge: the fleet, each shard, a failed threshold", async () => {
      const runs = await Promise.all([0, 1, 2].map((i) =>
        runSwarm([
          "--clients=6",
          `--shard=${i}/3`,
          "--run-id=html-merge",
          "--ramp-rate=6",
          "--duration=25s",
          "--metrics=off",
          `--summary-json=${dir}/shard-${i}.json`,
          ...through,
          url,
        ])
      ));
      runs.forEach((r, i) => assertEquals(r.code, 0, `shard ${i}: ${r.stderr.slice(-1000)}`));
      const html = `${dir}/fleet.html`, md = `${dir}/fleet.md`, json = `${dir}/fleet.json`;
      const merge = await runSwarm([
        "merge",
        ...[0, 1, 2].map((i) => `${dir}/shard-${i}.json`),
        `--summary-json=${json}`,
        `--html=${html}`,
        `--markdown=${md}`,
        "--threshold=segment_ttfb_p50<0.001ms",
      ]);
      assertEquals(merge.code, 99, merge.stderr.slice(-1500));
      const summary: Json = JSON.parse(await Deno.readTextFile(json));
      const shards: Json[] = await Promise.all(
        [0, 1, 2].map(async (i) => JSON.parse(await Deno.readTextFile(`${dir}/shard-${i}.json`))),
      );
      const dom = await chromium(html, `${shots}/html_report_merge.png`, `${dir}/chrome-merge`);
      const cells = checkDom(dom, summary, 99, shards);
      console.log(`merge: ${cells} figure cells equal the JSON's; ${plotCount(dom)}`);
      const shardCells = [...dom.matchAll(/data-key="shards\.(\d)\.traffic\.totalRequests"/g)];
      assertEquals(shardCells.map((m) => Number(m[1])), [0, 1, 2], "a row per shard");
      assert(dom.includes("3 of 3 present"), "the header names the shards");
      for (const id of ["shard-running", "shard-requests", "shard-ttfb", "shard-cpu"]) {
        const plot = new RegExp(`<svg data-plot="${id}".*?</svg>`, "s").exec(dom)?.[0] ?? "";
        const lines = new Set(plot.match(/<polyline data-line="shard \d"/g));
        assertEquals(lines.size, 3, `${id}: a line each`);
      }
      // Each rendition's and edge address's fleet row is followed by its shards' rows.
      for (const list of ["renditions", "edgeAddresses"]) {
        const rows = [
          ...dom.matchAll(new RegExp(`data-key="shards\\.(\\d)\\.${list}\\.\\d+\\.viewers"`, "g")),
        ];
        assertEquals(new Set(rows.map((m) => m[1])).size, 3, `${list}: rows of every shard`);
      }
      const text = await Deno.readTextFile(md);
      assert(text.startsWith(`## hls-swarm html-merge: ❌ FAIL (exit 99, thresholds)`), text);
      assert(text.includes("**Why:** thresholds failed: segment_ttfb_p50<0.001ms"), text);
      assert(text.includes("Present: 0, 1, 2; missing: none"), text);
      assert(text.includes("| segment_ttfb_p50<0.001ms |") && text.includes("❌ fail"), text);
    });
  } finally {
    for (const e of edges) await e.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true });
  }
});
