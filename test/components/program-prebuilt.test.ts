import { describe, expect, it } from "vitest";
import { installMocks, ofType, settle } from "./support/mocks.ts";

describe("the example program with prebuilt images (what the real-cluster tier deploys)", () => {
  it("builds nothing, runs the given images and sizes the pods from stack config", async () => {
    process.env.PULUMI_CONFIG = JSON.stringify({
      "flink-profiling:namespace": "stream",
      "flink-profiling:flinkVersion": "2.3",
      "flink-profiling:flinkImage": "local.test/flink-profiling:2.3.0-ap4.5",
      "flink-profiling:runnerImage": "local.test/flink-profiler-runner:v1",
      "flink-profiling:taskManagerCpu": "500m",
      "flink-profiling:taskManagerMemoryMiB": "1536",
    });
    await installMocks();
    await import("../../components/program.ts");
    const all = await settle();
    expect(ofType(all, "docker-build:index:Image")).toHaveLength(0);
    const tm = ofType(all, "kubernetes:apps/v1:StatefulSet")[0].inputs.spec.template.spec.containers[0];
    expect(tm.image).toBe("local.test/flink-profiling:2.3.0-ap4.5");
    expect(tm.resources.limits).toEqual({ cpu: "500m", memory: "1536Mi" });
    const jm = ofType(all, "kubernetes:apps/v1:Deployment")[0].inputs.spec.template.spec.containers[0];
    expect(jm.resources.limits).toEqual({ cpu: "1", memory: "1600Mi" });
    const template = ofType(all, "kubernetes:core/v1:ConfigMap")
      .map((c) => JSON.stringify(c.inputs.data ?? {}))
      .join("");
    expect(template).toContain("local.test/flink-profiler-runner:v1");
  });
});
