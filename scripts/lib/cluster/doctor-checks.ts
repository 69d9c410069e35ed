// What `doctor` checks and how each result reads. Pure: answers in, lines out.

export type Verdict = "ok" | "fail" | "notice";

export interface Check {
  verdict: Verdict;
  what: string;
  /** How to fix it; only for fail and notice. */
  fix?: string;
}

export function checkLine(c: Check): string {
  const head = `${c.verdict.padEnd(6)} ${c.what}`;
  return c.fix && c.verdict !== "ok" ? `${head}\n       fix: ${c.fix}` : head;
}

/** [verb, resource, why] the person running profile.mjs needs, per way of running. */
export function callerRights(via: "job" | "exec"): [string, string, string][] {
  const common: [string, string, string][] = [["list", "pods", "find the TaskManagers"]];
  if (via === "exec") return [...common, ["create", "pods/exec", "run the helper with --via exec"]];
  return [
    ...common,
    ["get", "configmaps", "read the Job template"],
    ["create", "jobs.batch", "start the profiling Jobs"],
    ["get", "pods/log", "read the results from the Jobs' logs"],
    ["delete", "jobs.batch", "remove the Jobs afterwards"],
  ];
}

/** What the Job's service account needs: exec into the TaskManager, and find it. */
export const SERVICE_ACCOUNT_RIGHTS: [string, string, string][] = [
  ["create", "pods/exec", "run the helper inside the TaskManager"],
  ["get", "pods", "find the TaskManager pod"],
];

/** `flink:2.3.0-scala_2.12-java17` → `2.3.0`; undefined when the tag does not say. */
export function flinkVersionFromImage(image: string): string | undefined {
  const tag = /:([^:@/]+)(@.*)?$/.exec(image)?.[1];
  return tag ? /^v?(\d+\.\d+(?:\.\d+)?)(?=$|[-_])/.exec(tag)?.[1] : undefined;
}

export function flinkVersionCheck(image: string): Check {
  const version = flinkVersionFromImage(image);
  if (!version) return { verdict: "notice", what: `Flink version unknown (image ${image})`, fix: "tag the TaskManager image with the Flink version, e.g. flink:2.3.0-java17" };
  const [major, minor] = version.split(".").map(Number);
  if (major! < 1 || (major === 1 && minor! < 17)) {
    return { verdict: "notice", what: `Flink ${version} is older than the versions this project tests (1.17 and later)`, fix: "profiling works with any JVM, but upgrade Flink when you can" };
  }
  return { verdict: "ok", what: `Flink ${version} (image ${image})` };
}
