/**
 * Fuzzes the fan-in's record decoder: random well-formed streams cut anywhere decode exactly,
 * and random or mutated bytes either decode into calls with sane values or throw
 * {@linkcode RecordStreamError}, the one error the spawner handles (it ends that helper and
 * reports its clients' exits). Nothing else may escape.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { FUZZ_SEED, FuzzRandom, fuzzReport } from "../testing/fuzz.ts";
import {
  MAX_GROUP_BYTES,
  RecordDecoder,
  type RecordHandler,
  RecordStreamError,
} from "./records.ts";

const utf8 = new TextDecoder();
const INPUTS = 5000;

/** A little-endian record writer. */
class Writer {
  bytes: number[] = [];
  head(type: string, token: number): this {
    this.bytes.push(type.charCodeAt(0));
    return this.u32(token);
  }
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  f64(v: number): this {
    this.bytes.push(...new Uint8Array(new Float64Array([v]).buffer));
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.push(...b);
    return this;
  }
}

/**
 * A random well-formed stream of `n` records and the calls it must make; with `hostileFloats`,
 * a few stamps are NaN or infinite (a stream no fan-in writes: the decoder must refuse it).
 */
function wellFormed(
  r: FuzzRandom,
  n: number,
  hostileFloats = false,
): { bytes: Uint8Array; calls: string[] } {
  const w = new Writer();
  const stamp = () =>
    hostileFloats && r.chance(0.05) ? r.pick([NaN, Infinity, -Infinity]) : r.next() * 1e9;
  const calls: string[] = [];
  for (let i = 0; i < n; i++) {
    const token = r.int(2 ** 32), stream = r.int(2), a = r.int(2 ** 31), b = r.int(2 ** 31);
    switch (r.int(7)) {
      case 0: {
        const ms = stamp();
        w.head("H", 0).f64(ms);
        calls.push(`hello ${ms}`);
        break;
      }
      case 1:
        w.head("P", token).u32(a);
        calls.push(`started ${token} ${a}`);
        break;
      case 2: {
        const text = r.bytes(r.int(300));
        w.head("E", token).u32(a).u16(text.length).raw(text);
        calls.push(`failed ${token} ${a} ${utf8.decode(text)}`);
        break;
      }
      case 3: {
        const text = r.chance(0.5) ? r.bytes(r.int(2000)) : new TextEncoder().encode(r.line());
        const at = stamp();
        const filtered = r.chance(0.5) ? 0 : r.int(1000);
        w.head("G", token).u8(stream).f64(at).u32(filtered).u32(text.length).raw(text);
        if (filtered > 0) calls.push(`filtered ${token}/${stream} ${filtered}`);
        for (const l of utf8.decode(text).split("\n")) {
          calls.push(`line ${token}/${stream} @${at} ${l}`);
        }
        break;
      }
      case 4:
        w.head("D", token).u8(stream).u32(a);
        calls.push(`dropped ${token}/${stream} ${a}`);
        break;
      case 5:
        w.head("C", token).u8(stream).u32(a).u32(b);
        if (b > 0) calls.push(`filtered ${token}/${stream} ${b}`);
        calls.push(`closed ${token}/${stream} ${a}`);
        break;
      default:
        w.head("X", token).u32(a).u32(b);
        calls.push(`exited ${token} ${a} ${b}`);
    }
  }
  return { bytes: new Uint8Array(w.bytes), calls };
}

/** A handler that records every call and checks that every number in it is sane. */
function checked(seen: string[]): RecordHandler {
  const num = (v: number, what: string) => assert(Number.isFinite(v), `${what}: ${v}`);
  return {
    hello: (ms) => (num(ms, "hello"), seen.push(`hello ${ms}`)),
    started: (t, pid) => (num(pid, "pid"), seen.push(`started ${t} ${pid}`)),
    spawnFailed: (t, errno, m) => seen.push(`failed ${t} ${errno} ${m}`),
    line: (t, s, text, at) => (num(at, "at"), seen.push(`line ${t}/${s} @${at} ${text}`)),
    dropped: (t, s, n) => seen.push(`dropped ${t}/${s} ${n}`),
    filtered: (t, s, n) => seen.push(`filtered ${t}/${s} ${n}`),
    closed: (t, s, n) => seen.push(`closed ${t}/${s} ${n}`),
    exited: (t, code, sig) => seen.push(`exited ${t} ${code} ${sig}`),
  };
}

/** Pushes `bytes` in random chunks; returns the error that ended it, if any. */
function pushInChunks(r: FuzzRandom, d: RecordDecoder, bytes: Uint8Array, h: RecordHandler) {
  for (let at = 0; at < bytes.length;) {
    const n = 1 + r.int(r.chance(0.3) ? 8 : 4096);
    try {
      d.push(bytes.subarray(at, at + n), h);
    } catch (e) {
      return e;
    }
    assert(d.pending <= 5 + 17 + MAX_GROUP_BYTES, `pending ${d.pending}`);
    at += n;
  }
  return null;
}

Deno.test("fuzz: well-formed record streams decode exactly, however they are cut", () => {
  const t0 = performance.now();
  const r = new FuzzRandom(FUZZ_SEED);
  let bytes = 0, records = 0;
  for (let i = 0; i < 300; i++) {
    const stream = wellFormed(r, 1 + r.int(40));
    bytes += stream.bytes.length;
    records += stream.calls.length;
    const seen: string[] = [];
    const d = new RecordDecoder();
    assertEquals(pushInChunks(r, d, stream.bytes, checked(seen)), null);
    assertEquals(seen, stream.calls, `stream ${i}`);
    assertEquals(d.pending, 0);
  }
  fuzzReport("record decoder (well-formed)", { streams: 300, bytes, calls: records }, t0);
});

Deno.test("fuzz: random and mutated record bytes decode sanely or throw RecordStreamError only", () => {
  const t0 = performance.now();
  const r = new FuzzRandom(FUZZ_SEED + 1);
  let bytes = 0, calls = 0, errors = 0;
  for (let i = 0; i < INPUTS; i++) {
    let input: Uint8Array;
    if (r.chance(0.5)) input = r.bytes(1 + r.int(3000));
    else {
      // A real stream with a few bytes flipped, cut or inserted.
      input = wellFormed(r, 1 + r.int(20), true).bytes;
      for (let k = 1 + r.int(4); k > 0; k--) input[r.int(input.length)] = r.int(256);
      if (r.chance(0.3)) input = input.subarray(r.int(input.length));
    }
    bytes += input.length;
    const seen: string[] = [];
    const error = pushInChunks(r, new RecordDecoder(), input, checked(seen));
    calls += seen.length;
    if (error === null) continue;
    errors++;
    assert(error instanceof RecordStreamError, `input ${i}: ${error}`);
  }
  fuzzReport(
    "record decoder (hostile)",
    { inputs: INPUTS, bytes, calls, RecordStreamErrors: errors },
    t0,
  );
});
