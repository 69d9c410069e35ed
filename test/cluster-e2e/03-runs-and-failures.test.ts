// What happens around a profile on the real cluster: an admin's exec path, Ctrl-C, cleanup of a
// crashed run, and a TaskManager pod that goes away mid-run.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLUSTER,
  NAMESPACE,
  RUNNER_ACCOUNT,
  activeProfiles,
  admin,
  adminJson,
  adminKubeconfig,
  helperRuns,
  leftovers,
  personKubeconfig,
  profileCli,
  startedProfile,
  waitFor,
  waitQuiet,
} from "./support.ts";

const outDir = () => mkdtempSync(path.join(tmpdir(), "e2e-profiles-"));

describe("an admin", () => {
  it("profiles through kubectl exec (--via exec)", async () => {
    await waitQuiet("no profile to run in the TaskManagers", 90);
    const r = await profileCli([
      "--kubeconfig",
      adminKubeconfig,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "--via",
      "exec",
      "-d",
      "5",
      "--format",
      "collapsed",
      "-o",
      outDir(),
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets).toHaveLength(2);
    for (const t of doc.targets) {
      expect(t.status).toBe("ok");
      expect(readFileSync(t.files[0], "utf8")).toMatch(/OrderJsonEncoder/);
    }
  });
});

describe("Ctrl-C mid-profile", () => {
  it("leaves no Job, no pod and no running profiler", async () => {
    await waitQuiet("no profile to run in the TaskManagers", 90);
    const alice = personKubeconfig("alice");
    const run = await startedProfile(
      ["--kubeconfig", alice, "-n", NAMESPACE, "--cluster", CLUSTER, "-d", "120", "-o", outDir()],
      /remaining|elapsed|\d+s left|profiling/,
    );
    // Wait until the profilers really run in the TaskManagers, then interrupt as a terminal would.
    await waitFor("both profilers to be running", 120, async () =>
      (await activeProfiles()).length === 2 ? true : undefined,
    );
    run.child.kill("SIGINT");
    const code = await run.exited;
    expect(code, run.stderr()).toBe(130);
    expect(run.stderr()).toContain("stopping the profiler in 2 TaskManager(s) after the interrupt");
    await waitFor("the run's Jobs and pods to go", 60, async () =>
      (await leftovers()).length === 0 ? true : undefined,
    );
    expect(await activeProfiles()).toEqual([]);
    // The helpers the Jobs started outlive their exec; they see their profile stopped and end within seconds.
    await waitFor("the helpers to end", 20, async () => ((await helperRuns()).length === 0 ? true : undefined));
  });
});

describe("cleanup", () => {
  it("removes the Jobs of a run that was killed without a chance to clean up", async () => {
    const alice = personKubeconfig("alice");
    const run = await startedProfile(
      ["--kubeconfig", alice, "-n", NAMESPACE, "--cluster", CLUSTER, "-d", "20", "-o", outDir()],
      /profiling/,
    );
    await waitFor("the run's Jobs", 60, async () =>
      (await leftovers()).some((o) => o.startsWith("Job/")) ? true : undefined,
    );
    run.child.kill("SIGKILL");
    await run.exited;
    expect((await leftovers()).length).toBeGreaterThan(0);
    const r = await profileCli(["cleanup", "--kubeconfig", alice, "-n", NAMESPACE]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor("the Jobs and pods to go", 60, async () => ((await leftovers()).length === 0 ? true : undefined));
    // The profiles the killed run started end by themselves (asprof's --timeout), and so do their helpers.
    // A helper can begin after the Jobs are gone (an exec already on its way), so wait for processes too.
    await waitQuiet("the abandoned profiles and their helpers to end", 90);
  });
});

describe("a Job whose service account lost its exec right", () => {
  it("is reported as RBAC denied, naming the service account, and leaves nothing", async () => {
    const alice = personKubeconfig("alice");
    const bindings = (await adminJson(["-n", NAMESPACE, "get", "rolebindings"])).items as any[];
    const runner = bindings.find((b) =>
      b.subjects?.some((s: any) => s.kind === "ServiceAccount" && s.name === RUNNER_ACCOUNT),
    );
    expect(runner, "the runner's RoleBinding from ProfilingAccess").toBeDefined();
    await admin(["-n", NAMESPACE, "delete", "rolebinding", runner.metadata.name]);
    try {
      const r = await profileCli([
        "--kubeconfig",
        alice,
        "-n",
        NAMESPACE,
        "--cluster",
        CLUSTER,
        "-d",
        "5",
        "-o",
        outDir(),
      ]);
      expect(r.code).toBe(1);
      // kubectl exec reads the pod first, so a real API server refuses the get before the exec.
      expect(r.stdout).toMatch(
        new RegExp(
          `error: RBAC denied the profiling Job: .*User "system:serviceaccount:${NAMESPACE}:${RUNNER_ACCOUNT}" cannot get resource "pods"`,
        ),
      );
      expect(r.stdout).toContain(
        `hint:  system:serviceaccount:${NAMESPACE}:${RUNNER_ACCOUNT} needs "create" on pods/exec and "get" on pods`,
      );
      expect(await leftovers()).toEqual([]);
    } finally {
      // The same binding again, without the fields the API server sets.
      const metadata = Object.fromEntries(
        Object.entries(runner.metadata).filter(
          ([k]) => !["resourceVersion", "uid", "creationTimestamp", "managedFields"].includes(k),
        ),
      );
      const file = path.join(outDir(), "binding.json");
      writeFileSync(file, JSON.stringify({ ...runner, metadata }));
      await admin(["create", "-f", file]);
    }
  });
});
