/**
 * The fan-in a compiled hls-swarm carries (`make compile` embeds it with `deno compile
 * --include`), written out where it can run. A file inside deno compile's virtual file system
 * can be read but not executed, so at start the binary writes the helper once to a private
 * folder, named by its SHA-256, and runs it from there. A later start finds it there and checks
 * it instead of writing it again.
 *
 * Safety, because the folder may be under a shared /tmp: the folder must be a real directory
 * owned by this user and not writable by group or others (one someone else made first is
 * refused, not used); the helper is written to a temporary name, made 0500 and renamed, and its
 * hash is checked before every use, a reused file's too (a file that differs is replaced).
 * @module
 */

/** The helper's name; `make native` builds it into build/. */
export const FANIN_NAME = "hls-swarm-fanin";

/**
 * Where `make compile` puts the fan-in it embeds for a target, relative to the repository (and
 * so to the compiled program's virtual root): `<dir>/<target>/hls-swarm-fanin`, with its
 * SHA-256 (hex) in `hls-swarm-fanin.sha256` beside it.
 */
export const EMBED_DIR = "build/compile";

/** The helper's bytes and the SHA-256 they must have. */
export interface FaninSource {
  /** Where the bytes come from, for messages. */
  name: string;
  /** The expected SHA-256, lowercase hex. */
  sha256: string;
  bytes(): Promise<Uint8Array>;
}

/** Where the helper may be written. */
export interface ExtractPlaces {
  /** `$XDG_RUNTIME_DIR`, tried first when set: a per-user tmpfs on systemd machines. */
  runtimeDir?: string;
  /** The temporary folder (`$TMPDIR` or /tmp): a private `hls-swarm-<uid>` folder under it. */
  tmpDir: string;
  /** The user the folders and the file must belong to. */
  uid: number;
}

/** The helper written (or found) and checked, or why it could not be. */
export type Extraction =
  | { path: string; wrote: boolean; notes: string[] }
  | { path: null; reason: string };

/**
 * The embedded fan-in of a compiled program for `target`, or null when the program carries none.
 * The path is resolved from `mainModule` (src/main.ts inside the virtual file system).
 *
 * @example
 * ```ts
 * const source = await embeddedFanin(Deno.mainModule, Deno.build.target);
 * source?.sha256; // "3f1c…"
 * ```
 */
export function embeddedFanin(mainModule: string, target: string): Promise<FaninSource | null> {
  return faninFileSource(new URL(`../${EMBED_DIR}/${target}/${FANIN_NAME}`, mainModule).pathname);
}

/**
 * The helper in the file at `path`, with its expected SHA-256 read from `<path>.sha256` (as
 * `sha256sum` writes it); null when that file is missing.
 *
 * @example
 * ```ts
 * const source = await faninFileSource("build/compile/x86_64-unknown-linux-gnu/hls-swarm-fanin");
 * ```
 */
export async function faninFileSource(path: string): Promise<FaninSource | null> {
  let sha256: string;
  try {
    sha256 = (await Deno.readTextFile(`${path}.sha256`)).trim().split(/\s/)[0].toLowerCase();
  } catch {
    return null;
  }
  return { name: path, sha256, bytes: () => Deno.readFile(path) };
}

/**
 * The places of this process: `$XDG_RUNTIME_DIR`, `$TMPDIR` or /tmp, and its user.
 *
 * @example
 * ```ts
 * extractPlaces({ TMPDIR: "/scratch" }, 1000); // { tmpDir: "/scratch", uid: 1000 }
 * ```
 */
export function extractPlaces(env: Record<string, string | undefined>, uid: number): ExtractPlaces {
  return { runtimeDir: env.XDG_RUNTIME_DIR || undefined, tmpDir: env.TMPDIR || "/tmp", uid };
}

/**
 * Writes the helper of `source` to the first private place that works, or finds it there from an
 * earlier start, and checks its hash. Never throws: a place that cannot be used is a reason.
 *
 * @example Not run: it needs the fan-in's bytes embedded in a compiled hls-swarm
 * ```ts ignore
 * const got = await extractFanin(source, extractPlaces(Deno.env.toObject(), Deno.uid()));
 * if (got.path) startFanin({ path: got.path, clock, log });
 * else log.warn("line_reader_fallback", { reason: got.reason });
 * ```
 */
export async function extractFanin(
  source: FaninSource,
  places: ExtractPlaces,
): Promise<Extraction> {
  let bytes: Uint8Array;
  try {
    bytes = await source.bytes();
  } catch (e) {
    return { path: null, reason: `cannot read the embedded ${source.name}: ${message(e)}` };
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== source.sha256) {
    return {
      path: null,
      reason: `the embedded ${source.name} has SHA-256 ${sha256}, not ${source.sha256} (a ` +
        "damaged build)",
    };
  }
  const refused: string[] = [];
  const folders: { dir: string; parent?: string }[] = [];
  if (places.runtimeDir) {
    folders.push({ dir: `${places.runtimeDir}/hls-swarm`, parent: places.runtimeDir });
  } else refused.push("XDG_RUNTIME_DIR is not set");
  folders.push({ dir: `${places.tmpDir}/hls-swarm-${places.uid}` });
  for (const { dir, parent } of folders) {
    const unsafe = (parent && await unsafeFolder(parent, places.uid, false)) ||
      await unsafeFolder(dir, places.uid, true);
    if (unsafe) {
      refused.push(unsafe);
      continue;
    }
    const got = await place(`${dir}/${FANIN_NAME}-${sha256}`, bytes, sha256, places.uid);
    if (typeof got === "string") refused.push(got);
    else return { ...got, notes: [...refused, ...got.notes] };
  }
  return {
    path: null,
    reason: `no private place to write ${FANIN_NAME} to: ${refused.join("; ")}`,
  };
}

/** Why `dir` may not hold the helper, or null when it may (made first when `create`). */
async function unsafeFolder(dir: string, uid: number, create: boolean): Promise<string | null> {
  if (create) {
    try {
      await Deno.mkdir(dir, { mode: 0o700 });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) return `cannot create ${dir}: ${message(e)}`;
    }
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(dir);
  } catch (e) {
    return `${dir}: ${message(e)}`;
  }
  if (!info.isDirectory) {
    return `${dir} is not a directory${info.isSymlink ? " (a symbolic link)" : ""}: refused`;
  }
  if (info.uid !== uid) return `${dir} is owned by uid ${info.uid}, not ${uid}: refused`;
  const mode = (info.mode ?? 0) & 0o7777;
  if (mode & 0o022) {
    return `${dir} is writable by group or others (mode ${mode.toString(8)}): refused`;
  }
  return null;
}

/** The helper at `path`: kept when it checks out, else (re)written. A reason when it fails. */
async function place(
  path: string,
  bytes: Uint8Array,
  sha256: string,
  uid: number,
): Promise<{ path: string; wrote: boolean; notes: string[] } | string> {
  const found = await check(path, sha256, uid);
  if (found === null) return { path, wrote: false, notes: [] };
  const notes = found === "missing" ? [] : [`${path} ${found}: replaced`];
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeFile(tmp, bytes, { createNew: true, mode: 0o700 });
    await Deno.chmod(tmp, 0o500); // the mode given at creation is narrowed by the umask
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    return `cannot write ${path}: ${message(e)}`;
  }
  const written = await check(path, sha256, uid);
  if (written !== null) return `${path} ${written} after it was written`;
  return { path, wrote: true, notes };
}

/** Null when the file at `path` is the helper as it must be, else what is wrong with it. */
async function check(path: string, sha256: string, uid: number): Promise<string | null> {
  let file: Deno.FsFile;
  try {
    if ((await Deno.lstat(path)).isSymlink) return "is a symbolic link";
    // Checked through the file opened, not the name looked up again.
    file = await Deno.open(path, { read: true });
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? "missing" : `cannot be read (${message(e)})`;
  }
  try {
    const info = await file.stat();
    const mode = (info.mode ?? 0) & 0o7777;
    if (!info.isFile) return "is not a regular file";
    if (info.uid !== uid) return `is owned by uid ${info.uid}, not ${uid}`;
    if (mode !== 0o500) return `has mode ${mode.toString(8)}, not 500`;
    const got = await sha256Hex(new Uint8Array(await new Response(file.readable).arrayBuffer()));
    return got === sha256 ? null : `has SHA-256 ${got}, not ${sha256}`;
  } finally {
    try {
      file.close();
    } catch {
      // Closed by reading it to the end.
    }
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
