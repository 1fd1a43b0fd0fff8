import { pipedClients } from "../lines/piped.ts";
import { LineDecoder } from "../lines/decoder.ts";
import { createLogger } from "../log/logger.ts";
import { classifyUrl } from "../parser/url_kind.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeSpawner } from "../testing/fake_spawner.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { type ClientDeps, startClient } from "./runner.ts";

const DATA = new URL("../../testdata/ffmpeg-5.1/", import.meta.url);
const stderr = Deno.readFileSync(new URL("stderr_trace_nginx_keepalive.txt", DATA));
const progress = Deno.readFileSync(new URL("progress_trace_nginx_keepalive.txt", DATA));
/** Lines as the pipeline splits them (LF, CRLF and lone CR). */
const stderrLines = (() => {
  let n = 0;
  const d = new LineDecoder();
  d.push(stderr, () => n++);
  d.flush(() => n++);
  return n;
})();

/** What nginx served the captured client, by kind. */
function served(): Record<string, number> {
  const log = Deno.readTextFileSync(new URL("access_trace_nginx_keepalive.txt", DATA));
  const out: Record<string, number> = {};
  for (const line of log.split("\n").filter(Boolean)) {
    const kind = classifyUrl(line.split(" ")[1]);
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

function deps(spawner: FakeSpawner, bufferLines: number): ClientDeps & { stats: PartitionStats } {
  const logs: string[] = [];
  const clock = new VirtualClock();
  const log = createLogger({ format: "json", level: "debug", sink: (l) => logs.push(l) });
  return {
    spawner: pipedClients(spawner, clock, log, { bufferLines }),
    clock,
    log,
    stats: new PartitionStats({ targetClients: 1, targetDurationMs: 2000, dropThreshold: 0.01 }),
    seed: 1,
    command: (id) => ({ command: "ffmpeg", args: [`client-${id}`] }),
    options: { stats: true, ffmpegDebug: false, graceMs: 5000 },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

Deno.test("lines in, stats out: a crash, a restart, and every line parsed into the shard's stats", async () => {
  const spawner = new FakeSpawner([
    { exitCode: 1, stderr, stdout: progress },
    { honours: ["SIGTERM"], stderr, stdout: progress },
  ]);
  const d = deps(spawner, 5000);
  const stop = new AbortController();
  const client = startClient(7, d, stop.signal);
  await until(
    () => spawner.spawned === 2 && client.counts().stderr.read === 2 * stderrLines,
    "two runs' lines",
  );
  stop.abort();
  await client.done;

  const nginx = served();
  const http = d.stats.http;
  assertEquals(http.requests.manifest, 2 * nginx.manifest);
  assertEquals(http.requests.segment, 2 * nginx.segment);
  assertEquals(d.stats.clients.get(7)?.requests.segment, 2 * nginx.segment);
  const life = d.stats.lifecycle;
  assertEquals([life.starts, life.restarts, life.clientsWithMedia], [2, 1, 1]);
  assertEquals(life.exits().map((e) => [e.code, e.requested]), [[1, false], [255, true]]);
  assertEquals(client.counts().stderr, {
    read: 2 * stderrLines,
    dropped: 0,
    parsed: 2 * stderrLines,
    filtered: 0,
  });
  assertEquals(client.state, "stopped");
});

Deno.test("a full queue drops lines and counts them; the snapshot reports the client degraded", async () => {
  const spawner = new FakeSpawner([{ honours: ["SIGTERM"], stderr, stdout: progress }]);
  const d = deps(spawner, 100);
  const stop = new AbortController();
  const client = startClient(0, d, stop.signal);
  // The whole capture arrives in one read: 100 lines fit the queue, the rest are dropped.
  await until(() => client.counts().stderr.read === stderrLines, "the capture's lines");
  stop.abort();
  await client.done;
  const c = client.counts().stderr;
  assertEquals(c, { read: stderrLines, dropped: stderrLines - 100, parsed: 100, filtered: 0 });
  const snap = d.stats.snapshot(Date.now());
  assertEquals(snap.lines.stderr, c);
  assertEquals(snap.lines.degradedClients, 1);
});
