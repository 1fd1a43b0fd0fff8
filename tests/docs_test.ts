/**
 * The docs (README.md, CONTRIBUTING.md, docs/*.md) say only what hls-swarm does:
 * - every shell block is run, as a user would paste it, with `hls-swarm` on the PATH, and must exit
 *   0 (or the code an `<!-- run: exits N -->` comment before it names); a block that cannot run here
 *   says why in a `<!-- not run: REASON -->` comment before it;
 * - a block marked `<!-- output -->` right after a shell block is exactly what that block prints
 *   (stdout, then stderr);
 * - every fenced block names its language, so a shell example cannot hide in an unmarked one;
 * - every `--flag` named is one of hls-swarm's (its flag table, and each subcommand's own flags as
 *   its `--help` lists them), or one of the other tools' listed in FOREIGN_FLAGS below;
 * - every `HLS_SWARM_*` name is a flag's variable, one of EXTRA_ENV, or one the code reads or writes;
 * - every relative link resolves, to the heading too when it names one.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runCli } from "../src/cli/main.ts";
import { envName, EXTRA_ENV, FLAGS } from "../src/config/flags.ts";
import {
  anchors,
  type Fence,
  fences,
  flagsNamed,
  links,
  SHELL_LANGS,
  variablesNamed,
} from "./docs_markdown.ts";

const ROOT = new URL("../", import.meta.url);

/** Flags of other programs that the docs name, and whose they are. */
const FOREIGN_FLAGS: Readonly<Record<string, string>> = {
  "allow-all": "deno",
  "cached-only": "deno",
  "no-config": "deno",
  "v8-flags": "deno",
  "target": "deno compile",
  "include": "deno compile",
  "ext": "deno fmt",
  "doc": "deno test",
  "max-semi-space-size": "V8 (in --v8-flags)",
  "heap-growing-percent": "V8 (in --v8-flags)",
  "go": "bench/overhead.ts",
  "go-ffmpeg": "bench/overhead.ts",
  "isolation": "podman build",
  "ulimit": "docker run",
  "init": "docker run",
  "sysctl": "docker run",
  "memory": "docker run",
  "pids-limit": "docker run",
  "pdeathsig": "setpriv",
  "parse": "nix-instantiate",
  "allow-run": "deno",
  "rm": "docker run",
  "network": "podman run",
  "user": "podman run",
  "read-only": "podman run",
  "cap-drop": "podman run",
  "tmpfs": "podman run",
  "segment-sizes-url": "the Go tool (hls-swarm dropped it)",
  "bogus": "nobody: the unknown flag of the bad-input table",
};

/** The Markdown files the docs are: README.md, CONTRIBUTING.md and docs/*.md. */
async function docFiles(): Promise<{ name: string; text: string }[]> {
  const names = ["README.md", "CONTRIBUTING.md"];
  for await (const e of Deno.readDir(new URL("docs/", ROOT))) {
    if (e.isFile && e.name.endsWith(".md")) names.push(`docs/${e.name}`);
  }
  names.sort();
  return await Promise.all(
    names.map(async (name) => ({ name, text: await Deno.readTextFile(new URL(name, ROOT)) })),
  );
}

/** Every flag hls-swarm and its subcommands accept: the flag table, and each command's help. */
async function knownFlags(): Promise<Set<string>> {
  const known = new Set<string>(["help", "version"]);
  for (const f of FLAGS) {
    known.add(f.name);
    if (f.kind === "bool") known.add(`no-${f.name}`);
  }
  const commands = [
    ["origin"],
    ["merge"],
    ["reconcile"],
    ["k8s", "render"],
    ["k8s", "run"],
    ["k8s", "barrier"],
  ];
  for (const command of commands) {
    const out: string[] = [];
    const io = {
      env: {},
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => out.push(t),
      stdoutIsTerminal: false,
      stderrIsTerminal: false,
    };
    assertEquals(await runCli([...command, "--help"], io), 0, `${command.join(" ")} --help`);
    for (const line of out.join("").split("\n")) {
      // Only the option column: a description may name another program's flag.
      const option = line.match(/^\s+((?:-\w, )?--\S+(?: <[^>]+>)?)\s/)?.[1];
      for (const { flag } of flagsNamed(option ?? "")) known.add(flag);
    }
  }
  return known;
}

/** `HLS_SWARM_*` names the flag table, EXTRA_ENV and the code (not the docs) use. */
async function knownVariables(): Promise<Set<string>> {
  const known = new Set<string>([...FLAGS.map((f) => envName(f.name))]);
  for (const v of Object.values(EXTRA_ENV)) known.add(v.name);
  const roots = ["src", "tests", "tools", "bench", "nix", "deploy", ".ci"];
  const files = ["Makefile", "Containerfile", "container.nix", "flake.nix"];
  const walk = async (dir: URL): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory && e.name !== "node_modules") await walk(url);
      else if (e.isFile && !e.name.endsWith(".md") && !url.href.endsWith("tests/docs_test.ts")) {
        files.push(url.pathname);
      }
    }
  };
  for (const r of roots) await walk(new URL(`${r}/`, ROOT));
  for (const f of files) {
    const path = f.startsWith("/") ? f : new URL(f, ROOT).pathname;
    const text = await Deno.readTextFile(path).catch(() => "");
    for (const { name } of variablesNamed(text)) known.add(name);
  }
  return known;
}

const docs = await docFiles();
const blocks: Fence[] = docs.flatMap((d) => fences(d.name, d.text));
const where = (b: Fence) => `${b.file}:${b.line}`;

Deno.test("every fenced block names its language", () => {
  const bare = blocks.filter((b) => b.lang === "").map(where);
  assertEquals(bare, [], "give these a language (sh, text, yaml, …)");
});

Deno.test("every shell block is run or says why not", () => {
  const bad = blocks.filter((b) => SHELL_LANGS.has(b.lang) && b.mark !== undefined)
    .filter((b) => !/^not run: \S/.test(b.mark ?? "") && !/^run: exits \d+$/.test(b.mark ?? ""))
    .map((b) => `${where(b)}: <!-- ${b.mark} -->`);
  assertEquals(bad, [], 'mark a block "<!-- not run: REASON -->" or "<!-- run: exits N -->"');
});

/** The caller's values of `names`, those that are set. */
function passThrough(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = Deno.env.get(n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** A directory with an `hls-swarm` that runs this checkout, and the data examples read. */
async function sandbox(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-docs-" });
  await Deno.mkdir(`${dir}/bin`);
  const main = new URL("src/main.ts", ROOT).pathname;
  await Deno.writeTextFile(
    `${dir}/bin/hls-swarm`,
    `#!/bin/sh\nexec '${Deno.execPath()}' run -A --cached-only '${main}' "$@"\n`,
    { mode: 0o755 },
  );
  await Deno.symlink(new URL("testdata", ROOT).pathname, `${dir}/testdata`);
  return dir;
}

/** The block right after `block` when it is marked `<!-- output -->`: what `block` prints. */
function outputShown(block: Fence): Fence | undefined {
  const next = blocks[blocks.indexOf(block) + 1];
  return next?.file === block.file && next.mark === "output" ? next : undefined;
}

for (const block of blocks.filter((b) => SHELL_LANGS.has(b.lang))) {
  if (block.mark?.startsWith("not run:")) continue;
  const expected = Number(block.mark?.match(/^run: exits (\d+)$/)?.[1] ?? 0);
  Deno.test(`${where(block)} runs and exits ${expected}`, async () => {
    const dir = await sandbox();
    try {
      const out = await new Deno.Command("bash", {
        args: ["-e", "-o", "pipefail", "-c", block.body],
        cwd: dir,
        clearEnv: true,
        // Nothing of the caller's HLS_SWARM_* or Go aliases; what Deno needs to find its cache.
        env: {
          PATH: `${dir}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
          NO_COLOR: "1",
          ...passThrough(["HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]),
        },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      const err = text(out.stderr).slice(-2000);
      assertEquals(out.code, expected, `${where(block)}:\n${block.body}\nstderr: ${err}`);
      const shown = outputShown(block);
      if (shown !== undefined) {
        assertEquals(
          (text(out.stdout) + text(out.stderr)).trimEnd(),
          shown.body.trimEnd(),
          `${where(shown)}: the output shown is not what ${where(block)} prints`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("every flag the docs name exists", async () => {
  const known = await knownFlags();
  const unknown = docs.flatMap((d) =>
    flagsNamed(d.text)
      .filter(({ flag }) => !known.has(flag) && !(flag in FOREIGN_FLAGS))
      .map(({ flag, line }) => `${d.name}:${line}: --${flag}`)
  );
  assertEquals(unknown, [], "no such flag (or add another program's to FOREIGN_FLAGS)");
  assert(known.has("ramp-rate") && known.has("allow-missing-shards") && known.has("fault"));
});

Deno.test("every HLS_SWARM_ variable the docs name exists", async () => {
  const known = await knownVariables();
  const unknown = docs.flatMap((d) =>
    variablesNamed(d.text).filter(({ name }) => !known.has(name))
      .map(({ name, line }) => `${d.name}:${line}: ${name}`)
  );
  assertEquals(unknown, [], "no flag, EXTRA_ENV entry or code uses these");
});

Deno.test("every relative link resolves, to its heading too", async () => {
  const broken: string[] = [];
  for (const d of docs) {
    for (const { target, line } of links(d.text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split("#");
      const url = path === "" ? new URL(d.name, ROOT) : new URL(path, new URL(d.name, ROOT));
      const text = await Deno.readTextFile(url).catch(() => undefined);
      const isDir = await Deno.stat(url).then((s) => s.isDirectory).catch(() => false);
      if (text === undefined && !isDir) broken.push(`${d.name}:${line}: ${target} (no such file)`);
      else if (anchor && text !== undefined && !anchors(text).has(anchor)) {
        broken.push(`${d.name}:${line}: ${target} (no such heading)`);
      }
    }
  }
  assertEquals(broken, []);
});

Deno.test("the README's first commands are the ones CI runs on a fresh machine", async () => {
  const readme = blocks.filter((b) => b.file === "README.md" && SHELL_LANGS.has(b.lang));
  const first = readme.find((b) => b.body.includes("make test"));
  assert(first, "README.md: no block with `make test`");
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  for (const line of first.body.split("\n").map((l) => l.replace(/#.*/, "").trim())) {
    if (line === "") continue;
    // `make deps demo` sets up as CI does (make deps), then runs the demo, which CI does not.
    for (const target of line.replace(/^make\s+/, "").split(/\s+/).filter((t) => t !== "demo")) {
      assert(ci.includes(`make ${target}`), `.ci/run does not run \`make ${target}\` (${line})`);
    }
  }
  const makefile = await Deno.readTextFile(new URL("Makefile", ROOT));
  assert(/^demo:/m.test(makefile), "the Makefile has a demo target");
});
