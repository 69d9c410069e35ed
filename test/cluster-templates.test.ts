// Fix 2 of issue 10: with several Flink clusters in one namespace, `--cluster NAME` uses that cluster's
// template (ConfigMap <NAME>-profiling-job-template, labelled with NAME), and a namespace set up before
// names were derived keeps working through its single unlabelled legacy template.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readTemplate } from "../scripts/lib/cluster/context.ts";
import type { Kubectl, KubectlResult } from "../scripts/lib/cluster/kubectl.ts";
import {
  CLUSTER,
  NAMESPACE,
  runProfileCli,
  startClusterFixture,
  templateConfigMap,
  type ClusterFixture,
} from "./support/cluster-fixture.ts";

/** A kubectl that knows some ConfigMaps: `get configmap NAME` and `get configmaps --selector=…`. */
function fakeKubectl(configMaps: any[], canList = true): Kubectl {
  const run = async (args: readonly string[]): Promise<KubectlResult> => {
    if (args[1] === "configmap") {
      const cm = configMaps.find((c) => c.metadata.name === args[2]);
      return cm
        ? { exitCode: 0, stdout: JSON.stringify(cm), stderr: "" }
        : { exitCode: 1, stdout: "", stderr: `Error from server (NotFound): configmaps "${args[2]}" not found` };
    }
    if (args[1] === "configmaps" && canList) {
      const items = configMaps.filter(
        (c) => c.metadata.labels?.["app.kubernetes.io/component"] === "profiling-job-template",
      );
      return { exitCode: 0, stdout: JSON.stringify({ items }), stderr: "" };
    }
    return { exitCode: 1, stdout: "", stderr: "Error from server (Forbidden): configmaps is forbidden" };
  };
  return {
    kube: {},
    binary: "kubectl",
    connection: [],
    run,
    json: async () => ({}) as never,
    lines: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
  };
}

const orders = templateConfigMap("runner:orders", "orders");
const payments = templateConfigMap("runner:payments", "payments");
const legacy = templateConfigMap("runner:legacy", "orders", true);

describe("readTemplate", () => {
  it("finds each cluster's own template when two share the namespace", async () => {
    const k = fakeKubectl([orders, payments]);
    const a = await readTemplate(k, NAMESPACE, "orders");
    expect([a.configMap, a.template.runnerImage, a.template.serviceAccountName]).toEqual([
      "orders-profiling-job-template",
      "runner:orders",
      "orders-profiling-runner",
    ]);
    const b = await readTemplate(k, NAMESPACE, "payments");
    expect([b.configMap, b.template.runnerImage, b.template.serviceAccountName]).toEqual([
      "payments-profiling-job-template",
      "runner:payments",
      "payments-profiling-runner",
    ]);
  });

  it("still reads a single unlabelled legacy template, for any --cluster and without one", async () => {
    const k = fakeKubectl([legacy]);
    expect((await readTemplate(k, NAMESPACE, "orders")).configMap).toBe("flink-profiling-job-template");
    expect((await readTemplate(k, NAMESPACE)).template.serviceAccountName).toBe("flink-profiler");
  });

  it("refuses clearly what it cannot decide", async () => {
    await expect(readTemplate(fakeKubectl([orders]), NAMESPACE, "payments")).rejects.toThrow(
      'no profiling Job template for Flink cluster "payments" in namespace "flink" (ConfigMap payments-profiling-job-template)',
    );
    await expect(readTemplate(fakeKubectl([orders, payments]), NAMESPACE)).rejects.toThrow(
      /several Flink clusters .*: orders, payments/,
    );
    await expect(readTemplate(fakeKubectl([orders, payments], false), NAMESPACE)).rejects.toMatchObject({
      hint: expect.stringContaining("--cluster NAME"),
    });
    // Without --cluster, the namespace's only template is the one.
    expect((await readTemplate(fakeKubectl([payments]), NAMESPACE)).configMap).toBe("payments-profiling-job-template");
    const relabelled = { ...payments, metadata: { ...payments.metadata, name: "orders-profiling-job-template" } };
    await expect(readTemplate(fakeKubectl([relabelled]), NAMESPACE, "orders")).rejects.toThrow(
      /template of Flink cluster "payments", not "orders"/,
    );
  });
});

describe("profile.mjs --cluster on the Kubernetes stand-in", () => {
  let fx: ClusterFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });
  const dryRun = (choice = ["--cluster", CLUSTER]) =>
    runProfileCli([
      "--kubeconfig",
      fx!.kubeconfig,
      "-n",
      NAMESPACE,
      "-o",
      path.join(fx!.dir, "out"),
      "-d",
      "1",
      ...choice,
      "--dry-run",
    ]);
  const tms = [{ pod: `${CLUSTER}-taskmanager-0`, pid: process.pid }];

  it("renders the Jobs from its cluster's template, not from another cluster's in the namespace", async () => {
    fx = await startClusterFixture(tms);
    fx.k8s.create(payments);
    const r = await dryRun();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("serviceAccountName: orders-profiling-runner");
    expect(r.stdout).not.toContain("payments");
    // --pod and -l cannot be combined with --cluster: the chosen pods' labels say whose template to use.
    const byPod = await dryRun(["--pod", `${CLUSTER}-taskmanager-0`]);
    expect(byPod.code, byPod.stderr).toBe(0);
    expect(byPod.stdout).toContain("serviceAccountName: orders-profiling-runner");
  });

  it("renders them from a legacy template when that is all the namespace has", async () => {
    fx = await startClusterFixture(tms, { template: false });
    fx.k8s.create(templateConfigMap("runner:legacy", CLUSTER, true));
    const r = await dryRun();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("serviceAccountName: flink-profiler");
    expect(r.stdout).toContain("image: runner:legacy");
  });
});
