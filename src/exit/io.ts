/**
 * The process-level things a command touches, passed in so tests can run commands in-process.
 * @module
 */

/** Environment, output streams and whether they are terminals. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTerminal: boolean;
  stderrIsTerminal: boolean;
  /** The entry module, to start shard workers from (none: clients run on the main thread). */
  workerEntry?: string;
}
