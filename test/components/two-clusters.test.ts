// Fix 2 of issue 10: two Flink clusters in one namespace. Nothing one cluster's components create may
// carry a name the other's do, so destroying one (which deletes exactly its own objects) leaves the other
// working. Expected names are written out here, not computed with the code under test.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, kubernetesObjects, ofType, reset, settle, type Captured } from "./support/mocks.ts";
import { FlinkCluster } from "../../components/flink-cluster.ts";
import { ProfilingAccess } from "../../components/profiling-access.ts";
import { customTarget } from "../../components/targets.ts";
import { parseTemplate, TEMPLATE_KEY } from "../../components/profiling-job.ts";

const RUNNER = "registry.example.com/runner:1";

beforeAll(installMocks);
beforeEach(reset);

/** What Kubernetes identifies an object by (kind, namespace, name), and what Pulumi does (type and name). */
async function objectsOf(cluster: string): Promise<{ k8s: Set<string>; pulumi: Set<string>; all: Captured[] }> {
  reset();
  new FlinkCluster(cluster, { namespace: "flink", runnerImage: RUNNER, users: ["alice"] });
  const all = [...(await settle())];
  return {
    k8s: new Set(
      kubernetesObjects(all).map(
        (r) => `${r.type.split(":").pop()}/${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`,
      ),
    ),
    pulumi: new Set(all.map((r) => `${r.type}::${r.name}`)),
    all,
  };
}

describe("two FlinkClusters in one namespace", () => {
  it("share no Kubernetes object and no Pulumi resource, so destroying one leaves the other's intact", async () => {
    const orders = await objectsOf("orders");
    const payments = await objectsOf("payments");
    expect(orders.k8s.size).toBe(12);
    expect([...orders.k8s].filter((id) => payments.k8s.has(id))).toEqual([]);
    expect([...orders.pulumi].filter((id) => payments.pulumi.has(id))).toEqual([]);
    expect(
      [...orders.k8s]
        .filter(
          (id) =>
            !id.startsWith("ConfigMap/") &&
            !id.startsWith("Service/") &&
            !id.startsWith("Deployment/") &&
            !id.startsWith("StatefulSet/"),
        )
        .sort(),
    ).toEqual([
      "Role/flink/orders-profilers",
      "Role/flink/orders-profiling-runner",
      "RoleBinding/flink/orders-profilers",
      "RoleBinding/flink/orders-profiling-runner",
      "ServiceAccount/flink/orders-profiling-runner",
    ]);
  });

  it("each template is named and labelled after its cluster, uses its own account, and only its own people may read it", async () => {
    for (const cluster of ["orders", "payments"]) {
      const { all } = await objectsOf(cluster);
      const cm = ofType(all, "kubernetes:core/v1:ConfigMap").find((c) => TEMPLATE_KEY in c.inputs.data)!.inputs;
      expect(cm.metadata.name).toBe(`${cluster}-profiling-job-template`);
      expect(cm.metadata.labels).toMatchObject({
        "flink-profiling/cluster": cluster,
        "app.kubernetes.io/component": "profiling-job-template",
      });
      expect(parseTemplate(cm.data[TEMPLATE_KEY]).serviceAccountName).toBe(`${cluster}-profiling-runner`);
      const people = ofType(all, "kubernetes:rbac.authorization.k8s.io/v1:Role").find(
        (r) => r.inputs.metadata.name === `${cluster}-profilers`,
      )!;
      const configMaps = people.inputs.rules.find((r: any) => r.resources.includes("configmaps"));
      expect(configMaps.resourceNames).toEqual([`${cluster}-profiling-job-template`]);
      const binding = ofType(all, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find(
        (b) => b.inputs.metadata.name === `${cluster}-profiling-runner`,
      )!;
      expect(binding.inputs.subjects).toEqual([
        { kind: "ServiceAccount", name: `${cluster}-profiling-runner`, namespace: "flink" },
      ]);
    }
  });

  it("ProfilingAccess asks for the cluster's name when the target's labels do not give it", async () => {
    const target = customTarget("flink", { component: "taskmanager", tier: "batch" });
    expect(() => new ProfilingAccess("x", { namespace: "flink", target, runnerImage: RUNNER })).toThrow(
      /needs cluster/,
    );
    expect(await settle()).toEqual([]);
    new ProfilingAccess("x", { namespace: "flink", target, runnerImage: RUNNER, cluster: "batch" });
    const cm = ofType(await settle(), "kubernetes:core/v1:ConfigMap")[0].inputs;
    expect(cm.metadata.name).toBe("batch-profiling-job-template");
  });
});
