import { assertEquals } from "../testing/assert.ts";
import { OpenRequests, type PendingRequest } from "./open_requests.ts";

function request(path: string, at: number): PendingRequest {
  return {
    req: 1,
    kind: "segment",
    path,
    prefix: "/",
    sent: { at, stamp: null },
    status: null,
    gap: false,
    resends: null,
    failed: false,
  };
}

Deno.test("an unanswered request for the same path, just sent, is the one re-sent", () => {
  const open = new OpenRequests();
  const first = request("/seg7.ts", 100);
  open.set("0x1", first);
  assertEquals(open.takeResent("/seg8.ts", { at: 101, stamp: null }), null);
  assertEquals(open.takeResent("/seg7.ts", { at: 101, stamp: null }), first);
  assertEquals(open.get("0x1"), undefined);
});

Deno.test("not a re-send: answered, too late, across lost lines, or after a logged failure", () => {
  const cases: [string, (p: PendingRequest, open: OpenRequests) => void, number][] = [
    ["answered", (p) => p.status = 200, 101],
    ["too late", () => {}, 100 + 1001],
    ["lines lost", (_, open) => open.gap(), 101],
    ["failure logged", (_, open) => open.failOpen(), 101],
  ];
  for (const [name, change, at] of cases) {
    const open = new OpenRequests();
    const p = request("/seg7.ts", 100);
    open.set("0x1", p);
    change(p, open);
    assertEquals(open.takeResent("/seg7.ts", { at, stamp: null }), null, name);
  }
});
