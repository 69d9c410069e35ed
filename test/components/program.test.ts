import { describe, expect, it } from "vitest";
import { installMocks, kubernetesObjects, ofType, settle } from "./support/mocks.ts";
import { validateKubernetesObject } from "./support/schema.ts";

describe("the example program (Pulumi.yaml main)", () => {
  it("provisions a restricted namespace, the images, the cluster and access from stack config", async () => {
    process.env.PULUMI_CONFIG = JSON.stringify({
      "flink-profiling:registry": "registry.example.com/team",
      "flink-profiling:namespace": "stream",
      "flink-profiling:flinkVersion": "1.20",
      "flink-profiling:taskManagers": "4",
      "flink-profiling:profilers": JSON.stringify(["carol"]),
      "flink-profiling:imagePullSecrets": JSON.stringify(["regcred"]),
    });
    await installMocks();
    await import("../../components/program.ts");
    const all = await settle();
    const ns = ofType(all, "kubernetes:core/v1:Namespace")[0].inputs;
    expect(ns.metadata).toMatchObject({
      name: "stream",
      labels: { "pod-security.kubernetes.io/enforce": "restricted" },
    });
    const namespaced = kubernetesObjects(all).filter((r) => r.type !== "kubernetes:core/v1:Namespace");
    for (const r of namespaced) expect(r.inputs.metadata.namespace, r.name).toBe("stream");
    for (const r of kubernetesObjects(all)) expect(() => validateKubernetesObject(r.inputs), r.name).not.toThrow();
    const sts = ofType(all, "kubernetes:apps/v1:StatefulSet")[0].inputs;
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.template.spec.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(sts.spec.template.spec.containers[0].image).toMatch(
      /^registry\.example\.com\/team\/flink-profiling:1\.20-ap[\d.]+@sha256:[0-9a-f]{64}$/,
    );
    const binding = ofType(all, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find(
      (b) => b.inputs.subjects[0].kind === "User",
    )!;
    expect(binding.inputs.subjects.map((s: any) => s.name)).toEqual(["carol"]);
    expect(ofType(all, "docker-build:index:Image")).toHaveLength(2);
  });
});
