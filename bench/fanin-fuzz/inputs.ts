/**
 * What the fan-in fuzz feeds `hls-swarm-fanin`: clients whose output is hostile (random bytes,
 * lines of 8,191 to 20,000 bytes, CR/LF mixes cut across writes, UTF-8 cut mid-character), spawn
 * requests that must fail one spawn (bad streams, empty or unterminated argv, too many or too long
 * arguments, requests over 16 MiB, missing programs), and broken frames that must stop it with
 * exit 2. Seeded: a seed replays a run's inputs.
 * @module
 */
import { LineDecoder } from "../../src/lines/decoder.ts";
import { spawnRequest } from "../../src/fanin/records.ts";

/** A seeded PRNG (mulberry32): the same seed, the same inputs. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

const enc = new TextEncoder();
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Pieces of hostile output, by name; a stream is a random run of them. */
const PIECES: Record<string, (r: Rng) => Uint8Array> = {
  line: (r) => enc.encode(`frame=${r.int(0, 1e6)} fps=25 q=-1.0 size=N/A\n`),
  crlf: (r) => enc.encode(`a${r.int(0, 99)}\r\nb\rc\n\n\r\r\n`),
  random: (r) => r.bytes(r.int(1, 3000)),
  /** Random bytes dense in line ends and NULs. */
  ends: (r) => Uint8Array.from({ length: r.int(1, 400) }, () => r.pick([10, 13, 0, 0x78])),
  long: (r) => {
    const n = r.pick([8191, 8192, 8193, 12000, 20000]);
    const line = new Uint8Array(n + 1).fill(0x78);
    line[n] = r.pick([10, 13]);
    return line;
  },
  utf8: () => enc.encode("smørrebrød 日本語 🎬\n"),
  noEnd: (r) => enc.encode(`partial${r.int(0, 9)}`),
};

/** One stream's bytes, cut into the writes the client makes (cuts fall anywhere). */
export function streamBytes(r: Rng): Uint8Array[] {
  const whole = concat(
    Array.from({ length: r.int(0, 12) }, () => r.pick(Object.values(PIECES))(r)),
  );
  const writes: Uint8Array[] = [];
  for (let at = 0; at < whole.length;) {
    const n = Math.min(whole.length - at, r.pick([1, 2, r.int(1, 100), r.int(1, 70000)]));
    writes.push(whole.subarray(at, at + n));
    at += n;
  }
  return writes;
}

/** What a stream should read as, split by the rules the fan-in must share with Deno's reader. */
export function expectedLines(writes: Uint8Array[]): { lines: string[]; truncated: number } {
  const d = new LineDecoder();
  const lines: string[] = [];
  for (const w of writes) d.push(w, (l) => lines.push(l));
  d.flush((l) => lines.push(l));
  return { lines, truncated: d.truncatedLines };
}

/** A client: its argv, and what it must produce when it runs to its end. */
export interface ClientPlan {
  kind: string;
  argv: string[];
  streams: number;
  /** Per stream (0 stderr, 1 stdout), the lines and truncated count; null: not checked exactly. */
  expect: [
    { lines: string[]; truncated: number } | null,
    { lines: string[]; truncated: number } | null,
  ];
  /** The exit code when it runs to its end; null: not checked. */
  code: number | null;
  /** Milliseconds after its start when the fuzz SIGKILLs its group; null: never. */
  killAfterMs: number | null;
}

/** Clients, by kind. `dir` holds the files their writes come from. */
export async function clientPlan(r: Rng, dir: string, id: number): Promise<ClientPlan> {
  const streams = r.int(0, 3);
  const kind = r.pick(["writes", "writes", "writes", "flood", "orphan", "signal", "early", "kill"]);
  const code = r.int(0, 5);
  const none = [null, null] as ClientPlan["expect"];
  switch (kind) {
    case "writes": { // the hostile output, each write its own cat
      const expect: ClientPlan["expect"] = [null, null];
      const cmds: string[] = [];
      const per = [streamBytes(r), streamBytes(r)];
      for (const s of [0, 1]) {
        if (streams & (1 << s)) expect[s] = expectedLines(per[s]);
        for (const [i, w] of per[s].entries()) {
          const file = `${dir}/c${id}s${s}w${i}`;
          await Deno.writeFile(file, w);
          cmds.push(`cat ${file}${s === 0 ? " >&2" : ""}`);
        }
      }
      // The two streams' writes interleave in a random order, each stream's in its own.
      const byStream = [
        cmds.filter((c) => c.endsWith(">&2")),
        cmds.filter((c) => !c.endsWith(">&2")),
      ];
      const order = r.shuffle(cmds);
      const mixed = order.map((c) => byStream[c.endsWith(">&2") ? 0 : 1].shift()!);
      return {
        kind,
        argv: ["sh", "-c", [...mixed, `exit ${code}`].join("; ")],
        streams,
        expect,
        code,
        killAfterMs: null,
      };
    }
    case "flood": { // many short lines at once: batching, and drops when the reader pauses
      const n = r.int(1000, 200000);
      const line = { lines: Array(n).fill("y".repeat(40)), truncated: 0 };
      return {
        kind,
        argv: ["sh", "-c", `yes ${"y".repeat(40)} | head -n ${n} | tee /dev/stderr; exit ${code}`],
        streams,
        expect: [streams & 1 ? line : null, streams & 2 ? line : null],
        code,
        killAfterMs: null,
      };
    }
    case "orphan": // a background child holds the pipes after the client exits
      return {
        kind,
        argv: ["sh", "-c", `(sleep 0.1; echo late >&2; echo late) & echo early >&2; exit ${code}`],
        streams,
        expect: [
          streams & 1 ? { lines: ["early", "late"], truncated: 0 } : null,
          streams & 2 ? { lines: ["late"], truncated: 0 } : null,
        ],
        code,
        killAfterMs: null,
      };
    case "signal": // ends itself by a signal
      return {
        kind,
        argv: ["sh", "-c", "printf x >&2; kill -SEGV $$"],
        streams,
        expect: [
          streams & 1 ? { lines: ["x"], truncated: 0 } : null,
          streams & 2 ? { lines: [], truncated: 0 } : null,
        ],
        code: 128 + 11,
        killAfterMs: null,
      };
    case "early": // closes its streams long before it exits
      return {
        kind,
        argv: ["sh", "-c", `echo a >&2; exec 2>&- 1>&-; sleep 0.05; exit ${code}`],
        streams,
        expect: [
          streams & 1 ? { lines: ["a"], truncated: 0 } : null,
          streams & 2 ? { lines: [], truncated: 0 } : null,
        ],
        code,
        killAfterMs: null,
      };
    default: // killed mid-run by the fuzz
      return {
        kind,
        argv: ["sh", "-c", "while :; do echo tick >&2; sleep 0.01; done"],
        streams,
        expect: none,
        code: 137,
        killAfterMs: r.int(0, 200),
      };
  }
}

/** A request the fan-in must refuse (that spawn fails) and the reason it must give. */
export function refusedRequest(
  r: Rng,
  token: number,
): { bytes: Uint8Array; reason: RegExp; kind: string } {
  const body = (streams: number, argBytes: Uint8Array): Uint8Array => {
    const out = new Uint8Array(10 + argBytes.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, 6 + argBytes.length, true);
    out[4] = 0x53;
    view.setUint32(5, token, true);
    out[9] = streams;
    out.set(argBytes, 10);
    return out;
  };
  const junk = () => {
    // Never a program that exists: a name no PATH holds, and random bytes without a '/' after it.
    const tail = r.bytes(r.int(0, 300)).map((b) => (b === 0x2f ? 0x2e : b));
    return concat([enc.encode("hls-fuzz-no-such-"), tail]);
  };
  const many = r.int(1025, 4000);
  const cases: Array<() => { bytes: Uint8Array; reason: RegExp; kind: string }> = [
    () => ({
      kind: "streams",
      bytes: body(r.int(8, 255), enc.encode("true\0")),
      reason: /^streams is \d+, not 0\.\.7$/,
    }),
    () => ({ kind: "empty argv", bytes: body(2, new Uint8Array(0)), reason: /^argv is empty$/ }),
    () => ({
      kind: "unterminated",
      bytes: body(2, enc.encode("true\0x")),
      reason: /^argv's last argument is not NUL-terminated$/,
    }),
    () => ({
      kind: "argv[0] empty",
      bytes: body(2, enc.encode("\0x\0")),
      reason: /^argv\[0\] is empty$/,
    }),
    () => ({
      kind: "too many",
      bytes: spawnRequest(token, 2, ["true", ...Array(many - 1).fill("a")]),
      reason: new RegExp(`^argv has ${many} arguments, the limit is 1024$`),
    }),
    () => ({
      kind: "missing program",
      bytes: spawnRequest(token, r.int(0, 3), ["/nonexistent/fuzz"]),
      reason: /^\/nonexistent\/fuzz: No such file or directory$/,
    }),
    () => ({
      kind: "arg over 128 KiB",
      bytes: spawnRequest(token, 2, ["true", "x".repeat(200_000)]),
      reason: /^true: Argument list too long$/,
    }),
    // Random bytes after a name no PATH holds, with NULs anywhere: any refusal, never a start.
    () => ({
      kind: "random argv",
      bytes: body(
        r.int(0, 3),
        concat([
          junk(),
          r.bytes(r.int(0, 50)),
          r.next() < 0.8 ? Uint8Array.of(0) : new Uint8Array(0),
        ]),
      ),
      reason: /./,
    }),
  ];
  if (r.next() < 0.03) { // 16 MiB and more through the pipe: now and then
    const length = (1 << 24) + r.int(1, 100_000);
    const bytes = new Uint8Array(4 + length);
    new DataView(bytes.buffer).setUint32(0, length, true);
    bytes.set([0x53, token & 0xff, (token >> 8) & 0xff, 0, 0, 2, 0x74, 0x72, 0x75, 0x65], 4);
    return {
      kind: "over 16 MiB",
      bytes,
      reason: new RegExp(`^request of ${length} bytes is over the limit of 16777216$`),
    };
  }
  return r.pick(cases)();
}

/** The end of a session: bytes that break the framing (exit 2), or cut a request short (exit 0). */
export function brokenFrame(r: Rng): { bytes: Uint8Array; kind: string } {
  const frame = (length: number, rest: Uint8Array) => {
    const out = new Uint8Array(4 + rest.length);
    new DataView(out.buffer).setUint32(0, length, true);
    out.set(rest, 4);
    return out;
  };
  const echo = spawnRequest(0xfffffff0, 2, ["echo", "fuzz"]);
  const cases: Array<() => { bytes: Uint8Array; kind: string }> = [
    () => ({ kind: "random bytes", bytes: r.bytes(r.int(1, 200)) }),
    () => ({ kind: "length under 6", bytes: frame(r.int(0, 5), r.bytes(r.int(0, 10))) }),
    () => ({ // refused at its head (for an unknown token), then cut short by the end of stdin
      kind: "over 16 MiB, cut short",
      bytes: frame(r.int((1 << 24) + 1, 0xffffffff), concat([Uint8Array.of(0x53), r.bytes(10)])),
    }),
    () => ({
      kind: "type not S",
      bytes: frame(10, concat([Uint8Array.of(r.pick([0, 0x45, 0x52, 0x73, 0xff])), r.bytes(9)])),
    }),
    () => ({ kind: "cut short", bytes: echo.subarray(0, r.int(1, echo.length - 1)) }),
    () => {
      // Bit flips in a request for echo: whatever they make, it is refused, run as echo, or stops.
      const flipped = echo.slice();
      for (let i = r.int(1, 4); i > 0; i--) {
        flipped[r.int(0, flipped.length - 1)] ^= 1 << r.int(0, 7);
      }
      return { kind: "bit flips", bytes: flipped };
    },
  ];
  return r.pick(cases)();
}
