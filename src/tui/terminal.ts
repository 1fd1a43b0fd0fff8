/**
 * The real terminal behind the dashboard: stdout, `Deno.consoleSize()`, SIGWINCH and a raw-mode
 * stdin whose pending read is cancelled on stop, so reading keys never holds up the exit.
 * @module
 */
import { writeTextSync } from "../io.ts";
import { type DashboardKey, type KeySource, parseKeys, type TerminalIo } from "./dashboard.ts";

/** Used when the size cannot be read (it can fail while a terminal closes). */
const FALLBACK_SIZE = { columns: 80, rows: 24 };

/**
 * Keys from stdin in raw mode. Raw mode turns Ctrl+C into a byte instead of SIGINT, which is why
 * the dashboard maps that byte to the same shutdown.
 *
 * @example Not run: it puts a terminal on stdin in raw mode
 * ```ts ignore
 * const keys = new StdinKeySource();
 * keys.start((key) => console.log(key));
 * keys.stop();
 * ```
 */
export class StdinKeySource implements KeySource {
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  start(onKey: (key: DashboardKey) => void): void {
    if (this.#reader) return;
    Deno.stdin.setRaw(true);
    const reader = Deno.stdin.readable.getReader();
    this.#reader = reader;
    (async () => {
      try {
        while (true) {
          const { value, done } = await reader.read();
          if (done) return;
          for (const key of parseKeys(value)) onKey(key);
        }
      } catch {
        // stdin closed or cancelled: no more keys, nothing to report.
      }
    })();
  }

  stop(): void {
    const reader = this.#reader;
    if (!reader) return;
    this.#reader = null;
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // stdin is no longer a terminal (closed): there is no mode left to restore.
    }
    reader.cancel().catch(() => {});
  }
}

/**
 * The process's terminal. Keys are read only when stdin is a terminal (raw mode needs one).
 *
 * @example
 * ```ts
 * const io = denoTerminal();
 * io.write("\x1b[H"); // home
 * io.size(); // { columns: 120, rows: 40 }
 * ```
 */
export function denoTerminal(): TerminalIo {
  let last = FALLBACK_SIZE;
  return {
    write(text) {
      writeTextSync(Deno.stdout, text);
    },
    size() {
      try {
        const { columns, rows } = Deno.consoleSize();
        if (columns > 0 && rows > 0) last = { columns, rows };
      } catch {
        // Not a terminal right now: keep the last known size.
      }
      return last;
    },
    onResize(listener) {
      try {
        Deno.addSignalListener("SIGWINCH", listener);
        return () => Deno.removeSignalListener("SIGWINCH", listener);
      } catch {
        // No SIGWINCH here (Windows): the 2 Hz redraw picks the new size up anyway.
        return () => {};
      }
    },
    keys: Deno.stdin.isTerminal() ? new StdinKeySource() : null,
  };
}
