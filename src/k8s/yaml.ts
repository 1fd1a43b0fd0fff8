/**
 * A small YAML emitter for JSON-compatible values (objects, arrays, strings, finite numbers,
 * booleans, null), in block style. kubectl reads YAML 1.1, where `yes`, `on` or `y` are
 * booleans, so any string that a YAML 1.1 or 1.2 reader could take for something other than
 * that string is double-quoted (JSON's string syntax is valid YAML). tests/k8s_test.ts parses
 * every emitted document back with an independent YAML parser, under both versions.
 * @module
 */

/**
 * What the emitter writes: JSON-compatible values. Typed as `unknown` so that interfaces such as
 * kubernetes-models' (which have no index signature) are accepted; anything else (a function,
 * a bigint, a non-finite number) throws.
 */
type Collection = readonly unknown[] | Record<string, unknown>;

/** Words YAML 1.1 or 1.2 reads as booleans or null when written plain. */
const RESERVED = new Set(["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]);

/**
 * A string written plain: a letter, `_` or `/`, then letters, digits and `._/-`, and no
 * reserved word. Anything else (numbers, times, `a: b`, leading `-`) is quoted.
 */
function plain(s: string): boolean {
  return /^[A-Za-z_/][A-Za-z0-9._/-]*$/.test(s) && !RESERVED.has(s.toLowerCase());
}

function scalar(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "string") return plain(v) ? v : JSON.stringify(v);
  throw new Error(`YAML: cannot write ${typeof v} ${String(v)}`);
}

function isCollection(v: unknown): v is Collection {
  return v !== null && typeof v === "object";
}

/** Whether a collection is empty, so it is written inline as `{}` or `[]`. */
function empty(v: Collection): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.values(v).every((x) => x === undefined);
}

function emptyText(v: Collection): string {
  return Array.isArray(v) ? "[]" : "{}";
}

/** The lines of `v` at `indent` spaces. Keys whose value is undefined are left out. */
function lines(v: unknown, indent: number): string[] {
  const pad = " ".repeat(indent);
  if (!isCollection(v)) return [pad + scalar(v)];
  if (empty(v)) return [pad + emptyText(v)];
  const out: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isCollection(item) && !empty(item)) {
        // The item's first line goes after "- "; the rest keep their indent, 2 deeper.
        const inner = lines(item, indent + 2);
        out.push(`${pad}- ${inner[0].trimStart()}`, ...inner.slice(1));
      } else {
        out.push(`${pad}- ${isCollection(item) ? emptyText(item) : scalar(item)}`);
      }
    }
    return out;
  }
  for (const [key, value] of Object.entries(v)) {
    if (value === undefined) continue;
    const k = scalar(key);
    if (isCollection(value) && !empty(value)) out.push(`${pad}${k}:`, ...lines(value, indent + 2));
    else out.push(`${pad}${k}: ${isCollection(value) ? emptyText(value) : scalar(value)}`);
  }
  return out;
}

/**
 * One YAML document for `value`, ending in a newline.
 *
 * @example
 * ```ts
 * toYaml({ kind: "ConfigMap", data: { ON: "yes", N: 3 } });
 * // 'kind: ConfigMap\ndata:\n  "ON": "yes"\n  N: 3\n'
 * ```
 */
export function toYaml(value: unknown): string {
  return lines(value, 0).join("\n") + "\n";
}

/**
 * Several documents in one stream, separated by `---`, as `kubectl apply -f -` reads them.
 *
 * @example
 * ```ts
 * toYamlStream([{ a: 1 }, { b: 2 }]); // "a: 1\n---\nb: 2\n"
 * ```
 */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map(toYaml).join("---\n");
}
