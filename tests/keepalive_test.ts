/**
 * An origin that closes idle keep-alive connections sooner than FFmpeg reuses them (nginx's
 * keepalive_timeout, Node's 5 s keepAliveTimeout): FFmpeg sends a request into a closed
 * connection, meets end of file and sends it again on a new one. The origin sees it once, and so
 * must hls-swarm: no extra request, no "unanswered" error, a keep-alive retry instead.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, startNginx, tallyAccessLog, uniqueAgent } from "./helpers.ts";

const CLIENTS = 6;

Deno.test(`keepalive_timeout 1s, ${CLIENTS} clients for 20 s: requests equal nginx's log, re-sends are retries`, async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const nginx = await startNginx(origin.dir, undefined, { server: "keepalive_timeout 1s;" });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-keepalive-" });
  try {
    const agent = uniqueAgent("keepalive");
    const run = await runSwarm([
      `--clients=${CLIENTS}`,
      `--ramp-rate=${CLIENTS}`,
      "--duration=20s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${dir}/summary.json`,
      `--request-log=${dir}/requests.ndjson`,
      nginx.url("/stream.m3u8"),
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    const served = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
    const retries = s.traffic.events.keepaliveRetries;
    // Every 2 s reload and segment finds its connection closed (idle for 1 s): most re-send.
    assert(retries >= CLIENTS * 5, `only ${retries} keep-alive retries`);
    assertEquals(s.lines.dropped, 0);
    assertEquals(
      { manifest: s.traffic.requests.manifest, segment: s.traffic.requests.segment },
      { manifest: served.manifest, segment: served.segment },
    );
    assertEquals(s.traffic.events.unanswered, 0);
    const records = (await Deno.readTextFile(`${dir}/requests.ndjson`)).trim().split("\n")
      .map((l) => JSON.parse(l) as { event: string | null });
    assertEquals(records.filter((r) => r.event === "retried").length, retries);
  } finally {
    await nginx.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
