/**
 * `--cmcd`: each viewer sends a static `CMCD-Session` request header (CTA-5004, Common Media
 * Client Data) whose `sid` is `<run id>-<client id>`, so a CDN that parses CMCD logs which viewer
 * of which run sent each request, and `hls-swarm reconcile` matches its log lines by that sid
 * (src/reconcile/match.ts) even when a proxy rewrites the User-Agent.
 *
 * Only the session key is sent: it does not change per request, so it fits FFmpeg's `-headers`,
 * which are fixed for a process. Per-request keys (`CMCD-Request`/`CMCD-Object`: buffer length,
 * object type, bitrate) would need the player's state per request, which FFmpeg does not expose.
 * `v` is left out: CTA-5004 says a client SHOULD omit it for version 1, and a receiver MUST read
 * a missing `v` as 1.
 *
 * A user's own `--header "CMCD-Session: …"` is merged, not sent twice: its keys (`cid`, `sf`,
 * `st`…) join the sid in one header, keys in alphabetical order as CTA-5004 recommends. A user
 * `sid` conflicts with `--cmcd` and is a usage error. Nothing here quotes a header's value back:
 * it may be secret (`--redact-header CMCD-Session`).
 * @module
 */

/** The header's name, as CTA-5004 spells it. */
export const CMCD_SESSION = "CMCD-Session";
/** CTA-5004: `sid` is a string of at most 64 characters. */
export const CMCD_SID_MAX = 64;

/** One `key` or `key=value` of a CMCD dictionary, as written. */
type Entry = { key: string; text: string };

/** `key`, `key=token-or-number` or `key="string"`, then a comma or the end. */
const ENTRY = /\s*([a-z][a-z0-9_.*-]*)(?:=("(?:[^"\\]|\\.)*"|[^",\s]+))?\s*(,|$)/y;

/** A CMCD dictionary's entries, or null when `value` is not one (an empty value included). */
function entriesOf(value: string): Entry[] | null {
  const out: Entry[] = [];
  ENTRY.lastIndex = 0;
  for (;;) {
    const m = ENTRY.exec(value);
    if (!m) return null;
    out.push({ key: m[1], text: m[0].trim().replace(/,$/, "").trim() });
    // `$` matched: the value is used up.
    if (m[3] === "") return out;
  }
}

/** Whether a `Name: value` header line is a CMCD-Session header (names are case-insensitive). */
const isSession = (line: string) =>
  line.slice(0, line.indexOf(":")).trim().toLowerCase() === CMCD_SESSION.toLowerCase();

/**
 * The sid of client `id` in run `runId`. Run ids are DNS labels (no quote, no backslash), so
 * the value needs no escaping inside the CMCD string.
 *
 * @example
 * ```ts
 * cmcdSid("run-20261201-142233-7f3a", 3); // "run-20261201-142233-7f3a-3"
 * ```
 */
export function cmcdSid(runId: string, id: number): string {
  return `${runId}-${id}`;
}

/**
 * The request headers with client `id`'s CMCD-Session merged in: the user's CMCD-Session
 * lines are replaced by one line holding their keys and the sid, in alphabetical key order,
 * placed where the first of them was (or last when there was none).
 *
 * @example
 * ```ts
 * withCmcdSession(["X-A: 1", "CMCD-Session: st=l,sf=h"], "run1", 3);
 * // ["X-A: 1", 'CMCD-Session: sf=h,sid="run1-3",st=l']
 * ```
 */
export function withCmcdSession(headers: readonly string[], runId: string, id: number): string[] {
  const keys = new Map<string, string>();
  let at = -1;
  const rest: string[] = [];
  for (const line of headers) {
    if (!isSession(line)) {
      rest.push(line);
      continue;
    }
    if (at < 0) at = rest.length;
    // Already checked by cmcdProblems: a value that does not parse never gets here.
    for (const e of entriesOf(line.slice(line.indexOf(":") + 1).trim()) ?? []) {
      keys.set(e.key, e.text); // a later duplicate wins, as in a structured-field dictionary
    }
  }
  keys.set("sid", `sid="${cmcdSid(runId, id)}"`);
  const value = [...keys.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([, t]) => t).join(",");
  rest.splice(at < 0 ? rest.length : at, 0, `${CMCD_SESSION}: ${value}`);
  return rest;
}

/**
 * Why `--cmcd` cannot run with these settings: a user CMCD-Session header that is not a CMCD
 * dictionary or that sets `sid` itself, or a sid longer than CTA-5004's 64 characters for the
 * highest client id. Values are never quoted (they may be secret). Empty when all is well.
 *
 * @example
 * ```ts
 * cmcdProblems({ cmcd: true, headers: ['CMCD-Session: sid="x"'], runId: "r", clients: 2 });
 * // ["cmcd: --header CMCD-Session sets sid, which --cmcd sets per client; drop one"]
 * ```
 */
export function cmcdProblems(
  cfg: { cmcd: boolean; headers: readonly string[]; runId: string; clients: number },
): string[] {
  if (!cfg.cmcd) return [];
  const problems: string[] = [];
  for (const line of cfg.headers.filter(isSession)) {
    const entries = entriesOf(line.slice(line.indexOf(":") + 1).trim());
    if (!entries) {
      problems.push(
        "cmcd: a --header CMCD-Session value is not a CMCD list such as st=l,sf=h " +
          "(not shown: it may be secret)",
      );
    } else if (entries.some((e) => e.key === "sid")) {
      problems.push("cmcd: --header CMCD-Session sets sid, which --cmcd sets per client; drop one");
    }
  }
  const longest = cmcdSid(cfg.runId, Math.max(0, cfg.clients - 1));
  if (longest.length > CMCD_SID_MAX) {
    problems.push(
      `cmcd: the sid "${longest}" has ${longest.length} characters, CTA-5004 allows ` +
        `${CMCD_SID_MAX}: use a shorter --run-id`,
    );
  }
  return problems;
}
