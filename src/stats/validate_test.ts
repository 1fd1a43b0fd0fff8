import { assertEquals } from "../testing/assert.ts";
import {
  bool,
  count,
  int,
  list,
  map,
  nullable,
  num,
  obj,
  optional,
  type Rule,
  str,
  time,
  validate,
  ValidationError,
} from "./validate.ts";

const SCHEMA: Rule = obj({
  n: count,
  ratio: num(0, 1),
  name: str(8, /^[a-z]+$/, "a lower-case name"),
  on: bool,
  at: time,
  parent: nullable(obj({ index: int(0, 9, "an index") })),
  extra: optional(count),
  items: list(obj({ v: count }), 3),
  byKey: map(/^\d{3}$/, "a status code", count, 2),
  pair: obj(
    { lo: count, hi: count },
    (p) => (p.lo as number) <= (p.hi as number) ? null : ["lo", `${p.lo} is above hi ${p.hi}`],
  ),
});

const GOOD = {
  n: 3,
  ratio: 0.5,
  name: "abc",
  on: true,
  at: "2026-12-01T15:00:00Z",
  parent: null,
  items: [{ v: 1 }],
  byKey: { "200": 4 },
  pair: { lo: 1, hi: 2 },
  unread: "fields the schema does not name are not read",
};

/** The message `validate` throws for GOOD with `change` applied, or "ok". */
function problem(change: Record<string, unknown>): string {
  try {
    validate({ ...GOOD, ...change }, SCHEMA, "doc");
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.message;
  }
  return "ok";
}

Deno.test("validate: the first problem, with its JSON path, for every kind of rule", () => {
  const table: [Record<string, unknown>, string][] = [
    [{}, "ok"],
    [{ n: -1 }, "doc.n: -1 is outside 0 .. 9007199254740991 (a count)"],
    [{ n: 1.5 }, "doc.n: 1.5 is not an integer"],
    [{ n: 1e308 }, "doc.n: 1e+308 is outside 0 .. 9007199254740991 (a count)"],
    [{ n: "3" }, "doc.n: expected a count, got a string"],
    [{ n: undefined }, "doc.n: expected a count, got nothing"],
    [{ ratio: Infinity }, "doc.ratio: expected a number, got Infinity"],
    [{ name: "ABC" }, "doc.name: expected a lower-case name"],
    [{ name: "a".repeat(9) }, "doc.name: a string of 9 characters; at most 8"],
    [{ on: 1 }, "doc.on: expected true or false, got a number"],
    [{ at: "yesterday" }, "doc.at: expected an ISO 8601 date and time (1970–9999)"],
    [{ parent: { index: 10 } }, "doc.parent.index: 10 is outside 0 .. 9 (an index)"],
    [{ parent: [] }, "doc.parent: expected an object, got a list"],
    [{ extra: 2 }, "ok"],
    [{ extra: null }, "doc.extra: expected a count, got null"],
    [
      { items: [{ v: 1 }, { v: -2 }] },
      "doc.items[1].v: -2 is outside 0 .. 9007199254740991 (a count)",
    ],
    [{ items: [{}, {}, {}, {}] }, "doc.items: a list of 4 items; at most 3"],
    [{ byKey: { "2000": 1 } }, "doc.byKey: a key that is not a status code"],
    [{ byKey: { "200": 1, "404": 1, "503": 1 } }, "doc.byKey: 3 keys; at most 2"],
    [{ byKey: { "404": -1 } }, "doc.byKey.404: -1 is outside 0 .. 9007199254740991 (a count)"],
    [{ pair: { lo: 3, hi: 2 } }, "doc.pair.lo: 3 is above hi 2"],
  ];
  for (const [change, expected] of table) {
    assertEquals(problem(change), expected, JSON.stringify(change));
  }
  const { n: _, ...withoutN } = GOOD;
  let message = "";
  try {
    validate(withoutN, SCHEMA);
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "n: missing (expected a count)");
});

Deno.test("validate never quotes a string from the input: it could be a secret", () => {
  const secret = "Bearer s3cr3t";
  for (
    const change of [{ name: secret }, { n: secret }, { byKey: { [secret]: 1 } }, { at: secret }]
  ) {
    const message = problem(change);
    assertEquals(message.includes("s3cr3t"), false, message);
  }
});
