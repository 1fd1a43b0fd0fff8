/**
 * A spawner for tests: children that write given bytes to stderr and stdout, then exit by
 * themselves or when sent a signal they honour. No process is started.
 * @module
 */
import type { ChildProcess, ExitStatus, Spawner } from "../process/spawner.ts";

/** How a fake child behaves: exit by itself with a code, or run until a signal it honours. */
export type FakeScript =
  & ({ exitCode: number } | { honours: Deno.Signal[] })
  & { stderr?: string | Uint8Array; stdout?: string | Uint8Array };

/**
 * Spawns the scripts in order (the last one repeats), recording the signals sent.
 *
 * @example
 * ```ts
 * const spawner = new FakeSpawner([{ exitCode: 1, stderr: "boom\n" }, { honours: ["SIGTERM"] }]);
 * ```
 */
export class FakeSpawner implements Spawner {
  signals: Deno.Signal[] = [];
  spawned = 0;
  constructor(private scripts: FakeScript[]) {}

  spawn(_command: string, _args: string[], io: { stdout: boolean; stderr: boolean }): ChildProcess {
    const script = this.scripts[Math.min(this.spawned++, this.scripts.length - 1)];
    let finish!: (s: ExitStatus) => void;
    const status = new Promise<ExitStatus>((r) => (finish = r));
    // Output is written first; a child that exits by itself does so once it is written.
    let written = 0;
    const streams = [io.stderr, io.stdout].filter(Boolean).length;
    const wrote = () => {
      if (++written >= streams && "exitCode" in script) {
        finish({ code: script.exitCode, signal: null });
      }
    };
    if (streams === 0) wrote();
    const stream = (data: string | Uint8Array | undefined) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          if (data) c.enqueue(typeof data === "string" ? new TextEncoder().encode(data) : data);
          queueMicrotask(wrote);
          status.then(() => c.close());
        },
      });
    return {
      pid: 1000 + this.spawned,
      stdout: io.stdout ? stream(script.stdout) : null,
      stderr: io.stderr ? stream(script.stderr) : null,
      status,
      kill: (signal) => {
        this.signals.push(signal);
        if ("honours" in script && script.honours.includes(signal)) {
          finish({ code: signal === "SIGKILL" ? 137 : 255, signal: null });
        }
      },
    };
  }
}
