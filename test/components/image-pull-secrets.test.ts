// Fix 1 of issue 10: imagePullSecrets, for registries that need a login, reach the Flink pods and the
// profiling Job's pod (through the Job template, which the scripts render).
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, kubernetesObjects, ofType, reset, settle } from "./support/mocks.ts";
import { validateKubernetesObject } from "./support/schema.ts";
import { FlinkCluster } from "../../components/flink-cluster.ts";
import { ProfilingAccess } from "../../components/profiling-access.ts";
import { operatorTarget } from "../../components/targets.ts";
import { parseTemplate, renderProfilingJob, TEMPLATE_KEY } from "../../components/profiling-job.ts";

const RUNNER = "registry.example.com/runner:1";
beforeAll(installMocks);
beforeEach(reset);

const templateOf = (all: Awaited<ReturnType<typeof settle>>) =>
  ofType(all, "kubernetes:core/v1:ConfigMap").find((c) => TEMPLATE_KEY in c.inputs.data)!.inputs.data[
    TEMPLATE_KEY
  ] as string;
const jobPod = (templateJson: string) =>
  renderProfilingJob(parseTemplate(templateJson), {
    namespace: "flink",
    pod: "demo-taskmanager-0",
    runId: "r1",
    helperArgs: [],
  });

describe("imagePullSecrets", () => {
  it("reach the JobManager, the TaskManagers and the profiling Job's pod, all valid objects", async () => {
    new FlinkCluster("demo", {
      namespace: "flink",
      runnerImage: RUNNER,
      imagePullSecrets: ["regcred", "mirror-login"],
    });
    const all = await settle();
    const expected = [{ name: "regcred" }, { name: "mirror-login" }];
    expect(ofType(all, "kubernetes:apps/v1:Deployment")[0].inputs.spec.template.spec.imagePullSecrets).toEqual(
      expected,
    );
    expect(ofType(all, "kubernetes:apps/v1:StatefulSet")[0].inputs.spec.template.spec.imagePullSecrets).toEqual(
      expected,
    );
    const job = jobPod(templateOf(all));
    expect(job.spec!.template.spec!.imagePullSecrets).toEqual(expected);
    for (const r of kubernetesObjects(all)) expect(() => validateKubernetesObject(r.inputs), r.name).not.toThrow();
    expect(() => validateKubernetesObject(job)).not.toThrow();
  });

  it("are absent when none are given, and the stored template then reads as before (no new field)", async () => {
    new FlinkCluster("demo", { namespace: "flink", runnerImage: RUNNER });
    const all = await settle();
    expect(ofType(all, "kubernetes:apps/v1:StatefulSet")[0].inputs.spec.template.spec).not.toHaveProperty(
      "imagePullSecrets",
    );
    expect(templateOf(all)).not.toContain("imagePullSecrets");
    expect(jobPod(templateOf(all)).spec!.template.spec).not.toHaveProperty("imagePullSecrets");
  });

  it("are an argument of ProfilingAccess on its own, for the Job of an operator deployment", async () => {
    new ProfilingAccess("orders", {
      namespace: "flink",
      target: operatorTarget("orders"),
      runnerImage: RUNNER,
      imagePullSecrets: ["regcred"],
    });
    expect(jobPod(templateOf(await settle())).spec!.template.spec!.imagePullSecrets).toEqual([{ name: "regcred" }]);
  });

  it.each([[["Reg_Cred"]], [["regcred", "regcred"]], ["regcred"]])(
    "refuses %j before creating anything",
    async (bad) => {
      expect(
        () => new FlinkCluster("demo", { namespace: "flink", runnerImage: RUNNER, imagePullSecrets: bad as string[] }),
      ).toThrow(/imagePullSecrets/);
      expect(
        () =>
          new ProfilingAccess("o", {
            namespace: "flink",
            target: operatorTarget("o"),
            runnerImage: RUNNER,
            imagePullSecrets: bad as string[],
          }),
      ).toThrow(/imagePullSecrets/);
      expect(await settle()).toEqual([]);
    },
  );

  it("a stored template that names a bad Secret is refused by the scripts", async () => {
    new ProfilingAccess("orders", {
      namespace: "flink",
      target: operatorTarget("orders"),
      runnerImage: RUNNER,
      imagePullSecrets: ["regcred"],
    });
    const edited = templateOf(await settle()).replace('"regcred"', '"bad secret"');
    expect(() => parseTemplate(edited)).toThrow(/imagePullSecrets\[0\]/);
  });
});
