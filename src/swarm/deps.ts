/**
 * What a swarm run uses from the outside world, injected so tests can replace any of it.
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log/logger.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import type { CommandRunner } from "../process/command_runner.ts";
import type { ClientSpawner } from "../lines/transport.ts";
import type { TlsSetup } from "../process/tls.ts";

/** Everything a swarm run uses from the outside world. */
export interface SwarmDeps {
  clock: Clock;
  /** Starts and reads the clients of a partition on this thread. */
  spawner: ClientSpawner;
  /** The native fan-in each worker starts for its clients, or null to read pipes in Deno. */
  faninPath: string | null;
  runCommand: CommandRunner;
  readTextFile(path: string): Promise<string>;
  fetch: typeof fetch;
  log: Logger;
  caps: FfmpegCapabilities;
  /** Whether the spawner wraps FFmpeg with a parent-death signal. */
  deathSignal: boolean;
  /** Seeds ramp and backoff jitter; fixed in tests for reproducible runs. */
  seed: number;
  /** Period of the one-line progress log; 0 turns it off (the dashboard shows progress). */
  progressLogMs: number;
  /** How certificates are verified (clients, probe, preflight). */
  tls: TlsSetup;
  /** Writes a line a person must see on stderr, besides the log (preflight's warnings). */
  notice?(line: string): void;
  /**
   * The program's entry module, which runs a partition when started as a worker; without it the
   * clients run on this thread.
   */
  workerEntry?: string;
}
