/**
 * What the fuzz tests share: a seeded random source (the same seed tries the same inputs, so a
 * failure replays), random bytes and lines biased toward the syntax FFmpeg's output and the
 * fan-in's records are made of, mutations of real lines, and the one-line report each test
 * prints of what it tried. `HLS_SWARM_FUZZ_SEED=N` tries another seed.
 * @module
 */

/** The seed of `make test`: fixed, so the suite is deterministic. */
export const FUZZ_SEED = Number(Deno.env.get("HLS_SWARM_FUZZ_SEED") ?? "21");

/** Pieces of FFmpeg's output and of hostile values, so random lines reach the parsers' branches. */
const TOKENS = [
  "[http @ 0x5] ",
  "[https @ 0x6] ",
  "[hls @ 0x7] ",
  "[in#0/hls @ 0x8] ",
  "[tcp @ 0x9] ",
  "[AVIOContext @ 0xa] ",
  "[mpegts @ 0xb] ",
  "[debug] ",
  "[trace] ",
  "[info] ",
  "request: GET ",
  "http_code=",
  "header='Content-Length: ",
  "header='content-length: ",
  "HTTP error ",
  "Will reconnect at ",
  "Starting connection attempt",
  "Successfully connected",
  "Connection attempt to 10.0.0.1 port 80 failed: ",
  "Connection refused",
  "timed out",
  "Statistics: ",
  " bytes read",
  "Failed to open segment ",
  "Failed to reload playlist ",
  "Segment 3 of playlist failed too many times",
  "skipping ",
  " segments ahead, expired from playlists",
  "keepalive request failed",
  "Exiting normally, received signal 15.",
  "frame=",
  "speed=",
  "fps=",
  "bitrate=",
  "out_time_us=",
  "progress=continue",
  "progress=end",
  "2026-12-01 14:37:32.911 ",
  "9999-99-99 99:99:99.999 ",
  "/live/seg1.ts",
  "/a.m3u8?token=x",
  "/v0/init.mp4#f",
  " HTTP/1.1",
  "200",
  "404",
  "-1",
  "0",
  "1e999",
  "-1e999",
  "99999999999999999999",
  "NaN",
  "Infinity",
  "N/A",
  "0x1",
  " @ ",
  "] ",
  "[",
  "=",
  "'",
  "?",
  "#",
  "/",
  ".",
  " ",
  "\t",
  "\u0000",
  "\ud800",
  "\ufffd",
  "é",
  "x".repeat(300),
] as const;

/**
 * A deterministic random source (mulberry32) and the inputs it makes.
 *
 * @example
 * ```ts
 * const r = new FuzzRandom(21);
 * r.line(); // the same line for seed 21, every time
 * r.mutate("[http @ 0x1] [trace] http_code=200");
 * ```
 */
export class FuzzRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `n` bytes, half of them from the bytes that matter to a line splitter and to UTF-8. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.chance(0.5)
        ? this.pick([0x0a, 0x0d, 0x0d, 0x20, 0x5b, 0x3d, 0xc3, 0xa9, 0xe2, 0x82, 0xf0, 0xff, 0])
        : this.int(256);
    }
    return out;
  }

  /** A line of up to `tokens` random pieces of FFmpeg's syntax and hostile values. */
  line(tokens = 8): string {
    let out = "";
    for (let i = 1 + this.int(tokens); i > 0; i--) {
      out += this.chance(0.8) ? this.pick(TOKENS) : String.fromCharCode(this.int(0x3000));
    }
    return out;
  }

  /** `line` with one to three edits: a cut, an insert, a swapped number, a doubled span… */
  mutate(line: string): string {
    let out = line;
    for (let n = 1 + this.int(3); n > 0; n--) {
      const at = this.int(out.length + 1);
      switch (this.int(6)) {
        case 0: // truncate
          out = out.slice(0, at);
          break;
        case 1: // delete a span
          out = out.slice(0, at) + out.slice(at + 1 + this.int(12));
          break;
        case 2: // insert a token
          out = out.slice(0, at) + this.pick(TOKENS) + out.slice(at);
          break;
        case 3: // replace the numbers with hostile ones
          out = out.replace(/\d+/g, () => this.pick(["-1", "1e999", "99999999999999999999", ""]));
          break;
        case 4: // double a span
          out = out.slice(0, at) + out.slice(this.int(at + 1), at) + out.slice(at);
          break;
        default: // one random character
          out = out.slice(0, at) + String.fromCharCode(this.int(0x10000)) + out.slice(at + 1);
      }
    }
    return out;
  }
}

/**
 * The line a fuzz test prints: seed, what it fed, how much, and how long it took.
 *
 * @example
 * ```ts
 * const t0 = performance.now();
 * fuzzReport("record decoder", { streams: 400, bytes: 1_000_000 }, t0);
 * // fuzz record decoder: seed 21, streams 400, bytes 1,000,000 in 812 ms
 * ```
 */
export function fuzzReport(what: string, tried: Record<string, number>, t0: number): void {
  const parts = Object.entries(tried).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`);
  const ms = (performance.now() - t0).toFixed(0);
  console.log(`fuzz ${what}: seed ${FUZZ_SEED}, ${parts.join(", ")} in ${ms} ms`);
}
