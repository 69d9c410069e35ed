import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, kubernetesObjects, ofType, reset, settle } from "./support/mocks.ts";
import { validateKubernetesObject } from "./support/schema.ts";
import { ProfilingAccess, type ProfilingAccessArgs } from "../../components/profiling-access.ts";
import { nativeKubernetesTarget, operatorTarget } from "../../components/targets.ts";
import { FlinkCluster } from "../../components/flink-cluster.ts";
import { parseTemplate, renderProfilingJob, TEMPLATE_KEY } from "../../components/profiling-job.ts";

const RUNNER = `registry.example.com/flink-profiler-runner:latest@sha256:${"c".repeat(64)}`;
const args = (extra: Partial<ProfilingAccessArgs> = {}): ProfilingAccessArgs => ({
  namespace: "analytics",
  target: operatorTarget("orders"),
  runnerImage: RUNNER,
  users: ["bob"],
  ...extra,
});

beforeAll(installMocks);
beforeEach(reset);

const roles = (all: Awaited<ReturnType<typeof settle>>) =>
  ofType(all, "kubernetes:rbac.authorization.k8s.io/v1:Role").map((r) => r.inputs);
const rulesOf = (role: any) =>
  role.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];

describe("ProfilingAccess", () => {
  it("works for an operator deployment by labels, with valid objects only", async () => {
    new ProfilingAccess("orders", args());
    const all = await settle();
    for (const r of kubernetesObjects(all)) expect(() => validateKubernetesObject(r.inputs), r.name).not.toThrow();
    const cm = ofType(all, "kubernetes:core/v1:ConfigMap")[0].inputs;
    expect(cm.metadata.name).toBe("orders-profiling-job-template");
    expect(cm.metadata.labels["app.kubernetes.io/component"]).toBe("profiling-job-template");
    expect(cm.metadata.labels["flink-profiling/cluster"]).toBe("orders");
    const template = parseTemplate(cm.data[TEMPLATE_KEY]);
    expect(template.target).toEqual({
      container: "flink-main-container",
      labelSelector: { type: "flink-native-kubernetes", app: "orders", component: "taskmanager" },
      podNamePrefix: "orders-taskmanager-",
    });
    expect(template.runnerImage).toBe(RUNNER);
    const job = renderProfilingJob(template, {
      namespace: "analytics",
      pod: "orders-taskmanager-1-1",
      runId: "x1",
      helperArgs: ["-d", "10"],
    });
    expect(() => validateKubernetesObject(job)).not.toThrow();
    expect(job.spec!.template.spec!.serviceAccountName).toBe(
      ofType(all, "kubernetes:core/v1:ServiceAccount")[0].inputs.metadata.name,
    );
  });

  it("gives people Jobs, pods, logs and the template, never exec", async () => {
    new ProfilingAccess("orders", args());
    const people = roles(await settle()).find((r) => r.metadata.name === "orders-profilers")!;
    const granted = rulesOf(people).flatMap((rule) =>
      rule.resources.flatMap((res) => rule.verbs.map((v) => `${res}:${v}`)),
    );
    expect(granted).toEqual(
      expect.arrayContaining([
        "jobs:create",
        "jobs:delete",
        "jobs:get",
        "jobs:list",
        "pods:get",
        "pods:list",
        "pods/log:get",
        "configmaps:get",
      ]),
    );
    for (const forbidden of [
      "pods/exec",
      "pods/attach",
      "pods/portforward",
      "secrets",
      "serviceaccounts/token",
      "pods/ephemeralcontainers",
    ]) {
      expect(
        granted.some((g) => g.startsWith(`${forbidden}:`)),
        forbidden,
      ).toBe(false);
    }
    const cmRule = rulesOf(people).find((r) => r.resources.includes("configmaps"))!;
    expect(cmRule.resourceNames).toEqual(["orders-profiling-job-template"]);
  });

  it("lets the runner exec and nothing else; limited to pod names when they are known", async () => {
    new ProfilingAccess(
      "orders",
      args({ target: { ...nativeKubernetesTarget("orders"), podNames: ["orders-taskmanager-1-1"] } }),
    );
    const runner = roles(await settle()).find((r) => r.metadata.name === "orders-profiling-runner")!;
    expect(rulesOf(runner)).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: ["orders-taskmanager-1-1"] },
      {
        apiGroups: [""],
        resources: ["pods/exec"],
        verbs: ["create", "get"],
        resourceNames: ["orders-taskmanager-1-1"],
      },
    ]);
  });

  it("binds users and groups, and binds nobody when none are given", async () => {
    new ProfilingAccess("orders", args({ users: ["bob"], groups: ["sre"] }));
    let bindings = ofType(await settle(), "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map((b) => b.inputs);
    const people = bindings.find((b) => b.metadata.name === "orders-profilers")!;
    expect(people.subjects).toEqual([
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "bob" },
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "sre" },
    ]);
    const runner = bindings.find((b) => b.metadata.name === "orders-profiling-runner")!;
    expect(runner.subjects).toEqual([
      { kind: "ServiceAccount", name: "orders-profiling-runner", namespace: "analytics" },
    ]);
    reset();
    new ProfilingAccess("orders", args({ users: [], groups: [] }));
    bindings = ofType(await settle(), "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map((b) => b.inputs);
    expect(bindings.map((b) => b.metadata.name)).toEqual(["orders-profiling-runner"]);
  });

  it("mounts service account tokens only in the profiling Job", async () => {
    new ProfilingAccess("orders", args());
    const all = await settle();
    expect(ofType(all, "kubernetes:core/v1:ServiceAccount")[0].inputs.automountServiceAccountToken).toBe(false);
  });
});

describe("security of everything the components create", () => {
  it("has no wildcard, no secrets, nothing cluster-scoped", async () => {
    new FlinkCluster("sec", { namespace: "flink", runnerImage: RUNNER, users: ["a"] });
    new ProfilingAccess("op", args());
    const all = await settle();
    const clusterScoped = [
      "Namespace",
      "ClusterRole",
      "ClusterRoleBinding",
      "PersistentVolume",
      "StorageClass",
      "CustomResourceDefinition",
      "ValidatingWebhookConfiguration",
      "MutatingWebhookConfiguration",
      "PriorityClass",
    ];
    for (const r of kubernetesObjects(all)) {
      expect(
        clusterScoped.some((kind) => r.type.endsWith(`:${kind}`)),
        r.type,
      ).toBe(false);
      expect(r.type).not.toMatch(/:Secret$/);
      expect(r.inputs.metadata.namespace, r.name).toBeTruthy();
    }
    const allRules = roles(all).flatMap(rulesOf);
    expect(allRules.length).toBeGreaterThan(0);
    for (const rule of allRules) {
      for (const field of [rule.apiGroups, rule.resources, rule.verbs]) expect(field).not.toContain("*");
      expect(rule.resources).not.toContain("secrets");
      // The JobManager's REST API has no authorisation: reaching it (service proxy, port-forward) is the
      // right to run jars and cancel jobs, so no Role of ours may give it, not even for --via rest.
      for (const way of ["services/proxy", "pods/proxy", "pods/portforward"]) expect(rule.resources).not.toContain(way);
      expect(rule.verbs).not.toEqual(expect.arrayContaining(["escalate"]));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(["bind"]));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(["impersonate"]));
    }
  });
});

describe("bad arguments", () => {
  it.each([
    [{ namespace: "Analytics" }, /namespace must be a DNS-1123 label/],
    [{ runnerImage: "not an image" }, /runnerImage is not a valid image reference/],
    [{ target: { container: "Main", labelSelector: { a: "b" } } }, /target\.container/],
    [{ target: { container: "main", labelSelector: {} } }, /labelSelector must not be empty/],
    [{ target: { container: "main", labelSelector: { "bad key!": "x" } } }, /invalid label/],
  ])("refuses %o before creating anything", async (extra, message) => {
    expect(() => new ProfilingAccess("orders", args(extra as Partial<ProfilingAccessArgs>))).toThrow(message);
    expect(await settle()).toEqual([]);
  });
});
