/**
 * The files `hls-swarm k8s run` writes are its user's alone (mode 0600): manifests.yaml holds
 * the run's Secret in clear text, and the shard logs and summaries describe the target. A
 * mode given to `Deno.writeTextFile` only applies to a file it creates, so an existing file is
 * narrowed first, before the new text is in it.
 * @module
 */

/** Owner read and write, nobody else anything. */
export const PRIVATE_MODE = 0o600;

/**
 * Narrows `path` to {@linkcode PRIVATE_MODE} if it exists; a missing file is not an error.
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
 * Writes `text` to `path` with mode 0600, whether or not the file was there.
 *
 * @example
 * ```ts
 * await writePrivateTextFile("run-1/manifests.yaml", yaml);
 * ```
 */
export async function writePrivateTextFile(path: string, text: string): Promise<void> {
  await makePrivate(path);
  await Deno.writeTextFile(path, text, { mode: PRIVATE_MODE });
}
