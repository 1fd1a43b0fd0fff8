/**
 * `--resolve HOST:PORT:IP,IP`: 8 viewers over two nginx edges on 127.0.0.2 and 127.0.0.3 (the
 * same port), the stream URL naming a host no DNS knows. Each edge's log holds exactly the
 * viewers round robin gave it, each request carried the original Host, and the summary's figures
 * by edge address match the edges' logs. Over https the certificate is still checked against the
 * URL's name: a certificate for that name verifies, one for another name is refused.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { groupFamilies } from "../src/metrics/groups.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { startEdge, startTlsEdge } from "./cdn_edges.ts";
import { freePort, runSwarm, uniqueAgent } from "./helpers.ts";

const HOST = "cdn.hls-swarm.test";

/** Client ids (from the User-Agent's `/client-N`) in an edge's hls_swarm log, and segments. */
async function viewersIn(log: string, agent: string) {
  const ids = new Set<number>();
  let segments = 0;
  for (const line of (await Deno.readTextFile(log)).split("\n")) {
    const m = new RegExp(`"GET (\\S+) [^"]*".*"${agent}/client-(\\d+)"`).exec(line);
    if (!m) continue;
    ids.add(Number(m[2]));
    if (m[1].endsWith(".ts")) segments++;
  }
  return { ids: [...ids].sort((a, b) => a - b), segments };
}

Deno.test("--resolve spreads viewers over edge addresses; Host and certificate name stay the URL's", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-resolve-" });
  try {
    await t.step(
      "8 viewers over two edges: each edge's log holds exactly its viewers",
      async () => {
        const port = freePort();
        const upstream = new URL(origin.url).origin;
        const a = await startEdge("edge-a", "127.0.0.2", port, upstream, "none");
        const b = await startEdge("edge-b", "127.0.0.3", port, upstream, "none");
        try {
          const agent = uniqueAgent("resolve");
          const json = `${dir}/edges.json`;
          const run = await runSwarm([
            "--clients=8",
            "--ramp-rate=16",
            "--duration=8s",
            "--metrics=off",
            `--user-agent=${agent}`,
            `--resolve=${HOST}:${port}:127.0.0.2,127.0.0.3`,
            `--summary-json=${json}`,
            `http://${HOST}:${port}/stream.m3u8`,
          ]);
          assertEquals(run.code, 0, run.stderr.slice(-1500));
          const inA = await viewersIn(a.nginxLog, agent);
          const inB = await viewersIn(b.nginxLog, agent);
          console.log(
            `edge-a 127.0.0.2: viewers ${inA.ids} (${inA.segments} segments); ` +
              `edge-b 127.0.0.3: viewers ${inB.ids} (${inB.segments} segments)`,
          );
          assertEquals(inA.ids, [0, 2, 4, 6]);
          assertEquals(inB.ids, [1, 3, 5, 7]);
          // Every request carried the URL's host (CloudFront layout: cs(Host) is field 7).
          for (const edge of [a, b]) {
            const hosts = new Set(
              (await Deno.readTextFile(edge.cloudfrontLog)).split("\n")
                .filter((l) => l.includes(agent)).map((l) => l.split("\t")[6]),
            );
            assertEquals([...hosts], [HOST], edge.name);
          }
          const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
          assertStringIncludes(s.run.config.resolve ?? "", "127.0.0.2, 127.0.0.3");
          assertStringIncludes(run.stdout, "Edge addresses:");
          assertStringIncludes(run.stdout, "By edge address");
          const byAddress = Object.fromEntries((s.edgeAddresses ?? []).map((g) => [g.name, g]));
          assertEquals(byAddress["127.0.0.2"].viewers, 4);
          assertEquals(byAddress["127.0.0.3"].viewers, 4);
          // The swarm's segment requests per address against the edge's log: a request in
          // flight at the stop may be in one and not the other.
          for (const [ip, log] of [["127.0.0.2", inA], ["127.0.0.3", inB]] as const) {
            const counted = byAddress[ip].requests.segment;
            assert(Math.abs(counted - log.segments) <= 4, `${ip}: ${counted} vs ${log.segments}`);
            assertEquals(byAddress[ip].experience.sessions.started, 4);
          }
          const families = groupFamilies(s.snapshot).map((f) => f.name);
          assert(families.includes("hlsswarm_edge_address_requests_total"), families.join());
        } finally {
          await a.stop();
          await b.stop();
        }
      },
    );

    await t.step("https: verified against the URL's name, not the address", async () => {
      const edge = await startTlsEdge(origin.dir, dir, HOST, "127.0.0.2");
      const { nginx, port: tlsPort } = edge;
      try {
        const swarm = (host: string, ...args: string[]) =>
          runSwarm([
            "--clients=2",
            "--ramp-rate=4",
            "--duration=5s",
            "--metrics=off",
            `--user-agent=${uniqueAgent("resolve-tls")}`,
            `--ca-file=${edge.ca}`,
            `--resolve=${host}:${tlsPort}:127.0.0.2`,
            ...args,
            `https://${host}:${tlsPort}/stream.m3u8`,
          ]);
        const json = `${dir}/tls.json`;
        const ok = await swarm(HOST, `--summary-json=${json}`);
        assertEquals(ok.code, 0, ok.stderr.slice(-1500));
        const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
        assertEquals(s.clients.receivedMedia, 2);
        const argv = s.run.ffmpegArgv.join(" ");
        assertStringIncludes(argv, `-tls_verify 1`);
        assertStringIncludes(argv, `-verifyhost ${HOST}`);
        assertStringIncludes(argv, `https://127.0.0.2:${tlsPort}/stream.m3u8`);

        // The same edge, reached under a name its certificate does not hold.
        const wrong = await swarm("other.hls-swarm.test");
        assertEquals(wrong.code, 1, wrong.stderr.slice(-1500));
        const exited = JSON.stringify(wrong.logs.filter((l) => l.msg === "client_exited"));
        assert(/does not match hostname other\.hls-swarm\.test/.test(exited), exited.slice(0, 800));
      } finally {
        await nginx.stop();
      }
    });
  } finally {
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
