import { assertEquals } from "../testing/assert.ts";
import { createLogger } from "./logger.ts";

Deno.test("json lines carry time, level, msg and fields; lower levels are dropped", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "json",
    level: "info",
    sink: (l) => lines.push(l),
    now: () => 0,
  });
  log.debug("hidden");
  log.info("client_started", { client_id: 3 });
  assertEquals(lines, [
    '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"client_started","client_id":3}\n',
  ]);
});

Deno.test("text lines quote values with spaces and indent stderr tails", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "text",
    level: "debug",
    sink: (l) => lines.push(l),
    now: () => 0,
  });
  log.warn("client_exited", { exit_code: 1, label: "an error", stderr_tail: ["a", "b"] });
  assertEquals(
    lines[0],
    '1970-01-01T00:00:00.000Z WARN  client_exited exit_code=1 label="an error"\n' +
      "  stderr_tail:\n    | a\n    | b\n",
  );
});
