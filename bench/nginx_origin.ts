/**
 * Serves the built-in generator's live stream through a real nginx, for manual runs and
 * benchmarks: prints the stream URL and the access log path, and runs until SIGINT/SIGTERM.
 *
 *   deno run -A bench/nginx_origin.ts [port]
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { startNginx } from "../tests/helpers.ts";

const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
const nginx = await startNginx(origin.dir, Number(Deno.args[0] ?? 0) || undefined);
console.log(nginx.url("/stream.m3u8"));
console.log(nginx.accessLogPath);
await new Promise<void>((resolve) => {
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, () => resolve());
});
await nginx.stop();
await origin.close();
