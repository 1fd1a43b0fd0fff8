/**
 * Builds an hls-replay script from a captured FFmpeg HLS-client run: its stderr (at
 * `-loglevel repeat+level+<L>`) and its `-progress pipe:1` output.
 *
 *   deno run -A bench/replay/make_script.ts --stderr STDERR --progress PROGRESS -o OUT.script
 *
 * Timing. A capture with FFmpeg's own timestamps (`-loglevel datetime+…`, FFmpeg 7.1+; lines
 * start `2026-12-01 14:02:16.123 `) is replayed at those times. A capture without them (FFmpeg
 * 5.1) is paced from its progress blocks: each block's `frame`/`fps` gives the seconds since
 * FFmpeg's transcode timer started (fps has two decimals, so this is good to well under 1 ms),
 * and block k was written right after the k-th stderr status line. Between two such anchors the
 * output comes in bursts: the lines after a status line follow it closely, the idle wait (FFmpeg
 * sleeping until the next playlist reload) sits just before the next playlist `Opening`, and the
 * lines from there up to the next status line lead up to it closely. See README.md.
 *
 * Write pattern. Each stderr message becomes FFmpeg's 2–3 writes: `[ctx @ 0x…] ` (if any),
 * `[level] `, then the text; the few messages FFmpeg 5.1 builds from several av_log calls
 * (command-line echo, stream dump, final statistics) are split where it splits them. Each
 * progress block is one write.
 *
 * Looping. The records from the N-th playlist reload (default 2: the first reload opens a new
 * connection, later ones reuse it) up to the last reload before the final status line repeat;
 * frame numbers, media time, segment numbers and media sequence numbers advance by one loop's
 * worth each pass, and fps/speed are recomputed, so a replayed client looks like a long run.
 * @module
 */

interface Options {
  stderr: string;
  progress: string;
  out: string;
  loopFrom: number;
  noLoop: boolean;
  firstLineMs: number;
  startupMs: number;
  lineUs: number;
  keepDatetime: boolean;
  exitCode: number;
  periodMs: number | null;
}

const USAGE = `usage: make_script.ts --stderr FILE [--progress FILE] -o OUT [options]
  --loop-from N       loop from the N-th playlist reload (default 2)
  --no-loop           play once, then the tail, then exit with --exit-code
  --exit-code N       exit code of a --no-loop script (default 0)
  --period-ms MS      loop period (default: the media time the loop covers)
  --first-line-ms MS  process start to FFmpeg's first line (default 110, measured here)
  --startup-ms MS     first line to the transcode start (default 20; paced mode)
  --line-us US        gap between the messages of one burst (default 50, measured here)
  --keep-datetime     keep a captured datetime prefix as a write of its own (stale times)`;

function parseArgs(args: string[]): Options {
  const o: Options = {
    stderr: "",
    progress: "",
    out: "",
    loopFrom: 2,
    noLoop: false,
    firstLineMs: 110,
    startupMs: 20,
    lineUs: 50,
    keepDatetime: false,
    exitCode: 0,
    periodMs: null,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = () => {
      if (i + 1 >= args.length) throw new Error(`${a} needs a value\n${USAGE}`);
      return args[++i];
    };
    switch (a) {
      case "--stderr":
        o.stderr = v();
        break;
      case "--progress":
        o.progress = v();
        break;
      case "-o":
      case "--out":
        o.out = v();
        break;
      case "--loop-from":
        o.loopFrom = Number(v());
        break;
      case "--no-loop":
        o.noLoop = true;
        break;
      case "--exit-code":
        o.exitCode = Number(v());
        break;
      case "--period-ms":
        o.periodMs = Number(v());
        break;
      case "--first-line-ms":
        o.firstLineMs = Number(v());
        break;
      case "--startup-ms":
        o.startupMs = Number(v());
        break;
      case "--line-us":
        o.lineUs = Number(v());
        break;
      case "--keep-datetime":
        o.keepDatetime = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (!o.stderr || !o.out) throw new Error(USAGE);
  return o;
}

/** Bytes to a string with one char per byte, so every byte survives the round trip. */
function binaryString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

// ------------------------------------------------------------------ stderr messages

const DATETIME_RE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) /;
const CTX_RE = /^(?:\[[^\[\]\r\n]+ (?:@ 0x[0-9a-fA-F]+|#\d+)\] )+/;
const LEVEL_RE = /^\[(trace|debug|verbose|info|warning|error|fatal|panic)\] /;
const START_RE = new RegExp(
  "^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} )?" +
    "(?:\\[[^\\[\\]\\r\\n]+ (?:@ 0x[0-9a-fA-F]+|#\\d+)\\] )*" +
    "\\[(?:trace|debug|verbose|info|warning|error|fatal|panic)\\] ",
);
const LEVEL_LETTER: Record<string, string> = {
  trace: "t",
  debug: "d",
  verbose: "v",
  info: "i",
  warning: "w",
  error: "e",
  fatal: "f",
  panic: "p",
};

interface Msg {
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

/** Splits the stderr capture into av_log messages (one per prefixed line, continuation included). */
function parseMessages(s: string): Msg[] {
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

function splitText(msg: Msg): string[] {
  if (!msg.ctx && msg.level) {
    for (const re of SPLITS) {
      const m = re.exec(msg.text);
      if (m) return m.slice(1).filter((x) => x !== undefined && x !== "");
    }
  }
  return [msg.text];
}

// ------------------------------------------------------------------ progress blocks

interface Block {
  text: string;
  frame: number | null;
  fps: number | null;
  outUs: number | null;
  speed: number | null;
  end: boolean;
}

function parseProgress(s: string): Block[] {
  const blocks: Block[] = [];
  let cur = "";
  for (const line of s.split(/(?<=\n)/)) {
    cur += line;
    if (/^progress=(continue|end)\n$/.test(line)) {
      const get = (k: string) => {
        const m = new RegExp(`^${k}=\\s*([-\\d.]+)`, "m").exec(cur);
        return m ? Number(m[1]) : null;
      };
      blocks.push({
        text: cur,
        frame: get("frame"),
        fps: get("fps"),
        outUs: get("out_time_us"),
        speed: get("speed"),
        end: line.startsWith("progress=end"),
      });
      cur = "";
    }
  }
  return blocks;
}

/** Seconds since FFmpeg's transcode timer started when the block was written, if known. */
function blockElapsedUs(b: Block, first: boolean): number | null {
  if (b.frame && b.fps && b.fps > 0) return (b.frame / b.fps) * 1e6;
  if (b.outUs !== null && b.speed && b.speed > 0) return b.outUs / b.speed;
  return first ? 0 : null;
}

// ------------------------------------------------------------------ timing

const RELOAD_RE = /^Opening '[^']*\.m3u8?(?:\?[^']*)?' for reading\n$/;

function assignTimes(
  msgs: Msg[],
  blocks: Block[],
  o: Options,
): { timerStartUs: number; mode: string } {
  const statusIdx = msgs.map((m, i) => (m.status ? i : -1)).filter((i) => i >= 0);
  // pair status line k with progress block k
  for (let k = 0; k < Math.min(statusIdx.length, blocks.length); k++) {
    msgs[statusIdx[k]].progress = blocks[k];
  }
  const first = o.firstLineMs * 1000;
  const dt = o.lineUs;

  if (msgs.length && msgs[0].dtMs !== null) {
    // datetime capture: the captured times (ms), relative to the first line
    const t0 = msgs[0].dtMs!;
    let last = first;
    for (const m of msgs) {
      if (m.dtMs !== null) last = first + (m.dtMs - t0) * 1000;
      m.t = last;
    }
    // timer start: from a status line whose block gives the elapsed time precisely
    let timerStartUs = statusIdx.length ? msgs[statusIdx[0]].t : first;
    for (const i of statusIdx) {
      const b = msgs[i].progress;
      const el = b ? blockElapsedUs(b, false) : null;
      if (el !== null && el > 1e6) {
        timerStartUs = msgs[i].t - el;
        break;
      }
    }
    // progress blocks without a status line (-nostats captures): at timer start + elapsed
    const paired = new Set(statusIdx.slice(0, blocks.length).map((i) => msgs[i].progress));
    for (let k = 0; k < blocks.length; k++) {
      const b = blocks[k];
      if (paired.has(b)) continue;
      const el = blockElapsedUs(b, k === 0) ?? 0;
      const t = timerStartUs + el;
      let j = msgs.length - 1;
      while (j > 0 && msgs[j].t > t) j--;
      if (!msgs[j].progress) msgs[j].progress = b;
    }
    return { timerStartUs, mode: "datetime" };
  }

  // paced: anchors at the status lines
  if (!statusIdx.length) {
    throw new Error(
      "no status lines in this capture (recorded with -nostats?) and no datetime prefixes: " +
        "cannot reconstruct pacing",
    );
  }
  const anchorT: number[] = [];
  const timerStartUs = first + o.startupMs * 1000;
  for (let k = 0; k < statusIdx.length; k++) {
    const b = msgs[statusIdx[k]].progress;
    const el = b ? blockElapsedUs(b, k === 0) : null;
    let t = el === null ? NaN : timerStartUs + el;
    if (Number.isNaN(t)) {
      // no usable block: parse time=/speed= of the status line itself
      const tm = /time=(\d+):(\d\d):(\d\d)\.(\d\d)/.exec(msgs[statusIdx[k]].text);
      const sp = /speed=\s*([\d.]+)x/.exec(msgs[statusIdx[k]].text);
      if (tm && sp && +sp[1] > 0) {
        const media = ((+tm[1] * 60 + +tm[2]) * 60 + +tm[3]) * 1e6 + +tm[4] * 1e4;
        t = timerStartUs + media / +sp[1];
      } else t = (k ? anchorT[k - 1] : timerStartUs) + 1000;
    }
    if (k && t < anchorT[k - 1]) t = anchorT[k - 1];
    anchorT.push(t);
  }
  // before the first anchor: start-up, spread evenly from the first line to the timer start
  const a0 = statusIdx[0];
  for (let i = 0; i < a0; i++) msgs[i].t = first + ((anchorT[0] - first) * i) / Math.max(1, a0);
  for (let k = 0; k < statusIdx.length; k++) {
    const ia = statusIdx[k];
    msgs[ia].t = anchorT[k];
    const ib = k + 1 < statusIdx.length ? statusIdx[k + 1] : msgs.length;
    const tb = k + 1 < statusIdx.length ? anchorT[k + 1] : Infinity;
    // the idle gap: before the first playlist reload after this anchor
    let g = ib;
    for (let i = ia + 1; i < ib; i++) {
      if (RELOAD_RE.test(msgs[i].text)) {
        g = i;
        break;
      }
    }
    const fwdEnd = anchorT[k] + (g - 1 - ia) * dt;
    const bwdStart = tb - (ib - g) * dt;
    if (tb !== Infinity && fwdEnd > bwdStart) {
      for (let i = ia + 1; i < ib; i++) {
        msgs[i].t = anchorT[k] + ((tb - anchorT[k]) * (i - ia)) / (ib - ia);
      }
    } else {
      for (let i = ia + 1; i < g; i++) msgs[i].t = anchorT[k] + (i - ia) * dt;
      for (let i = g; i < ib; i++) msgs[i].t = tb - (ib - i) * dt;
    }
  }
  return { timerStartUs, mode: "paced" };
}

// ------------------------------------------------------------------ templates

interface LoopSteps {
  k: boolean; // whether the steps apply (body) or not (intro: step 0)
  frame: number;
  mediaUs: number;
  seg: number;
}

/** Escapes bytes for the script; `{`-templates are inserted by the callers afterwards. */
function esc(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += s[i];
  }
  return out;
}

/** Replaces regex group 1 of every match with a template (applied to already-escaped text). */
function templ(s: string, re: RegExp, f: (m: RegExpExecArray) => string): string {
  return s.replace(re, (...args) => {
    const m = args.slice(0, -2) as unknown as RegExpExecArray;
    return f(m);
  });
}

/** Status line on stderr: frame, fps, time, speed (and FFmpeg 7.1+'s elapsed). */
function templStatus(
  t: string,
  b: Block | null,
  st: LoopSteps,
  tail: { frameDelta: number; outDelta: number } | null,
): string {
  const fs = st.k ? st.frame : 0, os = st.k ? st.mediaUs : 0;
  t = templ(
    t,
    /frame=\s*(\d+)/,
    (m) => tail ? `frame=\\{r,F,${tail.frameDelta},5}` : `frame=\\{i,${m[1]},${fs},5,F}`,
  );
  t = templ(t, /fps=\s*([\d.]+)/, () => `fps=\\{fps,s}`);
  t = templ(t, /time=(-?\d+):(\d\d):(\d\d)\.(\d\d)/, (m) => {
    const cs = ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 100 + +m[4];
    const us = b?.outUs ?? cs * 10000;
    return tail ? `time=\\{rt,O,${tail.outDelta},2}` : `time=\\{t,${us},${os},2,O}`;
  });
  t = templ(t, /speed=\s*(?:[\d.e+]+x|N\/A)/, () => `speed=\\{speed}`);
  t = templ(t, /elapsed=\d+:\d\d:\d\d\.\d\d/, () => `elapsed=\\{el}`);
  return t;
}

function templProgress(t: string, st: LoopSteps, tail: boolean): string {
  const fs = st.k ? st.frame : 0, os = st.k ? st.mediaUs : 0;
  t = templ(
    t,
    /(^|\\n)frame=(\d+)/,
    (m) => `${m[1]}frame=` + (tail ? `\\{r,F,0,}` : `\\{i,${m[2]},${fs},,F}`),
  );
  t = templ(t, /(^|\\n)fps=([\d.]+)/, (m) => `${m[1]}fps=\\{fps,p}`);
  t = templ(
    t,
    /(^|\\n)out_time_us=(-?\d+)/,
    (m) => `${m[1]}out_time_us=` + (tail ? `\\{r,O,0,}` : `\\{i,${m[2]},${os},,O}`),
  );
  t = templ(
    t,
    /(^|\\n)out_time_ms=(-?\d+)/,
    (m) => `${m[1]}out_time_ms=` + (tail ? `\\{r,O,0,}` : `\\{i,${m[2]},${os},}`),
  );
  t = templ(t, /(^|\\n)out_time=(-?\d+:\d\d:\d\d\.\d{6})/, (m) => {
    return `${m[1]}out_time=` + (tail ? `\\{rt,O,0,6}` : `\\{t,${parseOutTime(m[2])},${os},6}`);
  });
  t = templ(t, /(^|\\n)speed=\s*(?:[\d.e+]+x|N\/A)/, (m) => `${m[1]}speed=\\{speed}`);
  return t;
}

function parseOutTime(s: string): number {
  const m = /(-?)(\d+):(\d\d):(\d\d)\.(\d{6})/.exec(s)!;
  const v = ((+m[2] * 60 + +m[3]) * 60 + +m[4]) * 1e6 + +m[5];
  return m[1] ? -v : v;
}

/** Segment and media-sequence numbers in a body message. */
function templBody(t: string, st: LoopSteps): string {
  t = templ(t, /(\d+)(?=\.(?:ts|m4s|aac|ac3|ec3|mp3|m4a|m4v|cmfv|cmfa|vtt|webvtt)\b)/g, (m) => {
    const w = m[1].startsWith("0") && m[1].length > 1 ? "0" + m[1].length : "";
    return `\\{i,${+m[1]},${st.seg},${w}}`;
  });
  t = templ(
    t,
    /Media sequence change \((\d+) -> (\d+)\) reflected in first_timestamp: (-?\d+) -> (-?\d+)/,
    (m) =>
      `Media sequence change (\\{i,${m[1]},${st.seg},} -> \\{i,${
        m[2]
      },${st.seg},}) reflected in first_timestamp: ` +
      `\\{i,${m[3]},${st.mediaUs},} -> \\{i,${m[4]},${st.mediaUs},}`,
  );
  return t;
}

// ------------------------------------------------------------------ main

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main() {
  const o = parseArgs(Deno.args);
  const err = binaryString(Deno.readFileSync(o.stderr));
  const prog = o.progress ? binaryString(Deno.readFileSync(o.progress)) : "";
  const msgs = parseMessages(err);
  const blocks = parseProgress(prog);
  const { timerStartUs, mode } = assignTimes(msgs, blocks, o);

  // tail: from the final status line (written on the signal) to the end
  let tailStart = msgs.findIndex((m) => m.final);
  const hasSignalTail = tailStart >= 0 &&
    msgs.slice(tailStart).some((m) => /received signal \d+/.test(m.text));
  if (tailStart < 0) tailStart = msgs.length;

  const statusBefore = (i: number) => {
    for (let j = i - 1; j >= 0; j--) if (msgs[j].status && msgs[j].progress) return msgs[j];
    return null;
  };
  const firstStatus = msgs.findIndex((m) => m.status);
  const reloads = msgs
    .map((
      m,
      i,
    ) => (i > firstStatus && firstStatus >= 0 && i < tailStart && RELOAD_RE.test(m.text) ? i : -1))
    .filter((i) => i >= 0);

  let loopStart = -1, loopEnd = -1;
  if (!o.noLoop && reloads.length > o.loopFrom) {
    loopStart = reloads[o.loopFrom - 1];
    loopEnd = reloads[reloads.length - 1];
  }
  const looping = loopStart >= 0 && loopEnd > loopStart;
  const notes: string[] = [];

  // loop steps
  const steps: LoopSteps = { k: true, frame: 0, mediaUs: 0, seg: 0 };
  let periodUs = 0;
  if (looping) {
    const body = msgs.slice(loopStart, loopEnd);
    const segUrls = new Set<string>(), playlists = new Set<string>();
    for (const m of body) {
      const r = /^HLS request for url '([^']*)', offset \d+, playlist (\d+)/.exec(m.text);
      if (r) {
        segUrls.add(r[1]);
        playlists.add(r[2]);
      }
    }
    const cycles = body.filter((m) => RELOAD_RE.test(m.text)).length;
    steps.seg = segUrls.size ? Math.round(segUrls.size / Math.max(1, playlists.size)) : cycles;
    const segDur: number[] = [];
    for (const m of body) {
      const r =
        /Media sequence change \((\d+) -> (\d+)\) reflected in first_timestamp: (-?\d+) -> (-?\d+)/
          .exec(m.text);
      if (r && +r[2] > +r[1]) segDur.push((+r[4] - +r[3]) / (+r[2] - +r[1]));
    }
    const bb = body.filter((m) => m.progress && m.progress.frame && m.progress.outUs !== null).map((
      m,
    ) => m.progress!);
    const outSteps = bb.slice(1).map((b, i) => b.outUs! - bb[i].outUs!).filter((d) => d > 0);
    const segUs = median(segDur) ?? median(outSteps) ?? 2e6;
    steps.mediaUs = Math.round(steps.seg * segUs);
    if (bb.length >= 2 && bb[bb.length - 1].outUs! > bb[0].outUs!) {
      const rate = (bb[bb.length - 1].frame! - bb[0].frame!) /
        (bb[bb.length - 1].outUs! - bb[0].outUs!);
      steps.frame = Math.round(rate * steps.mediaUs);
    }
    periodUs = o.periodMs !== null ? Math.round(o.periodMs * 1000) : steps.mediaUs;
    const span = msgs[loopEnd].t - msgs[loopStart].t;
    const lastT = msgs[loopEnd - 1].t - msgs[loopStart].t;
    if (periodUs <= lastT) {
      notes.push(`period ${periodUs} µs was shorter than the loop body (${lastT} µs); raised`);
      periodUs = Math.ceil(lastT + o.lineUs);
    }
    notes.push(
      `loop: messages ${loopStart}..${loopEnd - 1} (${cycles} reload cycles), captured span ${
        Math.round(span)
      } µs, ` +
        `period ${periodUs} µs = ${steps.seg} segments x ${Math.round(segUs)} µs of media`,
    );
    notes.push(
      `per pass: frame +${steps.frame}, media +${steps.mediaUs} µs, segment/sequence +${steps.seg}`,
    );
    if (tailStart > loopEnd) {
      notes.push(
        `dropped messages ${loopEnd}..${tailStart - 1}: the reload cycle the signal cut short`,
      );
    }
  }

  if (tailStart < msgs.length && !hasSignalTail) {
    notes.push("the capture's end has no 'received signal' line");
  }
  const cycleUs = Math.round(steps.seg ? steps.mediaUs / steps.seg : 2e6) || 2e6;
  const lines: string[] = [];
  const header = [
    "# hls-replay script v1",
    `# from ${o.stderr}` + (o.progress ? ` + ${o.progress}` : ""),
    `# timing: ${mode}` +
    (mode === "paced"
      ? ` (status-line anchors from progress frame/fps; first line at ${o.firstLineMs} ms, ` +
        `transcode start ${o.firstLineMs + o.startupMs} ms, ${o.lineUs} µs between burst messages)`
      : " (captured datetime prefixes)"),
    ...notes.map((n) => `# ${n}`),
    "# record: <t_us>\\t<kind>\\t<text>; kind = fd [level letter on a message's first write] [l = level tag] [s = status line]",
    `!timer_start_us ${Math.round(timerStartUs)}`,
  ];
  if (looping) header.push(`!period_us ${periodUs}`, `!cycle_us ${cycleUs}`);
  else header.push(`!exit ${o.exitCode}`);
  lines.push(...header);

  const noSteps: LoopSteps = { k: false, frame: 0, mediaUs: 0, seg: 0 };
  let lastT = -1;
  const emit = (t: number, kind: string, text: string) => {
    const ti = Math.round(t);
    lines.push(`${ti === lastT ? "" : ti}\t${kind}\t${text}`);
    lastT = ti;
  };
  const finalStatus = tailStart < msgs.length ? msgs[tailStart] : null;
  const prevStatus = finalStatus ? statusBefore(tailStart) : null;
  const tailDeltas = finalStatus && prevStatus
    ? {
      frameDelta:
        (/frame=\s*(\d+)/.exec(finalStatus.text)
          ? +/frame=\s*(\d+)/.exec(finalStatus.text)![1]
          : 0) -
        (prevStatus.progress!.frame ?? 0),
      outDelta: (finalStatus.progress?.outUs ?? 0) - (prevStatus.progress!.outUs ?? 0),
    }
    : { frameDelta: 0, outDelta: 0 };

  const emitMsg = (m: Msg, st: LoopSteps, inBody: boolean, inTail: boolean) => {
    const lv = LEVEL_LETTER[m.level] ?? "";
    const pieces: { text: string; lvlTag: boolean }[] = [];
    if (m.datetime && o.keepDatetime) pieces.push({ text: esc(m.datetime), lvlTag: false });
    if (m.ctx) pieces.push({ text: esc(m.ctx), lvlTag: false });
    if (m.level) pieces.push({ text: esc(`[${m.level}] `), lvlTag: true });
    let parts = splitText(m).map(esc);
    if (m.status) {
      const tail = inTail && m.final ? tailDeltas : null;
      parts = [templStatus(parts.join(""), m.progress, st, tail)];
    } else if (inBody) {
      parts = parts.map((p) => templBody(p, st));
    } else if (inTail) {
      parts = parts.map((p) => p.replace(/received signal \d+/, "received signal \\{sig}"));
    }
    for (const p of parts) pieces.push({ text: p, lvlTag: false });
    pieces.forEach((p, i) => {
      let kind = "2";
      if (i === 0) kind += lv || "i";
      if (p.lvlTag) kind += "l";
      if (i === 0 && m.status && !m.final) kind += "s";
      emit(m.t, kind, p.text);
    });
    if (m.progress) emit(m.t, "1", templProgress(esc(m.progress.text), st, inTail && m.final));
  };

  const introEnd = looping ? loopStart : tailStart;
  for (let i = 0; i < introEnd; i++) emitMsg(msgs[i], noSteps, false, false);
  if (looping) {
    lines.push("!loop");
    lastT = -1;
    for (let i = loopStart; i < loopEnd; i++) emitMsg(msgs[i], steps, true, false);
  }
  if (tailStart < msgs.length) {
    lines.push("!tail");
    lastT = -1;
    for (let i = tailStart; i < msgs.length; i++) emitMsg(msgs[i], noSteps, false, true);
  }
  // progress blocks never paired with a message (e.g. more blocks than status lines)
  const used = new Set(msgs.map((m) => m.progress).filter(Boolean));
  const unpaired = blocks.filter((b) => !used.has(b)).length;
  if (unpaired) {
    console.error(`warning: ${unpaired} progress blocks had no status line and were left out`);
  }

  const text = lines.join("\n") + "\n";
  Deno.writeTextFileSync(o.out, text);
  const statusCount = msgs.filter((m) => m.status).length;
  console.error(
    `${o.out}: ${text.length} bytes, ${msgs.length} messages, ${blocks.length} progress blocks, ` +
      `${statusCount} status lines, mode ${mode}${looping ? "" : ", no loop"}`,
  );
  for (const n of notes) console.error("  " + n);
}

if (import.meta.main) main();
