/**
 * Bytes count what arrived. At an origin that sends segments slowly, hls-swarm's own stop cuts
 * a segment short in every client (FFmpeg asks for one more segment and exits once it has
 * demuxed a packet of it): its full Content-Length must not count, only the part FFmpeg received,
 * which is the part nginx sent.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { classifyUrl } from "../src/parser/url_kind.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, startNginx, uniqueAgent } from "./helpers.ts";

const CLIENTS = 12;

Deno.test(`slow origin, ${CLIENTS} clients for 40 s: segment bytes within 2 % of what nginx sent`, async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const logDir = await Deno.makeTempDir({ prefix: "hls-swarm-slow-" });
  const log = `${logDir}/sent.log`;
  // 16 KB every 80 ms: a 230 KB segment takes about 1.2 s of its 2 s. The slower the origin,
  // the less of the cut segment it sent before FFmpeg's exit, and the further off counting its
  // whole Content-Length is.
  const nginx = await startNginx(origin.dir, undefined, {
    http: `log_format sent '$request $status $body_bytes_sent $sent_http_content_length ` +
      `"$http_user_agent"';`,
    server: `access_log ${log} sent;
    location ~ \\.ts$ { sendfile on; sendfile_max_chunk 16k; limit_rate 200k; }`,
  });
  const json = `${logDir}/summary.json`;
  try {
    const agent = uniqueAgent("slow");
    const run = await runSwarm([
      `--clients=${CLIENTS}`,
      `--ramp-rate=${CLIENTS}`,
      "--duration=40s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      nginx.url("/stream.m3u8"),
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    // nginx logs a cut transfer when its next paced write (≤ 80 ms later) fails.
    await new Promise((r) => setTimeout(r, 1000));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    let sent = 0, announced = 0, cut = 0;
    for (const line of (await Deno.readTextFile(log)).split("\n")) {
      const m = /^GET (\S+) \S+ (\d+) (\d+) (\d+|-) "([^"]*)"$/.exec(line);
      if (!m || !m[5].startsWith(`${agent}/client-`) || classifyUrl(m[1]) !== "segment") continue;
      if (!m[2].startsWith("2")) continue;
      sent += Number(m[3]);
      announced += Number(m[4]);
      if (Number(m[3]) < Number(m[4])) cut++;
    }
    const counted = s.traffic.bytes.segment;
    const inFlight = s.traffic.events.inFlightAtStop;
    const missing = s.traffic.events.inFlightBytesAtStop;
    const pct = (x: number) => `${((x / sent - 1) * 100).toFixed(2)} %`;
    console.log(
      `segment bytes: nginx sent ${sent} (${cut} transfers cut); hls-swarm counted ${counted} ` +
        `(${pct(counted)}), in flight at the stop ${inFlight} (${missing} B announced, not ` +
        `received); counting every Content-Length would say ${counted + missing} ` +
        `(${pct(counted + missing)})`,
    );
    // The stop did cut segments short here, so the test tests something.
    assert(cut >= CLIENTS / 2, `only ${cut} transfers were cut`);
    assertBetween(counted, sent * 0.98, sent * 1.02, `counted ${counted} vs sent ${sent}`);
    // It is in fact FFmpeg's own count of what it read, which is what nginx sent less the last
    // paced write (16 KB) or so: far closer than 2 %.
    assertBetween(counted, sent * 0.995, sent * 1.005, `counted ${counted} vs sent ${sent}`);
    // Each cut transfer is one hls-swarm saw in flight, and every announced byte is either
    // counted (it arrived) or missing.
    assertBetween(inFlight, cut - 1, cut + 1, `in flight ${inFlight}, nginx cut ${cut}`);
    assertEquals(counted + missing, announced);
    assertEquals(s.lines.dropped, 0);
  } finally {
    await nginx.stop();
    await origin.close();
    await Deno.remove(logDir, { recursive: true }).catch(() => {});
  }
});
