/**
 * What a partition is to the swarm, wherever it runs (this thread or a worker), and the messages
 * between the main thread and a partition's worker. Everything that crosses is plain data: a
 * worker is configured by value and reports snapshots, rows and log records.
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import type { LogFields } from "../log/logger.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import type { StreamMapping } from "../process/ffmpeg_args.ts";
import type { TlsSetup } from "../process/tls.ts";
import type { ClientRow } from "../stats/client_rows.ts";

/** A set of clients the swarm starts clients on and reads figures from. */
export interface PartitionHandle {
  /** Starts client `id` (a global id): the next session of that viewer slot. */
  start(id: number): void;
  /** Client `id`'s viewer leaves: its FFmpeg stops gracefully, not a failure, not restarted. */
  leave(id: number): void;
  /** Stops every client gracefully. */
  stop(): void;
  /** SIGKILL to every running FFmpeg now. */
  kill(): void;
  /** Resolves once stopped and every FFmpeg has exited (the final snapshot is in). */
  finished(): Promise<void>;
  /** The partition's figures, as of its last report. */
  snapshot(): Snapshot;
  /** Its `limit` worst clients (all by default). */
  clientRows(limit?: number): ClientRow[];
}

/** The name of a partition worker: the entry module starts the worker side when it sees it. */
export const PARTITION_WORKER_NAME = "hls-swarm-partition";

/** Everything a worker needs to run its share of the clients. */
export interface WorkerInit {
  config: SwarmConfig;
  caps: FfmpegCapabilities;
  mapping: StreamMapping;
  tls: Omit<TlsSetup, "cleanup">;
  deathSignal: boolean;
  /** The native fan-in to read clients with, or null for Deno's pipes. */
  faninPath: string | null;
  seed: number;
  /** Clients this partition will run. */
  targetClients: number;
  /** Rows of its worst clients per report; Infinity with per-client metrics. */
  rows: number;
}

/** Main thread → worker. */
export type ToWorker =
  | { type: "init"; init: WorkerInit }
  | { type: "start"; id: number }
  | { type: "leave"; id: number }
  | { type: "stop" }
  | { type: "kill" };

/** Worker → main thread. */
export type FromWorker =
  | { type: "report"; snapshot: Snapshot; rows: ClientRow[]; final: boolean }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; msg: string; fields?: LogFields }
  | { type: "error"; message: string };
