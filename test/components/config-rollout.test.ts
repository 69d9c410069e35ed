// Fix 3 of issue 10: a change of the Flink configuration rolls the JobManager and the TaskManagers. Flink
// reads its config file only at start, so the pod templates carry a checksum of the rendered ConfigMap.
import { createHash } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, ofType, reset, settle } from "./support/mocks.ts";
import { FlinkCluster, type FlinkClusterArgs } from "../../components/flink-cluster.ts";

const ANNOTATION = "flink-profiling/config-sha256";

beforeAll(installMocks);
beforeEach(reset);

/** The checksum annotation of both pod templates, and the ConfigMap's data, as they reached Pulumi. */
async function deploy(extra: Partial<FlinkClusterArgs>) {
  reset();
  new FlinkCluster("demo", { namespace: "flink", runnerImage: "registry.example.com/runner:1", ...extra });
  const all = await settle();
  const jm = ofType(all, "kubernetes:apps/v1:Deployment")[0].inputs.spec.template.metadata.annotations?.[ANNOTATION];
  const tm = ofType(all, "kubernetes:apps/v1:StatefulSet")[0].inputs.spec.template.metadata.annotations?.[ANNOTATION];
  const data = ofType(all, "kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === "demo-config")!.inputs
    .data;
  return { jm, tm, data };
}

describe("the config checksum in the pod templates", () => {
  it("is the same in the JobManager and TaskManager templates, and a SHA-256 of the ConfigMap's files", async () => {
    const { jm, tm, data } = await deploy({});
    expect(jm).toMatch(/^[0-9a-f]{64}$/);
    expect(tm).toBe(jm);
    const files = Object.keys(data)
      .sort()
      .map((name) => [name, data[name]]);
    expect(jm).toBe(createHash("sha256").update(JSON.stringify(files)).digest("hex"));
  });

  it("changes with the configuration, and only with it", async () => {
    const a = await deploy({ flinkConfig: { "state.backend.type": "hashmap" } });
    const again = await deploy({ flinkConfig: { "state.backend.type": "hashmap" } });
    const b = await deploy({ flinkConfig: { "state.backend.type": "rocksdb" } });
    const slots = await deploy({ flinkConfig: { "state.backend.type": "hashmap" }, slotsPerTaskManager: 4 });
    const otherImage = await deploy({
      flinkConfig: { "state.backend.type": "hashmap" },
      image: "registry.example.com/flink-profiling:2.3-b",
    });
    expect(again.jm).toBe(a.jm);
    expect(otherImage.tm).toBe(a.tm);
    for (const changed of [b, slots]) {
      expect(changed.jm).not.toBe(a.jm);
      expect(changed.tm).not.toBe(a.tm);
    }
  });
});
