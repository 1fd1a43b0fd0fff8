/**
 * What tests/docs_test.ts reads in the Markdown docs: fenced blocks with the comment that marks
 * them, relative links, headings as GitHub anchors, and the flags and variables the text names.
 * @module
 */

/** A fenced code block, with the HTML comment on the line before it (if any). */
export interface Fence {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word: `sh`, `text`, … ("" when there is none). */
  lang: string;
  body: string;
  /** The text of an `<!-- … -->` comment right before the fence, blank lines allowed between. */
  mark?: string;
}

/** Shells whose blocks are examples to run. */
export const SHELL_LANGS: ReadonlySet<string> = new Set(["sh", "bash", "shell", "console"]);

/**
 * Every fenced block of `text`, indented ones (inside a list) included.
 *
 * @example
 * ```ts
 * // (~~~ fences here, as three backticks would end this example's own block)
 * const [f] = fences("a.md", "<!-- not run: needs a cluster -->\n~~~sh\nkubectl get pods\n~~~\n");
 * f.lang; // "sh"
 * f.mark; // "not run: needs a cluster"
 * f.body; // "kubectl get pods"
 * ```
 */
export function fences(file: string, text: string): Fence[] {
  const lines = text.split("\n");
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/);
    if (!open) continue;
    const [, indent, ticks, lang] = open;
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== ticks) j++;
    const body = lines.slice(i + 1, j).map((l) =>
      l.startsWith(indent) ? l.slice(indent.length) : l
    );
    out.push({ file, line: i + 1, lang, body: body.join("\n"), mark: markBefore(lines, i) });
    i = j;
  }
  return out;
}

function markBefore(lines: string[], i: number): string | undefined {
  let k = i - 1;
  while (k >= 0 && lines[k].trim() === "") k--;
  return k >= 0 ? lines[k].trim().match(/^<!--\s*(.*?)\s*-->$/)?.[1] : undefined;
}

/** `text` with its fenced blocks blanked out (their lines kept, so line numbers hold). */
export function prose(text: string): string {
  const lines = text.split("\n");
  let inside: string | undefined;
  return lines.map((l) => {
    const fence = l.match(/^\s*(`{3,}|~{3,})/)?.[1];
    if (inside === undefined && fence) {
      inside = fence;
      return "";
    }
    if (inside !== undefined) {
      if (l.trim() === inside) inside = undefined;
      return "";
    }
    return l;
  }).join("\n");
}

/**
 * The targets of Markdown links and images outside code (`[a](b)`, `![a](b)`), with their lines.
 *
 * @example
 * ```ts
 * links("see [usage](docs/usage.md#exit-codes) and `[x](y)`\n")[0].target; // "docs/usage.md#exit-codes"
 * ```
 */
export function links(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  prose(text).split("\n").forEach((l, i) => {
    const plain = l.replace(/`[^`]*`/g, "");
    for (const m of plain.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      out.push({ target: m[1], line: i + 1 });
    }
  });
  return out;
}

/**
 * The anchors GitHub gives the headings of `text`: lower case, punctuation dropped, spaces
 * turned into hyphens, a repeated one suffixed `-1`, `-2`, ….
 *
 * @example
 * ```ts
 * [...anchors("# Exit codes\n## Why FFmpeg runs at log level `trace`\n")];
 * // ["exit-codes", "why-ffmpeg-runs-at-log-level-trace"]
 * ```
 */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const l of prose(text).split("\n")) {
    const h = l.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!h) continue;
    const base = h[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/**
 * Long flags named anywhere in `text` (`--name`, `--name=value`, `--no-name`), with their lines.
 *
 * @example
 * ```ts
 * flagsNamed("run with `--ramp-rate 10` or --tui=false; not x--y\n").map((f) => f.flag);
 * // ["ramp-rate", "tui"]
 * ```
 */
export function flagsNamed(text: string): { flag: string; line: number }[] {
  const out: { flag: string; line: number }[] = [];
  text.split("\n").forEach((l, i) => {
    for (const m of l.matchAll(/(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g)) {
      out.push({ flag: m[1], line: i + 1 });
    }
  });
  return out;
}

/**
 * `HLS_SWARM_*` names in `text`, with their lines.
 *
 * @example
 * ```ts
 * variablesNamed("HLS_SWARM_CLIENTS=5 and `HLS_SWARM_URL`\n").map((v) => v.name);
 * // ["HLS_SWARM_CLIENTS", "HLS_SWARM_URL"]
 * ```
 */
export function variablesNamed(text: string): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  text.split("\n").forEach((l, i) => {
    for (const m of l.matchAll(/\bHLS_SWARM_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      out.push({ name: m[0], line: i + 1 });
    }
  });
  return out;
}
