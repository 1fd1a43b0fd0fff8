/**
 * Secrets stay out of everything hls-swarm writes: the values of credential headers
 * (Authorization, Cookie, Proxy-Authorization and any `--redact-header NAME`), URL query
 * strings (signed URLs carry their tokens there) and URL user info become `<redacted>` in logs,
 * the log file, the summary (text, JSON, summary line), /metrics, the dashboard and the request
 * log. Only `--print-cmd` prints them, since it exists to be pasted, and it warns.
 *
 * Redaction works on values before they are formatted (a JSON escape could hide a secret from a
 * search), by two rules: every known secret value is replaced wherever it appears (FFmpeg
 * echoes request headers at trace level), and every URL or path with a query loses the query.
 * @module
 */
import { headerSecrets, urlSecrets } from "./extract.ts";

/** What a secret becomes. */
export const REDACTED = "<redacted>";

/** Headers whose values are always secret. */
export const CREDENTIAL_HEADERS: readonly string[] = [
  "authorization",
  "cookie",
  "proxy-authorization",
];

/** A path or URL followed by a query: the query goes. */
const QUERY = /((?:https?:\/\/[^\s/?#"'<>]*)?\/[^\s?#"'<>]*)\?[^\s#"'<>]+/g;
/** User info in a URL: `https://user:pass@host`. */
const USERINFO = /(https?:\/\/)[^\s/@"'<>]+@/g;

/**
 * Replaces secrets in text and in any JSON-like value.
 *
 * @example
 * ```ts
 * const r = new Redactor(["s3cr3t"], ["authorization"]);
 * r.text("GET /a.m3u8?token=s3cr3t"); // "GET /a.m3u8?<redacted>"
 * r.text("Authorization: Bearer s3cr3t"); // "Authorization: <redacted>"
 * ```
 */
export class Redactor {
  readonly #secrets: string[];
  readonly #names: string[];
  readonly #headerLine: RegExp;

  constructor(secrets: readonly string[], headerNames: readonly string[]) {
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) =>
      b.length - a.length
    );
    this.#names = [...new Set([...CREDENTIAL_HEADERS, ...headerNames.map((h) => h.toLowerCase())])];
    const names = this.#names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.#headerLine = new RegExp(`\\b(${names.join("|")})(\\s*[:=]\\s*)[^\\r\\n"']+`, "gi");
  }

  /** `text` with every secret replaced. */
  text(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.replaceAll(s, REDACTED);
    return out
      .replace(this.#headerLine, `$1$2${REDACTED}`)
      .replace(USERINFO, `$1${REDACTED}@`)
      .replace(QUERY, `$1?${REDACTED}`);
  }

  /** A deep copy of `value` with every string redacted. */
  value<T>(value: T): T {
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.value(v)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.value(v)]),
      ) as T;
    }
    return value;
  }

  /**
   * A redactor that hides what this one and `other` hide: the raw inputs' secrets (known
   * before the config loads) together with the loaded config's.
   *
   * @example
   * ```ts
   * const both = new Redactor(["abcdef"], []).merge(new Redactor(["ghijkl"], ["x-key"]));
   * both.text("abcdef ghijkl X-Key: v"); // "<redacted> <redacted> X-Key: <redacted>"
   * ```
   */
  merge(other: Redactor): Redactor {
    return new Redactor([...this.#secrets, ...other.#secrets], [...this.#names, ...other.#names]);
  }

  /** Whether `text` holds anything this redactor would hide. */
  holdsSecrets(text: string): boolean {
    return this.text(text) !== text;
  }
}

/**
 * The redactor of a run: the values of its credential headers and `--redact-header`s, and the
 * query and user info of its stream URL and origin-metrics URLs.
 *
 * @example
 * ```ts
 * const r = redactorFor({ headers: ["Authorization: Bearer x1y2"], redactHeaders: [],
 *   streamUrl: "https://cdn/a.m3u8?sig=abc" });
 * ```
 */
export function redactorFor(config: {
  headers: readonly string[];
  redactHeaders: readonly string[];
  streamUrl: string;
  originMetrics?: { nodeUrl?: string; nginxUrl?: string } | null;
}): Redactor {
  const names = secretHeaderNames(config.redactHeaders);
  const urls = [config.streamUrl, config.originMetrics?.nodeUrl, config.originMetrics?.nginxUrl];
  return new Redactor([
    ...headerSecrets(config.headers, names),
    ...urls.flatMap((u) => u ? urlSecrets(u) : []),
  ], names);
}

/**
 * `text` (a URL, valid or not) with its user info and query replaced: safe to quote in an
 * error message.
 *
 * @example
 * ```ts
 * safeUrl("http://u:p4ss@h:99999/x?sig=abc"); // "http://<redacted>@h:99999/x?<redacted>"
 * ```
 */
export function safeUrl(text: string): string {
  return new Redactor(urlSecrets(text), []).text(text)
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, `$1${REDACTED}@`);
}

/**
 * The header names whose values are secret, lower case: the credential headers and `extra`.
 *
 * @example
 * ```ts
 * secretHeaderNames(["X-Api-Key"]); // ["authorization", "cookie", "proxy-authorization", "x-api-key"]
 * ```
 */
export function secretHeaderNames(extra: readonly string[]): string[] {
  const names = [...CREDENTIAL_HEADERS, ...extra.map((h) => h.trim().toLowerCase())];
  return [...new Set(names)].filter(Boolean);
}
