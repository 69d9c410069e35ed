// Fix 4 of issue 10: FlinkCluster refuses, before anything is created, the TaskManager and JobManager sizes
// that Flink itself refuses at start — proven against real Flink. Flink's start scripts size a process with
// BashJavaUtils (GET_TM_RESOURCE_PARAMS / GET_JM_RESOURCE_PARAMS, run by taskmanager.sh and jobmanager.sh
// before the JVM starts); this runs that class from the Maven Central jars of the tested release on the
// config.yaml FlinkCluster renders, at the smallest size our validation accepts and one MiB below.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { resolveClusterSpec, type FlinkClusterArgs } from "../components/flink-cluster.ts";
import { configMap } from "../components/flink-manifests.ts";
import { TESTED_FLINK_RELEASE } from "../components/flink-versions.ts";
import { FLINK_VERSION } from "../scripts/demo/local-flink/index.ts";

const root = path.resolve(import.meta.dirname, "..");
const classpath = readFileSync(path.join(root, ".cache/flink/classpath.txt"), "utf8").trim();
const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin/java") : "java";
const work = mkdtempSync(path.join(tmpdir(), "flink-memory-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Role = "taskManager" | "jobManager";
const ARGS: FlinkClusterArgs = { namespace: "flink", runnerImage: "registry.example.com/runner:1" };

/** The smallest whole MiB our validation accepts for `role`, found by asking it (and nothing else). */
function smallestAccepted(role: Role, flinkConfig: FlinkClusterArgs["flinkConfig"]): number {
  const accepts = (mib: number) => {
    try {
      resolveClusterSpec("demo", { ...ARGS, flinkConfig, [role]: { memoryMiB: mib } });
      return true;
    } catch {
      return false;
    }
  };
  let [low, high] = [1, 65_536];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (accepts(mid)) high = mid;
    else low = mid;
  }
  expect(accepts(high) && !accepts(high - 1)).toBe(true);
  return high;
}

/** The config.yaml FlinkCluster would store, with `role` sized `mib` (set past validation, for the size below). */
function renderedConfig(role: Role, mib: number, flinkConfig: FlinkClusterArgs["flinkConfig"]): string {
  const spec = resolveClusterSpec("demo", { ...ARGS, flinkConfig });
  spec[role] = { ...spec[role], memoryMiB: mib };
  return configMap(spec).data!["config.yaml"]!;
}

/** Real Flink's verdict on that config: what its start script would do with the process. */
async function flinkStarts(role: Role, config: string): Promise<{ ok: boolean; output: string }> {
  const dir = mkdtempSync(path.join(work, "conf-"));
  writeFileSync(path.join(dir, "config.yaml"), config);
  const command = role === "taskManager" ? "GET_TM_RESOURCE_PARAMS" : "GET_JM_RESOURCE_PARAMS";
  try {
    const { stdout } = await promisify(execFile)(java, [
      "-cp",
      classpath,
      "org.apache.flink.runtime.util.bash.BashJavaUtils",
      command,
      "--configDir",
      dir,
    ]);
    return { ok: /^BASH_JAVA_UTILS_EXEC_RESULT:-Xmx\d+/m.test(stdout), output: stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const CASES: { name: string; role: Role; flinkConfig?: FlinkClusterArgs["flinkConfig"]; expected?: number }[] = [
  { name: "TaskManager, Flink's defaults", role: "taskManager", expected: 982 },
  { name: "JobManager, Flink's defaults", role: "jobManager", expected: 577 },
  {
    name: "TaskManager, less managed memory and metaspace",
    role: "taskManager",
    flinkConfig: {
      "taskmanager.memory.managed.fraction": 0.15,
      "taskmanager.memory.jvm-metaspace.size": "200m",
      "taskmanager.memory.network.min": "32mb",
    },
  },
  { name: "JobManager, more off-heap", role: "jobManager", flinkConfig: { "jobmanager.memory.off-heap.size": "300m" } },
];

describe(`memory sizes at Flink ${TESTED_FLINK_RELEASE}'s own boundary`, () => {
  it("runs the release the table says the tests run", () => {
    expect(FLINK_VERSION).toBe(TESTED_FLINK_RELEASE);
    expect(classpath).toContain(`flink-runtime/${TESTED_FLINK_RELEASE}/`);
  });

  it.each(CASES)(
    "$name: the smallest size we accept starts, one MiB less is refused by both",
    async ({ role, flinkConfig, expected }) => {
      const least = smallestAccepted(role, flinkConfig);
      if (expected !== undefined) expect(least).toBe(expected);
      const [atLeast, below] = await Promise.all([
        flinkStarts(role, renderedConfig(role, least, flinkConfig)),
        flinkStarts(role, renderedConfig(role, least - 1, flinkConfig)),
      ]);
      expect(atLeast.ok, atLeast.output).toBe(true);
      expect(below.ok, below.output).toBe(false);
      expect(below.output).toContain("IllegalConfigurationException");
      expect(() => resolveClusterSpec("demo", { ...ARGS, flinkConfig, [role]: { memoryMiB: least - 1 } })).toThrow(
        `${role}.memoryMiB ${least - 1} is too small`,
      );
    },
  );
});
