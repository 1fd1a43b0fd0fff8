/**
 * hls-swarm's entry point.
 * @module
 */
import { debugWanted, installFatalHandlers } from "./cli/fatal.ts";
import { runCli } from "./cli/main.ts";
import { writeTextSync } from "./io.ts";
import { rawRedactor } from "./config/raw_redactor.ts";
import { PARTITION_WORKER_NAME } from "./partition/protocol.ts";
import { runPartitionWorker } from "./partition/worker_main.ts";

// The same module is the worker side of a partition (see partition/worker_partition.ts): in a bundle there
// is no other file to start a worker from.
if (import.meta.main && (self as { name?: string }).name === PARTITION_WORKER_NAME) {
  await runPartitionWorker();
} else if (import.meta.main) {
  const env = Deno.env.toObject();
  // Anything uncaught is one redacted line and exit 1, never Deno's raw message and stack.
  const fail: (e: unknown) => never = installFatalHandlers(globalThis, {
    write: (text) => writeTextSync(Deno.stderr, text),
    redactor: rawRedactor(Deno.args, env),
    debug: debugWanted(Deno.args, env),
    exit: (code) => Deno.exit(code),
  });
  let code: number;
  try {
    code = await runCli(Deno.args, {
      env,
      stdout: (text) => writeTextSync(Deno.stdout, text),
      stderr: (text) => writeTextSync(Deno.stderr, text),
      stdoutIsTerminal: Deno.stdout.isTerminal(),
      stderrIsTerminal: Deno.stderr.isTerminal(),
      workerEntry: import.meta.url,
    });
  } catch (e) {
    fail(e);
  }
  Deno.exit(code);
}
