import { describe, expect, it } from "vitest";
import { UsageError } from "../scripts/lib/profile-options.ts";
import { clusterOf, pickContainer, podInfo, selectTaskManagers, type PodInfo } from "../scripts/lib/cluster/select.ts";
import { newRunId, profilePath } from "../scripts/lib/cluster/naming.ts";

const pod = (name: string, labels: Record<string, string>, extra: Partial<PodInfo> = {}): PodInfo => ({
  name,
  labels,
  phase: "Running",
  deleting: false,
  containers: [{ name: "flink-main-container", image: "flink:2.3.0" }],
  ...extra,
});

const ours = (cluster: string, i: number) =>
  pod(
    `${cluster}-taskmanager-${i}`,
    {
      app: cluster,
      "app.kubernetes.io/name": "flink",
      "app.kubernetes.io/instance": cluster,
      component: "taskmanager",
    },
    { containers: [{ name: "taskmanager", image: "x" }] },
  );
const operator = (app: string, component: string) =>
  pod(`${app}-${component}-1`, { type: "flink-standalone-kubernetes", app, component });
const native = (app: string, component: string) =>
  pod(`${app}-${component}-1-1`, { type: "flink-native-kubernetes", app, component });

describe("TaskManager selection", () => {
  const namespace = [
    ours("orders", 0),
    ours("orders", 1),
    ours("billing", 0),
    operator("orders", "taskmanager"),
    operator("orders", "jobmanager"),
    native("orders", "taskmanager"),
    native("clicks", "taskmanager"),
    pod("unrelated", { app: "orders" }),
  ];

  it("finds a cluster's TaskManagers under all three labelling schemes, and nothing else", () => {
    const s = selectTaskManagers(namespace, { by: "cluster", cluster: "orders" }, "flink");
    expect(s.targets.map((t) => t.pod)).toEqual([
      "orders-taskmanager-0",
      "orders-taskmanager-1",
      "orders-taskmanager-1",
      "orders-taskmanager-1-1",
    ]);
    expect(s.targets.map((t) => t.container)).toEqual([
      "taskmanager",
      "taskmanager",
      "flink-main-container",
      "flink-main-container",
    ]);
    expect(new Set(s.targets.map((t) => t.cluster))).toEqual(new Set(["orders"]));
  });

  it("names the clusters that do exist when none matches", () => {
    const err = (() => {
      try {
        selectTaskManagers(namespace, { by: "cluster", cluster: "nope" }, "flink");
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toBe('no TaskManager pod of Flink cluster "nope" in namespace "flink"');
    expect(err!.hint).toContain("billing, clicks, orders");
  });

  it("takes --pod names in order and refuses unknown ones", () => {
    const s = selectTaskManagers(
      namespace,
      { by: "pods", pods: ["orders-taskmanager-1", "billing-taskmanager-0"] },
      "flink",
    );
    expect(s.targets.map((t) => t.pod)).toEqual(["orders-taskmanager-1", "billing-taskmanager-0"]);
    expect(() => selectTaskManagers(namespace, { by: "pods", pods: ["ghost"] }, "flink")).toThrow(
      /no pod named "ghost" in namespace "flink"/,
    );
  });

  it("skips pods that are not running or being deleted, and fails when none is left", () => {
    const pods = [
      ours("o", 0),
      { ...ours("o", 1), phase: "Pending", waiting: "ContainerCreating" },
      { ...ours("o", 2), deleting: true },
    ];
    const s = selectTaskManagers(pods, { by: "cluster", cluster: "o" }, "ns");
    expect(s.targets.map((t) => t.pod)).toEqual(["o-taskmanager-0"]);
    expect(s.skipped).toEqual([
      { pod: "o-taskmanager-1", reason: "the pod is Pending (ContainerCreating), not Running" },
      { pod: "o-taskmanager-2", reason: "the pod is being deleted" },
    ]);
    expect(() => selectTaskManagers(pods.slice(1), { by: "cluster", cluster: "o" }, "ns")).toThrow(
      /no TaskManager can be profiled now/,
    );
  });

  it("picks the template's container, then Flink's usual names, then the only one", () => {
    const two = pod(
      "p",
      {},
      {
        containers: [
          { name: "sidecar", image: "s" },
          { name: "jvm", image: "j" },
        ],
      },
    );
    expect(pickContainer(two, "jvm")).toBe("jvm");
    expect(pickContainer(two)).toBeUndefined();
    expect(pickContainer(pod("p", {}, { containers: [{ name: "only", image: "o" }] }))).toBe("only");
    expect(
      pickContainer(
        pod(
          "p",
          {},
          {
            containers: [
              { name: "istio-proxy", image: "i" },
              { name: "flink-main-container", image: "f" },
            ],
          },
        ),
      ),
    ).toBe("flink-main-container");
  });

  it("reads pod objects defensively", () => {
    expect(
      podInfo({
        metadata: { name: "a", deletionTimestamp: "t" },
        status: { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff" } } }] },
      }),
    ).toEqual({ name: "a", labels: {}, phase: "Pending", deleting: true, containers: [], waiting: "ImagePullBackOff" });
    expect(clusterOf({ app: "x", component: "taskmanager" })).toBeUndefined();
  });
});

describe("run names", () => {
  it("makes sortable DNS-label run ids and one folder per run", () => {
    expect(newRunId(new Date(Date.UTC(2026, 10, 24, 6, 5, 9)), "3FA9")).toBe("20261124-060509-3fa9");
    expect(newRunId()).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(profilePath("profiles", "orders", "r1", "orders-taskmanager-0", "html")).toBe(
      "profiles/orders/r1/orders-taskmanager-0.html",
    );
  });
});
