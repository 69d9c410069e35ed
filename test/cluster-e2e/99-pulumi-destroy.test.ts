// `pulumi destroy` leaves nothing of the stack in the cluster.
import { describe, expect, it } from "vitest";
import { NAMESPACE, STACK, adminJson, pulumi, stackConfigFile, waitFor } from "./support.ts";

describe("pulumi destroy", () => {
  it("removes the namespace and every cluster-wide object the stack made", async () => {
    const r = await pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK, "--config-file", stackConfigFile]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    await waitFor(`namespace ${NAMESPACE} to be gone`, 180, async () => {
      const all = await adminJson<{ items: any[] }>(["get", "namespaces"]);
      return all.items.some((n) => n.metadata.name === NAMESPACE) ? undefined : true;
    });
    // Cluster-scoped kinds a profiling setup could create; none may mention the namespace or the project.
    for (const kind of [
      "clusterroles",
      "clusterrolebindings",
      "validatingadmissionpolicies",
      "validatingadmissionpolicybindings",
      "persistentvolumes",
    ]) {
      const items = (await adminJson<{ items: any[] }>(["get", kind])).items;
      const ours = items.filter((o) => JSON.stringify(o).includes(NAMESPACE) || /flink/i.test(o.metadata.name));
      expect(ours.map((o) => `${kind}/${o.metadata.name}`)).toEqual([]);
    }
  });
});
