// Flink's memory model as pure functions (Fix 4 of issue 10). The expected byte counts are what real Flink
// 2.3.0 printed for the same sizes (BashJavaUtils GET_TM_RESOURCE_PARAMS / GET_JM_RESOURCE_PARAMS), not
// numbers computed with the code under test; test/flink-memory-boundary.test.ts runs Flink itself.
import { describe, expect, it } from "vitest";
import { jobManagerMemory, parseMemorySize, taskManagerMemory } from "../../components/flink-memory.ts";
import { resolveClusterSpec } from "../../components/flink-cluster.ts";

const MiB = 1024 * 1024;
const ARGS = { namespace: "flink", runnerImage: "registry.example.com/runner:1" };

describe("Flink's memory model", () => {
  it("derives a 1000 MiB TaskManager's pools as Flink does", () => {
    expect(taskManagerMemory(1000 * MiB, {})).toEqual({
      overhead: 201326592,
      metaspace: 268435456,
      flink: 578813952,
      managed: 231525584,
      network: 67108864,
      heap: 11744048,
    });
  });

  it("lets network memory grow past 1 GiB (no upper bound by default), as Flink does for 20 GiB", () => {
    expect(taskManagerMemory(20 * 1024 * MiB, {}).network).toBe(2013265950);
  });

  it("derives a 600 MiB JobManager's heap as Flink does", () => {
    expect(jobManagerMemory(600 * MiB, {}).heap).toBe(25165824);
  });

  it("reads Flink's memory sizes and refuses what is not one", () => {
    expect(parseMemorySize("k", "128m")).toBe(128 * MiB);
    expect(parseMemorySize("k", "1 GB")).toBe(1024 * MiB);
    expect(parseMemorySize("k", "67108864b")).toBe(64 * MiB);
    expect(parseMemorySize("k", 4096)).toBe(4096);
    expect(() => parseMemorySize("taskmanager.memory.network.min", "lots")).toThrow(
      /taskmanager\.memory\.network\.min.*not a memory size/,
    );
    expect(() => taskManagerMemory(4096 * MiB, { "taskmanager.memory.managed.fraction": 1.5 })).toThrow(
      /fraction in \[0, 1\)/,
    );
  });
});

describe("FlinkCluster's memory check", () => {
  it("names the argument and the smallest size that works with the caller's configuration", () => {
    expect(() => resolveClusterSpec("demo", { ...ARGS, taskManager: { memoryMiB: 981 } })).toThrow(
      /taskManager\.memoryMiB 981 is too small: .* at least 982 MiB/,
    );
    expect(() => resolveClusterSpec("demo", { ...ARGS, jobManager: { memoryMiB: 576 } })).toThrow(
      /jobManager\.memoryMiB 576 is too small: .* at least 577 MiB/,
    );
    const lean = { "taskmanager.memory.managed.size": "0" };
    expect(
      resolveClusterSpec("demo", { ...ARGS, flinkConfig: lean, taskManager: { memoryMiB: 800 } }).taskManager.memoryMiB,
    ).toBe(800);
  });

  it("refuses options that would size the processes some other way than the container limit", () => {
    for (const key of [
      "taskmanager.memory.process.size",
      "taskmanager.memory.task.heap.size",
      "jobmanager.memory.heap.size",
      "jobmanager.memory.flink.size",
    ]) {
      expect(() => resolveClusterSpec("demo", { ...ARGS, flinkConfig: { [key]: "1g" } }), key).toThrow(
        `flinkConfig must not set ${key}`,
      );
    }
    expect(() =>
      resolveClusterSpec("demo", { ...ARGS, flinkConfig: { "taskmanager.memory.network.min": "many" } }),
    ).toThrow(/not a memory size/);
  });
});
