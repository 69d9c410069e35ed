// Which pod a Flink TaskManager is, from what Flink's REST API says of its subtasks' places.
import { describe, expect, it } from "vitest";
import { placeHost, podsOfTaskManagers } from "../scripts/lib/flink-rest/taskmanager-pods.ts";

describe("placeHost", () => {
  it.each([
    ["10.244.0.7:46117", "10.244.0.7"],
    ["flink-taskmanager-0", "flink-taskmanager-0"],
    ["flink-taskmanager-0.flink-taskmanager.ns.svc:6121", "flink-taskmanager-0.flink-taskmanager.ns.svc"],
    ["[fd00::7]:6121", "fd00::7"],
    ["", ""],
  ])("%s → %s", (endpoint, host) => expect(placeHost(endpoint)).toBe(host));
});

describe("podsOfTaskManagers", () => {
  const pods = [
    { pod: "orders-taskmanager-0", ip: "10.244.0.7" },
    { pod: "orders-taskmanager-1", ip: "10.244.0.8" },
    { pod: "orders-taskmanager-2" },
  ];

  it("takes a resource id that is a pod's name (our clusters, native mode), whatever the address says", () => {
    const m = podsOfTaskManagers([{ taskManagerId: "orders-taskmanager-1", endpoint: "10.244.0.7:40000" }], pods);
    expect([...m]).toEqual([["orders-taskmanager-1", "orders-taskmanager-1"]]);
  });

  it("places a made-up id (the operator's standalone mode) by the pod's IP or host name", () => {
    const m = podsOfTaskManagers(
      [
        { taskManagerId: "10.244.0.8:6122-4f1a2b", endpoint: "10.244.0.8:46117" },
        { taskManagerId: "10.244.0.8:6122-4f1a2b", endpoint: "10.244.0.8:46117" },
        { taskManagerId: "x-1", endpoint: "orders-taskmanager-2.orders.svc:6121" },
        { taskManagerId: "x-2", endpoint: "orders-taskmanager-2" },
      ],
      pods,
    );
    expect(Object.fromEntries(m)).toEqual({
      "10.244.0.8:6122-4f1a2b": "orders-taskmanager-1",
      "x-1": "orders-taskmanager-2",
      "x-2": "orders-taskmanager-2",
    });
  });

  it("leaves out what matches no pod: another pod's prefix is not a match, nor is an empty address", () => {
    const m = podsOfTaskManagers(
      [
        { taskManagerId: "gone-1", endpoint: "10.244.9.9:6121" },
        { taskManagerId: "gone-2", endpoint: "orders-taskmanager-20:6121" },
        { taskManagerId: "gone-3", endpoint: "" },
      ],
      pods,
    );
    expect(m.size).toBe(0);
  });
});
