/**
 * Start-up checks: limits that a swarm of N clients needs, and what FFmpeg can do. Each check
 * says what it found, what it needs and, when it fails, how to fix it.
 * @module
 */
import type { FfmpegCapabilities } from "../process/capabilities.ts";

/** One check's outcome. `fail` stops the run unless --skip-preflight. */
export interface CheckResult {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
  /** A line for stderr besides the log, for what a person must see even in JSON logs. */
  notice?: string;
}

/** What the checks read. The filesystem is passed in so tests can supply any /proc. */
export interface PreflightInput {
  clients: number;
  streamUrl: string;
  caps: FfmpegCapabilities;
  deathSignal: boolean;
  /** The native fan-in starts the clients (and sets their parent-death signal). */
  fanin: boolean;
  readTextFile(path: string): Promise<string>;
  /** Checks the stream answers. */
  checkStream: () => Promise<CheckResult>;
  /** Why the stream is not checked (e.g. with --resolve), or null when it is. */
  unchecked?: string | null;
}

/**
 * File descriptors hls-swarm itself holds per client: two pipes and a pidfd (measured), plus a
 * margin for sockets and files.
 */
export const FDS_PER_CLIENT = 3;
const FD_MARGIN = 100;

/**
 * Runs every check.
 *
 * @example Not run: it needs FFmpeg's capabilities and a stream on the network
 * ```ts ignore
 * const results = await runPreflight({ clients: 50, streamUrl, caps, deathSignal: true, fanin: true,
 *   readTextFile: Deno.readTextFile });
 * const failed = results.filter((r) => r.status === "fail");
 * ```
 */
export async function runPreflight(input: PreflightInput): Promise<CheckResult[]> {
  const limits = await input.readTextFile("/proc/self/limits").catch(() => "");
  const portRange = await input
    .readTextFile("/proc/sys/net/ipv4/ip_local_port_range")
    .catch(() => "");
  return [
    checkFileDescriptors(limits, input.clients),
    checkProcesses(limits, input.clients),
    checkFfmpeg(input.caps, input.streamUrl),
    checkEphemeralPorts(portRange, input.clients),
    checkDeathSignal(input.deathSignal, input.fanin),
    input.unchecked
      ? { name: "stream", status: "warn", detail: input.unchecked }
      : await input.checkStream(),
  ];
}

/**
 * Reads one soft/hard pair from /proc/self/limits ("unlimited" → Infinity).
 *
 * @example
 * ```ts
 * parseLimit("Max open files  1024  4096  files\n", "Max open files"); // { soft: 1024, hard: 4096 }
 * ```
 */
export function parseLimit(
  limits: string,
  name: string,
): { soft: number; hard: number } | undefined {
  const line = limits.split("\n").find((l) => l.startsWith(name));
  const m = line && /\s(\S+)\s+(\S+)\s+\S*\s*$/.exec(line.slice(name.length));
  if (!m) return undefined;
  const num = (s: string) => (s === "unlimited" ? Infinity : Number(s));
  return { soft: num(m[1]), hard: num(m[2]) };
}

/** Deno raises the soft fd limit to the hard one at start, so the hard limit is what counts. */
export function checkFileDescriptors(limits: string, clients: number): CheckResult {
  const need = clients * FDS_PER_CLIENT + FD_MARGIN;
  const limit = parseLimit(limits, "Max open files");
  if (!limit) return { name: "file_descriptors", status: "warn", detail: "limit unreadable" };
  const have = Math.max(limit.soft, limit.hard);
  return have >= need
    ? { name: "file_descriptors", status: "ok", detail: `${have} available (need ${need})` }
    : {
      name: "file_descriptors",
      status: "fail",
      detail: `${have} available, need ${need} for ${clients} clients`,
      fix: `raise the hard limit: ulimit -Hn ${need} (systemd: LimitNOFILE=${need})`,
    };
}

export function checkProcesses(limits: string, clients: number): CheckResult {
  const need = clients + 50;
  const limit = parseLimit(limits, "Max processes");
  if (!limit) return { name: "process_limit", status: "warn", detail: "limit unreadable" };
  return limit.soft >= need
    ? { name: "process_limit", status: "ok", detail: `${limit.soft} available (need ${need})` }
    : {
      name: "process_limit",
      status: "fail",
      detail: `${limit.soft} processes allowed, need ${need}`,
      fix: `ulimit -u ${need} (systemd: LimitNPROC=${need})`,
    };
}

export function checkFfmpeg(caps: FfmpegCapabilities, streamUrl: string): CheckResult {
  const notes = [
    caps.datetimeLogFlag ? "datetime log flag" : "no datetime log flag (lines timed on arrival)",
    caps.segMaxRetry ? "-seg_max_retry" : "no -seg_max_retry (option left out)",
  ];
  const scheme = streamUrl ? new URL(streamUrl).protocol.slice(0, -1) : "";
  if (scheme && !caps.inputProtocols.includes(scheme)) {
    return {
      name: "ffmpeg",
      status: "fail",
      detail: `FFmpeg ${caps.version} has no "${scheme}" input protocol`,
      fix: "install an FFmpeg built with TLS (e.g. Debian's ffmpeg) or use http://",
    };
  }
  return { name: "ffmpeg", status: "ok", detail: `${caps.version}: ${notes.join(", ")}` };
}

export function checkEphemeralPorts(range: string, clients: number): CheckResult {
  const [low, high] = range.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    return { name: "ephemeral_ports", status: "warn", detail: "port range unreadable" };
  }
  const have = high - low + 1;
  const need = clients * 4;
  return have >= need
    ? { name: "ephemeral_ports", status: "ok", detail: `${have} available (need ${need})` }
    : {
      name: "ephemeral_ports",
      status: "warn",
      detail: `${have} local ports, ${clients} clients may need ${need}`,
      fix: 'sysctl -w net.ipv4.ip_local_port_range="1024 65535"',
    };
}

export function checkDeathSignal(available: boolean, fanin = false): CheckResult {
  if (fanin) {
    return {
      name: "orphan_guard",
      status: "ok",
      detail: "hls-swarm-fanin starts FFmpeg with a parent-death SIGKILL and has one itself",
    };
  }
  return available
    ? { name: "orphan_guard", status: "ok", detail: "setpriv --pdeathsig KILL wraps FFmpeg" }
    : {
      name: "orphan_guard",
      status: "warn",
      detail: "setpriv --pdeathsig unavailable: FFmpeg may outlive a SIGKILLed hls-swarm",
      fix: "install util-linux (setpriv)",
    };
}
