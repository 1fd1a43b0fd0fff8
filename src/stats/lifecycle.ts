/**
 * Counts what happened to a set of clients' processes: starts, restarts, exits by code and
 * cause, uptimes, which clients run now and which ever received media.
 * @module
 */
import type { ExitCount } from "./snapshot.ts";
import { Sketch } from "../math/sketch.ts";

/** Lifecycle states of a client. */
export type ClientState = "created" | "starting" | "running" | "backoff" | "stopped";

/** One ended FFmpeg run. */
export interface ClientExit {
  clientId: number;
  pid: number;
  code: number;
  signal: Deno.Signal | null;
  uptimeMs: number;
  /** True when hls-swarm asked the process to stop, false when it ended by itself. */
  requested: boolean;
  /**
   * Why hls-swarm asked: "shutdown" (the run's end), "leave" (the viewer's session is over, or
   * the audience's target fell), or a restart reason such as "stalled"; null if it did not.
   */
  reason: string | null;
  /** The last stderr lines, oldest first. */
  stderrTail: string[];
  /** Output lines longer than the line limit, kept truncated. */
  truncatedLines: number;
}

/**
 * Lifecycle counters.
 *
 * @example
 * ```ts
 * const life = new LifecycleStats();
 * life.onState(0, "running");
 * life.running; // 1
 * ```
 */
export class LifecycleStats {
  starts = 0;
  restarts = 0;
  spawnErrors = 0;
  /** FFmpeg output lines cut to the line limit (overlong, never fatal). */
  truncatedLines = 0;
  running = 0;
  /** Uptime of every ended FFmpeg run, in ms. */
  readonly uptimeMs = new Sketch();
  #exits = new Map<string, ExitCount>();
  #states = new Map<number, ClientState>();
  #withMedia = new Set<number>();

  /** Tracks state transitions; running counts clients whose FFmpeg is running now. */
  onState(clientId: number, state: ClientState): void {
    const before = this.#states.get(clientId);
    this.#states.set(clientId, state);
    if (before === "running") this.running--;
    if (state === "running") this.running++;
  }

  onStart(restart: boolean): void {
    this.starts++;
    if (restart) this.restarts++;
  }

  onExit(exit: ClientExit): void {
    this.uptimeMs.add(exit.uptimeMs);
    this.truncatedLines += exit.truncatedLines;
    const key = `${exit.code}:${exit.requested}:${exit.reason}`;
    const entry = this.#exits.get(key) ??
      { code: exit.code, requested: exit.requested, reason: exit.reason, count: 0 };
    entry.count++;
    this.#exits.set(key, entry);
  }

  /** Records that a client's FFmpeg decoded media (a progress block with frames). */
  onMedia(clientId: number): void {
    this.#withMedia.add(clientId);
  }

  /** Clients whose FFmpeg has received media at least once. */
  get clientsWithMedia(): number {
    return this.#withMedia.size;
  }

  /** Clients that have been started at least once (the ramp's progress). */
  get startedClients(): number {
    return this.#states.size;
  }

  /** Exit counts, sorted by code, hls-swarm's own stops first. */
  exits(): ExitCount[] {
    return [...this.#exits.values()].map((e) => ({ ...e })).sort((a, b) =>
      a.code - b.code || Number(b.requested) - Number(a.requested)
    );
  }
}

/**
 * The label people read next to an exit code. FFmpeg exits 255 when a signal stops it.
 *
 * @example
 * ```ts
 * exitLabel(255, true); // "stopped by hls-swarm (SIGTERM)"
 * exitLabel(255, true, "stalled"); // "restarted by hls-swarm (stalled)"
 * exitLabel(255, true, "leave"); // "left (the viewer's session ended)"
 * exitLabel(1, false);  // "error"
 * ```
 */
export function exitLabel(code: number, requested: boolean, reason: string | null = null): string {
  if (requested && reason === "leave") return "left (the viewer's session ended)";
  if (requested && reason !== null && reason !== "shutdown") {
    return `restarted by hls-swarm (${reason})`;
  }
  if (requested) {
    if (code === 137) return "killed by hls-swarm (SIGKILL after grace period)";
    return code === 0 ? "clean (stopped by hls-swarm)" : "stopped by hls-swarm (SIGTERM)";
  }
  if (code === 0) return "clean";
  if (code === 1) return "error";
  if (code === 137) return "SIGKILL";
  if (code === 143) return "SIGTERM";
  if (code === 255) return "interrupted";
  if (code > 128) return `signal ${code - 128}`;
  return "error";
}
