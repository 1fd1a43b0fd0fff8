/**
 * One fan-in fuzz session: one `hls-swarm-fanin` (the sanitizer build), the requests and clients
 * of bench/fanin-fuzz/inputs.ts written to its stdin in pieces, its records decoded by
 * src/fanin/records.ts and checked against what each request must give. A session ends in one of
 * three ways: every client run to its end (checked exactly), stdin closed early (the fan-in kills
 * its clients; checked loosely), or a broken frame (the fan-in must stop with exit 2 and say why).
 * @module
 */
import { RecordDecoder, type RecordHandler } from "../../src/fanin/records.ts";
import { brokenFrame, type ClientPlan, clientPlan, refusedRequest, Rng } from "./inputs.ts";
import { spawnRequest } from "../../src/fanin/records.ts";

/** What a session did and found. */
export interface SessionReport {
  mode: "full" | "early close" | "broken frame";
  requests: number;
  stdinBytes: number;
  started: number;
  refused: Record<string, number>;
  frame: string | null;
  outputBytes: number;
  lines: number;
  dropped: number;
  exitCode: number;
  problems: string[];
}

/** What the fan-in's records said about one token. */
interface Seen {
  started: number;
  failed: string[];
  lines: [string[], string[]];
  drops: [number, number];
  closed: [number | null, number | null];
  exits: { code: number; signal: number }[];
}

/** What a token was asked for. */
type Asked = { plan: ClientPlan } | { reason: RegExp; kind: string };

const SANITIZER = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/;
const PROTOCOL =
  /^hls-swarm-fanin: request (length [0-5] is under 6 bytes|type 0x[0-9a-f]{2} is not 'S'): Protocol error\n$/;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Runs one session with `binary`; `dir` is a scratch directory of its own. */
export async function runSession(binary: string, r: Rng, dir: string): Promise<SessionReport> {
  const mode = r.pick(["full", "full", "early close", "broken frame"] as const);
  const bufferMib = r.pick([64, 1, 0.05, 0.01]);
  const proc = new Deno.Command(binary, {
    args: ["--batch-ms", String(r.pick([0, 0.5, 1, 3])), "--buffer-mib", String(bufferMib)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: {
      ASAN_OPTIONS: "detect_leaks=1:exitcode=86",
      UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1:exitcode=87",
    },
  }).spawn();
  const report: SessionReport = {
    mode,
    requests: 0,
    stdinBytes: 0,
    started: 0,
    refused: {},
    frame: null,
    outputBytes: 0,
    lines: 0,
    dropped: 0,
    exitCode: -1,
    problems: [],
  };
  const asked = new Map<number, Asked>();
  const seen = new Map<number, Seen>();
  const of = (token: number): Seen => {
    let s = seen.get(token);
    if (!s) {
      s = {
        started: 0,
        failed: [],
        lines: [[], []],
        drops: [0, 0],
        closed: [null, null],
        exits: [],
      };
      seen.set(token, s);
    }
    return s;
  };
  const pids = new Map<number, number>();
  const handler: RecordHandler = {
    hello() {},
    started(t, pid) {
      of(t).started++;
      pids.set(t, pid);
      report.started++;
    },
    spawnFailed: (t, _errno, message) => void of(t).failed.push(message),
    line(t, s, text) {
      of(t).lines[s].push(text);
      report.lines++;
    },
    dropped(t, s, n) {
      of(t).drops[s] += n;
      report.dropped += n;
    },
    closed: (t, s, truncated) => void (of(t).closed[s] = truncated),
    exited: (t, code, signal) => void of(t).exits.push({ code, signal }),
  };

  // The reader: decodes everything, and now and then stops reading for a while (so that a small
  // --buffer-mib overflows and lines are dropped).
  const pauses = new Rng(r.int(0, 2 ** 31)); // its own: reads interleave with writes in any order
  const reading = (async () => {
    const decoder = new RecordDecoder();
    try {
      for await (const chunk of proc.stdout) {
        decoder.push(chunk, handler);
        if (pauses.next() < 0.01) await sleep(pauses.int(50, 400));
      }
    } catch (e) {
      report.problems.push(`records: ${(e as Error).message}`);
    }
    if (decoder.pending) {
      report.problems.push(`records: ${decoder.pending} bytes of a cut record at the end`);
    }
  })();
  const stderr = new Response(proc.stderr).text();

  const writer = proc.stdin.getWriter();
  const send = async (bytes: Uint8Array) => {
    report.requests++;
    report.stdinBytes += bytes.length;
    for (let at = 0; at < bytes.length;) { // in pieces that cut the frame anywhere
      const piece = bytes.length > 1 << 20
        ? r.int(1, 1 << 18)
        : r.pick([1, 3, 7, r.int(1, 5000), bytes.length]);
      const n = Math.min(bytes.length - at, piece);
      await writer.write(bytes.subarray(at, at + n)).catch(() => {});
      at += n;
      if (r.next() < 0.05) await sleep(r.int(0, 3));
    }
  };
  const clients = r.int(1, 16);
  for (let token = 1; token <= clients; token++) {
    if (r.next() < 0.3) {
      const bad = refusedRequest(r, token);
      asked.set(token, { reason: bad.reason, kind: bad.kind });
      report.refused[bad.kind] = (report.refused[bad.kind] ?? 0) + 1;
      await send(bad.bytes);
      continue;
    }
    const plan = await clientPlan(r, dir, token);
    asked.set(token, { plan });
    report.outputBytes += await planBytes(plan, dir, token);
    await send(spawnRequest(token, plan.streams, plan.argv));
    if (plan.killAfterMs !== null) {
      const after = plan.killAfterMs;
      (async () => {
        for (let i = 0; i < 500 && !pids.has(token); i++) await sleep(10);
        await sleep(after);
        // Only a group that is still this client's (a pid of 0 would be the fuzz's own group).
        const pid = pids.get(token) ?? 0;
        if (pid <= 0 || seen.get(token)?.exits.length) return;
        try {
          Deno.kill(-pid, "SIGKILL");
        } catch { /* already gone */ }
      })();
    }
  }
  if (mode === "broken frame") {
    const frame = brokenFrame(r);
    report.frame = frame.kind;
    await send(frame.bytes);
  }
  if (mode === "full") { // until every client has ended, or 60 s
    for (
      let i = 0;
      i < 6000 && ![...asked.keys()].every((t) => ended(asked.get(t)!, seen.get(t)));
      i++
    ) {
      await sleep(10);
    }
  } else if (r.next() < 0.5) await sleep(r.int(0, 100));
  await writer.close().catch(() => {});
  await reading;
  const status = await proc.status;
  report.exitCode = status.code;
  const err = await stderr;

  const problems = report.problems;
  if (SANITIZER.test(err)) problems.push(`sanitizer:\n${err}`);
  if (mode === "broken frame") {
    if (status.code === 2 ? !PROTOCOL.test(err) : status.code !== 0) {
      problems.push(`exit ${status.code}, stderr ${JSON.stringify(err)}`);
    }
  } else if (status.code !== 0 || err !== "") {
    problems.push(`exit ${status.code}, stderr ${JSON.stringify(err)}`);
  }
  // After a broken frame, any token: flipped bits, or random bytes that read as a token.
  const anyToken = mode === "broken frame";
  for (const [token, s] of seen) {
    const a = asked.get(token);
    if (!a) {
      if (!anyToken && token !== 0) {
        problems.push(`token ${token}: records for a token never asked for`);
      }
      continue;
    }
    const wrong = check(a, s, mode);
    const what = "plan" in a ? `${a.plan.kind}, streams ${a.plan.streams}` : a.kind;
    problems.push(...wrong.map((p) => `token ${token} (${what}): ${p}`));
    if (wrong.length && "plan" in a) problems.push(`  its argv: ${JSON.stringify(a.plan.argv)}`);
  }
  if (mode !== "broken frame") {
    for (const token of asked.keys()) {
      if (!seen.has(token)) problems.push(`token ${token}: no record at all`);
    }
  }
  return report;
}

function ended(a: Asked, s: Seen | undefined): boolean {
  if (!s) return false;
  if (s.failed.length) return true;
  if (!("plan" in a) || !s.exits.length) return false;
  return [0, 1].every((i) => !(a.plan.streams & (1 << i)) || s.closed[i] !== null);
}

/** What is wrong with what the records said about one token. */
function check(a: Asked, s: Seen, mode: SessionReport["mode"]): string[] {
  const out: string[] = [];
  if (s.started + s.failed.length > 1) {
    out.push(`${s.started} starts and ${s.failed.length} failures`);
  }
  if (s.exits.length > 1) out.push(`${s.exits.length} exits`);
  for (const i of [0, 1]) {
    for (const line of s.lines[i]) {
      if (line === "" || /[\r\n]/.test(line) || line.length > 8192) {
        out.push(`bad line ${JSON.stringify(line.slice(0, 80))}`);
      }
    }
  }
  if (!s.started && (s.lines[0].length || s.lines[1].length || s.exits.length)) {
    out.push("records after no start");
  }
  if (!("plan" in a)) {
    if (s.started) out.push(`started, though it had to be refused (${a.reason})`);
    else if (mode !== "broken frame" && !s.failed.some((m) => a.reason.test(m))) {
      out.push(`refused as ${JSON.stringify(s.failed)}, not ${a.reason}`);
    }
    return out;
  }
  const plan = a.plan;
  for (const i of [0, 1]) {
    const asked = (plan.streams & (1 << i)) !== 0;
    if (!asked && (s.lines[i].length || s.closed[i] !== null)) {
      out.push(`stream ${i} not asked for, yet read`);
    }
    if (asked && mode !== "broken frame" && s.started && s.closed[i] === null) {
      out.push(`stream ${i} never closed`);
    }
  }
  if (mode !== "broken frame" && s.failed.length) out.push(`failed: ${s.failed.join()}`);
  if (mode !== "full" || !s.started) return out;
  if (s.exits.length !== 1) return [...out, "no exit"];
  if (plan.code !== null && s.exits[0].code !== plan.code) {
    out.push(`exit ${s.exits[0].code}, not ${plan.code}`);
  }
  for (const i of [0, 1]) {
    const want = plan.expect[i];
    if (!want) continue;
    const got = s.lines[i];
    const drops = s.drops[i];
    if (s.closed[i] !== want.truncated) {
      out.push(`stream ${i}: ${s.closed[i]} truncated, not ${want.truncated}`);
    }
    if (drops === 0 && JSON.stringify(got) !== JSON.stringify(want.lines)) {
      out.push(`stream ${i}: lines differ from Deno's reader: ${diff(got, want.lines)}`);
    }
    if (drops > 0 && (got.length + drops !== want.lines.length || !subsequence(got, want.lines))) {
      out.push(
        `stream ${i}: ${got.length} lines + ${drops} dropped ≠ ${want.lines.length}, or out of order`,
      );
    }
  }
  return out;
}

function subsequence(got: string[], want: string[]): boolean {
  let j = 0;
  for (const line of got) {
    while (j < want.length && want[j] !== line) j++;
    if (j++ >= want.length) return false;
  }
  return true;
}

function diff(got: string[], want: string[]): string {
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  const show = (l: string | undefined) =>
    l === undefined ? "(none)" : JSON.stringify(l.slice(0, 60)) + `(${l.length})`;
  return `${got.length} vs ${want.length} lines; first difference at ${i}: ${show(got[i])} vs ${
    show(want[i])
  }`;
}

/** The bytes a client's plan writes (its files). */
async function planBytes(plan: ClientPlan, dir: string, token: number): Promise<number> {
  if (plan.kind !== "writes") {
    return plan.kind === "flood" ? Number(plan.argv[2].match(/-n (\d+)/)![1]) * 41 * 2 : 0; // tee: both
  }
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(`c${token}s`)) n += (await Deno.stat(`${dir}/${e.name}`)).size;
  }
  return n;
}
