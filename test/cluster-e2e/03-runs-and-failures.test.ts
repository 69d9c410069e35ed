// What happens around a profile on the real cluster: an admin's exec path, Ctrl-C, cleanup of a
// crashed run, and a TaskManager pod that goes away mid-run.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLUSTER, NAMESPACE, activeProfiles, adminKubeconfig, leftovers, personKubeconfig, profileCli, startedProfile, waitFor,
} from "./support.ts";

const outDir = () => mkdtempSync(path.join(tmpdir(), "e2e-profiles-"));

describe("an admin", () => {
  it("profiles through kubectl exec (--via exec)", async () => {
    const r = await profileCli(["--kubeconfig", adminKubeconfig, "-n", NAMESPACE, "--cluster", CLUSTER, "--via", "exec",
      "-d", "5", "--format", "collapsed", "-o", outDir(), "--json"]);
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
    const alice = personKubeconfig("alice");
    const run = await startedProfile(["--kubeconfig", alice, "-n", NAMESPACE, "--cluster", CLUSTER, "-d", "120", "-o", outDir()], /remaining|elapsed|\d+s left|profiling/);
    // Wait until the profilers really run in the TaskManagers, then interrupt as a terminal would.
    await waitFor("both profilers to be running", 120, async () => ((await activeProfiles()).length === 2 ? true : undefined));
    run.child.kill("SIGINT");
    const code = await run.exited;
    expect(code, run.stderr()).toBe(130);
    expect(run.stderr()).toContain("stopping the profiler in 2 TaskManager(s) after the interrupt");
    await waitFor("the run's Jobs and pods to go", 60, async () => ((await leftovers()).length === 0 ? true : undefined));
    expect(await activeProfiles()).toEqual([]);
  });
});

describe("cleanup", () => {
  it("removes the Jobs of a run that was killed without a chance to clean up", async () => {
    const alice = personKubeconfig("alice");
    const run = await startedProfile(["--kubeconfig", alice, "-n", NAMESPACE, "--cluster", CLUSTER, "-d", "20", "-o", outDir()], /profiling/);
    await waitFor("the run's Jobs", 60, async () => ((await leftovers()).some((o) => o.startsWith("Job/")) ? true : undefined));
    run.child.kill("SIGKILL");
    await run.exited;
    expect((await leftovers()).length).toBeGreaterThan(0);
    const r = await profileCli(["cleanup", "--kubeconfig", alice, "-n", NAMESPACE]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor("the Jobs and pods to go", 60, async () => ((await leftovers()).length === 0 ? true : undefined));
    // The profiles the killed run started end by themselves (asprof's --timeout).
    await waitFor("the abandoned profiles to end", 60, async () => ((await activeProfiles()).length === 0 ? true : undefined));
  });
});
