/**
 * Builds an hls-replay script from a captured FFmpeg HLS-client run: its stderr (at
 * `-loglevel repeat+level+<L>`) and its `-progress pipe:1` output.
 *
 *   deno run -A bench/replay/make_script.ts --stderr STDERR --progress PROGRESS -o OUT.script
 *
 * Timing (timing.ts). A capture with FFmpeg's own timestamps (`-loglevel datetime+…`, FFmpeg
 * 7.1+; lines start `2026-12-01 14:02:16.123 `) is replayed at those times. A capture without
 * them (FFmpeg 5.1) is paced from its progress blocks: each block's `frame`/`fps` gives the
 * seconds since FFmpeg's transcode timer started (fps has two decimals, so this is good to well
 * under 1 ms), and block k was written right after the k-th stderr status line. Between two such
 * anchors the output comes in bursts: the lines after a status line follow it closely, the idle
 * wait (FFmpeg sleeping until the next playlist reload) sits just before the next playlist
 * `Opening`, and the lines from there up to the next status line lead up to it closely. See
 * README.md.
 *
 * Write pattern (messages.ts, records.ts). Each stderr message becomes FFmpeg's 2–3 writes:
 * `[ctx @ 0x…] ` (if any), `[level] `, then the text; the few messages FFmpeg 5.1 builds from
 * several av_log calls (command-line echo, stream dump, final statistics) are split where it
 * splits them. Each progress block is one write.
 *
 * Looping (loop.ts, templates.ts). The records from the N-th playlist reload (default 2: the
 * first reload opens a new connection, later ones reuse it) up to the last reload before the
 * final status line repeat; frame numbers, media time, segment numbers and media sequence
 * numbers advance by one loop's worth each pass, and fps/speed are recomputed, so a replayed
 * client looks like a long run.
 *
 * A bad command line, an unreadable file or a capture whose timing cannot be rebuilt prints
 * one line (and the usage, for the command line) and exits 2 (src/exit/codes.ts's `usage`).
 * @module
 */
import { EXIT_CODES } from "../../src/exit/codes.ts";
import { type LoopPlan, planLoop } from "./loop.ts";
import { binaryString, type Msg, parseMessages } from "./messages.ts";
import { type Options, parseArgs, USAGE, UsageError } from "./options.ts";
import { type Block, parseProgress } from "./progress.ts";
import { scriptText } from "./records.ts";
import { assignTimes, CaptureError, type Timing } from "./timing.ts";

/** A capture file as a string of one char per byte; unreadable is bad input. */
function readCapture(path: string): string {
  try {
    return binaryString(Deno.readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A made script, with what it was made from (for the summary on stderr). */
export interface Made {
  text: string;
  msgs: Msg[];
  blocks: Block[];
  timing: Timing;
  plan: LoopPlan;
}

/**
 * The script of a capture: `stderr` and `progress` are the files' bytes, one char a byte
 * ({@linkcode binaryString}); `o` names them in the header and sets the timing and the loop.
 */
export function buildScript(o: Options, stderr: string, progress: string): Made {
  const msgs = parseMessages(stderr);
  const blocks = parseProgress(progress);
  const timing = assignTimes(msgs, blocks, o);
  const plan = planLoop(msgs, o);
  return { text: scriptText(msgs, o, timing, plan), msgs, blocks, timing, plan };
}

/** Makes the script of `o` and writes it; what it did goes to stderr. */
function makeScript(o: Options): void {
  const { text, msgs, blocks, timing, plan } = buildScript(
    o,
    readCapture(o.stderr),
    o.progress ? readCapture(o.progress) : "",
  );
  // progress blocks never paired with a message (e.g. more blocks than status lines)
  const used = new Set(msgs.map((m) => m.progress).filter(Boolean));
  const unpaired = blocks.filter((b) => !used.has(b)).length;
  if (unpaired) {
    console.error(`warning: ${unpaired} progress blocks had no status line and were left out`);
  }
  const bytes = new TextEncoder().encode(text); // the header's "µs" are two bytes each
  Deno.writeFileSync(o.out, bytes);
  const statusCount = msgs.filter((m) => m.status).length;
  console.error(
    `${o.out}: ${bytes.length} bytes, ${msgs.length} messages, ${blocks.length} progress ` +
      `blocks, ${statusCount} status lines, mode ${timing.mode}${plan.looping ? "" : ", no loop"}`,
  );
  for (const n of plan.notes) console.error("  " + n);
}

/** Runs the command line; bad input is one line on stderr and exit 2. */
function main(): void {
  try {
    const o = parseArgs(Deno.args);
    if (o === "help") console.log(USAGE);
    else makeScript(o);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof CaptureError)) throw e;
    console.error(`make_script.ts: ${e.message}`);
    Deno.exit(EXIT_CODES.usage.code);
  }
}

if (import.meta.main) main();
