/**
 * hls-swarm's entry point.
 * @module
 */
import { runCli } from "./cli/main.ts";
import { writeTextSync } from "./io.ts";
import { SHARD_WORKER_NAME } from "./shard/protocol.ts";
import { runShardWorker } from "./shard/worker_main.ts";

// The same module is the worker side of a shard (see shard/worker_shard.ts): in a bundle there
// is no other file to start a worker from.
if (import.meta.main && (self as { name?: string }).name === SHARD_WORKER_NAME) {
  await runShardWorker();
} else if (import.meta.main) {
  const code = await runCli(Deno.args, {
    env: Deno.env.toObject(),
    stdout: (text) => writeTextSync(Deno.stdout, text),
    stderr: (text) => writeTextSync(Deno.stderr, text),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    workerEntry: import.meta.url,
  });
  Deno.exit(code);
}
