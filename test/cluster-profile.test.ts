// The cluster profiler end to end: the real kubectl against the API stand-in, real Flink TaskManagers,
// the real helper and async-profiler inside "pods" whose exec'd commands run locally.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/lib/local-flink.ts";
import { profilerRules, runnerRules } from "../components/rbac.ts";
import { CLUSTER, NAMESPACE, grantOnly, leftovers, repoRoot, runProfileCli, startClusterFixture, type ClusterFixture, type FakeTaskManager } from "./support/cluster-fixture.ts";

let flink: LocalFlink;
let tms: FakeTaskManager[];
let fx: ClusterFixture | undefined;

beforeAll(async () => {
  flink = await startLocalFlink({ taskManagers: 3 });
  tms = flink.taskManagers.map((tm, i) => ({ pod: `${CLUSTER}-taskmanager-${i}`, pid: tm.pid }));
});
afterAll(async () => {
  await flink?.stop();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const base = () => ["--kubeconfig", fx!.kubeconfig, "-n", NAMESPACE, "--cluster", CLUSTER, "-o", path.join(fx!.dir, "out")];

describe("profile.mjs against a cluster", () => {
  it("profiles three TaskManagers through Jobs and brings back three verified flame graphs", async () => {
    fx = await startClusterFixture(tms);
    const r = await runProfileCli([...base(), "-d", "3", "--format", "html,collapsed", "--json"]);
    expect(r.stderr).toMatch(/run \d{8}-\d{6}-[0-9a-f]{4}: profiling 3 TaskManager\(s\) of orders in flink/);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets.map((t: { target: string }) => t.target)).toEqual(tms.map((t) => t.pod));
    for (const [i, t] of doc.targets.entries()) {
      expect(t.status).toBe("ok");
      expect(t.pid).toBe(tms[i]!.pid);
      const dir = new RegExp(`/out/orders/\\d{8}-\\d{6}-[0-9a-f]{4}/${tms[i]!.pod}`);
      expect(t.files).toEqual([expect.stringMatching(new RegExp(`${dir.source}\\.html$`)), expect.stringMatching(new RegExp(`${dir.source}\\.collapsed$`))]);
      // async-profiler's HTML stores frame names compressed; the collapsed file of the same run names them plainly.
      expect(readFileSync(t.files[0], "utf8")).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\s*$/);
      expect(readFileSync(t.files[1], "utf8")).toMatch(/com\/example\/orders\/OrderJsonEncoder\.encode/);
      expect(t.top.map((f: { frame: string }) => f.frame).join("\n")).toContain("com.example.orders.OrderJsonEncoder");
    }
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});

describe("with exactly the rights ProfilingAccess grants", () => {
  it("a profile, doctor and cleanup succeed, and nothing is left", async () => {
    fx = await startClusterFixture(tms);
    grantOnly(fx.k8s, "alice", profilerRules());
    grantOnly(fx.k8s, `system:serviceaccount:${NAMESPACE}:flink-profiler`, runnerRules(tms.map((t) => t.pod)));
    const r = await runProfileCli([...base(), "-d", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/could not|forbidden/i);
    expect(JSON.parse(r.stdout).targets.map((t: { status: string }) => t.status)).toEqual(["ok", "ok", "ok"]);
    expect(leftovers(fx.k8s)).toEqual([]);

    const doctor = await runProfileCli(["doctor", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "--cluster", CLUSTER]);
    expect(doctor.stdout).not.toMatch(/^fail/m);
    const cleanup = await runProfileCli(["cleanup", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE]);
    expect(cleanup.code, cleanup.stderr).toBe(0);
  });
});

describe("the other ways in", () => {
  it("--via exec profiles with the caller's own exec right, without a template", async () => {
    fx = await startClusterFixture(tms, { template: false });
    const r = await runProfileCli(["--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "-o", path.join(fx.dir, "out"), "--via", "exec", "--pod", tms[0]!.pod, "-d", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const [t] = JSON.parse(r.stdout).targets;
    expect(t).toMatchObject({ target: tms[0]!.pod, pid: tms[0]!.pid, status: "ok" });
    expect(t.top.map((f: { frame: string }) => f.frame).join("\n")).toContain("com.example.orders.OrderJsonEncoder");
    expect(fx.k8s.list("batch/v1", "Job", NAMESPACE)).toEqual([]);
  });

  it("--keep leaves the Jobs, and cleanup removes them by label", async () => {
    fx = await startClusterFixture(tms);
    const r = await runProfileCli([...base(), "--keep", "-d", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const runId = /run (\S+):/.exec(r.stderr)![1]!;
    expect(r.stderr).toContain(`cleanup -n flink --run ${runId}`);
    expect(fx.k8s.list("batch/v1", "Job", NAMESPACE)).toHaveLength(3);
    const c = await runProfileCli(["cleanup", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "--run", runId]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/deleted job.batch\/flink-profile-/);
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it("doctor checks RBAC, the template, the helper, perf events and the Flink version", async () => {
    fx = await startClusterFixture(tms);
    const r = await runProfileCli(["doctor", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "--cluster", CLUSTER]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const line of [
      "ok     you may create jobs.batch (start the profiling Jobs)",
      "ok     system:serviceaccount:flink:flink-profiler may create pods/exec of orders-taskmanager-0 (run the helper inside the TaskManager)",
      "ok     profiling Job template present",
      "ok     3 TaskManager(s) found: orders-taskmanager-0, orders-taskmanager-1, orders-taskmanager-2",
      "ok     Flink 2.3.0 (image flink:2.3.0-java17)",
      `ok     flink-profiler and async-profiler work in orders-taskmanager-0 (profiled pid ${tms[0]!.pid} for 1 s)`,
    ]) expect(r.stdout).toContain(line);
    expect(r.stdout).toMatch(/^(ok|notice) +perf events /m);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});

describe("profile.mjs against a cluster, when things go wrong", () => {
  it("Ctrl-C mid-profile leaves no Job and no active profiler", async () => {
    fx = await startClusterFixture(tms);
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts/profile.mjs"), ...base(), "-d", "60"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor(() => tms.every((t) => new RegExp(`${t.pod}  cpu \\[`).test(stderr)), 60_000);
    expect(leftovers(fx.k8s).filter((o) => o.startsWith("Job/"))).toHaveLength(3);
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stderr).toContain("stopping the profiler in 3 TaskManager(s) after the interrupt");
    expect(leftovers(fx.k8s)).toEqual([]);
    for (const t of tms) {
      const status = await promisify(execFile)(path.join(asyncProfilerHome(), "bin/asprof"), ["status", String(t.pid)]);
      expect(status.stdout).toMatch(/not active/);
    }
    expect(existsSync(path.join(fx.dir, "out", CLUSTER))).toBe(false);
  });

  it("Ctrl-C mid-profile with --via exec stops the profiler through exec", async () => {
    fx = await startClusterFixture(tms, { template: false });
    const args = ["--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "-o", path.join(fx.dir, "out"), "--via", "exec", "--cluster", CLUSTER, "-d", "20"];
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts/profile.mjs"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor(() => tms.every((t) => new RegExp(`${t.pod}  cpu \\[`).test(stderr)), 60_000);
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stderr).not.toContain("could not confirm");
    for (const t of tms) {
      const status = await promisify(execFile)(path.join(asyncProfilerHome(), "bin/asprof"), ["status", String(t.pid)]);
      expect(status.stdout).toMatch(/not active/);
    }
  });

  it("a corrupted or truncated result is reported and never written", async () => {
    // Wrappers around the real helper that damage what crosses the log: one chunk's data, or the end record.
    const bin = (name: string, filter: string) => {
      const dir = path.join(tmpdir(), `tamper-${name}-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "flink-profiler"), `#!/bin/bash\nset -o pipefail\n"${helperPath()}" "$@" | ${filter}\n`, { mode: 0o755 });
      return `${dir}:${process.env.PATH}`;
    };
    const corrupt = bin("corrupt", `sed -e '0,/"type":"chunk"/s/"data":"..../"data":"AAAA/'`);
    const truncate = bin("truncate", `grep -v '"type":"end"'`);
    fx = await startClusterFixture([
      { ...tms[0]!, env: { PATH: corrupt } },
      { ...tms[1]!, env: { PATH: truncate } },
      tms[2]!,
    ]);
    const r = await runProfileCli([...base(), "-d", "2", "--json"]);
    expect(r.code).toBe(1);
    const [a, b, c] = JSON.parse(r.stdout).targets;
    expect(a, JSON.stringify(a)).toMatchObject({ status: "failed", files: [], error: expect.stringMatching(/damaged on its way back: .*(does not decompress|corrupted|mismatch|sha256)/i) });
    expect(b, JSON.stringify(b)).toMatchObject({ status: "failed", files: [], error: expect.stringMatching(/damaged on its way back: .*(truncated|end record|never)/i) });
    expect(c.status).toBe("ok");
    const written = readdirSync(path.dirname(c.files[0]));
    expect(written).toEqual([`${tms[2]!.pod}.html`]);
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  // Last: it kills a TaskManager of the shared Flink cluster.
  it("a TaskManager killed mid-profile: the others deliver, the failure says why", async () => {
    fx = await startClusterFixture(tms);
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts/profile.mjs"), ...base(), "-d", "6", "--json"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor(() => tms.every((t) => new RegExp(`${t.pod}  cpu \\[`).test(stderr)), 60_000);
    process.kill(tms[1]!.pid, "SIGKILL");
    expect(await closed).toBe(1);
    const [a, b, c] = JSON.parse(stdout).targets;
    expect(a.status).toBe("ok");
    expect(c.status).toBe("ok");
    expect(c.top.map((f: { frame: string }) => f.frame).join("\n")).toContain("com.example.orders.OrderJsonEncoder");
    expect(b).toMatchObject({ target: tms[1]!.pod, status: "failed", files: [] });
    expect(b.error).toMatch(/TaskManager JVM in orders-taskmanager-1 is gone/);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}
