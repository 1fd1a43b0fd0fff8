/**
 * The files `hls-swarm k8s run` writes are its user's alone (mode 0600): manifests.yaml holds
 * the run's Secret in clear text, and the shard logs and summaries describe the target. They
 * are written atomically (src/atomic_write.ts): a temp file created with mode 0600 is renamed
 * over the target, so an older world-readable file at the path is replaced, not reused, and the
 * text never sits in a file anyone else can read.
 * @module
 */
import { writeTextFileAtomic } from "../atomic_write.ts";

/** Owner read and write, nobody else anything. */
export const PRIVATE_MODE = 0o600;

/**
 * Narrows `path` to {@linkcode PRIVATE_MODE} if it exists (a file another wrote, such as
 * merge's --summary-json); a missing file is not an error.
 *
 * @example
 * ```ts
 * await makePrivate("run-1/summary.json");
 * ```
 */
export async function makePrivate(path: string): Promise<void> {
  try {
    await Deno.chmod(path, PRIVATE_MODE);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Writes `text` to `path` with mode 0600, whether or not a file was there.
 *
 * @example Not run: it writes a file
 * ```ts ignore
 * await writePrivateTextFile("run-1/manifests.yaml", yaml);
 * ```
 */
export function writePrivateTextFile(path: string, text: string): Promise<void> {
  return writeTextFileAtomic(path, text, { mode: PRIVATE_MODE });
}
