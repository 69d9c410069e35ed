import { describe, expect, it } from "vitest";
import type { IToleration } from "kubernetes-models/v1";
import {
  defaultJobTemplate,
  kubeletLiteral,
  parseTemplate,
  renderProfilingJob,
  serializeTemplate,
  podLabelValue,
  MANAGED_BY,
  RUN_ID_LABEL,
  TARGET_POD_LABEL,
  TARGET_POD_ANNOTATION,
  type ProfilingJobTemplate,
} from "../../components/profiling-job.ts";
import { isDnsLabel } from "../../components/validation.ts";
import { validateKubernetesObject } from "./support/schema.ts";
import { expectRestricted } from "./support/security.ts";

const RUNNER = `registry.example.com/flink-profiler-runner:latest@sha256:${"a".repeat(64)}`;
const template = (extra: Partial<ProfilingJobTemplate> = {}) =>
  defaultJobTemplate({
    runnerImage: RUNNER,
    serviceAccountName: "orders-profiling-runner",
    target: { container: "taskmanager", labelSelector: { component: "taskmanager" } },
    ...extra,
  });
const render = (overrides: Record<string, unknown> = {}, t = template()) =>
  renderProfilingJob(t, {
    namespace: "flink",
    pod: "demo-taskmanager-0",
    runId: "r20261124t0600",
    helperArgs: ["-d", "30"],
    ...overrides,
  } as any);

describe("renderProfilingJob", () => {
  it("runs kubectl exec without a shell, each value its own argument", () => {
    const hostile = ["--event", "cpu", "$(id)", "a b;c", "`reboot`", "-- --pid 1"];
    const job = render({ helperArgs: hostile });
    const container = job.spec!.template.spec!.containers[0];
    expect(container.command).toEqual([
      "kubectl",
      "exec",
      "--namespace",
      "flink",
      "demo-taskmanager-0",
      "--container",
      "taskmanager",
      "--",
      "flink-profiler",
      "profile",
      "--emit-records",
      "--event",
      "cpu",
      "$$(id)",
      "a b;c",
      "`reboot`",
      "-- --pid 1",
    ]);
    expect(container.args).toBeUndefined();
    expect(kubeletLiteral("$(HOME) $$ a$")).toBe("$$(HOME) $$$$ a$$");
    expect(container.command!.some((a) => a === "sh" || a === "bash" || a === "-c")).toBe(false);
  });

  it("produces a Job that validates against the Kubernetes schema", () => {
    const job = render();
    expect(() => validateKubernetesObject(job)).not.toThrow();
    // The schema check itself must be able to fail.
    const broken = structuredClone(job) as any;
    broken.spec.template.spec.containers[0].securityContext.runAsNonRoot = "yes";
    expect(() => validateKubernetesObject(broken)).toThrow(/runAsNonRoot/);
  });

  it("is a one-shot, restricted pod that mounts a token only because it needs it", () => {
    const job = render();
    expect(job.spec!.backoffLimit).toBe(0);
    expect(job.spec!.activeDeadlineSeconds).toBe(900);
    expect(job.spec!.ttlSecondsAfterFinished).toBe(3600);
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.serviceAccountName).toBe("orders-profiling-runner");
    expect(pod.automountServiceAccountToken).toBe(true);
    expectRestricted(pod);
    expect(pod.containers[0].securityContext!.readOnlyRootFilesystem).toBe(true);
  });

  it("labels every Job so it can be found by run and by target, and opts out of sidecars", () => {
    const job = render();
    for (const meta of [job.metadata!, job.spec!.template.metadata!]) {
      expect(meta.labels).toMatchObject({
        ...MANAGED_BY,
        [RUN_ID_LABEL]: "r20261124t0600",
        [TARGET_POD_LABEL]: "demo-taskmanager-0",
      });
      expect(meta.annotations).toMatchObject({ "sidecar.istio.io/inject": "false", "linkerd.io/inject": "disabled" });
    }
    expect(job.metadata!.name!.startsWith("flink-profile-r20261124t0600-")).toBe(true);
    expect(render({ pod: "demo-taskmanager-1" }).metadata!.name).not.toBe(job.metadata!.name);
  });

  it("keeps long pod names in an annotation and a valid label value", () => {
    const pod = `${"a".repeat(40)}.${"b".repeat(60)}`;
    const job = render({ pod });
    const value = job.metadata!.labels![TARGET_POD_LABEL];
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toBe(podLabelValue(pod));
    expect(job.metadata!.annotations![TARGET_POD_ANNOTATION]).toBe(pod);
    expect(isDnsLabel(job.metadata!.name)).toBe(true);
    expect(() => validateKubernetesObject(job)).not.toThrow();
  });

  it("passes tolerations, node selectors and resources through", () => {
    const tolerations: IToleration[] = [{ key: "dedicated", operator: "Equal", value: "flink", effect: "NoSchedule" }];
    const job = render({}, template({ tolerations, nodeSelector: { pool: "flink" }, activeDeadlineSeconds: 120 }));
    const pod = job.spec!.template.spec!;
    expect(pod.tolerations).toEqual(tolerations);
    expect(pod.nodeSelector).toEqual({ pool: "flink" });
    expect(job.spec!.activeDeadlineSeconds).toBe(120);
    expect(render({ activeDeadlineSeconds: 75 }).spec!.activeDeadlineSeconds).toBe(75);
  });

  it.each([
    [{ namespace: "Flink" }, /namespace must be a DNS-1123 label/],
    [{ namespace: "a".repeat(64) }, /namespace/],
    [{ pod: "tm-0; rm -rf /" }, /pod must be a DNS-1123 subdomain/],
    [{ pod: "--help" }, /pod must be/],
    [{ container: "--all" }, /container must be a DNS-1123 label/],
    [{ runId: "Run 1" }, /runId must be a DNS-1123 label/],
    [{ runId: "r".repeat(41) }, /runId must be at most 40/],
    [{ helperArgs: "-d 30" }, /helperArgs must be an array/],
    [{ helperArgs: ["a\0b"] }, /NUL/],
    [{ activeDeadlineSeconds: 0 }, /activeDeadlineSeconds/],
  ])("refuses %o", (overrides, message) => {
    expect(() => render(overrides)).toThrow(message);
  });
});

describe("template storage", () => {
  it("round-trips through JSON", () => {
    const t = template({ nodeSelector: { pool: "a" } });
    const text = serializeTemplate(t);
    expect(parseTemplate(text)).toEqual(t);
    expect(renderProfilingJob(parseTemplate(text), { namespace: "x", pod: "p", runId: "r1", helperArgs: [] })).toEqual(
      renderProfilingJob(t, { namespace: "x", pod: "p", runId: "r1", helperArgs: [] }),
    );
  });

  it.each([
    ["not json", /not valid JSON/],
    [JSON.stringify({ version: 2 }), /version must be 1/],
    [
      (() => {
        const o: any = JSON.parse(serializeTemplate(template()));
        o.runerImage = "x";
        return JSON.stringify(o);
      })(),
      /unknown field\(s\) runerImage/,
    ],
    [
      (() => {
        const o: any = JSON.parse(serializeTemplate(template()));
        o.runnerImage = "Not An Image";
        return JSON.stringify(o);
      })(),
      /runnerImage/,
    ],
    [
      (() => {
        const o: any = JSON.parse(serializeTemplate(template()));
        delete o.target;
        return JSON.stringify(o);
      })(),
      /target must be present/,
    ],
    [
      (() => {
        const o: any = JSON.parse(serializeTemplate(template()));
        o.target.labelSelector = {};
        return JSON.stringify(o);
      })(),
      /labelSelector must be non-empty/,
    ],
    [
      (() => {
        const o: any = JSON.parse(serializeTemplate(template()));
        o.helperPath = "flink-profiler; sh";
        return JSON.stringify(o);
      })(),
      /helperPath/,
    ],
  ])("refuses a malformed stored template (%#)", (text, message) => {
    expect(() => parseTemplate(text)).toThrow(message);
  });

  it("refuses a malformed runner image when the template is made", () => {
    expect(() => template({ runnerImage: "UPPER/case:tag" } as any)).toThrow(/runnerImage/);
  });
});
