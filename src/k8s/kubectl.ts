/**
 * The user's `kubectl`, as `hls-swarm k8s run` calls it: one command at a time, with optional
 * standard input, output captured. Injected, so tests can answer with a fake kubectl script on
 * PATH or with a function.
 * @module
 */
import { type CommandOutput, runCommand } from "../process/command_runner.ts";

/** What one kubectl command produced. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubectl ...args`, writing `stdin` to it when given. */
export type Kubectl = (args: string[], stdin?: string) => Promise<KubectlResult>;

/** kubectl could not be started at all (not installed, not executable). */
export class KubectlMissingError extends Error {
  override name = "KubectlMissingError";
}

/**
 * kubectl from PATH (or `binary`); a command still running after `timeoutMs` is killed and
 * reported as exit 124, as timeout(1) does.
 *
 * @example Not run: it runs kubectl against a cluster (kubectl is not in `make deps`)
 * ```ts ignore
 * const kubectl = kubectlCommand();
 * const { code, stdout } = await kubectl(["get", "job", "run-1", "-o", "json"]);
 * ```
 */
export function kubectlCommand(binary = "kubectl", timeoutMs = 120_000): Kubectl {
  return async (args, stdin) => {
    let out: CommandOutput;
    try {
      out = await runCommand(binary, args, timeoutMs, stdin);
    } catch (e) {
      throw new KubectlMissingError(
        `cannot run ${binary} (${(e as Error).message}); install kubectl or give --kubectl PATH`,
      );
    }
    return {
      code: out.timedOut ? 124 : out.code,
      stdout: out.stdout,
      stderr: out.stderr + (out.timedOut ? `\n(kubectl killed after ${timeoutMs / 1000} s)` : ""),
    };
  };
}

/**
 * The arguments that put a command in the run's namespace, or none for kubectl's current one.
 *
 * @example
 * ```ts
 * namespaceArgs("load"); // ["--namespace", "load"]
 * ```
 */
export function namespaceArgs(namespace: string | null): string[] {
  return namespace ? ["--namespace", namespace] : [];
}
