/**
 * `--cmcd` end to end: three viewers through a caching nginx edge (tests/cdn_edges.ts, whose log
 * format records `$http_cmcd_session`) send each their own `CMCD-Session: sid="<run id>-<id>"`,
 * merged with a user `--header "CMCD-Session: st=l"`. Every line the edge logged for a viewer
 * carries that viewer's sid, and `hls-swarm reconcile` matches the run by sid alone: with the
 * User-Agent rewritten in the log (as a proxy in front of the CDN may do), every request still
 * matches; with the sids removed as well, none does.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { ReconcileReport } from "../src/reconcile/report.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { freePort, runSwarm, SWARM_ARGV, uniqueAgent } from "./helpers.ts";
import { startEdge } from "./cdn_edges.ts";

const CLIENTS = 3;

async function reconcile(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...SWARM_ARGV, "reconcile", "--json", ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, report: JSON.parse(d.decode(out.stdout)) as ReconcileReport };
}

Deno.test("--cmcd: each viewer's CMCD-Session sid reaches the edge's log, and reconcile matches by it", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const edge = await startEdge(
    "edge-a",
    "127.0.0.2",
    freePort(),
    new URL(origin.url).origin,
    "/no-such-viewer",
  );
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-cmcd-" });
  try {
    const agent = uniqueAgent("cmcd");
    const runId = `cmcd-${Date.now()}`;
    const requests = `${dir}/requests.ndjson`;
    const run = await runSwarm([
      `--clients=${CLIENTS}`,
      `--ramp-rate=${CLIENTS}`,
      "--duration=10s",
      "--metrics=off",
      "--cmcd",
      "--header=CMCD-Session: st=l",
      `--run-id=${runId}`,
      `--user-agent=${agent}`,
      `--request-log=${requests}`,
      edge.url("/stream.m3u8"),
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-1500));

    // The edge's view: each viewer's lines carry its own sid, with the user's key merged in.
    const log = (await Deno.readTextFile(edge.nginxLog)).split("\n").filter(Boolean);
    const viewers = log.filter((l) => l.includes(`"${agent}/client-`));
    const sids = new Map<string, number>();
    for (const line of viewers) {
      const id = /\/client-(\d+)" /.exec(line)![1];
      // nginx logs the header's quotes as \x22.
      assert(line.endsWith(`"sid=\\x22${runId}-${id}\\x22,st=l"`), line);
      sids.set(id, (sids.get(id) ?? 0) + 1);
    }
    console.log(`edge log: ${viewers.length} viewer lines, by sid ${JSON.stringify([...sids])}`);
    assertEquals([...sids.keys()].sort(), ["0", "1", "2"]);
    // Preflight (it sends the user's CMCD keys) and the readiness probe are not viewers: no sid.
    for (const line of log.filter((l) => !l.includes(`"${agent}/client-`))) {
      assert(!line.includes("sid="), line);
    }

    // A proxy rewrote the User-Agent: only the sid names the viewer now.
    const rewritten = `${dir}/rewritten.log`;
    const noAgent = log.map((l) => l.replace(/"[^"]*\/client-\d+" /, '"rewriting-proxy/1.0" '));
    await Deno.writeTextFile(rewritten, noAgent.join("\n") + "\n");
    const bySid = await reconcile(["--request-log", requests, rewritten]);
    const t = bySid.report.total;
    console.log(
      `by sid alone: ${t.counted} counted, ${t.logged} logged, ${t.matched} matched, ` +
        `${bySid.report.mismatches} mismatches, ${t.explained} explained; viewers ` +
        `${Object.keys(bySid.report.byViewer)}`,
    );
    assertEquals(bySid.code, 0, JSON.stringify(bySid.report.total));
    assertEquals(bySid.report.mismatches, 0);
    assertEquals(Object.keys(bySid.report.byViewer).sort(), ["0", "1", "2"]);
    assert(t.matched + t.explained >= viewers.length - CLIENTS, JSON.stringify(t));
    assert(t.matched > 10 * CLIENTS, `${t.matched} matched`);

    // Without the sids too, nothing names the viewers: every request is hls-swarm's alone.
    const neither = `${dir}/neither.log`;
    await Deno.writeTextFile(
      neither,
      noAgent.map((l) => l.replace(/"[^"]*"$/, '"-"')).join("\n") + "\n",
    );
    const blind = await reconcile(["--request-log", requests, neither]);
    console.log(`without sids: ${JSON.stringify(blind.report.total)}`);
    assertEquals(blind.code, 99);
    assertEquals(blind.report.total.matched, 0);
    assert(blind.report.ignored.notViewer >= viewers.length, JSON.stringify(blind.report.ignored));
  } finally {
    await edge.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
