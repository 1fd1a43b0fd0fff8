/**
 * Go-style duration strings ("1h30m", "250ms", "1.5s"), the spelling the Go tool accepted.
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a duration into milliseconds. A bare "0" is accepted (it is unambiguous); any other
 * number without a unit is an error whose message names the unit to add.
 *
 * @example
 * ```ts
 * parseDuration("1m30s"); // { ok: true, ms: 90000 }
 * parseDuration("30");    // { ok: false, error: 'needs a unit, e.g. "30s" or "30ms"' }
 * ```
 */
export function parseDuration(
  text: string,
): { ok: true; ms: number } | { ok: false; error: string } {
  const s = text.trim();
  if (s === "0") return { ok: true, ms: 0 };
  if (/^\d+(\.\d+)?$/.test(s)) {
    return { ok: false, error: `needs a unit, e.g. "${s}s" or "${s}ms"` };
  }
  if (s === "" || s.startsWith("-")) return { ok: false, error: `not a duration: "${text}"` };
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== start) {
      return { ok: false, error: `not a duration: "${text}" (use e.g. 500ms, 30s, 5m, 1h)` };
    }
    ms += Number(m[1]) * UNIT_MS[m[2]];
  }
  return { ok: true, ms };
}
