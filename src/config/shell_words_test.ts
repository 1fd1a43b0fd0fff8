import { assertEquals } from "../testing/assert.ts";
import { shellQuote, splitShellWords } from "./shell_words.ts";

Deno.test("splitShellWords splits like a shell", () => {
  assertEquals(splitShellWords(`--variant first --no-cache`), ["--variant", "first", "--no-cache"]);
  assertEquals(splitShellWords(`--header 'X-A: b c' --header "X-B: \\"q\\""`), [
    "--header",
    "X-A: b c",
    "--header",
    'X-B: "q"',
  ]);
  assertEquals(splitShellWords(`  a\\ b  ''  `), ["a b", ""]);
  assertEquals(splitShellWords(""), []);
});

Deno.test("splitShellWords rejects an unterminated quote", () => {
  let message = "";
  try {
    splitShellWords(`--header 'X: y`);
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "unterminated ' quote");
});

Deno.test("shellQuote output reads back unchanged through a real bash", async () => {
  const words = [
    "plain",
    "a b",
    "it's",
    "",
    "$HOME",
    "X: y\r\nZ: w\r\n",
    "tab\there",
    "back\\slash",
  ];
  const script = `for w in ${words.map(shellQuote).join(" ")}; do printf '%s\\0' "$w"; done`;
  const out = await new Deno.Command("bash", { args: ["-c", script], stdout: "piped" }).output();
  const got = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  assertEquals(got, words);
});
