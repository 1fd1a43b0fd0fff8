/**
 * TLS verification, on by default: https clients verify the origin's certificate against the
 * system CA bundle, plus a private CA from `--ca-file`; `--dangerous` (`--insecure`) turns
 * verification off for clients, probe and preflight alike, and the summary says so.
 *
 * FFmpeg does not verify unless told to (`tls_verify` defaults to 0 up to 7.1), so every https
 * client gets `-tls_verify 1 -ca_file BUNDLE`. FFmpeg takes one CA file, so a private CA is
 * appended to a copy of the system bundle. One limit of FFmpeg itself: its HLS demuxer passes
 * neither option on to the connections it opens later (segments, playlist reloads), so those
 * verify as FFmpeg's default has it (off up to 7.1, on with the system store from 9.0); the
 * first playlist connection of every client, preflight and the probe do verify.
 * @module
 */
import { EXIT, ExitError } from "../exit/codes.ts";

/** Where distributions keep the system CA bundle, most common first. */
const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/ssl/cert.pem",
];

/** How this run verifies certificates. */
export interface TlsSetup {
  verify: boolean;
  /** The CA file FFmpeg gets (-ca_file), or null (verification off, or no bundle found). */
  caFile: string | null;
  /** PEM certificates preflight trusts besides Deno's own roots (a --ca-file). */
  extraCaPem: string[];
  /** One line for the summary and the logs. */
  describe: string;
  /** Removes the combined bundle, if one was written. */
  cleanup(): Promise<void>;
}

/** A --ca-file that cannot be used. */
export class CaFileError extends ExitError {
  override name = "CaFileError";
  readonly exitCode = EXIT.usage;
}

/** What preparing TLS reads and writes. */
export interface TlsDeps {
  readTextFile(path: string): Promise<string>;
  /** Writes a private temp file and returns its path. */
  writeTempFile(text: string): Promise<string>;
  remove(path: string): Promise<void>;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Prepares TLS for a run. Throws a {@linkcode CaFileError} when `--ca-file` is unreadable or
 * holds no PEM certificate.
 *
 * @example Not run: it reads the system CA bundle and writes a temp file
 * ```ts ignore
 * const tls = await prepareTls({ dangerous: false, caFile: "/etc/my-ca.pem" }, denoTlsDeps());
 * tls.caFile; // a copy of the system bundle with my-ca.pem appended
 * ```
 */
export async function prepareTls(
  opts: { dangerous: boolean; caFile: string | null },
  deps: TlsDeps,
): Promise<TlsSetup> {
  const none = async () => {};
  if (opts.dangerous) {
    return {
      verify: false,
      caFile: null,
      extraCaPem: [],
      describe: "OFF (--dangerous): certificates are not verified",
      cleanup: none,
    };
  }
  let system: string | null = null;
  for (const path of [deps.env.SSL_CERT_FILE, ...SYSTEM_BUNDLES]) {
    if (!path) continue;
    if (await deps.readTextFile(path).then(() => true, () => false)) {
      system = path;
      break;
    }
  }
  if (!opts.caFile) {
    return {
      verify: true,
      caFile: system,
      extraCaPem: [],
      describe: system ? `verified against ${system}` : "verified (no system CA bundle found)",
      cleanup: none,
    };
  }
  let pem: string;
  try {
    pem = await deps.readTextFile(opts.caFile);
  } catch (e) {
    throw new CaFileError(`ca-file: cannot read "${opts.caFile}" (${(e as Error).message})`);
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem)) {
    throw new CaFileError(`ca-file: "${opts.caFile}" holds no PEM certificate`);
  }
  const base = system ? await deps.readTextFile(system) : "";
  const combined = await deps.writeTempFile(`${base.trimEnd()}\n${pem.trim()}\n`);
  return {
    verify: true,
    caFile: combined,
    extraCaPem: [pem],
    describe: `verified against ${system ?? "no system bundle"} and ${opts.caFile}`,
    cleanup: () => deps.remove(combined).catch(() => {}),
  };
}

/**
 * The FFmpeg (and ffprobe) arguments for `url` under `tls`; none for plain http.
 *
 * @example
 * ```ts
 * tlsArgs("https://cdn.example/a.m3u8", { verify: true, caFile: "/tmp/ca.pem" });
 * // ["-tls_verify", "1", "-ca_file", "/tmp/ca.pem"]
 * tlsArgs("http://cdn.example/a.m3u8", { verify: true, caFile: null }); // []
 * ```
 */
export function tlsArgs(url: string, tls: Pick<TlsSetup, "verify" | "caFile">): string[] {
  if (!url.startsWith("https:")) return [];
  if (!tls.verify) return ["-tls_verify", "0"];
  return ["-tls_verify", "1", ...(tls.caFile ? ["-ca_file", tls.caFile] : [])];
}

/**
 * The real file system for {@linkcode prepareTls}: the combined bundle goes to a private temp
 * file in /tmp, which a chroot'ed FFmpeg (tools/ffmpeg-matrix) sees at the same path.
 */
export function denoTlsDeps(env: Readonly<Record<string, string | undefined>>): TlsDeps {
  return {
    readTextFile: Deno.readTextFile,
    writeTempFile: async (text) => {
      const path = await Deno.makeTempFile({
        dir: "/tmp",
        prefix: "hls-swarm-ca-",
        suffix: ".pem",
      });
      await Deno.writeTextFile(path, text, { mode: 0o600 });
      return path;
    },
    remove: (path) => Deno.remove(path),
    env,
  };
}
