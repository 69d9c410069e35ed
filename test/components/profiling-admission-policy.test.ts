// The admission policies under Pulumi's mocks and as data. What the CEL admits and refuses is proven
// against the real API server in test/cluster-e2e/06-admission-policy.test.ts; here: the objects are
// valid, derived from the template, scoped to one namespace, and bad options are refused.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, kubernetesObjects, ofType, reset, settle } from "./support/mocks.ts";
import { validateKubernetesObject } from "./support/schema.ts";
import { admissionPolicies } from "../../components/admission-policy.ts";
import { ProfilingAccess } from "../../components/profiling-access.ts";
import { ProfilingAdmissionPolicy } from "../../components/profiling-admission-policy.ts";
import { defaultJobTemplate } from "../../components/profiling-job.ts";
import { nativeKubernetesTarget } from "../../components/targets.ts";

const RUNNER = `registry.example.com/flink-profiler-runner:1@sha256:${"d".repeat(64)}`;

beforeAll(installMocks);
beforeEach(reset);

describe("ProfilingAdmissionPolicy", () => {
  it("makes two valid policies with a binding each, limited to the namespace, from the stored template", async () => {
    const access = new ProfilingAccess("orders", {
      namespace: "analytics",
      target: nativeKubernetesTarget("orders"),
      runnerImage: RUNNER,
    });
    // No prefix given: native mode's own, from the template (`<cluster-id>-taskmanager-`).
    new ProfilingAdmissionPolicy("orders", { namespace: "analytics", templateJson: access.templateJson });
    const all = await settle();
    for (const r of kubernetesObjects(all)) expect(() => validateKubernetesObject(r.inputs), r.name).not.toThrow();
    const policies = ofType(all, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map(
      (p) => p.inputs,
    );
    const bindings = ofType(all, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").map(
      (b) => b.inputs,
    );
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      "flink-profiling-analytics-orders-peoples-jobs",
      "flink-profiling-analytics-orders-runner-pods",
    ]);
    expect(
      bindings.map((b) => [
        b.metadata.name,
        b.spec.policyName,
        b.spec.validationActions,
        b.spec.matchResources.namespaceSelector.matchLabels,
      ]),
    ).toEqual(
      policies.map((p) => [p.metadata.name, p.metadata.name, ["Deny"], { "kubernetes.io/metadata.name": "analytics" }]),
    );
    const text = JSON.stringify(policies);
    for (const value of [
      RUNNER,
      '\\"flink-main-container\\"',
      '.startsWith(\\"orders-taskmanager-\\")',
      '\\"orders-profiling-runner\\"',
    ])
      expect(text).toContain(value);
  });
});

describe("admissionPolicies", () => {
  const template = defaultJobTemplate({
    runnerImage: RUNNER,
    serviceAccountName: "runner-sa",
    target: { container: "tm", labelSelector: { a: "b" }, podNames: ["tm-0", "tm-1"] },
  });

  it("pins the target to the known pod names, and the runner account in both policies", () => {
    const [pods, jobs] = admissionPolicies(template, { name: "p", namespace: "ns" });
    const command = (p: typeof pods) =>
      p!.policy.spec!.validations!.find((v) => v.expression.includes("c.command[0]"))!.expression;
    expect(command(pods)).toContain('c.command[4] in ["tm-0", "tm-1"]');
    expect(pods!.policy.spec!.matchConditions![0]!.expression).toBe('object.spec.serviceAccountName == "runner-sa"');
    expect(jobs!.policy.spec!.validations![0]!.expression).toContain('== "runner-sa"');
  });

  it("leaves people's Jobs under another cluster's runner account to that cluster's policy, and no others", () => {
    const [, jobs] = admissionPolicies(template, { name: "p", namespace: "ns" });
    const condition = jobs!.policy.spec!.matchConditions!.find(
      (c) => c.name === "not-another-clusters-runner-account",
    )!.expression;
    expect(condition).toContain('serviceAccountName == "runner-sa"');
    expect(condition).toContain('.endsWith("-profiling-runner")');
  });

  it.each([
    [{ name: "p", namespace: "Not_A_Namespace" }, /namespace/],
    [{ name: "", namespace: "ns" }, /name/],
    [{ name: "p", namespace: "ns", targetPodNamePrefix: 'x") || true || ("' }, /targetPodNamePrefix/],
  ])("refuses bad options %j", (options, message) => {
    expect(() => admissionPolicies(template, options)).toThrow(message);
  });
});
