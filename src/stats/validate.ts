/**
 * A small declarative checker for JSON read from files: a schema is a table of rules (integers
 * and numbers with bounds, strings with a length limit, lists with a length limit, objects,
 * maps), and {@linkcode validate} walks a value against it and stops at the first problem with
 * its JSON path. Merge checks a whole summary this way before it uses any of it, so a hostile
 * number cannot reach an allocation, a loop bound or a sum.
 *
 * The walk recurses over the schema, never over the input: its depth is the schema's, whatever
 * the file holds. Error messages never quote a string from the input (it could be a secret, or
 * a megabyte long); they say what was expected instead.
 * @module
 */

/** A check across the fields of a value that passed its rule: a problem as [path, message]
 * (path relative to the value; "" for the value itself), or null. */
export type CrossCheck = (value: Readonly<Record<string, unknown>>) => [string, string] | null;

/** One rule of a schema. */
export type Rule =
  | { kind: "int"; min: number; max: number; what?: string }
  | { kind: "num"; min: number; max: number; what?: string }
  | { kind: "str"; max: number; pattern?: RegExp; what?: string }
  | { kind: "bool" }
  | { kind: "time" }
  | { kind: "nullable"; rule: Rule }
  | { kind: "optional"; rule: Rule }
  | { kind: "obj"; fields: Readonly<Record<string, Rule>>; check?: CrossCheck }
  | { kind: "list"; item: Rule; max: number }
  | { kind: "map"; key: RegExp; keyWhat: string; value: Rule; max: number };

/** A value that does not fit its schema: where (a JSON path) and what is wrong. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly path: string, readonly detail: string) {
    super(`${path || "(the document)"}: ${detail}`);
  }
}

/** An integer from `min` to `max` (both safe integers). */
export const int = (min: number, max: number, what?: string): Rule => ({
  kind: "int",
  min,
  max,
  what,
});
/** A count: a non-negative safe integer (so that sums of counts stay exact). */
export const count: Rule = int(0, Number.MAX_SAFE_INTEGER, "a count");
/** A finite number from `min` to `max`. */
export const num = (min: number, max: number, what?: string): Rule => ({
  kind: "num",
  min,
  max,
  what,
});
/** A string of at most `max` characters, matching `pattern` when given. */
export const str = (max: number, pattern?: RegExp, what?: string): Rule => ({
  kind: "str",
  max,
  pattern,
  what,
});
export const bool: Rule = { kind: "bool" };
/** An ISO 8601 date and time that `Date.parse` reads, between 1970 and 9999. */
export const time: Rule = { kind: "time" };
export const nullable = (rule: Rule): Rule => ({ kind: "nullable", rule });
/** A field that may be absent (undefined); null is not absent. */
export const optional = (rule: Rule): Rule => ({ kind: "optional", rule });
export const obj = (fields: Readonly<Record<string, Rule>>, check?: CrossCheck): Rule => ({
  kind: "obj",
  fields,
  check,
});
export const list = (item: Rule, max: number): Rule => ({ kind: "list", item, max });
export const map = (key: RegExp, keyWhat: string, value: Rule, max: number): Rule => ({
  kind: "map",
  key,
  keyWhat,
  value,
  max,
});

const LAST_MS = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * Checks `value` against `rule`; throws a {@linkcode ValidationError} naming the first problem
 * and its path (prefixed with `path`). Fields an object's rule does not name are not read.
 *
 * @example
 * ```ts
 * try {
 *   validate({ n: -1 }, obj({ n: count }), "shard");
 * } catch (e) {
 *   (e as ValidationError).message; // "shard.n: -1 is outside 0 .. 9007199254740991 (a count)"
 * }
 * ```
 */
export function validate(value: unknown, rule: Rule, path = ""): void {
  const fail = (detail: string): never => {
    throw new ValidationError(path, detail);
  };
  switch (rule.kind) {
    case "int":
    case "num": {
      if (typeof value !== "number") fail(`expected ${expected(rule)}, got ${typeOf(value)}`);
      const n = value as number;
      if (!Number.isFinite(n)) fail(`expected ${expected(rule)}, got ${n}`);
      if (rule.kind === "int" && !Number.isInteger(n)) fail(`${n} is not an integer`);
      if (n < rule.min || n > rule.max) {
        fail(`${n} is outside ${rule.min} .. ${rule.max}${rule.what ? ` (${rule.what})` : ""}`);
      }
      return;
    }
    case "str": {
      if (typeof value !== "string") fail(`expected ${expected(rule)}, got ${typeOf(value)}`);
      const s = value as string;
      if (s.length > rule.max) fail(`a string of ${s.length} characters; at most ${rule.max}`);
      if (rule.pattern && !rule.pattern.test(s)) fail(`expected ${expected(rule)}`);
      return;
    }
    case "bool":
      if (typeof value !== "boolean") fail(`expected true or false, got ${typeOf(value)}`);
      return;
    case "time": {
      if (typeof value !== "string") fail(`expected a date and time, got ${typeOf(value)}`);
      const s = value as string;
      const ms = s.length <= 40 ? Date.parse(s) : NaN;
      if (!(ms >= 0 && ms <= LAST_MS)) fail("expected an ISO 8601 date and time (1970–9999)");
      return;
    }
    case "nullable":
      if (value !== null) validate(value, rule.rule, path);
      return;
    case "optional":
      if (value !== undefined) validate(value, rule.rule, path);
      return;
    case "obj": {
      const o = record(value, path);
      for (const [key, field] of Object.entries(rule.fields)) {
        const at = join(path, key);
        if (!(key in o) && field.kind !== "optional") {
          throw new ValidationError(at, `missing (expected ${expected(field)})`);
        }
        validate(o[key], field, at);
      }
      const problem = rule.check?.(o);
      if (problem) throw new ValidationError(join(path, problem[0]), problem[1]);
      return;
    }
    case "list": {
      if (!Array.isArray(value)) fail(`expected a list, got ${typeOf(value)}`);
      const a = value as unknown[];
      if (a.length > rule.max) fail(`a list of ${a.length} items; at most ${rule.max}`);
      for (let i = 0; i < a.length; i++) validate(a[i], rule.item, `${path}[${i}]`);
      return;
    }
    case "map": {
      const o = record(value, path);
      const keys = Object.keys(o);
      if (keys.length > rule.max) fail(`${keys.length} keys; at most ${rule.max}`);
      for (const key of keys) {
        if (!rule.key.test(key)) fail(`a key that is not ${rule.keyWhat}`);
        validate(o[key], rule.value, join(path, key));
      }
      return;
    }
  }
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(path, `expected an object, got ${typeOf(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `a.b`, or `a["x-y"]` for a key that is not a plain name. */
function join(path: string, key: string): string {
  if (key === "") return path;
  if (/^[A-Za-z_$][\w$]*$/.test(key) || /^\d+$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key.slice(0, 40))}]`;
}

function expected(rule: Rule): string {
  switch (rule.kind) {
    case "int":
      return rule.what ?? "an integer";
    case "num":
      return rule.what ?? "a number";
    case "str":
      return rule.what ?? "a string";
    case "bool":
      return "true or false";
    case "time":
      return "a date and time";
    case "nullable":
      return `${expected(rule.rule)} or null`;
    case "optional":
      return expected(rule.rule);
    case "obj":
    case "map":
      return "an object";
    case "list":
      return "a list";
  }
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value === undefined) return "nothing";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return "a number";
  if (typeof value === "string") return "a string";
  return typeof value === "boolean" ? "true or false" : typeof value;
}
