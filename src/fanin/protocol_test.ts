/**
 * A fan-in of another protocol version is refused, clearly: real helpers built from native/*.c
 * with another FANIN_PROTOCOL (0 is what a helper from before versions sends; the next version
 * is what a helper newer than this hls-swarm sends).
 */
import { systemClock } from "../clock.ts";
import { collectRun } from "../lines/collect.ts";
import { createLogger } from "../log/logger.ts";
import { runCommand } from "../process/command_runner.ts";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { chooseReader, findFanin } from "./choose.ts";
import { FANIN_PROTOCOL, PROTOCOL } from "./records.ts";
import { startFanin } from "./spawner.ts";

const SOURCES = ["fanin.c", "filter.c", "lines.c", "out.c", "request.c", "spawn.c"]
  .map((f) => new URL(`../../native/${f}`, import.meta.url).pathname);

async function build(protocol: number, dir: string): Promise<string> {
  const path = `${dir}/hls-swarm-fanin-${protocol}`;
  const cc = await new Deno.Command(Deno.env.get("CC") ?? "cc", {
    args: ["-O1", `-DFANIN_PROTOCOL=${protocol}`, "-o", path, ...SOURCES],
    stderr: "piped",
  }).output();
  assertEquals(cc.code, 0, new TextDecoder().decode(cc.stderr));
  return path;
}

Deno.test("a fan-in of another protocol is refused at the choice and at its hello", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-fanin-protocol-" });
  try {
    for (const protocol of [0, FANIN_PROTOCOL + 1]) {
      const path = await build(protocol, dir);
      const why = `${path} speaks fan-in protocol ${protocol}, this hls-swarm speaks ` +
        `${FANIN_PROTOCOL}`;
      // At the choice: --version names the protocol.
      const found = await findFanin(runCommand, { HLS_SWARM_FANIN: path }, "");
      assertEquals(found.path, null);
      assertStringIncludes(found.why ?? "", why);
      const native = chooseReader("native", found);
      assert("error" in native && native.error.startsWith(`--line-reader native: ${why}`));
      const auto = chooseReader("auto", found);
      assert("warning" in auto && auto.warning?.startsWith(why), JSON.stringify(auto));

      // At the hello, for a helper named past the choice: no client starts, none ever will.
      const logs: string[] = [];
      const log = createLogger({ format: "json", level: "error", sink: (l) => logs.push(l) });
      const clients = startFanin({ path, clock: systemClock, log });
      for (let i = 0; i < 2; i++) {
        const failed = await clients.spawn("sh", ["-c", "echo never"], collectRun().out)
          .then(() => "started", (e: Error) => e.message);
        assertStringIncludes(failed, why);
      }
      await clients.close?.();
      assertEquals(logs.length, 1, "refused once, not restarted for the second spawn");
      assertStringIncludes(logs[0], '"msg":"fanin_refused"');
      console.log(`protocol ${protocol}: ${(JSON.parse(logs[0]) as { reason: string }).reason}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The `#define NAME VALUE` lines of native/protocol.h, a character constant read as its code. */
function headerDefines(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^#define (FANIN_\w+) (.+)$/gm)) {
    const value = m[2].trim();
    const char = /^'(.)'$/.exec(value);
    out[m[1]] = char ? char[1].charCodeAt(0) : Number(value);
  }
  return out;
}

Deno.test("records.ts follows native/protocol.h: the same names, the same values", async () => {
  const header = await Deno.readTextFile(new URL("../../native/protocol.h", import.meta.url));
  const defines = headerDefines(header);
  // Every define is a number or a character; none is left unread.
  for (const [name, value] of Object.entries(defines)) assert(Number.isInteger(value), name);
  assertEquals(defines, { ...PROTOCOL });
  console.log(`${Object.keys(defines).length} constants agree, protocol ${FANIN_PROTOCOL}`);
});
