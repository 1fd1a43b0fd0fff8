/**
 * Fuzzes every parser with real FFmpeg lines (the captures of testdata/ffmpeg-*), mutated, and
 * with random lines: none may throw, and what they make of hostile lines must still be sane
 * figures (finite, non-negative, whole where counted), since it goes straight into the stats.
 */
import { EVENT_KEYS } from "../events/catalog.ts";
import { assert } from "../testing/assert.ts";
import { FUZZ_SEED, FuzzRandom, fuzzReport } from "../testing/fuzz.ts";
import { CACHE_STATUSES } from "./cache_headers.ts";
import { BodyLedger, pathPrefix } from "./body_ledger.ts";
import { CAPTURED_VERSIONS, captureLines } from "./capture_replay.ts";
import type { HttpEvent } from "./http_event.ts";
import { datetimePrefixMs, elapsedMs } from "./line_time.ts";
import { parseProgramDateTime, ProgramDateTimes } from "./program_date_time.ts";
import { type ProgressBlock, ProgressParser } from "./progress.ts";
import { isHlsContext, StderrParser } from "./stderr_events.ts";
import { classifyUrl, REQUEST_KINDS } from "./url_kind.ts";

const captures = { stderr: [] as string[][], progress: [] as string[][] };
for (const version of CAPTURED_VERSIONS) {
  for (
    const entry of Deno.readDirSync(new URL(`../../testdata/ffmpeg-${version}/`, import.meta.url))
  ) {
    const stream = entry.name.startsWith("stderr_")
      ? "stderr"
      : entry.name.startsWith("progress_")
      ? "progress"
      : null;
    if (stream) captures[stream].push(await captureLines(version, entry.name));
  }
}

/** JSON that shows NaN and the infinities (plain JSON prints them as null). */
const show = (v: unknown) =>
  JSON.stringify(v, (_, x) => typeof x === "number" && !Number.isFinite(x) ? String(x) : x);
const count = (n: number) => Number.isSafeInteger(n) && n >= 0;
const duration = (ms: number | null) => ms === null || (Number.isFinite(ms) && ms >= 0);

/** What a stats consumer may rely on in an event, whatever line it came from. */
function sane(e: HttpEvent): boolean {
  switch (e.type) {
    case "request":
      return REQUEST_KINDS.includes(e.kind) && count(e.req) && Number.isFinite(e.at);
    case "response":
      return REQUEST_KINDS.includes(e.kind) && Number.isInteger(e.status) && e.status >= 100 &&
        e.status <= 999 && duration(e.ttfbMs);
    case "body_bytes":
      return REQUEST_KINDS.includes(e.kind) && count(e.bytes);
    case "segment_download_inferred":
      return duration(e.ms) && Number.isFinite(e.at);
    case "tcp_connect":
      return duration(e.ms);
    case "program_date_time":
      return Number.isFinite(e.epochMs);
    case "count":
      return EVENT_KEYS.includes(e.key) && count(e.n);
    case "cache":
      return REQUEST_KINDS.includes(e.kind) && Number.isInteger(e.status) && e.status >= 100 &&
        e.status <= 999 && duration(e.ttfbMs) && CACHE_STATUSES.includes(e.cache) &&
        (e.ageS === null || count(e.ageS)) &&
        (e.edge === null || /^[A-Za-z0-9._:-]{1,64}$/.test(e.edge));
  }
}

function check(events: HttpEvent[], where: () => string): number {
  for (const e of events) assert(sane(e), `${show(e)} from ${where()}`);
  return events.length;
}

Deno.test("fuzz: the stderr parser takes mutated captures and random lines, and stays sane", () => {
  const t0 = performance.now();
  const r = new FuzzRandom(FUZZ_SEED + 3);
  const RUNS = 3000;
  let lines = 0, mutated = 0, random = 0, events = 0;
  for (let run = 0; run < RUNS; run++) {
    const p = new StderrParser();
    const capture = r.pick(captures.stderr);
    const from = r.int(capture.length);
    const fed: string[] = [];
    let at = r.next() * 1e6;
    for (let i = from; i < Math.min(capture.length, from + 50 + r.int(400)); i++) {
      let line = capture[i];
      if (r.chance(0.05)) {
        line = r.line();
        random++;
      } else if (r.chance(0.3)) {
        line = r.mutate(line);
        mutated++;
      }
      if (r.chance(0.01)) p.gap();
      at += r.pick([0, 0, 1, r.next() * 50, 5000]);
      fed.push(line);
      lines++;
      events += check(p.push(line, at), () => `run ${run}: ${JSON.stringify(fed.slice(-8))}`);
    }
    events += check(p.finish(r.chance(0.5)), () => `run ${run}'s finish`);
  }
  fuzzReport("stderr parser", { runs: RUNS, lines, mutated, random, events }, t0);
});

Deno.test("fuzz: the progress parser's blocks hold finite numbers or null, whatever the line", () => {
  const t0 = performance.now();
  const r = new FuzzRandom(FUZZ_SEED + 4);
  let lines = 0, blocks = 0;
  const finite = (b: ProgressBlock) =>
    Object.values(b).every((v) => v === null || typeof v === "boolean" || Number.isFinite(v));
  for (let run = 0; run < 200; run++) {
    const p = new ProgressParser();
    const capture = r.pick(captures.progress);
    const from = r.int(capture.length);
    for (let i = from; i < Math.min(capture.length, from + 300); i++) {
      const line = r.chance(0.1) ? r.line() : r.chance(0.4) ? r.mutate(capture[i]) : capture[i];
      const block = p.push(line);
      lines++;
      if (!block) continue;
      blocks++;
      assert(finite(block), `${show(block)} after ${show(line)}`);
    }
  }
  fuzzReport("progress parser", { runs: 200, lines, blocks }, t0);
});

Deno.test("fuzz: line times, URL kinds, contexts, program date-times and the body ledger take anything", () => {
  const t0 = performance.now();
  const r = new FuzzRandom(FUZZ_SEED + 5);
  const INPUTS = 20_000;
  for (let i = 0; i < INPUTS; i++) {
    const line = r.mutate(r.pick(["2026-12-01 14:37:32.911 [info] x", r.line(), "/a/b.ts?x#y"]));
    const stamp = datetimePrefixMs(line);
    assert(stamp === null || Number.isFinite(stamp), `${stamp} from ${JSON.stringify(line)}`);
    const ms = elapsedMs({ at: r.next() * 1e6, stamp }, {
      at: 2e6,
      stamp: datetimePrefixMs(r.line()),
    });
    assert(Number.isFinite(ms), `${ms}`);
    assert(REQUEST_KINDS.includes(classifyUrl(line)));
    assert(line.startsWith(pathPrefix(line)));
    isHlsContext(line);
    const pdt = parseProgramDateTime(r.mutate("2026-12-07T18:07:49.675+0000"));
    assert(pdt === null || Number.isFinite(pdt), `${pdt}`);
  }
  for (let run = 0; run < 500; run++) {
    const p = new ProgramDateTimes();
    for (let op = r.int(20); op > 0; op--) {
      if (r.chance(0.2)) p.playlistOpened();
      else p.skipped(r.mutate("#EXT-X-PROGRAM-DATE-TIME:2026-12-07T18:07:49.675+0000"));
    }
    const first = p.firstSegment();
    assert(first === null || Number.isFinite(first), `${first}`);
  }
  // The ledger straight, with hostile sizes and orders.
  let bodies = 0;
  for (let run = 0; run < 2000; run++) {
    const ledger = new BodyLedger();
    const announced = new Set<number>();
    for (let op = r.int(30); op > 0; op--) {
      const prefix = r.pick(["/", "/a/", ""]);
      const bytes = r.pick([0, 1, r.int(1e7), Number.MAX_SAFE_INTEGER]);
      switch (r.int(4)) {
        case 0:
          announced.add(bytes);
          ledger.announce({
            req: op,
            kind: r.pick(REQUEST_KINDS),
            prefix,
            bytes,
            at: r.next() * 1e4,
          });
          break;
        case 1:
          for (const b of ledger.request(prefix)) assert(announced.has(b.bytes));
          break;
        case 2:
          ledger.bytesRead(r.int(1e7));
          break;
        default:
          ledger.exited();
      }
    }
    const end = ledger.settle({
      requested: r.chance(0.7),
      typicalDownloadMs: r.pick([null, 0, 50, 500]),
      lastLineAt: r.next() * 1e4,
      lastPacketAt: r.pick([-Infinity, r.next() * 1e4]),
    });
    for (const { body, received } of end.inFlight) {
      assert(count(received) && received <= body.bytes, `${received} of ${body.bytes}`);
    }
    bodies += end.counted.length + end.inFlight.length;
  }
  fuzzReport("line times, URLs, PDTs, body ledger", {
    inputs: INPUTS,
    pdtRuns: 500,
    ledgerRuns: 2000,
    bodies,
  }, t0);
});
