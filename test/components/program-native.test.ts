import { describe, expect, it } from "vitest";
import { installMocks, ofType, settle } from "./support/mocks.ts";

describe("the example program with nativeClusters (what the real-cluster tier's native-mode file deploys)", () => {
  it("gives the same people profiling access to a native-mode cluster, with its own runner, template and policies", async () => {
    process.env.PULUMI_CONFIG = JSON.stringify({
      "flink-profiling:namespace": "stream",
      "flink-profiling:flinkImage": "local.test/flink-profiling:2.3.0-ap4.5",
      "flink-profiling:runnerImage": "local.test/flink-profiler-runner:v1",
      "flink-profiling:profilers": JSON.stringify(["carol"]),
      "flink-profiling:nativeClusters": JSON.stringify(["orders-native"]),
      "flink-profiling:admissionPolicy": "true",
    });
    await installMocks();
    await import("../../components/program.ts");
    const all = await settle();
    const maps = ofType(all, "kubernetes:core/v1:ConfigMap").map((c) => c.inputs);
    const native = maps.find((m) => m.metadata.name === "orders-native-profiling-job-template");
    expect(native, maps.map((m) => m.metadata.name).join()).toBeDefined();
    expect(native!.metadata.labels["flink-profiling/cluster"]).toBe("orders-native");
    const template = JSON.parse(Object.values(native!.data as Record<string, string>)[0]!);
    // Flink's own labels on the pods its native JobManager creates.
    expect(JSON.stringify(template)).toContain('"type":"flink-native-kubernetes"');
    const accounts = ofType(all, "kubernetes:core/v1:ServiceAccount")
      .map((a) => a.inputs.metadata.name)
      .sort();
    expect(accounts).toEqual(["flink-profiling-runner", "orders-native-profiling-runner"]);
    const carol = ofType(all, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .filter((b) => b.inputs.subjects.some((s: any) => s.name === "carol"))
      .map((b) => b.inputs.roleRef.name)
      .sort();
    expect(carol).toEqual(["flink-profilers", "orders-native-profilers"]);
    const policies = ofType(all, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy")
      .map((p) => p.inputs.metadata.name)
      .sort();
    expect(policies).toEqual([
      "flink-profiling-stream-native-orders-native-peoples-jobs",
      "flink-profiling-stream-native-orders-native-runner-pods",
      "flink-profiling-stream-profiling-peoples-jobs",
      "flink-profiling-stream-profiling-runner-pods",
    ]);
  });
});
