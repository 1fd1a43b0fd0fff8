/**
 * Writes `--html` and `--markdown` for a run and for `merge`, from the record the JSON summary
 * holds. Like `--junit`, a report that cannot be written is said on stderr and does not change
 * the exit code: the run's verdict is the run's, not the report's.
 * @module
 */
import { writeMarkdownSummary } from "../markdown.ts";
import type { ReportExtras, ReportInput } from "./data.ts";
import { writeHtmlReport } from "./mod.ts";

/** Where the reports go (null: not asked for). */
export interface ReportFiles {
  html: string | null;
  markdown: string | null;
}

/**
 * Writes the reports asked for; `warn` gets one line per file that cannot be written.
 *
 * @example Not run: it needs a finished run's record
 * ```ts ignore
 * await writeReportFiles(record, { html: "r.html", markdown: null }, {}, io.stderr);
 * ```
 */
export async function writeReportFiles(
  record: ReportInput,
  files: ReportFiles,
  extras: ReportExtras,
  warn: (line: string) => void,
): Promise<void> {
  if (files.html) {
    await writeHtmlReport(record, files.html, extras).catch((e) =>
      warn(`cannot write --html: ${(e as Error).message}`)
    );
  }
  if (files.markdown) {
    await writeMarkdownSummary(record, files.markdown).catch((e) =>
      warn(`cannot write --markdown: ${(e as Error).message}`)
    );
  }
}
