import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import type { CliIo } from "../exit/io.ts";
import { runReconcile } from "./reconcile_command.ts";
import type { ReconcileReport } from "../reconcile/report.ts";

function io() {
  const out = { stdout: "", stderr: "" };
  const cli: CliIo = {
    env: {},
    stdout: (t) => out.stdout += t,
    stderr: (t) => out.stderr += t,
    stdoutIsTerminal: false,
    stderrIsTerminal: false,
  };
  return { out, cli };
}

const T0 = Date.parse("2026-12-07T19:00:00Z");

/** A request log and the matching lines of an nginx edge in the documented format. */
async function fixture(dir: string, requests: number) {
  const req: string[] = [], cdn: string[] = [];
  for (let i = 0; i < requests; i++) {
    const at = T0 + i * 500, client = i % 4, path = `/seg${i}.ts`;
    req.push(JSON.stringify({
      time: new Date(at).toISOString(),
      client,
      kind: "segment",
      url: path,
      status: 200,
      event: null,
    }));
    cdn.push(
      `127.0.0.1 - - [07/Dec/2026:19:00:00 +0000] "GET ${path}?tok=SECRET HTTP/1.1" 200 100 "-" ` +
        `"hls-swarm/0.1.0/client-${client}" ${((at + 1200) / 1000).toFixed(3)} 0.010 HIT "-"`,
    );
  }
  await Deno.writeTextFile(`${dir}/req.ndjson`, req.join("\n") + "\n");
  return cdn;
}

Deno.test("reconcile command: 0 when all match, 99 with a line lost (unless tolerated), JSON, no query in output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cdn = await fixture(dir, 40);
    await Deno.writeTextFile(`${dir}/edge.log`, cdn.join("\n") + "\n");
    const ok = io();
    assertEquals(
      await runReconcile(["--request-log", `${dir}/req.ndjson`, `${dir}/edge.log`], ok.cli),
      0,
    );
    assertStringIncludes(ok.out.stdout, "clock skew +1190 ms");
    assertStringIncludes(ok.out.stdout, "OK: 0 mismatches (tolerance 0)");
    await Deno.writeTextFile(`${dir}/edge.log`, cdn.filter((_, i) => i !== 20).join("\n") + "\n");
    const lost = io();
    const args = ["--request-log", `${dir}/req.ndjson`, "--json", `${dir}/edge.log`];
    assertEquals(await runReconcile(args, lost.cli), 99);
    const r: ReconcileReport = JSON.parse(lost.out.stdout);
    assertEquals([r.total.onlySwarm, r.examples[0].path], [1, "/seg20.ts"]);
    assertStringIncludes(lost.out.stderr, "1 mismatches, more than the tolerance 0");
    assertEquals(await runReconcile([...args, "--tolerance=1"], io().cli), 0);
    assertEquals(await runReconcile([...args, "--tolerance=5%"], io().cli), 0, "5% of 40 is 2");
    assert(!lost.out.stdout.includes("SECRET"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reconcile command: bad flags and unreadable logs are exit 2 with one line; progress on long inputs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cdn = await fixture(dir, 4000);
    await Deno.writeTextFile(`${dir}/edge.log`, cdn.join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/bad.log`, cdn[0] + "\ngarbage\n");
    const base = ["--request-log", `${dir}/req.ndjson`];
    const cases: Array<[string[], string]> = [
      [[...base, "--window=5", `${dir}/edge.log`], "--window: needs a unit"],
      [[...base, "--tolerance=many", `${dir}/edge.log`], "--tolerance"],
      [[...base, `${dir}/bad.log`], "bad.log: line 2: not an nginx combined line (format nginx)"],
      [[...base, `${dir}/none.log`], "none.log: no such file"],
      [["--request-log", `${dir}/edge.log`, `${dir}/edge.log`], "edge.log: line 1: not a JSON"],
      [
        [...base, "--format=cloudfront", `${dir}/edge.log`],
        "edge.log: line 1: not a tab-separated",
      ],
    ];
    for (const [args, message] of cases) {
      const run = io();
      assertEquals(await runReconcile(args, run.cli), 2, args.join(" "));
      assertStringIncludes(run.out.stderr, message);
      assertEquals(run.out.stderr.trim().split("\n").length, 1, run.out.stderr);
    }
    // A clock that moves a second per look: a progress line every other look.
    let t = 0;
    const slow = io();
    const code = await runReconcile([...base, `${dir}/edge.log`], slow.cli, {
      now: () => t += 1000,
    });
    assertEquals(code, 0);
    assert(
      /reconcile: edge\.log: \d+ of \d+ MiB \(\d+%\), \d+ MiB\/s/.test(slow.out.stderr),
      slow.out.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
