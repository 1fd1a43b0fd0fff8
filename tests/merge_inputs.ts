/**
 * Shared pieces of the merge tests: real shard summaries (testdata/merge, recorded from a short
 * sharded run against the built-in origin by tools/merge-fixtures/record.sh: run it again when
 * the summary or the snapshot changes), a way to change one field by its JSON path, and
 * `merge` run in-process through the very function the CLI calls, or as the real CLI.
 * @module
 */
import { runMerge } from "../src/cli/merge_command.ts";
import type { CliIo } from "../src/exit/io.ts";
import { SWARM_ARGV } from "./helpers.ts";

const DATA = new URL("../testdata/merge/", import.meta.url).pathname;

/** The recorded fixtures: two shards of one run (as JSON and as their pods' logs, .logs.txt: git ignores .log), one unsharded run. */
export const FIXTURES = {
  shard0: `${DATA}shard-0.json`,
  shard1: `${DATA}shard-1.json`,
  shard0Log: `${DATA}shard-0.logs.txt`,
  shard1Log: `${DATA}shard-1.logs.txt`,
  whole: `${DATA}whole.json`,
} as const;

/** JSON as read from a file: what a mutation may change. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A fresh parsed copy of a fixture. */
export function loadFixture(path: string): { [key: string]: Json } {
  return JSON.parse(Deno.readTextFileSync(path));
}

/**
 * Sets (or with `undefined`, deletes) the field at `path` (dot-separated; list indexes as
 * numbers) of `doc`, in place.
 *
 * @example
 * ```ts
 * const doc = { shard: { index: 0, count: 2 } };
 * setPath(doc, "shard.count", 1e8); // doc.shard.count is 1e8
 * ```
 */
export function setPath(doc: Json, path: string, value: Json | undefined): void {
  const keys = path.split(".");
  let at = doc as Record<string, Json>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, Json>;
  const last = keys.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
}

/** The outcome of one merge. */
export interface MergeRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `merge` in this process, through the function `hls-swarm merge` calls. */
export async function mergeInProcess(args: string[]): Promise<MergeRun> {
  let stdout = "", stderr = "";
  const io: CliIo = {
    env: {},
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTerminal: false,
    stderrIsTerminal: false,
  };
  const t0 = performance.now();
  const code = await runMerge(args, io);
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

/** Runs `hls-swarm merge` as a real subprocess. */
export async function mergeCli(args: string[], stdin?: Uint8Array<ArrayBuffer>): Promise<MergeRun> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...SWARM_ARGV, "merge", ...args],
    env: { NO_COLOR: "1" },
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin).catch(() => {});
    await w.close().catch(() => {});
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    ms: performance.now() - t0,
  };
}

/** The peak resident memory of this process so far (VmHWM), MiB. */
export function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : Deno.memoryUsage().rss / 1024 / 1024;
}

/** Gzip of `chunk` repeated `times` times, streamed (the whole is never in memory). */
export async function gzipRepeated(
  chunk: Uint8Array<ArrayBuffer>,
  times: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const gz = new CompressionStream("gzip");
  const w = gz.writable.getWriter();
  const done = new Response(gz.readable).arrayBuffer();
  for (let i = 0; i < times; i++) await w.write(chunk);
  await w.close();
  return new Uint8Array(await done);
}

/** Base64 of bytes. */
export function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
