/**
 * tmux for tests: a real terminal whose screen a test reads back, and the shell command that
 * runs hls-swarm in it.
 * @module
 */
import { SWARM_ARGV } from "./helpers.ts";

/** One tmux server per test (its own socket), so tests never see each other's sessions. */
export class Tmux {
  readonly socket = `hls-swarm-test-${crypto.randomUUID().slice(0, 8)}`;

  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(`tmux ${args.join(" ")}: ${stderr}`);
    return new TextDecoder().decode(out.stdout);
  }

  /** Runs `command` in the session "main", on a terminal of `width` × `height`. */
  async start(command: string, width = 120, height = 40): Promise<void> {
    await this.run(
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      String(width),
      "-y",
      String(height),
      command,
    );
  }

  /** The visible screen, or with `history` the scrollback too. */
  capture(history = false): Promise<string> {
    return this.run("capture-pane", "-p", "-t", "main", ...(history ? ["-S", "-2000"] : []));
  }

  /** Polls the screen until `check` accepts it. */
  async waitFor(
    check: (screen: string) => boolean,
    timeoutMs: number,
    what: string,
    history = false,
  ): Promise<string> {
    const end = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < end) {
      screen = await this.capture(history);
      if (check(screen)) return screen;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
  }

  async kill(): Promise<void> {
    await this.run("kill-server").catch(() => {});
    // tmux leaves its socket file behind.
    const dir = `${Deno.env.get("TMUX_TMPDIR") ?? "/tmp"}/tmux-${Deno.uid()}`;
    await Deno.remove(`${dir}/${this.socket}`).catch(() => {});
  }
}

export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The shell command a tmux pane runs: hls-swarm, then its exit code, then a pause to read. */
export function swarmCommand(dir: string, args: string[], redirect = ""): string {
  const argv = [Deno.execPath(), ...SWARM_ARGV, ...args].map(shellQuote);
  return `cd ${shellQuote(dir)} && ${argv.join(" ")}${redirect}; echo "EXIT=$?"; sleep 120`;
}
