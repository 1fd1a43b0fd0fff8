/**
 * hls-swarm's entry point.
 * @module
 */
import { runCli } from "./cli/main.ts";

if (import.meta.main) {
  const encoder = new TextEncoder();
  const write = (stream: typeof Deno.stdout | typeof Deno.stderr) => (text: string) => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
  };
  const code = await runCli(Deno.args, {
    env: Deno.env.toObject(),
    stdout: write(Deno.stdout),
    stderr: write(Deno.stderr),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  });
  Deno.exit(code);
}
