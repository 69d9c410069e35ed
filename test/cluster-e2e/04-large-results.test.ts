// A result larger than the kubelet's container log rotation size. This cluster's kubelet rotates at
// 2 MiB (cluster/lib/config.sh) instead of the default 10 MiB, so that an allocation profile of every
// allocation (`--alloc 1`, jfr) outgrows one log file in seconds.
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLUSTER, NAMESPACE, admin, leftovers, personKubeconfig, profileCli, state, taskManagerPods, waitQuiet } from "./support.ts";

const ROTATION_MIB = 2;
const outDir = () => mkdtempSync(path.join(tmpdir(), "e2e-profiles-"));
// Both TaskManagers, every allocation, recorded as jfr (it keeps each event; the flame graph formats fold them).
const bigProfile = ["-n", NAMESPACE, "--cluster", CLUSTER, "-e", "alloc", "-d", "12", "--format", "jfr", "--json"];
const EVERY_ALLOCATION = ["--", "--alloc", "1"];

/** Files the profiling image's helper left in a TaskManager's profiles volume. */
async function profilesVolume(pod: string): Promise<string[]> {
  const out = await admin(["-n", NAMESPACE, "exec", pod, "-c", "taskmanager", "--", "sh", "-c", 'ls -A "$FLINK_PROFILER_OUTPUT_DIR"']);
  return out.split("\n").filter(Boolean);
}

describe("a result larger than one container log file", () => {
  it("is refused up front, with the size and the reason, when the limit is below the rotation size", async () => {
    await waitQuiet("no profile to run in the TaskManagers", 90);
    const out = outDir();
    const r = await profileCli(["--kubeconfig", personKubeconfig("alice"), ...bigProfile, "-o", out, "--max-result-mib", "1", ...EVERY_ALLOCATION]);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    for (const t of doc.targets) {
      expect(t.status, JSON.stringify(t)).toBe("failed");
      // The JSON document's error is the message with its hint in parentheses.
      expect(t.error).toMatch(/ is \d+\.\d MiB once encoded, more than the 1\.0 MiB a profiling Job's log may carry .*containerLogMaxSize/);
      // A result that would really have spanned log files.
      expect(Number(/ is (\d+\.\d) MiB/.exec(t.error)![1])).toBeGreaterThan(ROTATION_MIB);
    }
    // Nothing written here, nothing left in the TaskManagers, no Job left.
    expect(readdirSync(out, { recursive: true }).filter((f) => statSync(path.join(out, String(f))).isFile())).toEqual([]);
    for (const pod of await taskManagerPods()) expect(await profilesVolume(pod)).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it("arrives intact through the rotated log when the limit is raised above it", async () => {
    await waitQuiet("no profile to run in the TaskManagers", 90);
    const out = outDir();
    const r = await profileCli(["--kubeconfig", personKubeconfig("alice"), ...bigProfile, "-o", out, "--max-result-mib", "64", "--keep", ...EVERY_ALLOCATION]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const runId = /^run (\S+): profiling/m.exec(r.stderr)![1]!;
    try {
      for (const t of doc.targets) {
        expect(t.status, JSON.stringify(t)).toBe("ok");
        // The CLI checked each file against the size and sha256 the helper sent; here: a whole jfr.
        const jfr = readFileSync(t.files[0]);
        expect(jfr.length).toBeGreaterThan(ROTATION_MIB * 1024 * 1024);
        expect(jfr.subarray(0, 4).toString("latin1")).toBe("FLR\0");
      }
      // The kubelet did rotate the Jobs' logs while the results went through them.
      const logs = path.join(state, "pod-logs");
      const rotated = readdirSync(logs, { recursive: true }).map(String)
        .filter((f) => f.startsWith(`${NAMESPACE}_`) && /\/profiler\/0\.log\.\d{8}-\d{6}/.test(f));
      expect(rotated.length, `rotated profiler logs under ${logs}`).toBeGreaterThan(0);
    } finally {
      expect((await profileCli(["cleanup", "--kubeconfig", personKubeconfig("alice"), "-n", NAMESPACE, "--run", runId])).code).toBe(0);
    }
  });
});
