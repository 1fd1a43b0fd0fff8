/**
 * hls-swarm's entry point.
 * @module
 */
import { runCli } from "./cli/main.ts";
import { writeTextSync } from "./io.ts";

if (import.meta.main) {
  const code = await runCli(Deno.args, {
    env: Deno.env.toObject(),
    stdout: (text) => writeTextSync(Deno.stdout, text),
    stderr: (text) => writeTextSync(Deno.stderr, text),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  });
  Deno.exit(code);
}
