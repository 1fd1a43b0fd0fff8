/**
 * The start of a compiled hls-swarm, as a program that `deno bundle` can build and run where
 * `deno compile` cannot (no denort): extract_test.ts bundles it and runs the bundle. It takes the
 * line-reader path that src/cli/main.ts takes (findFanin, chooseReader, clientSpawner), as a
 * standalone binary, with the embedded fan-in read from the virtual root named on its command
 * line instead of the binary's own; the rest of the code path is the same. Then it starts one
 * client on the reader chosen, and prints what happened as one JSON line.
 *
 * @example
 * ```sh
 * deno bundle --platform deno -o /tmp/probe.js src/fanin/extract_probe.ts
 * deno run -A /tmp/probe.js /tmp/root   # /tmp/root/build/compile/<target>/hls-swarm-fanin{,.sha256}
 * ```
 * @module
 */
import { systemClock } from "../clock.ts";
import { collectRun } from "../lines/collect.ts";
import { createLogger } from "../log/logger.ts";
import { runCommand } from "../process/command_runner.ts";
import { chooseReader, clientSpawner, findFanin } from "./choose.ts";
import { extractPlaces } from "./extract.ts";

/** What one probe start printed. */
export interface ProbeResult {
  found: { path: string | null; tried: string; why?: string };
  /** The line reader used, and the one warning line a fallback logs. */
  reader: "native" | "deno";
  warning?: string;
  /** The client's stderr lines and exit code. */
  lines: string[];
  code: number;
}

if (import.meta.main) {
  const root = Deno.args[0];
  const env = Deno.env.toObject();
  delete env.HLS_SWARM_FANIN; // a compiled binary finds its own
  const found = await findFanin(runCommand, env, `file://${root}/src/main.ts`, {
    standalone: true,
    target: Deno.build.target,
    places: extractPlaces(env, Deno.uid() ?? 0),
  });
  const choice = chooseReader("auto", found);
  if ("error" in choice) throw new Error(choice.error);
  const logs: string[] = [];
  const log = createLogger({ format: "json", level: "warn", sink: (l) => logs.push(l) });
  if (choice.warning) log.warn("line_reader_fallback", { reason: choice.warning });
  const clients = clientSpawner(
    { faninPath: choice.faninPath, deathSignal: false, bufferLines: 1000 },
    systemClock,
    log,
  );
  const run = collectRun();
  await clients.spawn("sh", ["-c", "echo hello from a client >&2"], run.out);
  const { code } = await run.exit;
  await clients.close?.();
  const result: ProbeResult = {
    found,
    reader: clients.kind === "native" ? "native" : "deno",
    warning: logs.length ? logs.join("") : undefined,
    lines: run.texts(),
    code,
  };
  console.log(JSON.stringify(result));
}
