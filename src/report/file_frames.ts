/**
 * A shard's output file carried in its stdout, so `kubectl logs` of a finished pod holds it: the
 * pods of `k8s run` write `--request-log` to their own `/tmp`, which goes with the pod, and
 * print it before their summary line as frames:
 *
 * ```
 * HLS_SWARM_FILE request-log part 0 gz:<base64 of gzip of whole NDJSON lines>
 * HLS_SWARM_FILE request-log part 1 gz:…
 * HLS_SWARM_FILE request-log end {"parts":2,"lines":91234,"bytes":24117801,"omittedLines":0,"omittedBytes":0}
 * ```
 *
 * Why frames in the log and not `kubectl cp`: a Job's pod has exited when the run is collected,
 * and `kubectl cp` needs a running container with `tar` in it (an exec); the log of an exited
 * container stays readable until the pod is deleted, with no extra RBAC. The cost: kubelet
 * rotates a container's log past `containerLogMaxSize` (10 MiB by default) and `kubectl logs`
 * reads the newest file only, so frames of a large file can be lost. The end frame counts the
 * parts, lines and bytes, so a loss is seen and said, never passed off as the whole file.
 * @module
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** A frame line's first word. */
export const FILE_FRAME_PREFIX = "HLS_SWARM_FILE ";
/** The most a framed file carries, uncompressed (the summary's own cap): whole lines past it are
 * left out and counted, and a reader refuses to inflate more, so a small log is no gzip bomb. */
export const MAX_FRAMED_FILE_BYTES = 64 * 1024 * 1024;
/** Uncompressed bytes a part holds, at most (one line longer than this is a part of its own):
 * small enough that a lost part loses little, large enough that a part gzips well. */
const PART_BYTES = 1024 * 1024;
const MIB = 1024 * 1024;

/** What the end frame says was printed, and what was left out past the cap. */
export interface FrameEnd {
  parts: number;
  lines: number;
  bytes: number;
  /** Whole lines past {@linkcode MAX_FRAMED_FILE_BYTES}, and a last line cut short (no `\n`). */
  omittedLines: number;
  omittedBytes: number;
}

/**
 * Prints the lines of the file at `path` as frames named `name` through `write` (one call a
 * frame, each ending in `\n`); resolves with what the end frame says.
 *
 * @example
 * ```ts
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, '{"client":0}\n{"client":1}\n');
 * let log = "";
 * const end = await printFileFrames("request-log", path, (t) => (log += t));
 * end.lines; // 2
 * readFileFrames(log, "request-log")?.text; // '{"client":0}\n{"client":1}\n'
 * ```
 */
export async function printFileFrames(
  name: string,
  path: string,
  write: (text: string) => void,
  cap = MAX_FRAMED_FILE_BYTES,
): Promise<FrameEnd> {
  checkName(name);
  const end: FrameEnd = { parts: 0, lines: 0, bytes: 0, omittedLines: 0, omittedBytes: 0 };
  let part: Uint8Array[] = [], partBytes = 0;
  const flush = () => {
    if (!partBytes) return;
    const gz = gzipSync(concat(part));
    write(`${FILE_FRAME_PREFIX}${name} part ${end.parts++} gz:${gz.toBase64()}\n`);
    part = [];
    partBytes = 0;
  };
  const take = (line: Uint8Array) => {
    if (end.bytes + line.length > cap) {
      end.omittedLines++;
      end.omittedBytes += line.length;
      return;
    }
    if (partBytes && partBytes + line.length > PART_BYTES) flush();
    part.push(line);
    partBytes += line.length;
    end.lines++;
    end.bytes += line.length;
  };
  using file = await Deno.open(path);
  let carry = new Uint8Array(0);
  for await (const chunk of file.readable) {
    const buf = carry.length ? concat([carry, chunk]) : chunk;
    let from = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, from)) {
      take(buf.slice(from, nl + 1));
      from = nl + 1;
    }
    carry = buf.slice(from);
  }
  // A last line without its newline was cut (a crash mid-write): not a record, so left out.
  if (carry.length) {
    end.omittedLines++;
    end.omittedBytes += carry.length;
  }
  flush();
  write(`${FILE_FRAME_PREFIX}${name} end ${JSON.stringify(end)}\n`);
  return end;
}

/** A framed file as read back from a log. */
export interface FramedFile {
  /** The lines of the parts found, in order (parts lost are not in it). */
  text: string;
  lines: number;
  /** What the end frame says, or null when it is not in the log. */
  end: FrameEnd | null;
  /** Why `text` is not the whole file, or null when it is (what was left out past the cap is
   * counted in `end`, not here: the file is as whole as the pod could print it). */
  incomplete: string | null;
}

/**
 * The file named `name` framed in `log`, or null when the log has no frame of it. Throws with a
 * clear reason when a frame is damaged (bad base64 or gzip, a part twice, a bad end frame), or
 * when the parts would inflate past `cap`.
 *
 * @example
 * ```ts
 * readFileFrames('{"msg":"run_started"}\n', "request-log"); // null
 * ```
 */
export function readFileFrames(
  log: string,
  name: string,
  cap = MAX_FRAMED_FILE_BYTES,
): FramedFile | null {
  checkName(name);
  const head = `${FILE_FRAME_PREFIX}${name} `;
  const parts = new Map<number, Uint8Array>();
  let end: FrameEnd | null = null, total = 0;
  for (let at = log.startsWith(head) ? 0 : nextFrame(log, head, 0); at >= 0;) {
    const eol = log.indexOf("\n", at);
    const line = log.slice(at + head.length, eol < 0 ? undefined : eol).trimEnd();
    at = eol < 0 ? -1 : nextFrame(log, head, eol);
    const part = /^part (\d{1,9}) gz:(.*)$/s.exec(line);
    if (part) {
      const n = Number(part[1]);
      if (parts.has(n)) throw new Error(`${name}: part ${n} is in the log twice`);
      const bytes = inflate(name, n, part[2], cap - total);
      total += bytes.length;
      parts.set(n, bytes);
    } else if (line.startsWith("end ")) {
      if (end) throw new Error(`${name}: two end frames in the log`);
      end = readEnd(name, line.slice(4));
    } else throw new Error(`${name}: a frame neither part nor end: "${line.slice(0, 40)}"`);
  }
  if (!parts.size && !end) return null;
  const order = [...parts.keys()].sort((a, b) => a - b);
  const text = new TextDecoder().decode(concat(order.map((n) => parts.get(n)!)));
  const lines = countLines(text);
  let incomplete: string | null = null;
  if (!end) {
    incomplete = `no end frame in the log (the pod stopped while printing it, or its log was cut)`;
  } else {
    const lost = Array.from({ length: end.parts }, (_, i) => i).filter((i) => !parts.has(i));
    const extra = order.filter((n) => n >= end!.parts);
    if (extra.length) {
      throw new Error(`${name}: part ${extra[0]} past the end frame's ${end.parts}`);
    }
    if (lost.length) {
      incomplete = `part${lost.length > 1 ? "s" : ""} ${ranges(lost)} of ${end.parts} not in ` +
        "the log (kubelet rotates a container's log past its containerLogMaxSize, 10 MiB by " +
        "default, and kubectl logs reads the newest file only)";
    } else if (lines !== end.lines || total !== end.bytes) {
      throw new Error(
        `${name}: the parts hold ${lines} lines, ${total} bytes; the end frame says ` +
          `${end.lines}, ${end.bytes}`,
      );
    }
  }
  return { text, lines, end, incomplete };
}

/** The next frame of `head` starting a line after `from`, or -1. */
function nextFrame(log: string, head: string, from: number): number {
  const at = log.indexOf(`\n${head}`, from);
  return at < 0 ? -1 : at + 1;
}

function checkName(name: string): void {
  if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`not a frame name: "${name}"`);
}

/** A part's base64 of gzip → bytes, inflated with `room` as zlib's output limit. */
function inflate(name: string, n: number, base64: string, room: number): Uint8Array {
  const damaged = (why: string) =>
    new Error(`${name}: part ${n}'s gzip+base64 payload is damaged (${why})`);
  const tooLarge = () =>
    new Error(`${name}: larger than ${MAX_FRAMED_FILE_BYTES / MIB} MiB, the most a pod prints`);
  if (room <= 0 || base64.length > (room / 3) * 4 + 1024) throw tooLarge();
  let gz: Uint8Array;
  try {
    gz = Uint8Array.fromBase64(base64);
  } catch {
    throw damaged("not base64");
  }
  try {
    return gunzipSync(gz, { maxOutputLength: room });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
    throw damaged((e as Error).message);
  }
}

function readEnd(name: string, json: string): FrameEnd {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    v = null;
  }
  const keys = ["parts", "lines", "bytes", "omittedLines", "omittedBytes"] as const;
  const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  for (const k of keys) {
    const x = o[k];
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
      throw new Error(`${name}: the end frame's ${k} is not a count`);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as unknown as FrameEnd;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** `[0, 1, 2, 5]` → `"0-2, 5"`. */
function ranges(list: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < list.length;) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
    out.push(j > i ? `${list[i]}-${list[j]}` : String(list[i]));
    i = j + 1;
  }
  return out.join(", ");
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
