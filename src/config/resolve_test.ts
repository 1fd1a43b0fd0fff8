import { assertEquals } from "../testing/assert.ts";
import { edgeAddressFor, resolvePlan } from "./resolve.ts";

const URL_ = "https://cdn.example/live/master.m3u8";

Deno.test("--resolve as curl spells it: HOST:PORT:IP,IP*W, repeatable, or a bare IP", () => {
  const errors: string[] = [];
  const plan = resolvePlan(
    ["cdn.example:443:127.0.0.2,127.0.0.3*3", "*:443:[::1]"],
    URL_,
    errors,
  );
  assertEquals(errors, []);
  assertEquals(plan, {
    host: "cdn.example",
    port: 443,
    addresses: [
      { ip: "127.0.0.2", weight: 1 },
      { ip: "127.0.0.3", weight: 3 },
      { ip: "::1", weight: 1 },
    ],
  });
  assertEquals(resolvePlan(["10.0.0.1"], URL_, [])?.addresses, [{ ip: "10.0.0.1", weight: 1 }]);
  assertEquals(resolvePlan([], URL_, []), null);
});

Deno.test("--resolve problems are usage errors, one line each", () => {
  const errors: string[] = [];
  assertEquals(
    resolvePlan(
      [
        "other.example:443:10.0.0.1",
        "cdn.example:80:10.0.0.1",
        "cdn.example:443:cdn-b.example",
        "cdn.example:443:10.0.0.1*0",
        "http://u:p@10.0.0.1",
        "cdn.example:443:10.0.0.2,10.0.0.2",
      ],
      URL_,
      errors,
    ),
    null,
  );
  assertEquals(errors, [
    "resolve: other.example:443 is not the stream's cdn.example:443; only the stream URL's own " +
    "host can be pinned (FFmpeg looks up any other host itself)",
    "resolve: cdn.example:80 is not the stream's cdn.example:443; only the stream URL's own " +
    "host can be pinned (FFmpeg looks up any other host itself)",
    'resolve: "cdn-b.example" is not an IP address (give IP, IP*WEIGHT or [IPv6])',
    "resolve: the weight of 10.0.0.1 must be a whole number from 1 to 1000",
    "resolve: give an IP address, not a URL (as HOST:PORT:IP[,IP…] or IP)",
    "resolve: 10.0.0.2 is given twice (weigh it with 10.0.0.2*N)",
  ]);
});

Deno.test("each viewer keeps one address: round robin by client id, weighted", () => {
  const plan = resolvePlan(["cdn.example:443:10.0.0.1,10.0.0.2*3"], URL_, [])!;
  const ids = Array.from({ length: 8 }, (_, id) => edgeAddressFor(plan, id));
  assertEquals(ids.filter((ip) => ip === "10.0.0.1").length, 2);
  assertEquals(ids.filter((ip) => ip === "10.0.0.2").length, 6);
  assertEquals(edgeAddressFor(plan, 5), edgeAddressFor(plan, 5)); // the same, every time
});
