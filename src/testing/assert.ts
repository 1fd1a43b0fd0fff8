/**
 * The few assertions the tests need (the JSR standard library cannot be installed here).
 * @module
 */
import { deepStrictEqual, ok } from "node:assert/strict";

/** Fails unless `actual` deep-equals `expected`. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Fails unless `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  ok(value, message);
}

/** Fails unless `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  ok(text.includes(part), message ?? `expected to find ${JSON.stringify(part)} in:\n${text}`);
}

/** Fails unless `value` lies in [min, max]. */
export function assertBetween(value: number, min: number, max: number, message?: string): void {
  ok(value >= min && value <= max, message ?? `expected ${value} in [${min}, ${max}]`);
}

/** Fails unless `fn` throws. */
export function assertThrows(fn: () => unknown, message?: string): void {
  try {
    fn();
  } catch {
    return;
  }
  ok(false, message ?? "expected a throw");
}
