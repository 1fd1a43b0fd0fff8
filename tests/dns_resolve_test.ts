/**
 * `--resolve-dns --dns-server`: 8 viewers, two nginx edges on 127.0.0.2 and 127.0.0.3 (one
 * port), and a DNS server of the test's own (tests/dns_server.ts) that rotates its answers per
 * query like a GSLB. Each viewer looks the host up once, when it first starts, and keeps the
 * first answer: each edge's log holds exactly the viewers the answers sent there, every request
 * carries the URL's Host, the server sees exactly 8 queries although one viewer's FFmpeg is
 * killed and restarted, and the summary's figures by edge address count 4 viewers each. Over
 * https the certificate is checked against the URL's name, not the address looked up. A name
 * the server does not know makes every start fail, counted and retried, not a crash.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { startEdge, startTlsEdge } from "./cdn_edges.ts";
import { startDnsServer } from "./dns_server.ts";
import {
  ffmpegPids,
  finishSwarm,
  freePort,
  runSwarm,
  spawnSwarm,
  uniqueAgent,
  waitFor,
  waitForClients,
} from "./helpers.ts";

const HOST = "cdn.hls-swarm.test";
const OTHER = "other.hls-swarm.test";
const EDGES = ["127.0.0.2", "127.0.0.3"];

/** Client ids (from the User-Agent's `/client-N`) in an edge's hls_swarm log. */
async function viewersIn(log: string, agent: string): Promise<number[]> {
  const ids = new Set<number>();
  for (const line of (await Deno.readTextFile(log)).split("\n")) {
    const m = new RegExp(`"${agent}/client-(\\d+)"`).exec(line);
    if (m) ids.add(Number(m[1]));
  }
  return [...ids].sort((a, b) => a - b);
}

Deno.test("--resolve-dns: each viewer looks up once, keeps the first answer, through restarts", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-dns-" });
  const dns = await startDnsServer({ [HOST]: EDGES });
  try {
    await t.step("8 viewers over two edges, as the DNS answers sent them", async () => {
      const port = freePort();
      const upstream = new URL(origin.url).origin;
      const a = await startEdge("edge-a", EDGES[0], port, upstream, "none");
      const b = await startEdge("edge-b", EDGES[1], port, upstream, "none");
      try {
        const agent = uniqueAgent("dns");
        const json = `${dir}/edges.json`;
        const child = spawnSwarm([
          "--clients=8",
          "--ramp-rate=16",
          "--duration=10s",
          "--metrics=off",
          `--user-agent=${agent}`,
          "--resolve-dns",
          `--dns-server=127.0.0.1:${dns.port}`,
          `--summary-json=${json}`,
          `http://${HOST}:${port}/stream.m3u8`,
        ]);
        // Kill viewer 5's FFmpeg once all run: the supervisor restarts it, without a lookup.
        await waitForClients(agent, 8);
        const marker = `${agent}/client-5`;
        const [killed] = await ffmpegPids(marker, true);
        Deno.kill(killed, "SIGKILL");
        await waitFor(
          async () => {
            const pids = await ffmpegPids(marker, true);
            return pids.length === 1 && pids[0] !== killed;
          },
          10_000,
          "viewer 5 restarted",
        );
        const run = await finishSwarm(child);
        assertEquals(run.code, 0, run.stderr.slice(-1500));

        // One query per viewer, not per request nor per restart.
        assertEquals(dns.queries.length, 8, JSON.stringify(dns.queries));
        assert(dns.queries.every((q) => q.name === HOST && q.type === "A"));
        // Each viewer took its answer's first address.
        const resolved = run.logs.filter((l) => l.msg === "client_dns_resolved");
        const addressOf = new Map(resolved.map((l) => [l.client_id as number, l.address]));
        assertEquals([...addressOf.keys()].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
        assertEquals(resolved.length, 8);
        assertEquals(
          resolved.map((l) => l.address).sort(),
          dns.queries.map((q) => q.answers[0]).sort(),
        );
        // The viewers ran in a worker thread's shard, which made their lookups.
        assertEquals(run.logs.find((l) => l.msg === "shards_started")?.workers, 1);
        const restarts = run.logs.filter((l) => l.msg === "client_started" && l.restart);
        assertEquals(restarts.map((l) => l.client_id), [5]);

        const inA = await viewersIn(a.nginxLog, agent);
        const inB = await viewersIn(b.nginxLog, agent);
        const sentTo = (ip: string) =>
          [...addressOf].filter(([, at]) => at === ip).map(([id]) => id).sort();
        console.log(
          `DNS answers sent ${sentTo(EDGES[0])} to 127.0.0.2 and ${sentTo(EDGES[1])} to ` +
            `127.0.0.3; edge-a saw ${inA}, edge-b saw ${inB}; ${dns.queries.length} queries`,
        );
        assertEquals(inA, sentTo(EDGES[0]));
        assertEquals(inB, sentTo(EDGES[1]));
        // The rotating answers alternate: 4 viewers each, whatever order the lookups came in.
        assertEquals([inA.length, inB.length], [4, 4]);
        // Every request carried the URL's host (CloudFront layout: cs(Host) is field 7).
        for (const edge of [a, b]) {
          const hosts = new Set(
            (await Deno.readTextFile(edge.cloudfrontLog)).split("\n")
              .filter((l) => l.includes(agent)).map((l) => l.split("\t")[6]),
          );
          assertEquals([...hosts], [HOST], edge.name);
        }

        const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
        assertStringIncludes(s.run.config.resolve ?? "", "each viewer's own DNS lookup");
        // The record shows client 0's argv with the name where its address goes.
        const argv = s.run.ffmpegArgv.join(" ");
        assertStringIncludes(argv, `Host: ${HOST}:${port}`);
        assertStringIncludes(argv, `-i http://${HOST}:${port}/stream.m3u8`);
        assertStringIncludes(run.stdout, "By edge address");
        const byAddress = Object.fromEntries((s.edgeAddresses ?? []).map((g) => [g.name, g]));
        assertEquals(byAddress["127.0.0.2"].viewers, 4);
        assertEquals(byAddress["127.0.0.3"].viewers, 4);
        assertEquals(s.lifecycle.spawnErrors, 0);
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    await t.step("https: verified against the URL's name, not the looked-up address", async () => {
      const edge = await startTlsEdge(origin.dir, dir, HOST, "127.0.0.2");
      const { nginx, port: tlsPort } = edge;
      const tls = await startDnsServer({ [HOST]: ["127.0.0.2"], [OTHER]: ["127.0.0.2"] });
      try {
        const swarm = (host: string, ...args: string[]) =>
          runSwarm([
            "--clients=2",
            "--ramp-rate=4",
            "--duration=5s",
            "--metrics=off",
            `--user-agent=${uniqueAgent("dns-tls")}`,
            // The main thread's shard (the 8 viewers above ran in a worker's).
            "--workers=0",
            `--ca-file=${edge.ca}`,
            "--resolve-dns",
            `--dns-server=127.0.0.1:${tls.port}`,
            ...args,
            `https://${host}:${tlsPort}/stream.m3u8`,
          ]);
        const json = `${dir}/tls.json`;
        const ok = await swarm(HOST, `--summary-json=${json}`);
        assertEquals(ok.code, 0, ok.stderr.slice(-1500));
        assertEquals(ok.logs.find((l) => l.msg === "shards_started")?.workers, 0);
        const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
        assertEquals(s.clients.receivedMedia, 2);
        assertStringIncludes(s.run.ffmpegArgv.join(" "), `-verifyhost ${HOST}`);

        // The same edge, looked up under a name its certificate does not hold.
        const wrong = await swarm(OTHER);
        assertEquals(wrong.code, 1, wrong.stderr.slice(-1500));
        const exited = JSON.stringify(wrong.logs.filter((l) => l.msg === "client_exited"));
        assert(/does not match hostname other\.hls-swarm\.test/.test(exited), exited.slice(0, 800));
        assertEquals(tls.queries.length, 4);
      } finally {
        await tls.close();
        await nginx.stop();
      }
    });

    await t.step("a name the DNS does not know: failed starts, counted and retried", async () => {
      const before = dns.queries.length;
      const json = `${dir}/unknown.json`;
      const run = await runSwarm([
        "--clients=2",
        "--ramp-rate=4",
        "--duration=3s",
        "--metrics=off",
        `--user-agent=${uniqueAgent("dns-unknown")}`,
        "--resolve-dns",
        `--dns-server=127.0.0.1:${dns.port}`,
        `--summary-json=${json}`,
        `http://nowhere.hls-swarm.test:${freePort()}/stream.m3u8`,
      ]);
      const failed = run.logs.filter((l) => l.msg === "client_lookup_failed");
      const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
      const queries = dns.queries.length - before;
      console.log(
        `exit ${run.code}; ${failed.length} failed lookups logged, spawn errors ` +
          `${s.lifecycle.spawnErrors}, ${queries} queries`,
      );
      assertEquals(run.code, 1, run.stderr.slice(-1500));
      assert(failed.length >= 4, `each viewer retried: ${failed.length}`);
      assertEquals(s.lifecycle.spawnErrors, failed.length);
      // Each attempt asks A, then AAAA; a lookup the stop cut short (up to 2 queries a viewer)
      // is no failed start.
      assert(queries >= 2 * failed.length && queries <= 2 * failed.length + 4, `${queries}`);
      assertStringIncludes(
        String(failed[0].error),
        `DNS lookup of nowhere.hls-swarm.test at 127.0.0.1:${dns.port} found no address`,
      );
      assertEquals(s.clients.receivedMedia, 0);
    });
  } finally {
    await dns.close();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
