// A person bound only to the profiler Role (stack config `profilers: [alice]`) profiles the cluster
// that `pulumi up` made: real Jobs, the real kubelet's logs, the helper finding the JVM by itself.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { restThroughTaskManager } from "../../scripts/lib/cluster/rest-through-taskmanager.ts";
import {
  CLUSTER,
  NAMESPACE,
  RUNNER_ACCOUNT,
  admin,
  adminKubeconfig,
  kubectl,
  leftovers,
  personKubeconfig,
  profileCli,
  taskManagerPods,
} from "./support.ts";

let alice: string;
let bob: string;
let pods: string[];
beforeAll(async () => {
  alice = personKubeconfig("alice");
  bob = personKubeconfig("bob");
  pods = await taskManagerPods();
});

describe("a person with only the profiler Role", () => {
  it("gets a verified flame graph per TaskManager naming the sample job's hot method", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "e2e-profiles-"));
    const r = await profileCli([
      "--kubeconfig",
      alice,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "-d",
      "10",
      "--format",
      "html,collapsed",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets.map((t: any) => t.target).sort()).toEqual(pods);
    for (const t of doc.targets) {
      expect(t.status, JSON.stringify(t)).toBe("ok");
      // The helper found the JVM in the pod by itself: the official image's entrypoint makes it pid 1.
      expect(t.pid).toBeGreaterThan(0);
      const [html, collapsed] = t.files as string[];
      expect(readFileSync(html!, "utf8")).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\s*$/);
      expect(readFileSync(collapsed!, "utf8")).toMatch(/com\/example\/orders\/OrderJsonEncoder\.(encode|escape)/);
      expect(t.top.map((f: any) => f.frame).join("\n")).toContain("com.example.orders.OrderJsonEncoder");
    }
    expect(await leftovers()).toEqual([]);
  });

  // Issue 8: Flink's REST answers, read by the helper inside a TaskManager (one Job, admitted by the
  // admission policy), for a person who has no right to the REST API: a proxy right to it would also let
  // GET /jobs/<id>/yarn-cancel cancel the job.
  it("reads the JobManager's REST answers through a TaskManager, with no right to the REST API", async () => {
    expect((await kubectl(alice, ["-n", NAMESPACE, "auth", "can-i", "get", "services/proxy"])).stdout.trim()).toBe(
      "no",
    );
    const read = await restThroughTaskManager(
      { kubeconfig: alice, namespace: NAMESPACE },
      { by: "cluster", cluster: CLUSTER },
    );
    expect(read.pod).toMatch(/^flink-taskmanager-\d$/);
    // Oracle: the admin asks the JobManager through the API server's service proxy.
    const direct = JSON.parse(
      await admin([
        "get",
        "--raw",
        `/api/v1/namespaces/${NAMESPACE}/services/${CLUSTER}-rest:8081/proxy/jobs/overview`,
      ]),
    );
    const running = direct.jobs.filter((j: any) => j.state === "RUNNING").map((j: any) => j.jid);
    expect(running.length).toBeGreaterThan(0);
    const overview = await read.rest.getJson<any>("/jobs/overview");
    expect(overview.jobs.filter((j: any) => j.state === "RUNNING").map((j: any) => j.jid)).toEqual(running);
    const job = await read.rest.getJson<any>(`/jobs/${running[0]}`);
    const vertex = await read.rest.getJson<any>(`/jobs/${running[0]}/vertices/${job.vertices[0].id}`);
    expect(vertex.subtasks.map((s: any) => s["taskmanager-id"]).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^flink-taskmanager-\d$/)]),
    );
    expect(await leftovers()).toEqual([]);

    // The same answers behind `operators`: the sample job's one (chained) vertex, on the TaskManager pods.
    const r = await profileCli(["operators", "--kubeconfig", alice, "-n", NAMESPACE, "--cluster", CLUSTER, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const listed = JSON.parse(r.stdout).jobs.find((j: any) => j.id === running[0]);
    expect(listed.vertices.map((v: any) => v.name)).toEqual(job.vertices.map((v: any) => v.name));
    expect(JSON.stringify(listed.vertices)).toMatch(/flink-taskmanager-\d/);
    expect(await leftovers()).toEqual([]);
  });

  it("is refused kubectl exec into a TaskManager", async () => {
    const r = await kubectl(alice, ["-n", NAMESPACE, "exec", pods[0]!, "--", "id"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden: User "alice" cannot create resource "pods\/exec"/);
  });

  it("doctor passes, and says plainly that it could not check the Job's service account", async () => {
    const r = await profileCli(["doctor", "--kubeconfig", alice, "-n", NAMESPACE, "--cluster", CLUSTER]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).not.toMatch(/^fail/m);
    expect(r.stdout).toMatch(/^ok +you may create jobs\.batch/m);
    expect(r.stdout).toMatch(/^ok +flink-profiler and async-profiler work in flink-taskmanager-\d/m);
    // A real API server refuses alice the impersonation that checking another subject's rights takes.
    expect(r.stdout).toMatch(
      new RegExp(
        `^notice could not check whether system:serviceaccount:${NAMESPACE}:${RUNNER_ACCOUNT} may create pods/exec[^\n]*cannot impersonate`,
        "m",
      ),
    );
  });
});

describe("an admin", () => {
  it("doctor checks the Job's service account on this cluster's RBAC", async () => {
    const r = await profileCli(["doctor", "--kubeconfig", adminKubeconfig, "-n", NAMESPACE, "--cluster", CLUSTER]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^ok +system:serviceaccount:${NAMESPACE}:${RUNNER_ACCOUNT} may create pods/exec of ${pods[0]}`, "m"),
    );
  });
});

describe("a person with no binding", () => {
  it("is refused the profile with a message that says what is missing", async () => {
    const r = await profileCli(["--kubeconfig", bob, "-n", NAMESPACE, "--cluster", CLUSTER, "-d", "5"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /RBAC denied: could not read the profiling Job template in flink-e2e: .*User "bob" cannot get resource "configmaps"/,
    );
    expect(r.stderr).toMatch(/hint: +ask an admin for the profiling Role/);
    expect(await leftovers()).toEqual([]);
  });

  it("doctor tells bob what he lacks", async () => {
    const r = await profileCli(["doctor", "--kubeconfig", bob, "-n", NAMESPACE, "--cluster", CLUSTER]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/^fail +you may not create jobs\.batch|^fail .*create jobs\.batch/m);
  });
});
