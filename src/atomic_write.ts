/**
 * Output files that are either the old version or the whole new one, never a cut one, and that
 * never write through a symlink planted at their path.
 *
 * The bytes go to a fresh temp file in the target's own folder (same file system, so the rename
 * is atomic), opened with `createNew` (O_CREAT|O_EXCL: it fails on anything already there,
 * symlinks included, so nothing is followed), are fsynced, and the temp file is then renamed over
 * the target. rename(2) replaces a symlink at the target itself; it does not follow it.
 * @module
 */

/** Options for {@linkcode writeTextFileAtomic} and {@linkcode openAtomicFile}. */
export interface AtomicWriteOptions {
  /**
   * The new file's permission bits, masked by the umask like open(2) (so never wider than asked:
   * 0o600 stays private). Default: 0o666 & ~umask.
   */
  mode?: number;
}

/** A file being written in place of another: {@linkcode AtomicFile.commit} publishes it. */
export interface AtomicFile {
  /** The open temp file; write to it (sync or async). */
  readonly file: Deno.FsFile;
  /** The temp file's path (beside the target). */
  readonly tempPath: string;
  /** Flushes to disk, closes and renames the temp file over the target. */
  commit(): Promise<void>;
  /** {@linkcode AtomicFile.commit}, synchronously: for a writer whose close() is synchronous. */
  commitSync(): void;
  /** Closes and removes the temp file; the target is untouched. Safe to call after commit. */
  abort(): Promise<void>;
}

const TEMP_TRIES = 8;

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return { dir: ".", base: path };
  return { dir: slash === 0 ? "/" : path.slice(0, slash), base: path.slice(slash + 1) };
}

/** `.NAME.RANDOM.tmp` beside the target: hidden, and unique enough that createNew rarely retries. */
function tempName(path: string): string {
  const { dir, base } = splitPath(path);
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  return `${dir === "/" ? "" : dir}/.${base}.${random}.tmp`;
}

/**
 * Opens a temp file beside `path` for writing; nothing at `path` changes until `commit()`.
 * A crash before `commit()` leaves the old file whole (and a `.NAME.*.tmp` beside it).
 *
 * @example
 * ```ts
 * const path = `${await Deno.makeTempDir()}/timeline.csv`;
 * const out = await openAtomicFile(path);
 * try {
 *   await out.file.write(new TextEncoder().encode("t,event\n"));
 *   await out.commit();
 * } finally {
 *   await out.abort();
 * }
 * ```
 */
export async function openAtomicFile(
  path: string,
  opts: AtomicWriteOptions = {},
): Promise<AtomicFile> {
  if (path === "" || path.endsWith("/")) throw new Error(`not a file path: "${path}"`);
  let file: Deno.FsFile | undefined;
  let tempPath = "";
  for (let i = 0; file === undefined; i++) {
    tempPath = tempName(path);
    try {
      file = await Deno.open(tempPath, {
        write: true,
        createNew: true,
        ...(opts.mode === undefined ? {} : { mode: opts.mode }),
      });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists) || i + 1 >= TEMP_TRIES) throw e;
    }
  }
  const opened = file;
  let state: "open" | "committed" | "aborted" = "open";
  return {
    file: opened,
    tempPath,
    async commit() {
      if (state !== "open") throw new Error(`${path}: already ${state}`);
      await opened.sync();
      opened.close();
      state = "committed";
      try {
        await Deno.rename(tempPath, path);
      } catch (e) {
        await Deno.remove(tempPath).catch(() => {});
        throw e;
      }
      await syncDir(splitPath(path).dir);
    },
    commitSync() {
      if (state !== "open") throw new Error(`${path}: already ${state}`);
      opened.syncSync();
      opened.close();
      state = "committed";
      try {
        Deno.renameSync(tempPath, path);
      } catch (e) {
        try {
          Deno.removeSync(tempPath);
        } catch { /* already gone */ }
        throw e;
      }
      syncDirSync(splitPath(path).dir);
    },
    async abort() {
      if (state !== "open") return;
      state = "aborted";
      opened.close();
      await Deno.remove(tempPath).catch(() => {});
    },
  };
}

/** The rename is durable once the folder is flushed; a folder that cannot be opened is skipped. */
async function syncDir(dir: string): Promise<void> {
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the file itself is already flushed.
  } finally {
    handle?.close();
  }
}

function syncDirSync(dir: string): void {
  let handle: Deno.FsFile | undefined;
  try {
    handle = Deno.openSync(dir, { read: true });
    handle.syncSync();
  } catch {
    // As in syncDir.
  } finally {
    handle?.close();
  }
}

/**
 * Writes `text` to `path` atomically: readers (and a later `merge`) see the old file or the whole
 * new one; a symlink at `path` is replaced, never written through.
 *
 * @example
 * ```ts
 * const dir = await Deno.makeTempDir();
 * await writeTextFileAtomic(`${dir}/summary.json`, JSON.stringify({ ok: true }) + "\n");
 * await writeTextFileAtomic(`${dir}/secret.yaml`, "token: x\n", { mode: 0o600 });
 * ```
 */
export async function writeTextFileAtomic(
  path: string,
  text: string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const out = await openAtomicFile(path, opts);
  try {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += await out.file.write(bytes.subarray(written));
    await out.commit();
  } finally {
    await out.abort();
  }
}
