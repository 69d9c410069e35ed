// What the cluster profiler refuses, and how: each case a clear message, a non-zero exit and nothing
// created. No JVM is needed: every case stops before a profile could start (the recording helper
// stands in for the image's helper only to see the arguments it receives).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CLUSTER,
  NAMESPACE,
  leftovers,
  runProfileCli,
  startClusterFixture,
  type ClusterFixture,
  type FakeTaskManager,
} from "./support/cluster-fixture.ts";

let fx: ClusterFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const tms: FakeTaskManager[] = [0, 1].map((i) => ({ pod: `${CLUSTER}-taskmanager-${i}`, pid: process.pid }));
const base = () => ["--kubeconfig", fx!.kubeconfig, "-n", NAMESPACE, "-o", path.join(fx!.dir, "out"), "-d", "1"];
/** Anything the run asked the API to create (Jobs, exec sessions). */
const creations = () => fx!.k8s.requests.filter((r) => r.method === "POST" && !/selfsubjectaccessreviews/.test(r.path));

describe("profile.mjs refuses clearly and creates nothing", () => {
  it("when RBAC denies the caller the Jobs", async () => {
    fx = await startClusterFixture(tms);
    fx.k8s.deny({ user: "alice", verb: "create", resource: "jobs" });
    const r = await runProfileCli([...base(), "--cluster", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: RBAC denied: could not create 2 profiling Jobs: .*forbidden/);
    expect(r.stderr).toMatch(/hint: .*ProfilingAccess/);
    expect(leftovers(fx.k8s)).toEqual([]);
    expect(fx.k8s.list("batch/v1", "Job", NAMESPACE)).toEqual([]);
  });

  it("when RBAC denies the Job's service account the exec, and says whose right is missing", async () => {
    fx = await startClusterFixture(tms);
    fx.k8s.deny({ user: "system:serviceaccount:flink:orders-profiling-runner", verb: "*", resource: "pods/exec" });
    const r = await runProfileCli([...base(), "--cluster", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/orders-taskmanager-0: failed\n {2}error: RBAC denied the profiling Job: .*pods\/exec/);
    expect(r.stdout).toContain('system:serviceaccount:flink:orders-profiling-runner needs "create" on pods/exec');
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it("when the namespace has no Job template", async () => {
    fx = await startClusterFixture(tms, { template: false });
    const r = await runProfileCli([...base(), "--cluster", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: no profiling Job template for Flink cluster "orders" in namespace "flink" (ConfigMap orders-profiling-job-template)',
    );
    expect(r.stderr).toContain("--via exec");
    expect(creations()).toEqual([]);
  });

  it("when the output directory cannot be written, before any Job exists", async () => {
    fx = await startClusterFixture(tms);
    const notADir = path.join(fx.dir, "a-file");
    writeFileSync(notADir, "x");
    const r = await runProfileCli([
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "-o",
      notADir,
      "-d",
      "1",
      "--cluster",
      CLUSTER,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: cannot write profiles to .*a-file.*\nhint: .*-o DIR/);
    expect(creations()).toEqual([]);
  });

  it("when this machine cannot make the asked formats (no converter, or no java for it), before any Job exists", async () => {
    fx = await startClusterFixture(tms);
    const empty = path.join(fx.dir, "no-async-profiler");
    mkdirSync(empty);
    const missing = await runProfileCli([...base(), "--cluster", CLUSTER, "--format", "html,jfr"], {
      ASYNC_PROFILER_HOME: empty,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /error: the flame graph and the other formats are made on this machine with async-profiler's converter, which cannot run here: .*no-async-profiler\/bin\/jfrconv/,
    );
    expect(missing.stderr).toMatch(
      /hint:\s+install Java .*scripts\/setup\.sh.*--format collapsed alone needs no converter/,
    );
    // The project's converter, with no java to run it: a PATH with what its launcher uses, less java.
    const bin = path.join(fx.dir, "no-java-bin");
    mkdirSync(bin);
    for (const tool of ["bash", "env", "dirname", "readlink"])
      symlinkSync(
        execFileSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(),
        path.join(bin, tool),
      );
    const noJava = await runProfileCli([...base(), "--cluster", CLUSTER], {
      PATH: `${bin}:${path.dirname(process.execPath)}`,
      JAVA_HOME: "",
    });
    expect(noJava.code).toBe(1);
    expect(noJava.stderr).toMatch(/cannot run here: .*java/i);
    expect(creations()).toEqual([]);
    expect(fx.k8s.list("batch/v1", "Job", NAMESPACE)).toEqual([]);
  });

  it("when the TaskManager image has no helper", async () => {
    fx = await startClusterFixture(tms.map((t) => ({ ...t, env: { PATH: "/usr/bin:/bin" } })));
    const r = await runProfileCli([...base(), "--cluster", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /orders-taskmanager-1: failed\n {2}error: flink-profiler is not in TaskManager orders-taskmanager-1's image\n {2}hint: .*images\/flink-profiling/,
    );
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it.each([
    [
      ["--cluster", "billing"],
      2,
      /no TaskManager pod of Flink cluster "billing" in namespace "flink"\nhint: {2}Flink clusters with TaskManagers in "flink": orders/,
    ],
    [["--pod", "ghost-0"], 2, /no pod named "ghost-0" in namespace "flink"/],
    [["--cluster", CLUSTER, "-n", "nowhere"], 1, /namespace "nowhere" does not exist\nhint: {2}list namespaces/],
    [["--cluster", CLUSTER, "--context", "prod"], 1, /kubectl has no context "prod"\nhint: {2}list the contexts/],
  ])("when %j matches nothing", async (args, code, message) => {
    fx = await startClusterFixture(tms);
    const r = await runProfileCli([...base(), ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(creations()).toEqual([]);
  });

  it("--dry-run prints the Jobs and creates nothing", async () => {
    fx = await startClusterFixture(tms);
    const r = await runProfileCli([...base(), "--cluster", CLUSTER, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^kind: Job$/gm)).toHaveLength(2);
    expect(r.stdout).toContain("- orders-taskmanager-1\n");
    expect(creations()).toEqual([]);
  });
});

describe("a Job that cannot start is reported in plain words", () => {
  const runner = (reason: string) => ({
    imageBehaviour: (image: string) => (image === "flink-profiling-runner:1" ? { reason } : ("run" as const)),
  });

  it("ImagePullBackOff: at once, with what to check", async () => {
    fx = await startClusterFixture(tms, runner("ImagePullBackOff"));
    const r = await runProfileCli([...base(), "--cluster", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /orders-taskmanager-0: failed\n {2}error: the profiling Job's image flink-profiling-runner:1 cannot be pulled \(ImagePullBackOff\)\n {2}hint: {2}check runnerImage in the orders-profiling-job-template ConfigMap/,
    );
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it("Unschedulable: says why while waiting, gives up at --start-timeout", async () => {
    fx = await startClusterFixture(tms, runner("Unschedulable"));
    const r = await runProfileCli([...base(), "--cluster", CLUSTER, "--start-timeout", "4"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /orders-taskmanager-1: still waiting: no node can run the profiling Job's pod: 0\/1 nodes are available: 1 Insufficient cpu/,
    );
    expect(r.stdout).toMatch(
      /orders-taskmanager-1: failed\n {2}error: no node can run the profiling Job's pod: .*\n {2}hint: {2}the Job asks for 50m CPU and 64Mi; free some room, or add tolerations\/nodeSelector to the Job template/,
    );
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});

describe("doctor", () => {
  it("says which right is missing and how to fix it, with a non-zero exit", async () => {
    fx = await startClusterFixture(tms);
    fx.k8s.deny({ user: "system:serviceaccount:flink:orders-profiling-runner", verb: "*", resource: "pods/exec" });
    fx.k8s.deny({ user: "alice", verb: "delete", resource: "jobs" });
    const r = await runProfileCli(["doctor", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "--cluster", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "fail   you may not delete jobs.batch (needed to remove the Jobs afterwards)\n       fix: ask an admin",
    );
    expect(r.stdout).toContain(
      "fail   system:serviceaccount:flink:orders-profiling-runner may not create pods/exec of orders-taskmanager-0 (needed to run the helper inside the TaskManager)\n       fix: apply the ProfilingAccess component",
    );
    expect(r.stdout).toMatch(/fail {3}RBAC denied the profiling Job: .*pods\/exec/);
    expect(r.stdout).toContain("ok     Flink 2.3.0");
  });

  it("with --flink-rest, checks the REST driver too and says which drivers passed", async () => {
    fx = await startClusterFixture(tms);
    // A port nothing listens on: the REST API cannot be reached (its real answer, with no Flink there).
    const r = await runProfileCli([
      "doctor",
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "--flink-rest",
      "http://127.0.0.1:9",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`ok     namespace ${NAMESPACE} reachable`);
    expect(r.stdout).toMatch(
      /\nfail {3}cannot reach Flink's REST API at http:\/\/127\.0\.0\.1:9: .+\n {7}fix: check the address/,
    );
    expect(r.stdout).toMatch(/\ndrivers: .*--via rest cannot \(see above\)\n$/);
  });

  it("without a template, says how to get one", async () => {
    fx = await startClusterFixture(tms, { template: false });
    const r = await runProfileCli(["doctor", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('fail   no profiling Job template in namespace "flink"');
    expect(r.stdout).toContain("fix: deploy the ProfilingAccess component");
  });
});

describe("user values reach the helper as plain arguments", () => {
  // A shell that ran any of it would make this file; its name is fixed here (not the shell's own $$).
  const marker = path.join(tmpdir(), `pwned-${process.pid}`);
  const evil = `x;$(touch ${marker})\`touch ${marker}\`'"|&>out`;
  // A stand-in for the image's helper that only records its argv, one NUL-terminated value each.
  function recordingHelper(dir: string): string {
    const bin = path.join(dir, "recording-bin");
    mkdirSync(bin, { recursive: true });
    const script = path.join(bin, "flink-profiler");
    writeFileSync(script, `#!/bin/bash\nprintf '%s\\0' "$@" > "${path.join(dir, "argv")}.$$"\n`);
    chmodSync(script, 0o755);
    return bin;
  }

  it.each(["job", "exec"])("through --via %s", async (via) => {
    fx = await startClusterFixture([]);
    const bin = recordingHelper(fx.dir);
    fx.k8s.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "tm-0", namespace: NAMESPACE, labels: { app: "x" } },
      spec: {
        containers: [
          { name: "taskmanager", image: "flink:2.3.0", env: [{ name: "PATH", value: `${bin}:/usr/bin:/bin` }] },
        ],
      },
    });
    const r = await runProfileCli([
      ...base(),
      "--pod",
      "tm-0",
      "--via",
      via,
      "-I",
      evil,
      "-X",
      "$(HOME)",
      "--",
      "--title",
      evil,
    ]);
    expect(r.code).toBe(1); // the recording helper sends no profile
    // Each call records its own file (a `stop` may follow the failed profile).
    const calls = readdirSync(fx.dir)
      .filter((f) => f.startsWith("argv."))
      .map((f) => readFileSync(path.join(fx!.dir, f), "utf8").split("\0").slice(0, -1));
    const argv = calls.find((c) => c[0] === "profile");
    // A Job's log carries the result, so a Job also passes its size limit (8 MiB by default); exec does not.
    const limit = via === "job" ? ["--max-records-size", String(8 * 1024 * 1024)] : [];
    expect(argv).toEqual([
      "profile",
      "--emit-records",
      "--duration",
      "1",
      "--event",
      "cpu",
      "--format",
      "collapsed",
      "--progress-every",
      "1",
      ...limit,
      "--include",
      evil,
      "--exclude",
      "$(HOME)",
      "--",
      "--title",
      evil,
      "-a",
    ]);
    expect(existsSync(marker)).toBe(false);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});
