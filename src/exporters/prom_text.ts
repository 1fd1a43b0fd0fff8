/**
 * A parser of the Prometheus text exposition format, version 0.0.4: the format node_exporter,
 * nginx-prometheus-exporter and nearly every other exporter serve by default.
 *
 * Garbage is never thrown: every line that is not valid 0.0.4 is skipped, counted in
 * `invalidLines`, and (the first `maxErrors` of them) described with its 1-based line number in
 * `errors`. The caller chooses how strict to be; {@linkcode ExporterScraper} rejects a scrape
 * with any invalid line, as Prometheus does, because a half-understood body (a truncated
 * response, an HTML error page with a stray valid-looking line) is worse than none.
 *
 * The parser is one linear pass with no backtracking regular expressions, so hostile input
 * cannot make it hang; its cost is bounded by the input length.
 *
 * What it does not enforce (Prometheus does, but it never changes a number we read): that a
 * family's lines are contiguous, and that a series (name plus labels) appears only once.
 *
 * @module
 */

/** The metric types of the 0.0.4 text format. */
export type PromMetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

/** One sample line: `name{labels} value [timestamp]`. */
export interface PromSample {
  /** The sample's own name, e.g. `http_duration_seconds_bucket` inside family `http_duration_seconds`. */
  name: string;
  /** Label names to unescaped values. */
  labels: Record<string, string>;
  /** The value; `NaN`, `Infinity` and `-Infinity` are kept as such. */
  value: number;
  /** The optional timestamp, in milliseconds since the epoch. */
  timestampMs?: number;
}

/** A metric family: the samples sharing a `# TYPE`/`# HELP`, or one untyped name. */
export interface PromFamily {
  name: string;
  type: PromMetricType;
  /** The unescaped `# HELP` text, or null without one. */
  help: string | null;
  samples: PromSample[];
}

/** Why one line was rejected. */
export interface PromParseError {
  /** 1-based line number. */
  line: number;
  reason: string;
  /** The line, cut to 120 characters, for messages. */
  text: string;
}

/** The result of {@linkcode parsePromText}. */
export interface PromParseResult {
  /** Families by name, in the order first seen. */
  families: Map<string, PromFamily>;
  /** Number of valid sample lines. */
  sampleCount: number;
  /** Number of rejected lines (may exceed `errors.length`). */
  invalidLines: number;
  /** The first rejected lines, at most `maxErrors`. */
  errors: PromParseError[];
}

/** Options of {@linkcode parsePromText}. */
export interface PromParseOptions {
  /** How many rejected lines to describe in `errors` (all are counted). Default 10. */
  maxErrors?: number;
}

const TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** A line-level rejection, thrown inside the parser and caught per line: never escapes. */
class LineError extends Error {}

/**
 * Parses a Prometheus text exposition (0.0.4). Never throws on bad input: see the module doc.
 *
 * @example
 * ```ts
 * const { families, errors } = parsePromText(
 *   '# TYPE node_cpu_seconds_total counter\n' +
 *     'node_cpu_seconds_total{cpu="0",mode="idle"} 1771.12\n',
 * );
 * errors.length; // 0
 * families.get("node_cpu_seconds_total")?.samples[0].labels.mode; // "idle"
 *
 * parsePromText("<html>").errors[0]; // { line: 1, reason: "invalid metric name …", text: "<html>" }
 * ```
 */
export function parsePromText(text: string, options: PromParseOptions = {}): PromParseResult {
  const maxErrors = options.maxErrors ?? 10;
  const families = new Map<string, PromFamily>();
  const result: PromParseResult = { families, sampleCount: 0, invalidLines: 0, errors: [] };
  // Families whose TYPE line has been seen, and families that already have samples: the
  // format allows one TYPE per family, before its first sample.
  const typed = new Set<string>();
  const helped = new Set<string>();

  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", help: null, samples: [] };
      families.set(name, f);
    }
    return f;
  };

  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo++;
    // Tolerate CRLF: Windows-hosted exporters and some proxies send it.
    const line = text.charCodeAt(end - 1) === 13 && end > start
      ? text.slice(start, end - 1)
      : text.slice(start, end);
    start = end + 1;
    try {
      parseLine(line);
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      result.invalidLines++;
      if (result.errors.length < maxErrors) {
        result.errors.push({
          line: lineNo,
          reason: e.message,
          text: line.length > 120 ? `${line.slice(0, 117)}...` : line,
        });
      }
    }
  }
  return result;

  function parseLine(line: string): void {
    const trimmed = line.trim();
    if (trimmed === "") return;
    if (trimmed[0] === "#") return parseComment(trimmed);
    const sample = parseSample(trimmed);
    const f = family(familyOf(sample));
    f.samples.push(sample);
    result.sampleCount++;
  }

  function parseComment(line: string): void {
    // "# HELP name text" and "# TYPE name type"; any other comment is ignored.
    const tokens = line.slice(1).trimStart();
    const keyword = tokens.startsWith("HELP") ? "HELP" : tokens.startsWith("TYPE") ? "TYPE" : null;
    if (keyword === null) return;
    const rest = tokens.slice(4);
    if (rest !== "" && rest[0] !== " " && rest[0] !== "\t") return; // e.g. "# HELPFUL note"
    const body = rest.trimStart();
    const nameEnd = scanName(body, 0, true);
    const name = body.slice(0, nameEnd);
    if (name === "") throw new LineError(`# ${keyword} without a metric name`);
    if (nameEnd < body.length && body[nameEnd] !== " " && body[nameEnd] !== "\t") {
      throw new LineError(`invalid metric name in # ${keyword}`);
    }
    const arg = body.slice(nameEnd).trimStart();
    if (keyword === "HELP") {
      if (helped.has(name)) throw new LineError(`second # HELP for ${name}`);
      helped.add(name);
      family(name).help = unescapeHelp(arg);
      return;
    }
    const type = arg.trimEnd();
    if (!TYPES.has(type)) {
      throw new LineError(
        `unknown type ${JSON.stringify(type)} for ${name} (expected counter, gauge, histogram, ` +
          "summary or untyped)",
      );
    }
    if (typed.has(name)) throw new LineError(`second # TYPE for ${name}`);
    const f = family(name);
    if (f.samples.length > 0) throw new LineError(`# TYPE for ${name} after its samples`);
    typed.add(name);
    f.type = type as PromMetricType;
  }

  /** The family a sample belongs to: histogram and summary parts join their declared base. */
  function familyOf(sample: PromSample): string {
    const { name } = sample;
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      if (!name.endsWith(suffix)) continue;
      const base = families.get(name.slice(0, -suffix.length));
      if (!base || !typed.has(base.name)) continue;
      if (base.type === "histogram") {
        if (suffix === "_bucket") checkBound(sample, "le");
        return base.name;
      }
      if (base.type === "summary" && suffix !== "_bucket") return base.name;
    }
    const own = families.get(name);
    if (own?.type === "histogram") throw new LineError(`histogram ${name} sample needs a suffix`);
    if (own?.type === "summary") checkBound(sample, "quantile");
    return name;
  }

  function checkBound(sample: PromSample, label: "le" | "quantile"): void {
    const v = sample.labels[label];
    if (v === undefined) throw new LineError(`${sample.name} has no "${label}" label`);
    if (parseValue(v) === null) throw new LineError(`${sample.name} has an invalid "${label}"`);
  }
}

/** Parses one sample line (already trimmed and non-empty). */
function parseSample(line: string): PromSample {
  const nameEnd = scanName(line, 0, true);
  if (nameEnd === 0) {
    throw new LineError(`invalid metric name at ${JSON.stringify(line.slice(0, 20))}`);
  }
  const name = line.slice(0, nameEnd);
  let i = skipSpace(line, nameEnd);
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i = parseLabels(line, i + 1, labels);
    i = skipSpace(line, i);
  } else if (i === nameEnd && i < line.length) {
    throw new LineError(`unexpected ${quote(line[i])} after metric name ${name}`);
  }
  const fields = line.slice(i).split(/[ \t]+/).filter((s) => s !== "");
  if (fields.length === 0) throw new LineError(`${name} has no value`);
  if (fields.length > 2) throw new LineError(`${name} has text after the timestamp`);
  const value = parseValue(fields[0]);
  if (value === null) throw new LineError(`${name} has an invalid value ${quote(fields[0])}`);
  const sample: PromSample = { name, labels, value };
  if (fields.length === 2) {
    if (!/^-?\d{1,19}$/.test(fields[1])) {
      throw new LineError(`${name} has an invalid timestamp ${quote(fields[1])}`);
    }
    sample.timestampMs = Number(fields[1]);
  }
  return sample;
}

/** Parses `name="value", …}` from `i` (just past `{`); returns the index past `}`. */
function parseLabels(line: string, i: number, labels: Record<string, string>): number {
  for (;;) {
    i = skipSpace(line, i);
    if (line[i] === "}") return i + 1;
    const nameEnd = scanName(line, i, false);
    if (nameEnd === i) throw new LineError(`invalid label name at column ${i + 1}`);
    const name = line.slice(i, nameEnd);
    i = skipSpace(line, nameEnd);
    if (line[i] !== "=") throw new LineError(`expected "=" after label ${name}`);
    i = skipSpace(line, i + 1);
    if (line[i] !== '"') throw new LineError(`expected '"' to open the value of label ${name}`);
    i++;
    let value = "";
    let closed = false;
    // Copy runs of plain characters in one slice; only escapes are handled one by one.
    let run = i;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === 34) { // '"'
        value += line.slice(run, i);
        closed = true;
        i++;
        break;
      }
      if (c === 92) { // '\\'
        value += line.slice(run, i);
        const next = line[i + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new LineError(`invalid escape "\\${next ?? ""}" in label ${name}`);
        i += 2;
        run = i;
        continue;
      }
      i++;
    }
    if (!closed) throw new LineError(`unterminated value of label ${name}`);
    if (Object.hasOwn(labels, name)) throw new LineError(`duplicate label ${name}`);
    // defineProperty, not assignment, so a label called "__proto__" is stored, not swallowed.
    Object.defineProperty(labels, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    i = skipSpace(line, i);
    if (line[i] === ",") {
      i++;
    } else if (line[i] !== "}") {
      throw new LineError(`expected "," or "}" after label ${name}`);
    }
  }
}

/** End of a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or label name (no colons) from `i`. */
function scanName(s: string, i: number, colons: boolean): number {
  const first = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 ||
      (colons && c === 58) || (i > first && c >= 48 && c <= 57);
    if (!ok) break;
  }
  return i;
}

function skipSpace(s: string, i: number): number {
  while (s[i] === " " || s[i] === "\t") i++;
  return i;
}

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A sample value as Go's ParseFloat reads it for this format: decimal with optional exponent,
 * or NaN / Inf in any case. `Number()` alone is too lax ("" is 0, "0x10" is 16).
 */
function parseValue(s: string): number | null {
  if (FLOAT.test(s)) return Number(s);
  const lower = s.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "+inf" || lower === "inf" || lower === "+infinity" || lower === "infinity") {
    return Infinity;
  }
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  return null;
}

/** HELP text escapes are `\\` and `\n` only; any other backslash stays as written. */
function unescapeHelp(s: string): string {
  return s.replace(/\\([\\n])/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}
