import { assertEquals } from "../testing/assert.ts";
import { cachedScrape } from "./scrape_cache.ts";

Deno.test("cachedScrape: concurrent calls share a build; a new one after ttl; failures not kept", async () => {
  let t = 0, builds = 0, fail = false;
  let release = () => {};
  const scrape = cachedScrape(
    async () => {
      builds++;
      await new Promise<void>((r) => release = r);
      if (fail) throw new Error("boom");
      return `build ${builds}`;
    },
    1000,
    () => t,
  );
  const burst = Array.from({ length: 100 }, () => scrape());
  release();
  assertEquals(new Set(await Promise.all(burst)), new Set(["build 1"]));
  t = 999;
  assertEquals([await scrape(), builds], ["build 1", 1]);
  t = 1000;
  const next = scrape();
  release();
  assertEquals([await next, builds], ["build 2", 2]);
  t = 2500;
  fail = true;
  const failing = scrape();
  release();
  assertEquals(await failing.catch((e) => (e as Error).message), "boom");
  fail = false;
  const retry = scrape();
  release();
  assertEquals([await retry, builds], ["build 4", 4]);
});
