/**
 * `--junit FILE`: the thresholds and the run's outcome as JUnit XML, the format CI systems
 * (GitLab, Jenkins, GitHub reporters) show as test results.
 * @module
 */
import type { RunOutcome } from "./outcome.ts";
import type { ThresholdResult } from "./thresholds.ts";

/**
 * The JUnit XML of one run: a test case per threshold, and one for the run itself.
 *
 * @example Not run: it needs a run's thresholds and outcome, and writes a file
 * ```ts ignore
 * await Deno.writeTextFile("junit.xml", junitXml("run-1", thresholds, outcome, 61.2));
 * ```
 */
export function junitXml(
  runId: string,
  thresholds: readonly ThresholdResult[],
  outcome: RunOutcome,
  seconds: number,
): string {
  const cases = thresholds.map((t) => {
    const actual = t.actual === null ? "not measured" : String(Number(t.actual.toFixed(6)));
    const body = t.passed
      ? ""
      : `\n      <failure message="${
        esc(`${t.threshold}: actual ${actual}`)
      }" type="threshold"/>\n    `;
    return `    <testcase classname="hls-swarm.thresholds" name="${
      esc(t.threshold)
    }">${body}</testcase>`;
  });
  const runOk = outcome.code === 0 || outcome.code === 99;
  cases.push(
    `    <testcase classname="hls-swarm.run" name="run ${esc(runId)}" time="${
      seconds.toFixed(1)
    }">` +
      (runOk
        ? ""
        : `\n      <failure message="${
          esc(outcome.reason ?? `exit ${outcome.code}`)
        }" type="exit ${outcome.code}"/>\n    `) +
      "</testcase>",
  );
  const failures = thresholds.filter((t) => !t.passed).length + (runOk ? 0 : 1);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="hls-swarm" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="hls-swarm ${esc(runId)}" tests="${cases.length}" failures="${failures}" ` +
    `time="${seconds.toFixed(1)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
