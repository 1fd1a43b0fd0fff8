/**
 * `--html FILE`: the run (or a merged fleet) as one self-contained HTML page with plots drawn
 * as hand-written SVG (see ./svg.ts for why no charting library). Written from the redacted
 * record the JSON summary holds, so the page shows nothing the JSON does not.
 *
 * - ./data.ts: what is plotted, from the summary's series, sketches and load-box windows;
 * - ./svg.ts: the plots; ./tables.ts: the tables; ./layout.ts: the page.
 * @module
 */
import { writeTextFileAtomic } from "../../atomic_write.ts";
import type { ReportExtras, ReportInput } from "./data.ts";
import { reportPage } from "./layout.ts";

export type { ReportExtras, ReportInput } from "./data.ts";

/**
 * The report's HTML.
 *
 * @example Not run: it needs a finished run's record (tests/html_report_test.ts makes one)
 * ```ts ignore
 * const html = renderHtmlReport({ ...summary, thresholds, outcome });
 * ```
 */
export function renderHtmlReport(summary: ReportInput, extras: ReportExtras = {}): string {
  return reportPage(summary, extras);
}

/**
 * Writes the report to `path` atomically (a reader never sees half a page). `summary` is the
 * record the JSON summary holds: the summary with its `thresholds` and `outcome`, already
 * redacted. For a merged fleet, `extras.shards` (the shard summaries merged) adds each shard's
 * own figures to the shard table. Throws what the write throws.
 *
 * @example Not run: it needs a finished run's record
 * ```ts ignore
 * await writeHtmlReport({ ...summary, thresholds, outcome }, "report.html");
 * ```
 */
export async function writeHtmlReport(
  summary: ReportInput,
  path: string,
  extras: ReportExtras = {},
): Promise<void> {
  await writeTextFileAtomic(path, renderHtmlReport(summary, extras));
}
