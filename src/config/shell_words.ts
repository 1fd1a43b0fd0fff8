/**
 * Splits a string into words the way a POSIX shell would (quotes and backslashes), without
 * expansion. Used for EXTRA_ARGS, which the Go tool's entrypoint passed on as one word.
 * @module
 */

/**
 * Splits `text` into argv words. Throws on an unterminated quote.
 *
 * @example
 * ```ts
 * splitShellWords(`--variant first --header 'X-A: b c'`);
 * // ["--variant", "first", "--header", "X-A: b c"]
 * ```
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) {
        word += text[++i];
      } else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/**
 * Quotes one word so a shell reads it back unchanged. Words with control characters (FFmpeg's
 * CRLF-separated `-headers`) use ANSI-C `$'…'` quoting, which bash, zsh and ksh read.
 *
 * @example
 * ```ts
 * shellQuote("a b"); // "'a b'"
 * shellQuote("plain-word"); // "plain-word"
 * shellQuote("X: y\r\n"); // "$'X: y\\r\\n'"
 * ```
 */
export function shellQuote(word: string): string {
  if (word !== "" && /^[\w@%+=:,./-]+$/.test(word)) return word;
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(word)) {
    const escaped = word.replace(/[\\']/g, (c) => `\\${c}`)
      .replaceAll("\r", "\\r").replaceAll("\n", "\\n").replaceAll("\t", "\\t")
      // deno-lint-ignore no-control-regex
      .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
    return `$'${escaped}'`;
  }
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
