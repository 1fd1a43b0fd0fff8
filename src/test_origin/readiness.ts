/**
 * Waiting until the generator has published enough of the stream for viewers to start.
 *
 * @module
 */

/**
 * Thrown by {@linkcode waitForStreamReady} when the stream is not ready in time.
 *
 * @example
 * ```ts
 * import { StreamNotReadyError } from "./readiness.ts";
 * const error = new StreamNotReadyError("stream not ready after 20.0 s: stream.m3u8 missing");
 * error instanceof Error; // true
 * ```
 */
export class StreamNotReadyError extends Error {
  /** Creates the error with a message saying what is missing. */
  constructor(message: string) {
    super(message);
    this.name = "StreamNotReadyError";
  }
}

/** What {@linkcode waitForStreamReady} waits for and when it gives up. */
export interface StreamReadyOptions {
  /** Stream directory. */
  dir: string;
  /** Playlist that must exist (the one handed to clients), relative to `dir`. */
  entryPlaylist: string;
  /** Media playlists that must each list at least `minSegments` segments. */
  mediaPlaylists: string[];
  /** Segments each media playlist needs before the stream counts as ready. */
  minSegments: number;
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Poll interval in milliseconds (default 100). */
  pollMs?: number;
  /** Checked on every poll; a returned error ends the wait with it (e.g. generator died). */
  failure?: () => Error | undefined;
  /** Ends the wait early with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Number of media segment URIs in a playlist (non-empty lines that are not tags).
 *
 * @example
 * ```ts
 * import { countPlaylistSegments } from "./readiness.ts";
 * countPlaylistSegments("#EXTM3U\n#EXTINF:2.0,\nseg00000.ts\n#EXTINF:2.0,\nseg00001.ts\n"); // 2
 * ```
 */
export function countPlaylistSegments(playlist: string): number {
  return playlist.split(/\r?\n/)
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .length;
}

/**
 * Resolves once the entry playlist exists and every media playlist lists `minSegments`
 * segments; rejects on timeout with a {@linkcode StreamNotReadyError} saying what is missing, on `failure()` or on abort.
 *
 * @example Not run: it waits for a generator writing a stream into /tmp/origin
 * ```ts ignore
 * import { waitForStreamReady } from "./readiness.ts";
 * await waitForStreamReady({
 *   dir: "/tmp/origin", entryPlaylist: "stream.m3u8", mediaPlaylists: ["stream.m3u8"],
 *   minSegments: 2, timeoutMs: 20_000,
 * });
 * ```
 */
export async function waitForStreamReady(opts: StreamReadyOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 100;
  for (;;) {
    opts.signal?.throwIfAborted();
    const failure = opts.failure?.();
    if (failure !== undefined) throw failure;
    const missing = await describeMissing(opts);
    if (missing === undefined) return;
    if (Date.now() >= deadline) {
      throw new StreamNotReadyError(
        `stream not ready after ${(opts.timeoutMs / 1000).toFixed(1)} s: ${missing}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** What the stream still lacks, or `undefined` when it is ready. */
async function describeMissing(opts: StreamReadyOptions): Promise<string | undefined> {
  if (!(await readTextIfExists(`${opts.dir}/${opts.entryPlaylist}`))) {
    return `${opts.entryPlaylist} not written yet`;
  }
  for (const playlist of opts.mediaPlaylists) {
    const text = await readTextIfExists(`${opts.dir}/${playlist}`);
    const segments = text === undefined ? 0 : countPlaylistSegments(text);
    if (segments < opts.minSegments) {
      return `${playlist} lists ${segments} of ${opts.minSegments} segments`;
    }
  }
  return undefined;
}

async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
