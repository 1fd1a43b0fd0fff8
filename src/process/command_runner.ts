/**
 * Runs a short-lived command to completion with a timeout, capturing its output. Used for
 * `ffmpeg -version`, capability probes, ffprobe and kubectl; injected so tests can answer
 * without them.
 * @module
 */

/** What a finished short command produced. */
export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs `command args`, writing `stdin` to it when given, and resolves with its output; rejects
 * only when it cannot be started.
 */
export type CommandRunner = (
  command: string,
  args: string[],
  timeoutMs: number,
  stdin?: string,
) => Promise<CommandOutput>;

/**
 * The real runner, on `Deno.Command`. A command still running after `timeoutMs` is killed.
 *
 * @example
 * ```ts
 * const out = await runCommand("ffmpeg", ["-hide_banner", "-version"], 5000);
 * console.log(out.stdout.split("\n")[0]);
 * ```
 */
export const runCommand: CommandRunner = async (command, args, timeoutMs, stdin) => {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    if (stdin !== undefined) {
      const writer = child.stdin.getWriter();
      // The command may exit before reading everything (bad flags); its exit code tells why.
      await writer.write(new TextEncoder().encode(stdin)).catch(() => {});
      await writer.close().catch(() => {});
    }
    const out = await child.output();
    const decoder = new TextDecoder();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
};
