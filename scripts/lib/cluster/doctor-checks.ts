// What `doctor` checks and how each result reads. Pure: answers in, lines out.
import { FLINK_VERSIONS_FILE, SUPPORTED_FLINK_VERSIONS, supportStatus } from "../../../components/flink-versions.ts";

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

/** One RBAC question for `kubectl auth can-i`. Named objects matter: Roles limit some rules to names. */
export interface Right {
  verb: string;
  resource: string;
  subresource?: string;
  name?: string;
  why: string;
}

export function describeRight(r: Right): string {
  const what = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return r.name ? `${what} of ${r.name}` : what;
}

/** What the person running profile.mjs needs, per way of running. */
export function callerRights(via: "job" | "exec", templateConfigMap: string): Right[] {
  const common: Right[] = [{ verb: "list", resource: "pods", why: "find the TaskManagers" }];
  if (via === "exec")
    return [
      ...common,
      { verb: "create", resource: "pods", subresource: "exec", why: "run the helper with --via exec" },
    ];
  return [
    ...common,
    { verb: "get", resource: "configmaps", name: templateConfigMap, why: "read the Job template" },
    { verb: "create", resource: "jobs.batch", why: "start the profiling Jobs" },
    { verb: "get", resource: "pods", subresource: "log", why: "read the results from the Jobs' logs" },
    { verb: "delete", resource: "jobs.batch", why: "remove the Jobs afterwards" },
  ];
}

/** What the Job's service account needs in one TaskManager pod: find it, and exec into it. */
export function serviceAccountRights(pod: string): Right[] {
  return [
    { verb: "create", resource: "pods", subresource: "exec", name: pod, why: "run the helper inside the TaskManager" },
    { verb: "get", resource: "pods", name: pod, why: "find the TaskManager pod" },
  ];
}

/** `flink:2.3.0-scala_2.12-java17` → `2.3.0`; undefined when the tag does not say. */
export function flinkVersionFromImage(image: string): string | undefined {
  const tag = /:([^:@/]+)(@.*)?$/.exec(image)?.[1];
  return tag ? /^v?(\d+\.\d+(?:\.\d+)?)(?=$|[-_])/.exec(tag)?.[1] : undefined;
}

export function flinkVersionCheck(image: string): Check {
  const version = flinkVersionFromImage(image);
  if (!version)
    return {
      verdict: "notice",
      what: `Flink version unknown (image ${image})`,
      fix: "tag the TaskManager image with the Flink version, e.g. flink:2.3.0-java17",
    };
  const supported = `${SUPPORTED_FLINK_VERSIONS.join(", ")} (${FLINK_VERSIONS_FILE})`;
  switch (supportStatus(version)) {
    case "supported":
      return { verdict: "ok", what: `Flink ${version} (image ${image})` };
    case "older":
      return {
        verdict: "notice",
        what: `Flink ${version} is older than the versions this project supports: ${supported}`,
        fix: "profiling works with any JVM, but upgrade Flink when you can",
      };
    default:
      return {
        verdict: "notice",
        what: `Flink ${version} is not one of the versions this project supports: ${supported}`,
        fix: "profiling works with any JVM; the components and their checks are made for the versions listed",
      };
  }
}
