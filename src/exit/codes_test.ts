/**
 * The docs' exit-code tables say what codes.ts says: every Markdown table headed
 * `| code | name | meaning |` (README.md, docs/) lists each code once, with its name and meaning.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { EXIT, EXIT_CODES, exitCodeOf, exitCodeTable, ExitError } from "./codes.ts";

const ROOT = new URL("../../", import.meta.url);

/** README.md and every Markdown file under docs/ (it may not exist yet). */
async function markdownFiles(): Promise<URL[]> {
  const files = [new URL("README.md", ROOT)];
  const walk = async (dir: URL) => {
    try {
      for await (const entry of Deno.readDir(dir)) {
        const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
        if (entry.isDirectory) await walk(url);
        else if (entry.name.endsWith(".md")) files.push(url);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  };
  await walk(new URL("docs/", ROOT));
  return files;
}

/** The cells of each row of each exit-code table in `text`, header and rule left out. */
function exitTables(text: string): string[][][] {
  const cells = (line: string) => line.trim().slice(1, -1).split("|").map((c) => c.trim());
  const tables: string[][][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (cells(lines[i]).join("|") !== "code|name|meaning") continue;
    const rows: string[][] = [];
    for (let j = i + 2; j < lines.length && lines[j].trim().startsWith("|"); j++) {
      rows.push(cells(lines[j]));
    }
    tables.push(rows);
  }
  return tables;
}

Deno.test("every exit-code table in the docs is codes.ts's table", async () => {
  const expected = exitTables(exitCodeTable())[0];
  assertEquals(expected.length, Object.keys(EXIT_CODES).length);
  let found = 0;
  for (const file of await markdownFiles()) {
    for (const table of exitTables(await Deno.readTextFile(file))) {
      found++;
      assertEquals(
        table,
        expected,
        `${file.pathname}: its exit-code table differs from src/exit/codes.ts; paste ` +
          "`deno run src/exit/codes.ts | deno fmt --ext md -` in its place",
      );
    }
  }
  assert(found > 0, "no `| code | name | meaning |` table in README.md or docs/");
});

Deno.test("exit codes are distinct and fit in a byte", () => {
  const codes = Object.values(EXIT);
  assertEquals(new Set(codes).size, codes.length);
  assert(codes.every((c) => Number.isInteger(c) && c >= 0 && c <= 255));
});

Deno.test("exitCodeOf: an ExitError's own code, 1 for anything else", () => {
  class Late extends ExitError {
    readonly exitCode = EXIT.lateStart;
  }
  class BadInput extends ExitError {
    readonly exitCode = EXIT.usage;
  }
  assertEquals(exitCodeOf(new Late("late")), 4);
  assertEquals(exitCodeOf(new BadInput("bad")), 2);
  assertEquals(exitCodeOf(new Error("bug")), 1);
  assertEquals(exitCodeOf(undefined), 1);
  assertEquals(exitCodeOf({ exitCode: 2 }), 1, "a look-alike object is not an ExitError");
});
