// The cluster profiler end to end: the real kubectl against the API stand-in, real Flink TaskManagers,
// the real helper and async-profiler inside "pods" whose exec'd commands run locally.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalFlink, type LocalFlink } from "../scripts/lib/local-flink.ts";
import { CLUSTER, NAMESPACE, leftovers, runProfileCli, startClusterFixture, type ClusterFixture, type FakeTaskManager } from "./support/cluster-fixture.ts";

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
    const r = await runProfileCli([...base(), "-d", "3", "--json"]);
    expect(r.stderr).toMatch(/run \d{8}-\d{6}-[0-9a-f]{4}: profiling 3 TaskManager\(s\) of orders in flink/);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets.map((t: { target: string }) => t.target)).toEqual(tms.map((t) => t.pod));
    for (const [i, t] of doc.targets.entries()) {
      expect(t.status).toBe("ok");
      expect(t.pid).toBe(tms[i]!.pid);
      expect(t.files).toHaveLength(1);
      expect(t.files[0]).toMatch(new RegExp(`/out/orders/\\d{8}-\\d{6}-[0-9a-f]{4}/${tms[i]!.pod}\\.html$`));
      expect(readFileSync(t.files[0], "utf8")).toContain("OrderJsonEncoder");
      expect(t.top.length).toBeGreaterThan(0);
    }
    // collapsed was asked for the top frames only: not kept.
    expect(existsSync(doc.targets[0].files[0].replace(/\.html$/, ".collapsed"))).toBe(false);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});
