// The Pulumi component package (pulumi-package/): the schema @pulumi/pulumi's component provider host makes of
// it, checked against what the TypeScript components declare (read with the TypeScript compiler), and
// components constructed through the provider, as the engine would for a Python, Go or YAML program, checked
// against the same components constructed in TypeScript: the same Kubernetes objects, under Pulumi's mocks.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental/index.js";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, reset, settle, type Captured } from "./support/mocks.ts";
import { declaredArgs, declaredOutputs } from "./support/declared-args.ts";
import { PACKAGE_NAME, components } from "../../pulumi-package/components.ts";
import { FlinkCluster, type FlinkClusterArgs } from "../../components/flink-cluster.ts";
import { ProfilingAccess, type ProfilingAccessArgs } from "../../components/profiling-access.ts";
import { ProfilingAdmissionPolicy } from "../../components/profiling-admission-policy.ts";
import { PLATFORMS } from "../../components/profiling-image.ts";
import { operatorTarget } from "../../components/targets.ts";
import { defaultJobTemplate, serializeTemplate } from "../../components/profiling-job.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const packageDir = path.join(repoRoot, "pulumi-package");
const provider = new ComponentProvider({ components, name: PACKAGE_NAME, dirname: packageDir });
let schema: any;

beforeAll(async () => {
  await installMocks();
  schema = JSON.parse(await provider.getSchema());
});
beforeEach(reset);

const resource = (name: string) => schema.resources[`flink-profiling:index:${name}`];
const sortedKeys = (o: object) => Object.keys(o).sort();

describe("the component package's schema", () => {
  it("is the project's package: same name and version as package.json", () => {
    const root = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    const plugin = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
    expect(schema.name).toBe(root.name);
    expect(schema.version).toBe(root.version);
    expect(plugin.version).toBe(root.version);
    expect(sortedKeys(schema.resources)).toEqual(
      ["FlinkCluster", "ProfilingAccess", "ProfilingAdmissionPolicy", "ProfilingImage"].map(
        (n) => `flink-profiling:index:${n}`,
      ),
    );
  });

  // Every argument a TypeScript user has, under the same name, required exactly when TypeScript requires it.
  it.each([
    ["FlinkCluster", "flink-cluster.ts", "FlinkClusterArgs"],
    ["ProfilingAccess", "profiling-access.ts", "ProfilingAccessArgs"],
    ["ProfilingAdmissionPolicy", "profiling-admission-policy.ts", "ProfilingAdmissionPolicyArgs"],
    ["ProfilingImage", "profiling-image.ts", "ProfilingImageArgs"],
  ])("offers %s with every argument of the TypeScript component (%s %s)", (name, file, args) => {
    const declared = declaredArgs(file, args);
    expect(sortedKeys(resource(name).inputProperties)).toEqual(declared.map((p) => p.name));
    expect([...(resource(name).requiredInputs ?? [])].sort()).toEqual(
      declared.filter((p) => !p.optional).map((p) => p.name),
    );
  });

  it("gives the TypeScript components' outputs; FlinkCluster's `access` resource becomes its three useful values", () => {
    const plus = ["runnerServiceAccountName", "templateConfigMapName", "templateJson"];
    expect(sortedKeys(resource("FlinkCluster").properties)).toEqual(
      [...declaredOutputs("flink-cluster.ts", "FlinkCluster").filter((o) => o !== "access"), ...plus].sort(),
    );
    expect(sortedKeys(resource("ProfilingAccess").properties)).toEqual(
      declaredOutputs("profiling-access.ts", "ProfilingAccess"),
    );
    expect(sortedKeys(resource("ProfilingAdmissionPolicy").properties)).toEqual(
      declaredOutputs("profiling-admission-policy.ts", "ProfilingAdmissionPolicy"),
    );
    expect(sortedKeys(resource("ProfilingImage").properties)).toEqual(
      declaredOutputs("profiling-image.ts", "ProfilingImage"),
    );
  });

  it("types the arguments: outputs may feed images, sizes are objects, config values strings, platforms an enum", () => {
    const cluster = resource("FlinkCluster").inputProperties;
    // pulumi.Input<string>: another resource's output may be passed (ProfilingImage.flinkImage).
    expect(cluster.image).toMatchObject({ type: "string" });
    expect(cluster.image.plain).toBeUndefined();
    expect(cluster.namespace).toMatchObject({ type: "string", plain: true });
    expect(cluster.taskManagers).toMatchObject({ type: "number", plain: true });
    expect(cluster.flinkConfig).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(cluster.jobManager.$ref).toBe("#/types/flink-profiling:index:ProcessResources");
    expect(cluster.taskManager.$ref).toBe("#/types/flink-profiling:index:ProcessResources");
    const sizes = schema.types["flink-profiling:index:ProcessResources"].properties;
    expect(sizes).toMatchObject({ cpu: { type: "string" }, memoryMiB: { type: "number" } });
    expect(resource("ProfilingAccess").inputProperties.target.$ref).toBe(
      "#/types/flink-profiling:index:ProfilingTarget",
    );
    expect(sortedKeys(schema.types["flink-profiling:index:ProfilingTarget"].properties)).toEqual([
      "container",
      "labelSelector",
      "podNamePrefix",
      "podNames",
    ]);
    const platforms = schema.types["flink-profiling:index:Platform"];
    expect(platforms.enum.map((e: { value: string }) => e.value)).toEqual([...PLATFORMS]);
  });
});

const RUNNER = `registry.example.com/flink-profiler-runner:latest@sha256:${"b".repeat(64)}`;

/** Registers through the provider, as the engine's Construct call does, and returns what reached the engine. */
async function viaProvider(type: string, name: string, inputs: Record<string, unknown>) {
  const made = await provider.construct(name, `flink-profiling:index:${type}`, inputs as any, {});
  return { state: made.state, registered: normalised(await settle()) };
}

/** Resources in a stable order; Outputs inside are already resolved by the mocks. */
function normalised(list: Captured[]) {
  return [...list]
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))
    .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
}

describe("components constructed through the provider", () => {
  // As a YAML program writes them: plain JSON, config values as strings.
  const clusterInputs = {
    namespace: "flink",
    flinkVersion: "2.1",
    image: "registry.example.com/flink-profiling:2.1-ap4.5",
    runnerImage: RUNNER,
    taskManagers: 2,
    slotsPerTaskManager: 1,
    users: ["alice@example.com"],
    groups: ["flink-oncall"],
    jobManager: { cpu: "100m", memoryMiB: 1024 },
    taskManager: { cpu: "250m", memoryMiB: 1536 },
    flinkConfig: { "taskmanager.memory.managed.fraction": "0.2", "env.java.opts.taskmanager": "-XX:+UseG1GC" },
    imagePullSecrets: ["registry-login"],
    jobTemplate: {
      activeDeadlineSeconds: 600,
      nodeSelector: { pool: "flink" },
      resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "flink", effect: "NoSchedule" }],
    },
  };

  it("FlinkCluster makes exactly the objects the TypeScript FlinkCluster makes", async () => {
    const { state, registered } = await viaProvider("FlinkCluster", "demo", clusterInputs);
    reset();
    const typescript = new FlinkCluster("demo", clusterInputs as FlinkClusterArgs);
    const expected = normalised(await settle());
    expect(registered.filter((r) => r.type.startsWith("kubernetes:")).length).toBe(12);
    expect(registered).toEqual(expected);
    // One resource per type token: the package's FlinkCluster is not wrapped around the TypeScript one.
    expect(registered.filter((r) => r.type === "flink-profiling:index:FlinkCluster")).toHaveLength(1);

    expect(state.restServiceName).toBe(typescript.restServiceName);
    expect(state.taskManagerPodNames).toEqual(["demo-taskmanager-0", "demo-taskmanager-1"]);
    expect(state.templateConfigMapName).toBe(typescript.access.templateConfigMapName);
    expect(state.runnerServiceAccountName).toBe("demo-profiling-runner");
    const template = JSON.parse(await new Promise<string>((ok) => (state.templateJson as any).apply(ok)));
    expect(template.tolerations).toEqual(clusterInputs.jobTemplate.tolerations);
    expect(template.activeDeadlineSeconds).toBe(600);
  });

  it("ProfilingAccess makes exactly the objects the TypeScript ProfilingAccess makes, for an operator target", async () => {
    const inputs = {
      namespace: "analytics",
      target: operatorTarget("orders"),
      runnerImage: RUNNER,
      users: ["bob"],
      jobTemplate: { labels: { team: "data" } },
    };
    const { registered } = await viaProvider("ProfilingAccess", "orders", inputs);
    reset();
    new ProfilingAccess("orders", inputs as ProfilingAccessArgs);
    expect(registered).toEqual(normalised(await settle()));
    const template = registered.find((r) => r.name === "orders-job-template")!.inputs.data["job-template.json"];
    // Absent template settings keep their defaults (an explicit undefined would have erased the tolerations).
    expect(JSON.parse(template).tolerations).toEqual([]);
  });

  it("ProfilingAdmissionPolicy, offered as it is, makes the same policies", async () => {
    const templateJson = serializeTemplate(
      defaultJobTemplate({
        runnerImage: RUNNER,
        serviceAccountName: "orders-profiling-runner",
        target: operatorTarget("orders"),
      }),
    );
    const { registered } = await viaProvider("ProfilingAdmissionPolicy", "profiling", {
      namespace: "analytics",
      templateJson,
    });
    reset();
    new ProfilingAdmissionPolicy("profiling", { namespace: "analytics", templateJson });
    expect(registered).toEqual(normalised(await settle()));
    expect(registered.filter((r) => r.type.startsWith("kubernetes:admissionregistration"))).toHaveLength(4);
  });

  it("refuses bad arguments with the TypeScript component's own message, before anything is registered", async () => {
    await expect(
      viaProvider("FlinkCluster", "demo", { ...clusterInputs, taskManager: { memoryMiB: 512 } }),
    ).rejects.toThrow(/taskManager.memoryMiB 512 is too small: Flink would refuse to start/);
    expect(await settle()).toEqual([]);
    await expect(
      viaProvider("FlinkCluster", "demo", {
        ...clusterInputs,
        flinkConfig: { "taskmanager.memory.process.size": "2g" },
      }),
    ).rejects.toThrow(/flinkConfig must not set taskmanager.memory.process.size/);
  });
});
