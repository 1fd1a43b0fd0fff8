/**
 * Which of a run's HLS_SWARM_* settings are credentials, and so go into the run's Secret
 * instead of its ConfigMap. The rule is src/secrets/redact.ts's, so a value the swarm would
 * hide from its logs is also kept out of the ConfigMap: a setting is secret when the run's
 * redactor would change it (a credential header's value, a `--redact-header` header's value, a
 * URL's query or user info, or any of those values repeated elsewhere). The stream URL with a
 * query or user info and the `--redact-header` names are secret outright.
 *
 * A variable is moved whole: HLS_SWARM_HEADER holds every header, one a line, so one
 * credential header takes the whole list into the Secret.
 * @module
 */
import { envName, EXTRA_ENV } from "../config/flags.ts";
import { redactorFor } from "../secrets/redact.ts";

/** What the split is made from: the run's headers, redacted header names and stream URL. */
export interface CredentialSource {
  headers: readonly string[];
  redactHeaders: readonly string[];
  streamUrl: string;
}

/** A run's settings split in two: ConfigMap data and Secret data. */
export interface SplitSettings {
  settings: Record<string, string>;
  secrets: Record<string, string>;
}

/** Variables that go into the Secret whenever they are set: they name what is secret. */
const ALWAYS_SECRET: readonly string[] = [envName("redact-header")];

/** Whether a URL carries a credential of its own: user info or a query (signed URLs). */
function urlHoldsCredentials(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username !== "" || url.password !== "" || url.search.length > 1;
  } catch {
    return false;
  }
}

/**
 * Splits `settings` (HLS_SWARM_* name → value) into what may be read by anyone who can read
 * the namespace's ConfigMaps and what must be in a Secret.
 *
 * @example
 * ```ts
 * const { settings, secrets } = splitSecrets(
 *   { HLS_SWARM_URL: "https://cdn/a.m3u8?token=T", HLS_SWARM_CLIENTS: "10" },
 *   { headers: [], redactHeaders: [], streamUrl: "https://cdn/a.m3u8?token=T" },
 * );
 * // settings: { HLS_SWARM_CLIENTS: "10" }, secrets: { HLS_SWARM_URL: "https://cdn/a.m3u8?token=T" }
 * ```
 */
export function splitSecrets(
  all: Readonly<Record<string, string>>,
  source: CredentialSource,
): SplitSettings {
  const redactor = redactorFor(source);
  const split: SplitSettings = { settings: {}, secrets: {} };
  for (const [name, value] of Object.entries(all)) {
    const secret = ALWAYS_SECRET.includes(name) || redactor.holdsSecrets(value) ||
      (name === EXTRA_ENV.streamUrl.name && urlHoldsCredentials(value));
    (secret ? split.secrets : split.settings)[name] = value;
  }
  return split;
}

/**
 * The one line `k8s render` prints on stderr when its output holds a Secret: the variables in
 * it, and that the YAML holds them in clear text.
 *
 * @example
 * ```ts
 * secretWarning("run-1", { HLS_SWARM_URL: "…" });
 * // "the output holds Secret run-1 (HLS_SWARM_URL) in clear text: …"
 * ```
 */
export function secretWarning(runId: string, secrets: Readonly<Record<string, string>>): string {
  return `the output holds Secret ${runId} (${Object.keys(secrets).sort().join(", ")}) in ` +
    "clear text: a Secret in YAML is not encrypted (stringData, or only base64 in data), so " +
    "keep the file as private as the credentials";
}
