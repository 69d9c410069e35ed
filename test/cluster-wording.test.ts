import { describe, expect, it } from "vitest";
import {
  eventProblem,
  fileTooLargeProblem,
  helperProblem,
  logProblem,
  waitingProblem,
} from "../scripts/lib/cluster/wording.ts";
import { execOutputLimit, jobLogLimit, OTHER_JOB_LOG_LIMIT } from "../scripts/lib/cluster/log-limits.ts";
import { ClusterError, explainKubectlFailure } from "../scripts/lib/cluster/kubectl-errors.ts";
import { checkLine, flinkVersionCheck, flinkVersionFromImage } from "../scripts/lib/cluster/doctor-checks.ts";

const ctx = { pod: "orders-taskmanager-0", namespace: "flink", serviceAccount: "flink-profiler", image: "runner:1" };

describe("Job problems in plain words", () => {
  it("explains image pulls and scheduling", () => {
    expect(waitingProblem("ImagePullBackOff", "Back-off pulling image", ctx)).toMatchObject({
      code: "image-pull",
      message: expect.stringContaining("runner:1 cannot be pulled"),
    });
    expect(waitingProblem("ContainerCreating", undefined, ctx)).toBeUndefined();
    expect(
      eventProblem(
        { type: "Warning", reason: "FailedScheduling", message: "0/3 nodes are available: 3 Insufficient cpu." },
        ctx,
      ),
    ).toMatchObject({
      code: "unschedulable",
      message: "no node can run the profiling Job's pod: 0/3 nodes are available: 3 Insufficient cpu.",
    });
    expect(eventProblem({ type: "Normal", reason: "Scheduled", message: "ok" }, ctx)).toBeUndefined();
  });

  it("recognises RBAC denial, a missing helper and a TaskManager that went away in the Job's log", () => {
    const denied = logProblem(
      [
        'Error from server (Forbidden): pods "orders-taskmanager-0" is forbidden: User "system:serviceaccount:flink:flink-profiler" cannot create resource "pods/exec" in API group "" in the namespace "flink"',
      ],
      1,
      ctx,
    );
    expect(denied?.code).toBe("rbac-denied");
    expect(denied?.hint).toContain("system:serviceaccount:flink:flink-profiler");
    // kubectl 1.30+ (WebSocket exec), as in the runner image: the refusal comes while upgrading the connection.
    const upgrade = logProblem(
      [
        'error: unable to upgrade connection: pods "orders-taskmanager-0" is forbidden: User "system:serviceaccount:flink:flink-profiler" cannot create resource "pods/exec" in API group "" in the namespace "flink"',
      ],
      1,
      ctx,
    );
    expect(upgrade).toMatchObject({
      code: "rbac-denied",
      message:
        'RBAC denied the profiling Job: pods "orders-taskmanager-0" is forbidden: User "system:serviceaccount:flink:flink-profiler" cannot create resource "pods/exec" in API group "" in the namespace "flink"',
    });
    expect(
      logProblem(["bash: line 1: flink-profiler: command not found", "command terminated with exit code 127"], 1, ctx)
        ?.code,
    ).toBe("helper-missing");
    expect(
      logProblem(
        [
          'OCI runtime exec failed: exec failed: unable to start container process: exec: "flink-profiler": executable file not found in $PATH: unknown',
        ],
        1,
        ctx,
      )?.code,
    ).toBe("helper-missing");
    expect(logProblem(['Error from server (NotFound): pods "orders-taskmanager-0" not found'], 1, ctx)?.code).toBe(
      "taskmanager-gone",
    );
    expect(logProblem(["command terminated with exit code 137"], 137, ctx)?.message).toContain("went away");
    expect(logProblem(["just noise"], 3, ctx)).toBeUndefined();
  });

  it("words the helper's own target-gone errors as such", () => {
    expect(helperProblem("no-such-process", "pid 42: gone", "", ctx).code).toBe("taskmanager-gone");
    expect(helperProblem("attach-failed", "could not attach", "check the user", ctx)).toEqual({
      code: "helper-error",
      message: "could not attach",
      hint: "check the user",
    });
  });

  it("words a result too large for a Job's log in profile.mjs's terms, in MiB", () => {
    const p = helperProblem(
      "result-too-large",
      "the result of pid 1 takes 12582912 bytes as records, more than the 8388608 bytes allowed (--max-records-size); nothing was sent",
      "x",
      ctx,
    );
    expect(p.code).toBe("result-too-large");
    expect(p.message).toMatch(/ is 12\.0 MiB once encoded, more than the 8\.0 MiB .*\(--max-result-mib\)/);
    expect(p.message).not.toContain("--max-records-size");
    expect(p.hint).toMatch(/containerLogMaxSize \(10 MiB by default\)/);
  });

  it("names the option that bounds a stream cut off at its limit, and the one for a file too large", () => {
    expect(jobLogLimit(8).problem(ctx)).toMatchObject({
      code: "log-too-large",
      message:
        "the profiling Job's log of orders-taskmanager-0 passed 9.0 MiB, more than the helper sends under --max-result-mib 8; the rest was not read and nothing was written",
      hint: expect.stringMatching(
        /check flink-profiler in orders-taskmanager-0's image.*--max-result-mib moves the limit/,
      ),
    });
    expect(execOutputLimit(256).problem(ctx)).toMatchObject({
      message: expect.stringMatching(
        /^the helper in orders-taskmanager-0 sent more than 353\.2 MiB .*--max-file-mib 256 takes/,
      ),
      hint: expect.stringMatching(/^raise --max-file-mib \(up to 1024\)/),
    });
    expect(OTHER_JOB_LOG_LIMIT.problem(ctx).message).toMatch(/passed 64\.0 MiB/);
    const file = fileTooLargeProblem(
      "p.jfr (f1): its record says 3145728 bytes, more than the 2097152 this decoder accepts",
      2 * 1024 * 1024,
      ctx,
    );
    expect(file.message).toBe(
      "the profile of orders-taskmanager-0 is larger than the 2 MiB this run accepts (--max-file-mib): p.jfr (f1): its record says 3145728 bytes, more than the 2097152 this decoder accepts; nothing was written",
    );
    expect(file.hint).toMatch(/^raise --max-file-mib \(up to 1024\)/);
  });
});

describe("kubectl failures", () => {
  const kube = { kubeconfig: "/nope/kc" };
  it.each([
    ["error: cannot locate context prod", /no context "prod"/],
    ["Error in configuration: context was not found for specified context: prod", /no context "prod"/],
    ['Error from server (NotFound): namespaces "flinc" not found', /namespace "flinc" does not exist/],
    [
      'Error from server (Forbidden): jobs.batch is forbidden: User "alice" cannot create resource "jobs"',
      /RBAC denied: could not create Jobs: jobs.batch is forbidden/,
    ],
    ["error: stat /nope/kc: no such file or directory", /kubeconfig file \/nope\/kc does not exist/],
    [
      "E1124 memcache\nThe connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?",
      /cannot reach the Kubernetes API server: The connection/,
    ],
    ["error: something odd", /kubectl could not create Jobs: something odd/],
  ])("%s", (stderr, message) => {
    const err = explainKubectlFailure(stderr, "create Jobs", kube);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err.message).toMatch(message);
    expect(err.hint.length).toBeGreaterThan(10);
  });
});

describe("doctor's lines", () => {
  it("reads the Flink version from the image tag", () => {
    expect(flinkVersionFromImage("flink:2.3.0-scala_2.12-java17")).toBe("2.3.0");
    expect(flinkVersionFromImage("registry:5000/team/flink:1.20@sha256:abc")).toBe("1.20");
    expect(flinkVersionFromImage("flink:latest")).toBeUndefined();
    expect(flinkVersionFromImage("flink")).toBeUndefined();
    expect(flinkVersionCheck("flink:1.15.4").verdict).toBe("notice");
    expect(flinkVersionCheck("flink:latest")).toMatchObject({ verdict: "notice", fix: expect.stringContaining("tag") });
  });

  it("puts the fix under a failed or noticed check only", () => {
    expect(checkLine({ verdict: "ok", what: "fine", fix: "unused" })).toBe("ok     fine");
    expect(checkLine({ verdict: "fail", what: "broken", fix: "mend it" })).toBe("fail   broken\n       fix: mend it");
  });
});
