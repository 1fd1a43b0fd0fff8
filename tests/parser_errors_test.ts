/**
 * Issue 21, finding 7: a parser that throws on a line must cost that line only. Before, on the
 * native fan-in, the exception ended the shard's record loop (no more lines, no exits, a stop
 * that waited for ever); on Deno's pipes it escaped the parse pump's timer and killed hls-swarm.
 * Both readers here run real `sh` children through a real shard, with parsers injected through
 * the shard's `parsers` seam that throw on every `BOOM` line.
 */
import { systemClock } from "../src/clock.ts";
import { type ClientParsers, FFMPEG_PARSERS } from "../src/parser/parsers_for.ts";
import { clientSpawner } from "../src/fanin/choose.ts";
import { EXCERPT_CHARS } from "../src/lines/contained.ts";
import { createLogger } from "../src/log/logger.ts";
import { redactorFor } from "../src/secrets/redact.ts";
import { Partition } from "../src/partition/partition.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";

const FANIN = new URL("../build/hls-swarm-fanin", import.meta.url).pathname;
const LINES = 200;
const SECRET = "s3cr3tT0ken";

/**
 * Client 0 prints 200 requests and their statuses with a `BOOM` line between each pair, and a
 * progress block with a `BOOM` line, then sleeps until stopped; client 1 does the same and exits
 * with 3 (and is restarted). Each `BOOM` line carries a secret whole inside the first 200
 * characters and a URL with user info across the 200th, where a blind cut would split it.
 */
function script(id: number): string {
  return `i=0
while [ $i -lt ${LINES} ]; do
  printf '[http @ 0x%x] [debug] request: GET /live/seg%d.ts HTTP/1.1\\n' $((i+16)) $i >&2
  printf 'BOOM token=${SECRET} %0170d https://user:pa55word@origin/seg%d.ts?token=${SECRET}\\n' 0 $i >&2
  printf '[http @ 0x%x] [trace] http_code=200\\n' $((i+16)) >&2
  i=$((i+1))
done
printf 'frame=1\\nBOOM=1\\nprogress=continue\\n'
${id === 0 ? "exec sleep 30" : "exit 3"}`;
}

/** FFmpeg's parsers, except that they throw on every `BOOM` line; `thrown` counts the throws. */
function throwingParsers(): ClientParsers & { thrown: number } {
  const parsers = {
    thrown: 0,
    stderr() {
      const real = FFMPEG_PARSERS.stderr();
      return {
        push(line: string, at: number) {
          if (!line.startsWith("BOOM")) return real.push(line, at);
          parsers.thrown++;
          throw new TypeError(`cannot parse ${line}`);
        },
        gap: () => real.gap(),
        finish: (requested: boolean) => real.finish(requested),
      };
    },
    progress() {
      const real = FFMPEG_PARSERS.progress();
      return {
        push(line: string) {
          if (!line.startsWith("BOOM")) return real.push(line);
          parsers.thrown++;
          throw new RangeError("progress value out of range");
        },
      };
    },
  };
  return parsers;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const reader of ["native", "deno"] as const) {
  Deno.test(`${reader} reader: a throwing parser costs its lines; lines, exits and the stop go on`, async () => {
    const logs: string[] = [];
    const log = createLogger({
      format: "json",
      level: "info",
      sink: (l) => logs.push(l),
      redact: redactorFor({
        headers: [`Authorization: Bearer ${SECRET}`],
        redactHeaders: [],
        streamUrl: `https://user:pa55word@origin/live.m3u8?token=${SECRET}`,
      }),
    });
    const spawner = clientSpawner(
      { faninPath: reader === "native" ? FANIN : null, deathSignal: false, bufferLines: 10_000 },
      systemClock,
      log,
    );
    assertEquals(spawner.kind, reader);
    const parsers = throwingParsers();
    const shard = new Partition({
      spawner,
      clock: systemClock,
      log,
      seed: 1,
      command: (id) => ({ command: "sh", args: ["-c", script(id)] }),
      options: { stats: true, ffmpegDebug: false, graceMs: 3000 },
      stats: { targetClients: 2, targetDurationMs: 2000, dropThreshold: 0.01 },
      restartOnStall: false,
      parsers,
    });
    shard.start(0);
    shard.start(1);
    const client0 = () => shard.stats.clients.get(0)?.lines();
    await until(
      () =>
        client0()?.stderr.parsed === 3 * LINES && client0()?.progress.parsed === 3 &&
        shard.stats.lifecycle.exits().some((e) => e.code === 3),
      "client 0's lines and client 1's exit",
    );

    const t0 = performance.now();
    shard.stop();
    await shard.finished();
    const stopMs = performance.now() - t0;
    const snap = shard.snapshot();
    console.log(
      `${reader}: parser_errors ${snap.events.parserErrors} (thrown ${parsers.thrown}), ` +
        `segment requests ${snap.requests.segment} (client 0: ` +
        `${shard.stats.clients.get(0)?.requests.segment}), exits ` +
        `${JSON.stringify(snap.lifecycle.exits)}, stop ${stopMs.toFixed(0)} ms`,
    );

    // Every throw is counted, and only throws: the lines around them were parsed.
    assert(parsers.thrown >= 2 * (LINES + 1), `thrown ${parsers.thrown}`);
    assertEquals(snap.events.parserErrors, parsers.thrown);
    assertEquals(shard.stats.clients.get(0)?.requests.segment, LINES);
    assertEquals(snap.responses.segment["200"] >= 2 * LINES, true);
    // Exits are still recorded: client 1's own, and client 0's at the stop.
    assert(snap.lifecycle.exits.some((e) => e.code === 3 && !e.requested));
    assert(snap.lifecycle.exits.some((e) => e.requested && e.code === 143), "SIGTERM at the stop");
    // The stop takes far less than the 3 s grace (the clients honour SIGTERM).
    assertBetween(stopMs, 0, 1500, `stop took ${stopMs} ms`);

    // Logged once per kind of error, not once per line; the line redacted and cut short.
    const records = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const errors = records.filter((r) => r.msg === "parser_error");
    assertEquals(errors.map((r) => r.stream).sort(), ["progress", "stderr"]);
    const stderrError = errors.find((r) => r.stream === "stderr")!;
    const line = String(stderrError.line);
    assert(line.length <= EXCERPT_CHARS + 2 && line.endsWith(" …"), line);
    assert(line.startsWith("BOOM <redacted> 000"), line);
    assert(String(stderrError.error).startsWith("TypeError: cannot parse BOOM"));
    assert(Number(stderrError.line_chars) > EXCERPT_CHARS);
    for (const l of logs) {
      assert(!l.includes("s3cr") && !l.includes("pa55"), `a secret, or half of one, in: ${l}`);
    }
    assertEquals(
      records.filter((r) => /fanin_read_failed|consumer_failed/.test(String(r.msg))),
      [],
    );
  });
}
