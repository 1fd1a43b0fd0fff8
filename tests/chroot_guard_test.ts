/**
 * tools/ffmpeg-matrix/chroot.sh deletes, builds and mounts only in a folder of its own: `/`,
 * system folders (however spelled) and non-empty folders it did not make are refused, with exit 2
 * and one line, before it runs anything. The script runs for real (bash, as a subprocess); the
 * commands that would change something (mkdir, rm, mount, debootstrap, …) are PATH shims that
 * log their call and fail, so a refusal that came too late shows in the log.
 */
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { ROOT } from "./helpers.ts";

const SCRIPT = `${ROOT}tools/ffmpeg-matrix/chroot.sh`;
const ACTING = ["mkdir", "rm", "flock", "mount", "umount", "debootstrap", "apt-get", "chroot"]
  .concat(["install", "mv", "cp", "du"]);
const isRoot = Deno.uid() === 0;

/** A folder of shims for `names`: each logs `name args` to `log` and exits 97. */
async function shims(names: string[]): Promise<{ bin: string; log: string }> {
  const bin = await Deno.makeTempDir({ prefix: "chroot-guard-bin-" });
  const log = `${bin}/calls.log`;
  await Deno.writeTextFile(log, "");
  for (const name of names) {
    await Deno.writeTextFile(
      `${bin}/${name}`,
      `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 97\n`,
      {
        mode: 0o755,
      },
    );
  }
  return { bin, log };
}

async function chrootSh(args: string[], bin: string) {
  const out = await new Deno.Command("bash", {
    args: [SCRIPT, ...args],
    env: {
      PATH: `${bin}:${Deno.env.get("PATH")}`,
      HLS_SWARM_DEBIAN_MIRROR: "http://127.0.0.1:9/debian",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** Names, sizes and mtimes under `dir` (one level): what "touched nothing" compares. */
async function listing(dir: string): Promise<string[]> {
  const rows: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const st = await Deno.lstat(`${dir}/${e.name}`);
    rows.push(`${e.name} ${st.size} ${st.mtime?.getTime()}`);
  }
  return rows.sort();
}

Deno.test("chroot.sh refuses /, system folders and foreign folders before doing anything", async (t) => {
  const { bin, log } = await shims(ACTING);
  const scratch = await Deno.makeTempDir({ prefix: "chroot-guard-" });
  try {
    await Deno.symlink("/", `${scratch}/to-root`);
    const foreign = `${scratch}/foreign`;
    await Deno.mkdir(foreign);
    await Deno.writeTextFile(`${foreign}/notes.txt`, "mine\n");
    const otherSuite = `${scratch}/other-suite`;
    await Deno.mkdir(`${otherSuite}/root`, { recursive: true });
    await Deno.writeTextFile(`${otherSuite}/stamp`, "suite=sid\n");
    const rootLink = `${scratch}/root-link`;
    await Deno.mkdir(rootLink);
    await Deno.writeTextFile(`${rootLink}/.hls-swarm-chroot`, "made by chroot.sh\n");
    await Deno.symlink("/", `${rootLink}/root`);
    const cases: [string, string, string][] = [
      ["/", "/", "it is a system folder"],
      ["//", "/", "it is a system folder"],
      ["/usr/..", "/", "it is a system folder"],
      [`${scratch}/to-root`, "/", "it is a system folder"],
      [`${scratch}/to-root/etc/..`, "/", "it is a system folder"],
      ["/etc", "/etc", "it is a system folder"],
      ["/var/cache/", "/var/cache", "it is a system folder"],
      ["/home", "/home", "it is a system folder"],
      ["", '""', "DIR is empty"],
      [foreign, foreign, "it is not empty and has no .hls-swarm-chroot marker"],
      [otherSuite, otherSuite, "it is not empty and has no .hls-swarm-chroot marker"],
      [rootLink, rootLink, "DIR/root or DIR/bin is a symlink"],
    ];
    const before = await listing(foreign);
    for (const [dir, shown, why] of cases) {
      for (const cmd of ["build", "wrapper", "mount"]) {
        await t.step(`${cmd} trixie "${dir}"`, async () => {
          const r = await chrootSh([cmd, "trixie", dir], bin);
          assertEquals(r.code, 2, r.stderr);
          const lines = r.stderr.trimEnd().split("\n");
          assertEquals(lines.length, 1, r.stderr);
          assert(
            lines[0].startsWith(`chroot.sh: refusing ${shown}: `) ||
              lines[0].startsWith(`chroot.sh: refusing "": `),
            lines[0],
          );
          assertStringIncludes(lines[0], why);
          assertEquals(await Deno.readTextFile(log), "", "nothing ran before the refusal");
        });
      }
    }
    await t.step("umount is refused on / too, and the foreign folder is untouched", async () => {
      const r = await chrootSh(["umount", "trixie", "/"], bin);
      assertEquals(r.code, 2, r.stderr);
      assertEquals(await Deno.readTextFile(log), "");
      assertEquals(await listing(foreign), before);
      for (const name of [".lock", ".hls-swarm-chroot"]) {
        assertEquals(await Deno.lstat(`/${name}`).catch(() => null), null, `/${name}`);
      }
      console.log(`refused ${cases.length * 3 + 1} calls; commands run before a refusal: 0`);
    });
  } finally {
    await Deno.remove(scratch, { recursive: true });
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test({
  name: "chroot.sh takes a new folder (marker) and an older chroot.sh's, then goes on to build",
  ignore: !isRoot,
  fn: async () => {
    // Only debootstrap is a shim here (it logs and fails): everything up to it runs for real.
    const { bin, log } = await shims(["debootstrap"]);
    const scratch = await Deno.makeTempDir({ prefix: "chroot-guard-" });
    try {
      const fresh = `${scratch}/fresh/trixie`;
      const r = await chrootSh(["build", "trixie", fresh], bin);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(await Deno.readTextFile(`${fresh}/.hls-swarm-chroot`), "chroot.sh");
      assertStringIncludes(
        await Deno.readTextFile(log),
        `debootstrap --variant=minbase --include=ffmpeg,ca-certificates trixie ${fresh}/root`,
      );
      // An older chroot.sh's half-built chroot: its entries and its stamp, no marker.
      const legacy = `${scratch}/legacy`;
      await Deno.mkdir(`${legacy}/root/etc`, { recursive: true });
      await Deno.writeTextFile(`${legacy}/stamp`, "suite=trixie\nffmpeg=x\n");
      const again = await chrootSh(["build", "trixie", legacy], bin);
      assertEquals(again.code, 1, again.stderr);
      assertStringIncludes(again.stderr, `removing half-built chroot ${legacy}/root`);
      assert(await Deno.lstat(`${legacy}/.hls-swarm-chroot`).then(() => true));
    } finally {
      await Deno.remove(scratch, { recursive: true });
      await Deno.remove(bin, { recursive: true });
    }
  },
});
