/**
 * The stderr side of a capture: the av_log messages FFmpeg wrote (one per prefixed line, its
 * continuation lines included), each split into its datetime, context, level and text, and the
 * pieces FFmpeg 5.1 writes such a text in.
 * @module
 */
import type { Block } from "./progress.ts";

/** Bytes to a string with one char per byte, so every byte survives the round trip. */
export function binaryString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

const DATETIME_RE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) /;
const CTX_RE = /^(?:\[[^\[\]\r\n]+ (?:@ 0x[0-9a-fA-F]+|#\d+)\] )+/;
const LEVEL_RE = /^\[(trace|debug|verbose|info|warning|error|fatal|panic)\] /;
const START_RE = new RegExp(
  "^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} )?" +
    "(?:\\[[^\\[\\]\\r\\n]+ (?:@ 0x[0-9a-fA-F]+|#\\d+)\\] )*" +
    "\\[(?:trace|debug|verbose|info|warning|error|fatal|panic)\\] ",
);

/** The letter a record's kind gives a message's level (hls-replay's `-loglevel` filter). */
export const LEVEL_LETTER: Record<string, string> = {
  trace: "t",
  debug: "d",
  verbose: "v",
  info: "i",
  warning: "w",
  error: "e",
  fatal: "f",
  panic: "p",
};

/** One av_log message of the capture. */
export interface Msg {
  /** capture wall time in ms (datetime captures) */
  dtMs: number | null;
  datetime: string;
  ctx: string;
  level: string;
  /** the message text after the level tag, with its \n or \r */
  text: string;
  status: boolean;
  final: boolean;
  /** assigned script time, µs */
  t: number;
  /** progress block written right after this message */
  progress: Block | null;
}

/**
 * Splits the stderr capture into av_log messages (one per prefixed line, continuation included).
 *
 * @example
 * ```ts
 * const [m] = parseMessages("[info] frame=  60 fps=30 q=-1.0 size=N/A time=00:00:02.00 bitrate=N/A speed=1x\r");
 * [m.level, m.status, m.final]; // ["info", true, false]
 * ```
 */
export function parseMessages(s: string): Msg[] {
  const starts: number[] = [];
  let p = 0;
  while (p < s.length) {
    if (START_RE.test(s.slice(p, p + 400))) starts.push(p);
    // next line start: after \n, or after a \r that is not followed by \n
    let q = p;
    while (q < s.length && s[q] !== "\n" && !(s[q] === "\r" && s[q + 1] !== "\n")) q++;
    p = q + 1;
  }
  if (!starts.length || starts[0] !== 0) starts.unshift(0);
  const msgs: Msg[] = [];
  for (let i = 0; i < starts.length; i++) {
    let m = s.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : s.length);
    if (!m) continue;
    let datetime = "", ctx = "", level = "";
    let dtMs: number | null = null;
    const d = DATETIME_RE.exec(m);
    if (d) {
      datetime = d[0];
      dtMs = Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6], +d[7]);
      m = m.slice(d[0].length);
    }
    const c = CTX_RE.exec(m);
    if (c) {
      ctx = c[0];
      m = m.slice(c[0].length);
    }
    const l = LEVEL_RE.exec(m);
    if (l) {
      level = l[1];
      m = m.slice(l[0].length);
    }
    const status = !ctx && level === "info" && /^(?:frame=|size=)/.test(m) && / speed=/.test(m);
    msgs.push({
      dtMs,
      datetime,
      ctx,
      level,
      text: m,
      status,
      final: status && m.endsWith("\n"),
      t: 0,
      progress: null,
    });
  }
  return msgs;
}

/**
 * Where FFmpeg 5.1 writes one line with several av_log calls (checked with strace against
 * FFmpeg 5.1.9): the pieces, else the whole text.
 */
const SPLITS: RegExp[] = [
  /^(Reading option '.*?' \.\.\.)( .*\n)$/s,
  /^( {2}Duration: )(.*?)(, start: )(.*?)(, bitrate: )(.*?)(\n)$/,
  /^( {4,}\S[^:]*? : )(.*)(\n)$/,
  /^( {2}Stream #\d+:\d+)(, \d+, \d+\/\d+)?(: Video: .*?)(, )(\S+ fps, )(\S+ tbr, )(\S+ tbn)(\n)$/,
  /^( {2}Stream #\d+:\d+)(, \d+, \d+\/\d+)?(: Audio: .*)(\n)$/,
  /^( {2}Stream #\d+:\d+ -> #\d+:\d+)( \(copy\))(\n)$/,
  /^(video:.* muxing overhead: )(.*)(\n)$/,
  /^( {2}(?:Input|Output) stream #\d+:\d+ \(\w+\): )(.*?; )(\n)$/,
];

/** The writes FFmpeg 5.1 makes a message's text in (after its context and level tag). */
export function splitText(msg: Msg): string[] {
  if (!msg.ctx && msg.level) {
    for (const re of SPLITS) {
      const m = re.exec(msg.text);
      if (m) return m.slice(1).filter((x) => x !== undefined && x !== "");
    }
  }
  return [msg.text];
}
