import { describe, expect, it } from "vitest";
import {
  profilingReadyNativeMode,
  profilingReadySpec,
  operatorFlinkVersion,
} from "../../components/flink-deployment.ts";
import { PROFILING_JVM_FLAGS } from "../../components/flink-config.ts";
import { validateKubernetesObject } from "./support/schema.ts";
import { expectRestricted } from "./support/security.ts";

const IMAGE = `registry.example.com/flink-profiling:1.20-ap4.5@sha256:${"d".repeat(64)}`;
const userSpec = () => ({
  flinkConfiguration: { "taskmanager.numberOfTaskSlots": "4", "env.java.opts.taskmanager": "-Xss1m" },
  serviceAccount: "flink",
  podTemplate: {
    spec: {
      containers: [
        { name: "sidecar-logs", image: "busybox:1.37.0" },
        { name: "flink-main-container", volumeMounts: [{ name: "data", mountPath: "/data" }] },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
    },
  },
  jobManager: { resource: { memory: "2048m", cpu: 1 } },
});

describe("profilingReadySpec (Flink Kubernetes Operator)", () => {
  it("sets the image, version, flags and REST profiler, keeping what the user set", () => {
    const input = userSpec();
    const spec = profilingReadySpec(input, { image: IMAGE, flinkVersion: "1.20" });
    expect(spec.image).toBe(IMAGE);
    expect(spec.flinkVersion).toBe("v1_20");
    expect(spec.serviceAccount).toBe("flink");
    expect(spec.jobManager).toEqual(input.jobManager);
    expect(spec.flinkConfiguration).toMatchObject({
      "taskmanager.numberOfTaskSlots": "4",
      "env.java.opts.taskmanager": `-Xss1m ${PROFILING_JVM_FLAGS.join(" ")}`,
      "env.java.opts.jobmanager": PROFILING_JVM_FLAGS.join(" "),
      "rest.profiling.enabled": "true",
    });
    expect(Object.values(spec.flinkConfiguration!).every((v) => typeof v === "string")).toBe(true);
    expect(input).toEqual(userSpec());
  });

  it("adds the profiles volume to flink-main-container only, in a restricted, schema-valid pod template", () => {
    const spec = profilingReadySpec(userSpec(), { image: IMAGE, flinkVersion: "2.1", profilesSizeLimit: "1Gi" });
    const pod = spec.podTemplate!.spec!;
    expect(pod.volumes).toEqual([
      { name: "data", emptyDir: {} },
      { name: "flink-profiles", emptyDir: { sizeLimit: "1Gi" } },
    ]);
    const main = pod.containers.find((c) => c.name === "flink-main-container")!;
    expect(main.volumeMounts).toEqual([
      { name: "data", mountPath: "/data" },
      { name: "flink-profiles", mountPath: "/tmp/flink-profiles" },
    ]);
    expect(pod.containers.find((c) => c.name === "sidecar-logs")!.volumeMounts).toBeUndefined();
    // The operator merges the template into pods; checked as a Pod it must be valid and restricted
    // (the user's own sidecar gets restricted settings from the operator's defaults, not from here).
    const mainOnly = { ...pod, containers: [main] };
    expectRestricted(mainOnly);
    expect(() =>
      validateKubernetesObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "t" }, spec: pod }),
    ).not.toThrow();
  });

  it("creates the main container when the spec has no pod template", () => {
    const spec = profilingReadySpec({}, { image: IMAGE, flinkVersion: "2.0" });
    expect(spec.podTemplate!.spec!.containers.map((c) => c.name)).toEqual(["flink-main-container"]);
    expect(spec.flinkVersion).toBe("v2_0");
    expect(profilingReadySpec({ flinkVersion: "v1_20" }, { image: IMAGE, flinkVersion: "1.20" }).flinkVersion).toBe(
      "v1_20",
    );
  });

  it("refuses bad arguments", () => {
    expect(() => profilingReadySpec({}, { image: "Bad Image", flinkVersion: "1.20" })).toThrow(/image is not a valid/);
    expect(() => profilingReadySpec({}, { image: IMAGE, flinkVersion: "1.16" })).toThrow(/unknown Flink version/);
    expect(() => operatorFlinkVersion("x")).toThrow(/unknown Flink version/);
  });
});

describe("profilingReadyNativeMode (Flink's native Kubernetes mode)", () => {
  it("gives the client's configuration and a restricted, valid pod template for flink-main-container", () => {
    const { flinkConfiguration, podTemplate } = profilingReadyNativeMode({
      image: IMAGE,
      flinkVersion: "2.3",
      profilesSizeLimit: "256Mi",
    });
    expect(flinkConfiguration["kubernetes.container.image.ref"]).toBe(IMAGE);
    for (const flag of PROFILING_JVM_FLAGS) expect(flinkConfiguration["env.java.opts.taskmanager"]).toContain(flag);
    expect(Object.values(flinkConfiguration).every((v) => typeof v === "string")).toBe(true);
    const spec = podTemplate.spec!;
    expect(spec.containers.map((c) => c.name)).toEqual(["flink-main-container"]);
    expectRestricted(spec);
    expect(spec.volumes).toContainEqual({ name: "flink-profiles", emptyDir: { sizeLimit: "256Mi" } });
    expect(() => validateKubernetesObject(podTemplate)).not.toThrow();
    expect(() => profilingReadyNativeMode({ image: IMAGE, flinkVersion: "1.16" })).toThrow(/unknown Flink version/);
  });
});
