/**
 * The redactor of the raw inputs, built before anything is parsed or validated: the first line
 * hls-swarm prints (a commander error, a config error naming a bad URL or header, a crash) must
 * already be redacted, yet the config's own redactor only exists once the config has loaded.
 *
 * It reads every argv word, the words of `EXTRA_ARGS`, and every `HLS_SWARM_*` variable and Go
 * alias, and learns: the values of credential headers and `--redact-header` names, header lines
 * with no `:` (whole), and the user info and query of every URL, parsed or not.
 * @module
 */
import { ENV_PREFIX, envName, EXTRA_ENV, FLAGS } from "./flags.ts";
import { splitShellWords } from "./shell_words.ts";
import { headerSecrets, urlSecrets } from "../secrets/extract.ts";
import { Redactor, secretHeaderNames } from "../secrets/redact.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Variables that may carry a flag's value: canonical ones and every Go alias. */
const ALIASES = new Set<string>([
  ...FLAGS.flatMap((f) => f.alias ? [f.alias] : []),
  ...Object.values(EXTRA_ENV).flatMap((v) => v.alias ? [v.alias] : []),
]);

/**
 * The redactor of `args` and `env` as given, before validation.
 *
 * @example
 * ```ts
 * const r = rawRedactor(["--header", "X-Key: s3cr3t-k3y", "--redact-header=x-key"], {});
 * r.text('header: "X-Key: s3cr3t-k3y"'); // 'header: "X-Key: <redacted>"'
 * ```
 */
export function rawRedactor(args: readonly string[], env: Env): Redactor {
  const values = Object.entries(env)
    .filter(([name, v]) => v && (name.startsWith(ENV_PREFIX) || ALIASES.has(name)))
    .map(([, v]) => v as string);
  const extra = env[EXTRA_ENV.extraArgs.name] ?? env[EXTRA_ENV.extraArgs.alias] ?? "";
  const words = [...tolerantWords(extra), ...args];
  const names = secretHeaderNames([
    ...flagValues(words, "redact-header"),
    ...lines(env[envName("redact-header")]),
  ]);
  const headerLines = [
    ...flagValues(words, "header"),
    ...lines(env[envName("header")]),
    ...lines(env[FLAGS.find((f) => f.name === "header")?.alias ?? ""]),
  ];
  const everything = [...words, ...values];
  const named = everything.flatMap(lines).filter((l) => l.includes(":"));
  return new Redactor([
    ...headerSecrets(headerLines, names),
    ...headerSecrets(named.flatMap(withoutFlag), names),
    ...everything.flatMap(urlSecrets),
  ], names);
}

/**
 * The values given to flag `name` in `words`: `--name v`, `--name=v`, and the Go spelling
 * `-name v` / `-name=v`.
 *
 * @example
 * ```ts
 * flagValues(["--header", "A: 1", "-header=B: 2"], "header"); // ["A: 1", "B: 2"]
 * ```
 */
export function flagValues(words: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([a-z][a-z0-9-]*)(=([\s\S]*))?$/i.exec(words[i]);
    if (!m || m[1].toLowerCase() !== name) continue;
    if (m[2] !== undefined) out.push(m[3]);
    else if (i + 1 < words.length) out.push(words[++i]);
  }
  return out;
}

/** Shell words of `text`, or its whitespace-separated words when it does not split. */
function tolerantWords(text: string): string[] {
  try {
    return splitShellWords(text);
  } catch {
    return text.split(/\s+/).filter(Boolean);
  }
}

function lines(text: string | undefined): string[] {
  return (text ?? "").split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
}

/** `--header=Authorization: x` is a header line once its flag is cut off. */
function withoutFlag(word: string): string[] {
  const m = /^--?[a-z][a-z0-9-]*=([\s\S]*)$/i.exec(word);
  return m ? [word, m[1]] : [word];
}
