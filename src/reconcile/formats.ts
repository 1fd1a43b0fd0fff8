/**
 * The log formats by name, and autodetection: a file's format is the first of the table that
 * recognises its first non-blank line.
 * @module
 */
import { cloudfrontFormat } from "./cloudfront.ts";
import { akamaiFormat, fastlyFormat, jsonFormatOf } from "./json_formats.ts";
import { looksCombined, looksExtended, nginxCombinedFormat, nginxFormat } from "./nginx.ts";
import type { FormatName, LogFormat } from "./record.ts";

/** Every format by its `--format` name. */
export const FORMATS: Readonly<Record<FormatName, LogFormat>> = {
  "nginx": nginxFormat,
  "nginx-combined": nginxCombinedFormat,
  "cloudfront": cloudfrontFormat,
  "fastly": fastlyFormat,
  "akamai": akamaiFormat,
};

/** First line → format, in order: the more specific test first. */
const DETECT: ReadonlyArray<(line: string) => LogFormat | null> = [
  (l) => l.startsWith("#Version:") || l.startsWith("#Fields:") ? cloudfrontFormat : null,
  jsonFormatOf,
  (l) => looksExtended(l) ? nginxFormat : null,
  (l) => looksCombined(l) ? nginxCombinedFormat : null,
  // A CloudFront file without its header still has a date, a time and tabs.
  (l) => /^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\t/.test(l) ? cloudfrontFormat : null,
];

/**
 * The format of a file whose first non-blank line is `line`, or null.
 *
 * @example
 * ```ts
 * detectFormat("#Version: 1.0")?.name; // "cloudfront"
 * ```
 */
export function detectFormat(line: string): LogFormat | null {
  for (const test of DETECT) {
    const f = test(line);
    if (f) return f;
  }
  return null;
}
