/**
 * Counts what happened to the swarm's processes: starts, restarts, exits by code and cause,
 * uptimes, and how many clients are running now and at most.
 * @module
 */
import type { ClientExit, ClientState } from "../client/supervisor.ts";

/** Exits grouped by exit code and by why hls-swarm asked for them (null: it did not). */
export interface ExitCount {
  code: number;
  requested: boolean;
  reason: string | null;
  count: number;
}

/**
 * The label people read next to an exit code. FFmpeg exits 255 when a signal stops it.
 *
 * @example
 * ```ts
 * exitLabel(255, true); // "stopped by hls-swarm (SIGTERM)"
 * exitLabel(255, true, "stalled"); // "restarted by hls-swarm (stalled)"
 * exitLabel(1, false);  // "error"
 * ```
 */
export function exitLabel(code: number, requested: boolean, reason: string | null = null): string {
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

/**
 * Lifecycle counters for the whole swarm.
 *
 * @example
 * ```ts
 * const life = new LifecycleStats(20);
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
  peakRunning = 0;
  readonly uptimesMs: number[] = [];
  #exits = new Map<string, ExitCount>();
  #states = new Map<number, ClientState>();
  #withMedia = new Set<number>();

  constructor(readonly targetClients: number) {}

  /** Tracks state transitions; running counts clients whose FFmpeg is running now. */
  onState(clientId: number, state: ClientState): void {
    const before = this.#states.get(clientId);
    this.#states.set(clientId, state);
    if (before === "running") this.running--;
    if (state === "running") {
      this.running++;
      this.peakRunning = Math.max(this.peakRunning, this.running);
    }
  }

  onStart(restart: boolean): void {
    this.starts++;
    if (restart) this.restarts++;
  }

  onExit(exit: ClientExit): void {
    this.uptimesMs.push(exit.uptimeMs);
    this.truncatedLines += exit.truncatedLines;
    const key = `${exit.code}:${exit.reason}`;
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
    return [...this.#exits.values()].sort((a, b) =>
      a.code - b.code || Number(b.requested) - Number(a.requested)
    );
  }

  /** Exits that hls-swarm did not ask for. */
  get unexpectedExits(): number {
    return this.exits().filter((e) => !e.requested).reduce((n, e) => n + e.count, 0);
  }
}

/**
 * The p-th percentile (0–100) of `values` by nearest rank; NaN when empty.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
