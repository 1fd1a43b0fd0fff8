/**
 * Tolerant extraction of secret values from raw inputs: URLs that may not parse, header lines
 * that may have no colon. The config loader has not validated anything yet when these run (its
 * own error messages must already be redacted), so nothing here may assume well-formed input:
 * a URL `new URL` rejects still gives up its user info and query.
 * @module
 */

/** Query values shorter than this are left alone (`?v=1` would redact every "1"). */
const MIN_QUERY_VALUE = 6;
/** Header value words at least this long are secrets of their own (a Bearer token's token). */
const MIN_HEADER_WORD = 8;

/**
 * The secrets of every URL-like part of `text`, whether it parses or not: the user info (whole,
 * and its password, raw and percent-decoded), the query (whole, and each value of
 * {@linkcode MIN_QUERY_VALUE} or more characters, raw and decoded).
 *
 * @example
 * ```ts
 * urlSecrets("http://bob:pa ss@host:99999/a.m3u8?token=abcdef12&v=1");
 * // ["bob:pa ss", "pa ss", "token=abcdef12&v=1", "abcdef12"]
 * ```
 */
export function urlSecrets(text: string): string[] {
  const secrets: string[] = [];
  // A scheme marker starts a URL; it runs to the next whitespace or quote.
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\s"'<>]*)/gi)) {
    const rest = m[1];
    const end = rest.search(/[/?#]/);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const at = authority.lastIndexOf("@");
    if (at > 0) {
      const info = authority.slice(0, at);
      const colon = info.indexOf(":");
      secrets.push(info);
      if (colon >= 0) secrets.push(...decoded(info.slice(colon + 1)));
    }
  }
  // A query belongs to a URL or a path; `text` may be a bare path.
  for (const m of text.matchAll(/\?([^\s#"'<>]+)/g)) {
    secrets.push(m[1]);
    for (const pair of m[1].split("&")) {
      const eq = pair.indexOf("=");
      const value = eq < 0 ? pair : pair.slice(eq + 1);
      if (value.length >= MIN_QUERY_VALUE) secrets.push(...decoded(value));
    }
  }
  return [...new Set(secrets.filter((s) => s.length > 0))];
}

/**
 * The secret values in header lines: the value of each line whose name is in `names` (lower
 * case), and its words of {@linkcode MIN_HEADER_WORD} or more characters; a line with no `:`
 * cannot be told apart from a bare token, so all of it is secret.
 *
 * @example
 * ```ts
 * headerSecrets(["Authorization: Bearer abcdefgh12", "X-Plain: hi", "tok3n-no-colon"],
 *   ["authorization"]);
 * // ["Bearer abcdefgh12", "abcdefgh12", "tok3n-no-colon"]
 * ```
 */
export function headerSecrets(lines: readonly string[], names: readonly string[]): string[] {
  const secrets: string[] = [];
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i < 0) {
      if (line.trim()) secrets.push(line.trim());
      continue;
    }
    if (!names.includes(line.slice(0, i).trim().toLowerCase())) continue;
    const value = line.slice(i + 1).trim();
    secrets.push(value, ...value.split(/\s+/).filter((w) => w.length >= MIN_HEADER_WORD));
  }
  return secrets.filter((s) => s.length > 0);
}

function decoded(value: string): string[] {
  try {
    const d = decodeURIComponent(value.replace(/\+/g, " "));
    return d === value ? [value] : [value, d];
  } catch {
    return [value];
  }
}
