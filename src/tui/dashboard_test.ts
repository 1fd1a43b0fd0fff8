import ansiEscapes from "ansi-escapes";
import { assert, assertEquals } from "../testing/assert.ts";
import {
  Dashboard,
  type DashboardKey,
  type DashboardOptions,
  frame,
  type KeySource,
  parseKeys,
  type TerminalIo,
} from "./dashboard.ts";
import { DashboardModelBuilder } from "./model.ts";
import { syntheticSource, syntheticSwarm } from "./synthetic.ts";

Deno.test("parseKeys: q, Esc, Ctrl+C and d; escape sequences are not Esc", () => {
  const keys = (...bytes: number[]) => parseKeys(new Uint8Array(bytes));
  assertEquals(keys(0x71), ["quit"]);
  assertEquals(keys(0x51), ["quit"]);
  assertEquals(keys(0x1b), ["quit"]);
  assertEquals(keys(0x03), ["interrupt"]);
  assertEquals(keys(0x64), ["details"]);
  assertEquals(keys(0x1b, 0x5b, 0x41), []); // arrow up
  assertEquals(keys(0x1b, 0x4f, 0x50), []); // F1
  assertEquals(keys(0x1b, 0x5b, 0x31, 0x35, 0x7e, 0x64), ["details"]); // F5, then d
  assertEquals(keys(0x78, 0x64, 0x03), ["details", "interrupt"]);
});

Deno.test("frame: home, erase only short lines, erase below only when the screen is not full", () => {
  const f = frame(["ab", "abcd"], 4, 3);
  assertEquals(
    f,
    ansiEscapes.cursorTo(0, 0) + "ab" + ansiEscapes.eraseEndLine + "\r\n" + "abcd" + "\r\n" +
      ansiEscapes.eraseDown,
  );
  // A full screen ends on its last line: a newline there would scroll.
  const full = frame(["a", "b"], 4, 2);
  assert(!full.endsWith("\r\n") && !full.includes(ansiEscapes.eraseDown), JSON.stringify(full));
  assertEquals(frame([], 4, 2), ansiEscapes.cursorTo(0, 0) + ansiEscapes.eraseDown);
});

class FakeKeys implements KeySource {
  listener: ((key: DashboardKey) => void) | null = null;
  stopped = 0;
  start(onKey: (key: DashboardKey) => void): void {
    this.listener = onKey;
  }
  stop(): void {
    this.stopped++;
    this.listener = null;
  }
  press(key: DashboardKey): void {
    this.listener?.(key);
  }
}

class FakeTerminal implements TerminalIo {
  writes: string[] = [];
  columns = 120;
  rows = 40;
  resize: (() => void) | null = null;
  keys: FakeKeys | null = new FakeKeys();
  write(text: string): void {
    this.writes.push(text);
  }
  size() {
    return { columns: this.columns, rows: this.rows };
  }
  onResize(listener: () => void): () => void {
    this.resize = listener;
    return () => (this.resize = null);
  }
  get frames(): string[] {
    return this.writes.filter((w) => w.startsWith(ansiEscapes.cursorTo(0, 0)));
  }
}

function setup(over: Partial<DashboardOptions> = {}) {
  const io = new FakeTerminal();
  const events = new EventTarget();
  const calls: string[] = [];
  const swarm = syntheticSwarm({ clients: 30, seconds: 20 });
  const builder = new DashboardModelBuilder(syntheticSource(swarm, { durationMs: 0 }));
  const rowsAsked: number[] = [];
  const dashboard = new Dashboard({
    io,
    model: (rows) => {
      rowsAsked.push(rows);
      return builder.build(20_000, rows);
    },
    color: false,
    onQuit: () => calls.push("quit"),
    onForceQuit: () => calls.push("force"),
    refreshMs: 10,
    events,
    ...over,
  });
  return { io, events, calls, dashboard, rowsAsked };
}

Deno.test("start takes the screen, stop gives it back (cursor, alternate screen, keys)", () => {
  const { io, dashboard } = setup();
  dashboard.start();
  assertEquals(io.writes[0], ansiEscapes.enterAlternativeScreen + ansiEscapes.cursorHide);
  assertEquals(io.frames.length, 1, "the first frame is drawn at once");
  assert(io.keys!.listener !== null, "keys are read");
  assert(io.resize !== null, "resizes are watched");
  dashboard.stop();
  assertEquals(io.writes.at(-1), ansiEscapes.cursorShow + ansiEscapes.exitAlternativeScreen);
  assertEquals(io.keys!.stopped, 1);
  assertEquals(io.resize, null);
  dashboard.stop(); // idempotent
  assertEquals(io.keys!.stopped, 1);
  assert(!dashboard.running);
});

Deno.test("it redraws on its timer and on resize, at the new size", async () => {
  const { io, dashboard } = setup();
  dashboard.start();
  try {
    await new Promise((r) => setTimeout(r, 60));
    assert(io.frames.length >= 3, `${io.frames.length} frames in 60 ms at 10 ms`);
    io.columns = 80;
    io.rows = 24;
    io.resize!();
    const last = io.frames.at(-1)!;
    assert(last.includes("started (100 %)"), last);
    // The frame has 24 rows: 23 line breaks.
    assertEquals(last.split("\r\n").length, 24);
  } finally {
    dashboard.stop();
  }
  const count = io.frames.length;
  await new Promise((r) => setTimeout(r, 30));
  assertEquals(io.frames.length, count, "no frame after stop");
});

Deno.test("keys: q quits once, Ctrl+C then forces; d toggles the client table", () => {
  const { io, dashboard, calls, rowsAsked } = setup({ refreshMs: 60_000 });
  dashboard.start();
  try {
    const keys = io.keys!;
    keys.press("details");
    assert(dashboard.showDetails);
    assertEquals(rowsAsked.at(-1), 40, "the table is asked for as many rows as fit");
    assert(io.frames.at(-1)!.includes("Clients, worst first"));
    keys.press("details");
    // Without the table the lower half still lists the worst clients that fit.
    assertEquals(rowsAsked.at(-1), 40);
    assert(io.frames.at(-1)!.includes("Worst clients"), io.frames.at(-1));
    keys.press("quit");
    keys.press("quit");
    assertEquals(calls, ["quit"]);
    keys.press("interrupt");
    assertEquals(calls, ["quit", "force"]);
  } finally {
    dashboard.stop();
  }
});

Deno.test("a first Ctrl+C is a graceful quit, as on SIGINT", () => {
  const { io, dashboard, calls } = setup({ refreshMs: 60_000 });
  dashboard.start();
  io.keys!.press("interrupt");
  dashboard.stop();
  assertEquals(calls, ["quit"]);
});

Deno.test("a crash or Deno.exit restores the terminal through the global events", () => {
  for (const type of ["error", "unhandledrejection", "unload"]) {
    const { io, events, dashboard } = setup({ refreshMs: 60_000 });
    dashboard.start();
    events.dispatchEvent(new Event(type));
    assert(!dashboard.running, type);
    assertEquals(io.writes.at(-1), ansiEscapes.cursorShow + ansiEscapes.exitAlternativeScreen);
  }
});

Deno.test("a failing frame gives the screen back and is reported, the run is not taken down", () => {
  const errors: unknown[] = [];
  const { io, dashboard } = setup({
    refreshMs: 60_000,
    model: () => {
      throw new Error("broken model");
    },
    onError: (e) => errors.push(e),
  });
  dashboard.start();
  assert(!dashboard.running);
  assertEquals((errors[0] as Error).message, "broken model");
  assertEquals(io.writes.at(-1), ansiEscapes.cursorShow + ansiEscapes.exitAlternativeScreen);
});

Deno.test("without a terminal on stdin, the dashboard runs without reading keys", () => {
  const io = new FakeTerminal();
  io.keys = null;
  const { dashboard } = setup({ io, refreshMs: 60_000 });
  dashboard.start();
  dashboard.stop();
  assert(io.frames.length === 1);
});
