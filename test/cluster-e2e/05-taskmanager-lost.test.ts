// A TaskManager pod that goes away mid-run: reported, while the others deliver. Last before destroy:
// the job may not survive losing a TaskManager (no restart strategy is configured).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLUSTER,
  NAMESPACE,
  activeProfiles,
  admin,
  adminJson,
  leftovers,
  personKubeconfig,
  startedProfile,
  taskManagerPods,
  waitFor,
  waitQuiet,
} from "./support.ts";

const outDir = () => mkdtempSync(path.join(tmpdir(), "e2e-profiles-"));

describe("a TaskManager pod deleted mid-run", () => {
  it("is reported, and the other TaskManager delivers", async () => {
    await waitQuiet("no profile to run in the TaskManagers", 90);
    const alice = personKubeconfig("alice");
    const pods = await taskManagerPods();
    const run = await startedProfile(
      [
        "--kubeconfig",
        alice,
        "-n",
        NAMESPACE,
        "--cluster",
        CLUSTER,
        "-d",
        "30",
        "--format",
        "collapsed",
        "-o",
        outDir(),
        "--json",
      ],
      /profiling/,
    );
    let stdout = "";
    run.child.stdout.on("data", (d) => (stdout += d));
    await waitFor("both profilers to be running", 120, async () =>
      (await activeProfiles()).length === 2 ? true : undefined,
    );
    await admin(["-n", NAMESPACE, "delete", "pod", pods[1]!, "--wait=false"]);
    const code = await run.exited;
    expect(code, run.stderr()).not.toBe(0);
    const doc = JSON.parse(stdout);
    const byPod = Object.fromEntries(doc.targets.map((t: any) => [t.target, t]));
    expect(byPod[pods[0]!].status, JSON.stringify(byPod[pods[0]!])).toBe("ok");
    expect(byPod[pods[1]!].status).toBe("failed");
    expect(byPod[pods[1]!].error).toMatch(new RegExp(`TaskManager ${pods[1]} went away during the profile`));
    await waitFor("the run's Jobs and pods to go", 60, async () =>
      (await leftovers()).length === 0 ? true : undefined,
    );
    // The StatefulSet brings the TaskManager back; later files need both.
    await admin(["-n", NAMESPACE, "wait", "--for=condition=Ready", `pod/${pods[1]}`, "--timeout=300s"]);
    expect(
      (await adminJson(["-n", NAMESPACE, "get", "statefulset", `${CLUSTER}-taskmanager`])).status.readyReplicas,
    ).toBe(2);
  });
});
