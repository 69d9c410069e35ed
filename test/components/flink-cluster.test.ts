import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, kubernetesObjects, ofType, reset, settle } from "./support/mocks.ts";
import { validateKubernetesObject } from "./support/schema.ts";
import { expectRestricted } from "./support/security.ts";
import { FlinkCluster, type FlinkClusterArgs } from "../../components/flink-cluster.ts";
import { parseTemplate, renderProfilingJob, TEMPLATE_KEY } from "../../components/profiling-job.ts";
import { PROFILING_JVM_FLAGS } from "../../components/flink-config.ts";
import { SUPPORTED_FLINK_VERSIONS } from "../../components/flink-versions.ts";

const RUNNER = `registry.example.com/flink-profiler-runner:latest@sha256:${"b".repeat(64)}`;
const args = (extra: Partial<FlinkClusterArgs> = {}): FlinkClusterArgs => ({
  namespace: "flink",
  flinkVersion: "2.1",
  image: "registry.example.com/flink-profiling:2.1-ap4.5",
  runnerImage: RUNNER,
  taskManagers: 3,
  users: ["alice@example.com"],
  groups: ["flink-oncall"],
  ...extra,
});

beforeAll(installMocks);
beforeEach(reset);

async function build(extra: Partial<FlinkClusterArgs> = {}) {
  new FlinkCluster("demo", args(extra));
  return settle();
}

describe("FlinkCluster", () => {
  it("creates exactly the expected resources, every Kubernetes object valid against the API schemas", async () => {
    const all = await build();
    const types = kubernetesObjects(all)
      .map((r) => r.type)
      .sort();
    expect(types).toEqual([
      "kubernetes:apps/v1:Deployment",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:Service",
      "kubernetes:core/v1:Service",
      "kubernetes:core/v1:Service",
      "kubernetes:core/v1:ServiceAccount",
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    ]);
    expect(all.map((r) => r.type)).toContain("flink-profiling:index:FlinkCluster");
    expect(all.map((r) => r.type)).toContain("flink-profiling:index:ProfilingAccess");
    for (const r of kubernetesObjects(all)) {
      expect(r.inputs.metadata.namespace, r.name).toBe("flink");
      expect(() => validateKubernetesObject(r.inputs), r.name).not.toThrow();
    }
  });

  it("runs TaskManagers as a StatefulSet named by pod, with the profiles volume and restricted pods", async () => {
    const all = await build();
    const sts = ofType(all, "kubernetes:apps/v1:StatefulSet")[0].inputs;
    expect(sts.spec.replicas).toBe(3);
    const pod = sts.spec.template.spec;
    const tm = pod.containers[0];
    expect(tm.image).toBe("registry.example.com/flink-profiling:2.1-ap4.5");
    expect(tm.args).toEqual(["taskmanager", "-Dtaskmanager.resource-id=$(POD_NAME)"]);
    expect(tm.env).toContainEqual({ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
    expect(pod.volumes).toContainEqual({ name: "flink-profiles", emptyDir: { sizeLimit: "512Mi" } });
    expect(tm.volumeMounts).toContainEqual({ name: "flink-profiles", mountPath: "/tmp/flink-profiles" });
    expect(tm.resources.limits).toEqual({ cpu: "1", memory: "2048Mi" });
    const jm = ofType(all, "kubernetes:apps/v1:Deployment")[0].inputs.spec.template.spec;
    for (const spec of [pod, jm]) {
      expectRestricted(spec);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.securityContext.runAsUser).toBe(9999);
    }
  });

  it("exposes rpc, blob and rest on Services", async () => {
    const services = ofType(await build(), "kubernetes:core/v1:Service").map((s) => s.inputs);
    const ports = Object.fromEntries(
      services.map((s) => [s.metadata.name, s.spec.ports.map((p: any) => `${p.name}:${p.port}`)]),
    );
    expect(ports).toEqual({
      "demo-jobmanager": ["rpc:6123", "blob-server:6124"],
      "demo-rest": ["rest:8081"],
      "demo-taskmanager": ["rpc:6122"],
    });
  });

  it.each(SUPPORTED_FLINK_VERSIONS.map((v) => [v, "config.yaml", true] as const))(
    "Flink %s gets %s with the profiling settings",
    async (flinkVersion, file, rest) => {
      const cm = ofType(await build({ flinkVersion }), "kubernetes:core/v1:ConfigMap").find(
        (c) => c.inputs.metadata.name === "demo-config",
      )!;
      expect(Object.keys(cm.inputs.data).sort()).toEqual([file, "log4j-console.properties"].sort());
      const text: string = cm.inputs.data[file];
      expect(text).toContain(PROFILING_JVM_FLAGS.join(" "));
      expect(text).toMatch(/^jobmanager\.rpc\.address: "?demo-jobmanager"?$/m);
      expect(/^rest\.profiling\.enabled: true$/m.test(text)).toBe(rest);
      expect(text).not.toContain("FLINK_PROPERTIES");
    },
  );

  it("wires a ProfilingAccess that may exec only into its TaskManager pods", async () => {
    const all = await build();
    const roles = ofType(all, "kubernetes:rbac.authorization.k8s.io/v1:Role").map((r) => r.inputs);
    const runner = roles.find((r) => r.rules.some((rule: any) => rule.resources.includes("pods/exec")))!;
    for (const rule of runner.rules)
      expect(rule.resourceNames).toEqual(["demo-taskmanager-0", "demo-taskmanager-1", "demo-taskmanager-2"]);
    const cm = ofType(all, "kubernetes:core/v1:ConfigMap").find((c) => TEMPLATE_KEY in c.inputs.data)!;
    const template = parseTemplate(cm.inputs.data[TEMPLATE_KEY]);
    expect(template.target.podNames).toEqual(["demo-taskmanager-0", "demo-taskmanager-1", "demo-taskmanager-2"]);
    const job = renderProfilingJob(template, {
      namespace: "flink",
      pod: "demo-taskmanager-2",
      runId: "r1",
      helperArgs: [],
    });
    expect(job.spec!.template.spec!.containers[0].command).toContain("taskmanager");
    expect(() => validateKubernetesObject(job)).not.toThrow();
  });

  it.each([
    [{ taskManagers: 0 }, /taskManagers must be a whole number from 1/],
    [{ taskManagers: 1.5 }, /taskManagers/],
    [{ namespace: "Flink_Prod" }, /namespace must be a DNS-1123 label/],
    [{ flinkVersion: "1.17" }, /unknown Flink version "1\.17"/],
    [{ image: "registry.example.com/Flink:latest!" }, /image is not a valid image reference/],
    [{ runnerImage: "runner image" }, /runnerImage is not a valid image reference/],
    [{ slotsPerTaskManager: 0 }, /slotsPerTaskManager/],
    [{ taskManager: { memoryMiB: 100 } }, /taskManager\.memoryMiB/],
    [{ flinkVersion: "1.19" }, /unknown Flink version "1\.19"; supported: 1\.20/],
    [{ flinkConfig: { "pipeline.name": "a\nb" } }, /one line/],
    [{ profilesSizeLimit: "lots" }, /profilesSizeLimit/],
    [{ users: [""] }, /user and group names/],
  ])("refuses %o before creating anything", async (extra, message) => {
    expect(() => new FlinkCluster("demo", args(extra as Partial<FlinkClusterArgs>))).toThrow(message);
    expect(await settle()).toEqual([]);
  });
});
