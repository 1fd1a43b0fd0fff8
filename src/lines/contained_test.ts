import { systemClock } from "../clock.ts";
import { clientSpawner } from "../fanin/choose.ts";
import { createLogger } from "../log/logger.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { errorKind, errorText, excerpt } from "./contained.ts";
import { zeroLineCounts } from "./transport.ts";

const FANIN = new URL("../../build/hls-swarm-fanin", import.meta.url).pathname;

Deno.test("an excerpt is cut at a space, so no word (and no secret) is cut in half", () => {
  assertEquals(excerpt("short"), "short");
  assertEquals(excerpt("GET /a.ts?token=s3cr3t HTTP/1.1", 20), "GET …");
  assertEquals(excerpt("abc def", 4), "abc …");
  assertEquals(excerpt("x".repeat(300)), "…");
  const long = excerpt(`${"word ".repeat(60)}`);
  assert(long.length <= 202 && long.endsWith("word …"), long);
});

Deno.test("an error's kind is its class and where it was thrown, not its message", () => {
  const at = (line: string) => {
    try {
      JSON.parse(line);
    } catch (e) {
      return e;
    }
  };
  assertEquals(errorKind(at("{")), errorKind(at("[1,")));
  assert(errorKind(at("{")).startsWith("SyntaxError at "), errorKind(at("{")));
  assertEquals(errorKind("oops"), "thrown string");
  assertEquals(errorText(new RangeError("bad")), "RangeError: bad");
  assertEquals(errorText(42), "42");
});

for (const reader of ["native", "deno"] as const) {
  Deno.test(`${reader} reader: a consumer that throws costs its lines, not the reader`, async () => {
    const logs: string[] = [];
    const log = createLogger({ format: "json", level: "error", sink: (l) => logs.push(l) });
    const clients = clientSpawner(
      { faninPath: reader === "native" ? FANIN : null, deathSignal: false, bufferLines: 1000 },
      systemClock,
      log,
    );
    const seen: string[][] = [[], []];
    const run = async (id: number) => {
      const exit = Promise.withResolvers<number>();
      await clients.spawn(
        "sh",
        ["-c", `for i in 1 2 3; do echo $i; echo BOOM; done`],
        {
          sink: {
            line(stream, text) {
              if (stream === "stderr") return;
              if (text === "BOOM") throw new TypeError("consumer bug");
              seen[id].push(text);
            },
            exit: (record) => exit.resolve(record.code),
          },
          counts: { stderr: zeroLineCounts(), progress: zeroLineCounts() },
          progress: true,
          stderr: true,
        },
      );
      // The exit record still comes, after the lines the consumer threw on.
      return await exit.promise;
    };
    assertEquals(await Promise.all([run(0), run(1)]), [0, 0]);
    await clients.close?.();
    assertEquals(seen, [["1", "2", "3"], ["1", "2", "3"]]);
    // Six throws, one log line: each kind once per reader.
    assertEquals(logs.length, 1, logs.join(""));
    assert(logs[0].includes("TypeError: consumer bug"), logs[0]);
  });
}
