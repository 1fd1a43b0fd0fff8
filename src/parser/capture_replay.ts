/**
 * Replays the real FFmpeg captures in testdata/ through the pipeline's line decoder and the
 * parsers, and reads their nginx access logs: the ground truth of the parser tests.
 * @module
 */
import { LineDecoder } from "../lines/decoder.ts";
import type { EventKey } from "../events/catalog.ts";
import { type ProgressBlock, ProgressParser } from "./progress.ts";
import type { HttpEvent } from "./http_event.ts";
import { StderrParser } from "./stderr_events.ts";
import { classifyUrl, type RequestKind } from "./url_kind.ts";

/** The FFmpeg versions captured in testdata/ffmpeg-<version>/. */
export const CAPTURED_VERSIONS = ["5.1", "7.1", "9.0"] as const;
export type CapturedVersion = typeof CAPTURED_VERSIONS[number];

const TESTDATA = new URL("../../testdata/", import.meta.url);

/** A capture file's URL. */
export function captureUrl(version: CapturedVersion, name: string): URL {
  return new URL(`ffmpeg-${version}/${name}`, TESTDATA);
}

/**
 * A capture split into lines the way the pipeline splits them (LF, CRLF and CR end a line).
 *
 * @example
 * ```ts
 * const lines = await captureLines("9.0", "stderr_trace_nginx_keepalive.txt");
 * ```
 */
export async function captureLines(version: CapturedVersion, name: string): Promise<string[]> {
  const lines: string[] = [];
  const decoder = new LineDecoder();
  decoder.push(await Deno.readFile(captureUrl(version, name)), (l) => lines.push(l));
  decoder.flush((l) => lines.push(l));
  return lines;
}

/** How a replay ends and when its lines "arrive". */
export interface ReplayOptions {
  /** finish(stopped): true when the stop is treated as hls-swarm's own. Default false. */
  stopped?: boolean;
  /** Arrival time of line `i` (ms). Default: one line per ms. */
  arrival?: (i: number) => number;
}

/**
 * Every event the stderr parser makes of a capture, finish() included.
 *
 * @example
 * ```ts
 * const events = await replayStderr("7.1", "stderr_trace_404_segments.txt");
 * ```
 */
export async function replayStderr(
  version: CapturedVersion,
  name: string,
  options: ReplayOptions = {},
): Promise<HttpEvent[]> {
  const arrival = options.arrival ?? ((i: number) => i);
  const parser = new StderrParser();
  const events: HttpEvent[] = [];
  (await captureLines(version, name)).forEach((l, i) => events.push(...parser.push(l, arrival(i))));
  events.push(...parser.finish(options.stopped ?? false));
  return events;
}

/**
 * The progress blocks of a capture, each with the time FFmpeg wrote it: FFmpeg computes
 * `fps = frame / t` (and 0 while t ≤ 1 s), with t the seconds since it started, so t = frame / fps.
 */
export async function replayProgress(
  version: CapturedVersion,
  name: string,
): Promise<{ block: ProgressBlock; at: number }[]> {
  const parser = new ProgressParser();
  return (await captureLines(version, name)).flatMap((l) => {
    const block = parser.push(l);
    if (!block) return [];
    const at = block.fps && block.frame ? (block.frame / block.fps) * 1000 : 0;
    return [{ block, at }];
  });
}

/** One line of an nginx access log (`$request $status $body_bytes_sent "$http_user_agent" …`). */
export interface AccessEntry {
  path: string;
  kind: RequestKind;
  status: number;
  bytes: number;
}

/** A capture's nginx access log. */
export async function accessLog(version: CapturedVersion, name: string): Promise<AccessEntry[]> {
  const text = await Deno.readTextFile(captureUrl(version, name));
  return text.split("\n").filter(Boolean).map((l) => {
    const [, path, status, bytes] = /^\S+ (\S+) \S+ (\d+) (\d+)/.exec(l)!;
    return { path, kind: classifyUrl(path), status: Number(status), bytes: Number(bytes) };
  });
}

/** Requests by kind, responses by status, 2xx body bytes. */
export interface Tally {
  requests: Record<string, number>;
  statuses: Record<string, number>;
  bytes2xx: number;
}

/** What the parser's events add up to. */
export function tallyEvents(events: HttpEvent[]): Tally {
  const t: Tally = { requests: {}, statuses: {}, bytes2xx: 0 };
  for (const e of events) {
    if (e.type === "request") t.requests[e.kind] = (t.requests[e.kind] ?? 0) + 1;
    if (e.type === "response") t.statuses[e.status] = (t.statuses[e.status] ?? 0) + 1;
    if (e.type === "body_bytes") t.bytes2xx += e.bytes;
  }
  return t;
}

/** What nginx logged, added up the same way. */
export function tallyLog(entries: AccessEntry[]): Tally {
  const t: Tally = { requests: {}, statuses: {}, bytes2xx: 0 };
  for (const e of entries) {
    t.requests[e.kind] = (t.requests[e.kind] ?? 0) + 1;
    t.statuses[e.status] = (t.statuses[e.status] ?? 0) + 1;
    if (e.status >= 200 && e.status < 300) t.bytes2xx += e.bytes;
  }
  return t;
}

/** The sum of a catalog counter over events. */
export function countOf(events: HttpEvent[], key: EventKey): number {
  return events.reduce((n, e) => n + (e.type === "count" && e.key === key ? e.n : 0), 0);
}
