// The cluster profiler end to end: the real kubectl against the API stand-in, real Flink TaskManagers,
// the real helper and async-profiler inside "pods" whose exec'd commands run locally.
// What a real cluster proves better lives in test/cluster-e2e/ (profiles through Jobs with exactly the
// profiler Role, doctor, Ctrl-C of a Job run); this file keeps what needs forged input or a JVM killed
// inside a pod that stays: exec without a template, --keep, Ctrl-C through exec, corrupted results.
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";
import { flamegraphTotals } from "./support/profile-shares.ts";
import {
  CLUSTER,
  NAMESPACE,
  leftovers,
  repoRoot,
  runProfileCli,
  startClusterFixture,
  type ClusterFixture,
  type FakeTaskManager,
} from "./support/cluster-fixture.ts";

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

const base = () => [
  "--kubeconfig",
  fx!.kubeconfig,
  "-n",
  NAMESPACE,
  "--cluster",
  CLUSTER,
  "-o",
  path.join(fx!.dir, "out"),
];

describe("the other ways in", () => {
  it("--via exec profiles with the caller's own exec right, without a template", async () => {
    fx = await startClusterFixture(tms, { template: false });
    const r = await runProfileCli([
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "-o",
      path.join(fx.dir, "out"),
      "--via",
      "exec",
      "--pod",
      tms[0]!.pod,
      "-d",
      "2",
      "--format",
      "collapsed",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [t] = JSON.parse(r.stdout).targets;
    expect(t).toMatchObject({ target: tms[0]!.pod, pid: tms[0]!.pid, status: "ok" });
    // A 2-second profile's top frames can still be the JIT compiler's; its stacks are the job's.
    expect(readFileSync(t.files[0], "utf8")).toMatch(/com\/example\/orders\/OrderJsonEncoder\.(encode|escape)/);
    expect(fx.k8s.list("batch/v1", "Job", NAMESPACE)).toEqual([]);
  });

  // No second JVM next to the TaskManager: the Job's log carries the recording alone, and the flame graph
  // is drawn on this side. A wrapper keeps a copy of what the real helper writes to the log; a `java` on
  // the pod's PATH and JAVA_HOME leaves a mark if anything there starts one.
  it("html and jfr through a Job: the log carries the jfr alone, no JVM starts in the pod, the html is made here", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "job-log-"));
    const log = path.join(dir, "log.jsonl");
    const mark = path.join(dir, "java-started");
    mkdirSync(path.join(dir, "jdk", "bin"), { recursive: true });
    writeFileSync(path.join(dir, "jdk", "bin", "java"), `#!/bin/sh\necho "$@" >> "${mark}"\nexit 1\n`, { mode: 0o755 });
    writeFileSync(
      path.join(dir, "flink-profiler"),
      `#!/bin/bash\nset -o pipefail\n"${helperPath()}" "$@" | tee -a "${log}"\n`,
      { mode: 0o755 },
    );
    fx = await startClusterFixture([
      {
        ...tms[0]!,
        env: { PATH: `${dir}:${path.join(dir, "jdk", "bin")}:${process.env.PATH}`, JAVA_HOME: path.join(dir, "jdk") },
      },
    ]);
    try {
      const r = await runProfileCli([...base(), "-d", "3", "--format", "html,jfr", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(mark)).toBe(false);
      const records = readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(records.filter((x) => x.type === "file").map((x) => x.format)).toEqual(["jfr"]);

      const [t] = JSON.parse(r.stdout).targets;
      expect(t.status).toBe("ok");
      expect(t.files.map((f: string) => path.basename(f))).toEqual([`${tms[0]!.pod}.html`, `${tms[0]!.pod}.jfr`]);
      expect(readdirSync(path.dirname(t.files[0])).sort()).toEqual([`${tms[0]!.pod}.html`, `${tms[0]!.pod}.jfr`]);
      expect(readFileSync(t.files[1]).subarray(0, 4).toString("latin1")).toBe("FLR\0");
      // The flame graph read with the tests' own reader of async-profiler's html: the sample job's stacks.
      const html = flamegraphTotals(readFileSync(t.files[0], "utf8"));
      expect(html.samples).toBeGreaterThan(0);
      expect(html.totals.get("com.example.orders.OrderJsonEncoder.encode") ?? 0).toBeGreaterThan(0);
      expect(t.top.length).toBeGreaterThan(0);
      // What crossed the log, against the flame graph delivered (the benchmark measures it on longer profiles).
      const logBytes = records
        .filter((x) => /^(file|chunk|end)$/.test(x.type))
        .reduce((n, x) => n + Buffer.byteLength(JSON.stringify(x)) + 1, 0);
      expect(logBytes).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--keep leaves the Jobs, and cleanup removes them by label", async () => {
    fx = await startClusterFixture(tms);
    const r = await runProfileCli([...base(), "--keep", "-d", "1"]);
    expect(r.code, r.stderr).toBe(0);
    // After the TaskManagers' own reports: all of them together, and which differ from the rest.
    expect(r.stdout).toMatch(/all 3 TaskManagers together: [\d,]+ samples\ncluster-wide top frames by self time\n/);
    expect(r.stdout).toMatch(
      /TaskManagers whose frames differ most from the rest[^\n]*\n[^\n]*\n(\s+\d+\.\d%\s+orders-taskmanager-\d[^\n]*\n){3}/,
    );
    const runId = /run (\S+):/.exec(r.stderr)![1]!;
    expect(r.stderr).toContain(`cleanup -n flink --run ${runId}`);
    expect(fx.k8s.list("batch/v1", "Job", NAMESPACE)).toHaveLength(3);
    const c = await runProfileCli(["cleanup", "--kubeconfig", fx.kubeconfig, "-n", NAMESPACE, "--run", runId]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/deleted job.batch\/flink-profile-/);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});

describe("profile.mjs against a cluster, when things go wrong", () => {
  it("Ctrl-C mid-profile with --via exec stops the profiler through exec", async () => {
    fx = await startClusterFixture(tms, { template: false });
    const args = [
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "-o",
      path.join(fx.dir, "out"),
      "--via",
      "exec",
      "--cluster",
      CLUSTER,
      "-d",
      "20",
    ];
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts/profile.mjs"), ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
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
      writeFileSync(
        path.join(dir, "flink-profiler"),
        `#!/bin/bash\nset -o pipefail\n"${helperPath()}" "$@" | ${filter}\n`,
        { mode: 0o755 },
      );
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
    expect(a, JSON.stringify(a)).toMatchObject({
      status: "failed",
      files: [],
      error: expect.stringMatching(/damaged on its way back: .*(does not decompress|corrupted|mismatch|sha256)/i),
    });
    expect(b, JSON.stringify(b)).toMatchObject({
      status: "failed",
      files: [],
      error: expect.stringMatching(/damaged on its way back: .*(truncated|end record|never)/i),
    });
    expect(c.status).toBe("ok");
    const written = readdirSync(path.dirname(c.files[0]));
    expect(written).toEqual([`${tms[2]!.pod}.html`]);
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  // Issue 11, finding 8: a full -o once was an ENOSPC without a path, "after the interrupt" that never
  // happened, and a stop Job for a profile that had ended. The output volume is a tmpfs filled up first.
  it("a full -o: the error names the file and its volume, and a finished profile gets no stop Job", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "full-o-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", out]);
    try {
      spawnSync("dd", ["if=/dev/zero", `of=${path.join(out, "filler")}`, "bs=4096"], { stdio: "ignore" });
      fx = await startClusterFixture([tms[0]!]);
      const r = await runProfileCli([
        "--kubeconfig",
        fx.kubeconfig,
        "-n",
        NAMESPACE,
        "--cluster",
        CLUSTER,
        "-o",
        out,
        "-d",
        "2",
        "--format",
        "collapsed",
        "--json",
      ]);
      expect(r.code, r.stderr).toBe(1);
      const [t] = JSON.parse(r.stdout).targets;
      expect(t).toMatchObject({ target: tms[0]!.pod, status: "failed", files: [] });
      expect(t.error).toMatch(
        new RegExp(`^the profile finished, but ${out}/\\S+ could not be written: no space left on its volume`),
      );
      expect(r.stderr).not.toMatch(/after the interrupt|stopping the profiler/);
      expect(readdirSync(out)).toEqual(["filler"]);
      expect(leftovers(fx.k8s)).toEqual([]);
    } finally {
      spawnSync("umount", [out]);
      rmSync(out, { recursive: true, force: true });
    }
  });

  // Last: it kills a TaskManager of the shared Flink cluster.
  it("a TaskManager killed mid-profile: the others deliver, the failure says why", async () => {
    fx = await startClusterFixture(tms);
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "scripts/profile.mjs"), ...base(), "-d", "6", "--json"],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
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
