/**
 * The dashboard controller: the alternate screen, a redraw every 500 ms and on resize, the keys,
 * and a terminal restore on every way out (stop, quit, crash, `Deno.exit`). Terminal I/O is
 * passed in ({@linkcode TerminalIo}), so tests drive it with a fake screen and fake keys.
 * @module
 */
import ansiEscapes from "ansi-escapes";
import type { DashboardModel } from "./model.ts";
import { renderDashboard } from "./render.ts";
import { visibleWidth } from "./text.ts";

/** What a key press asks for. */
export type DashboardKey = "quit" | "interrupt" | "details";

/** Delivers key presses; {@linkcode KeySource.stop} must end any pending read at once. */
export interface KeySource {
  /** Starts reading keys (raw mode on). */
  start(onKey: (key: DashboardKey) => void): void;
  /** Turns raw mode off and cancels the pending read, so it never holds up the exit. */
  stop(): void;
}

/** The terminal as the dashboard uses it. */
export interface TerminalIo {
  /** Writes `text` at once (one frame per call, so the terminal never shows half a frame). */
  write(text: string): void;
  /** The screen size now. */
  size(): { columns: number; rows: number };
  /** Calls `listener` when the screen is resized; returns the unsubscribe function. */
  onResize(listener: () => void): () => void;
  /** null when stdin is not a terminal: the dashboard then shows but reads no keys. */
  keys: KeySource | null;
}

/** How a dashboard is built. */
export interface DashboardOptions {
  io: TerminalIo;
  /** The model of this instant, with at most `clientRows` rows of the client table (the screen's
   * height: the `d` table, or the worst clients of the lower half). */
  model(clientRows: number): DashboardModel;
  /** ANSI colours (false when NO_COLOR is set). */
  color: boolean;
  /** The first quit key (q, Esc or Ctrl+C): begin the graceful shutdown. */
  onQuit(): void;
  /** Ctrl+C after a quit key: kill every FFmpeg now. */
  onForceQuit(): void;
  /** Drawing failed; the dashboard has already restored the terminal and stopped. */
  onError?(error: unknown): void;
  /** Redraw period; 500 ms (2 Hz). */
  refreshMs?: number;
  /** Where the crash handlers go ("error", "unhandledrejection", "unload"); globalThis. */
  events?: EventTarget;
}

/**
 * Splits one read from a raw-mode stdin into keys. A read holding only ESC is the Esc key;
 * an ESC that starts a longer sequence (arrow keys, function keys) is skipped whole, so an
 * arrow key never quits.
 *
 * @example
 * ```ts
 * parseKeys(new Uint8Array([0x71])); // ["quit"]
 * parseKeys(new Uint8Array([0x1b, 0x5b, 0x41])); // [] (arrow up)
 * ```
 */
export function parseKeys(chunk: Uint8Array): DashboardKey[] {
  if (chunk.length === 1 && chunk[0] === 0x1b) return ["quit"];
  const keys: DashboardKey[] = [];
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i];
    if (b === 0x1b) {
      i++;
      if (chunk[i] === 0x5b) {
        // CSI: parameters up to the final byte (0x40–0x7e).
        while (++i < chunk.length && !(chunk[i] >= 0x40 && chunk[i] <= 0x7e));
      } else if (chunk[i] === 0x4f) i++; // SS3: ESC O x
      continue;
    }
    if (b === 0x03) keys.push("interrupt");
    else if (b === 0x71 || b === 0x51) keys.push("quit");
    else if (b === 0x64 || b === 0x44) keys.push("details");
  }
  return keys;
}

/**
 * One frame as terminal output: home, every line with the rest of its row erased, and the rows
 * below erased. Nothing is cleared first, so the screen never flickers. A full-width line gets
 * no erase (the cursor sits on its last cell, which an erase would blank), and the last row gets
 * no newline (it would scroll the screen).
 *
 * @example
 * ```ts
 * const screen = frame(["hello"], 80, 24); // the cursor home, "hello", the rest cleared
 * ```
 */
export function frame(lines: readonly string[], width: number, height: number): string {
  let out = ansiEscapes.cursorTo(0, 0);
  const n = Math.min(lines.length, height);
  for (let i = 0; i < n; i++) {
    out += lines[i];
    if (visibleWidth(lines[i]) < width) out += ansiEscapes.eraseEndLine;
    if (i < n - 1) out += "\r\n";
  }
  if (n < height) out += (n ? "\r\n" : "") + ansiEscapes.eraseDown;
  return out;
}

/**
 * The live dashboard. {@linkcode Dashboard.start} takes over the screen; {@linkcode Dashboard.stop}
 * gives it back, and so does any crash or `Deno.exit` while it runs.
 *
 * @example Not run: it takes over the terminal while a swarm runs
 * ```ts ignore
 * const dashboard = new Dashboard({
 *   io: denoTerminal(),
 *   model: (rows) => builder.build(performance.now(), rows),
 *   color: !Deno.env.get("NO_COLOR"),
 *   onQuit: () => swarm.stop("quit"),
 *   onForceQuit: () => swarm.forceStop("second Ctrl+C"),
 * });
 * dashboard.start();
 * await swarm.run().finally(() => dashboard.stop());
 * ```
 */
export class Dashboard {
  #opts: DashboardOptions;
  #running = false;
  #showDetails = false;
  #quitting = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unsubscribeResize: (() => void) | null = null;
  #restore = () => this.stop();

  constructor(opts: DashboardOptions) {
    this.#opts = opts;
  }

  /** Whether the dashboard holds the screen. */
  get running(): boolean {
    return this.#running;
  }

  /** Whether the client table is shown. */
  get showDetails(): boolean {
    return this.#showDetails;
  }

  /** Takes over the screen and draws the first frame. */
  start(): void {
    if (this.#running) return;
    const { io } = this.#opts;
    this.#running = true;
    const events = this.#opts.events ?? globalThis;
    // Registered before anything else can fail, so a crash from here on restores the screen.
    for (const type of ["error", "unhandledrejection", "unload"]) {
      events.addEventListener(type, this.#restore);
    }
    io.write(ansiEscapes.enterAlternativeScreen + ansiEscapes.cursorHide);
    this.#unsubscribeResize = io.onResize(() => this.draw());
    io.keys?.start((key) => this.#onKey(key));
    this.#timer = setInterval(() => this.draw(), this.#opts.refreshMs ?? 500);
    this.draw();
  }

  /** Restores the terminal: timer and keys stopped, cursor shown, alternate screen left. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    const { io } = this.#opts;
    clearInterval(this.#timer);
    const events = this.#opts.events ?? globalThis;
    for (const type of ["error", "unhandledrejection", "unload"]) {
      events.removeEventListener(type, this.#restore);
    }
    // Each step on its own: a failing one must not leave the terminal half restored.
    try {
      this.#unsubscribeResize?.();
    } catch { /* nothing left to undo */ }
    try {
      io.keys?.stop();
    } catch { /* raw mode is reset by the next step's terminal anyway */ }
    try {
      io.write(ansiEscapes.cursorShow + ansiEscapes.exitAlternativeScreen);
    } catch { /* stdout is gone: there is no screen left to restore */ }
  }

  /** Draws one frame now (the timer, a resize and keys call it). */
  draw(): void {
    if (!this.#running) return;
    const { io } = this.#opts;
    try {
      const { columns, rows } = io.size();
      // The table shows in the lower half too (the worst few), so rows are always asked for.
      const model = this.#opts.model(rows);
      const lines = renderDashboard(model, {
        width: columns,
        height: rows,
        showDetails: this.#showDetails,
        color: this.#opts.color,
      });
      io.write(frame(lines, columns, rows));
    } catch (e) {
      // A broken frame must not take the run down: give the screen back and report it.
      this.stop();
      this.#opts.onError?.(e);
    }
  }

  #onKey(key: DashboardKey): void {
    if (key === "details") {
      this.#showDetails = !this.#showDetails;
      this.draw();
      return;
    }
    if (key === "interrupt" && this.#quitting) {
      this.#opts.onForceQuit();
      return;
    }
    if (this.#quitting) return;
    this.#quitting = true;
    this.#opts.onQuit();
    this.draw();
  }
}
