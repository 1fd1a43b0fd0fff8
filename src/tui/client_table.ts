/**
 * The dashboard's per-client table, worst clients first.
 * @module
 */
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import { formatBytes, formatCount, formatSpeed } from "../report/format.ts";
import type { ClientRow, Coverage } from "./model.ts";
import { type Colors, type Ctx, l, r, rule } from "./panels.ts";

/** Column widths of the client table; compact drops "max drift". */
const TABLE_COLUMNS: [string, number][] = [
  ["id", 5],
  ["state", 10],
  ["speed", 7],
  ["drift", 9],
  ["max drift", 11],
  ["stalls", 8],
  ["requests", 10],
  ["segments", 10],
  ["failed", 8],
  ["bytes", 12],
];

/** One table line: the state column left-aligned after a gap, every other right-aligned. */
function tableLine(cells: string[], compact: boolean): string {
  let out = "";
  for (let i = 0; i < TABLE_COLUMNS.length; i++) {
    const [name, width] = TABLE_COLUMNS[i];
    if (compact && name === "max drift") continue;
    out += name === "state" ? "  " + l(cells[i], width - 2) : r(cells[i], width);
  }
  return out;
}

/**
 * The table in at most `lines` lines, worst clients first. `details`: the full table the `d` key
 * asks for; otherwise the worst few that fill the dashboard's lower half.
 */
export function clientTable(
  { m, c }: Ctx,
  width: number,
  lines: number,
  compact: boolean,
  details = true,
): string[] {
  if (lines < 3) return lines > 0 ? [c.dim(" (client table: no room; enlarge the terminal)")] : [];
  const rows = m.clientRows.slice(0, lines - 2);
  const shown = `${rows.length} of ${m.clientCount}`;
  const title = details
    ? rule(c, "Clients, worst first", width, c.dim(`${shown} · d hides`))
    : rule(c, "Worst clients", width, c.dim(`${shown} · d shows all`));
  const head = c.dim(tableLine(TABLE_COLUMNS.map(([name]) => name), compact));
  const body = rows.map((row) => clientLine(c, row, compact, m.coverage));
  if (!rows.length) body.push(c.dim(" (no client started yet)"));
  return [title, head, ...body];
}

function clientLine(c: Colors, row: ClientRow, compact: boolean, cov: Coverage): string {
  const count = (n: number, measured: boolean, bad = false) =>
    !measured ? c.dim("n/a") : bad && n ? c.red(formatCount(n)) : formatCount(n);
  const state = row.status === "stalled"
    ? c.red(c.bold("stalled"))
    : row.status === "behind"
    ? c.yellow("behind")
    : row.status === "ok"
    ? c.green("ok")
    : c.dim("waiting");
  const drift = (ms: number | null) => ms === null ? c.dim("n/a") : `${(ms / 1000).toFixed(1)} s`;
  // Max drift is kept across restarts, so it is known even while this run's drift is not.
  const maxDrift = row.driftMs === null && row.maxDriftMs === 0
    ? c.dim("n/a")
    : drift(row.maxDriftMs);
  return tableLine([
    String(row.id),
    state,
    row.speed === null ? c.dim("n/a") : formatSpeed(row.speed),
    drift(row.driftMs),
    maxDrift,
    row.stalls ? c.yellow(String(row.stalls)) : "0",
    count(REQUEST_KINDS.reduce((n, k) => n + row.requests[k], 0), cov.requests),
    count(row.requests.segment, cov.requests),
    count(row.failed, cov.requests, true),
    cov.responses ? formatBytes(row.bytes) : c.dim("n/a"),
  ], compact);
}
