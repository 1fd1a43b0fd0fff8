/**
 * Runs a short-lived command to completion with a timeout, capturing its output. Used for
 * `ffmpeg -version`, capability probes and ffprobe; injected so tests can answer without FFmpeg.
 * @module
 */

/** What a finished short command produced. */
export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `command args` and resolves with its output; rejects only when it cannot be started. */
export type CommandRunner = (
  command: string,
  args: string[],
  timeoutMs: number,
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
export const runCommand: CommandRunner = async (command, args, timeoutMs) => {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
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
