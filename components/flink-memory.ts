/**
 * Flink's memory model for a process size, as pure functions: would Flink start a TaskManager or a
 * JobManager with this configuration? Flink derives every memory pool from `*.memory.process.size` when it
 * starts (its start scripts call BashJavaUtils) and refuses a size whose pools do not fit. Checking the same
 * arithmetic here refuses such a size before Pulumi creates anything, instead of pods that crash-loop.
 *
 * The model (Flink's "set up TaskManager/JobManager memory" docs and flink-runtime's memory utilities):
 *
 *   TaskManager   overhead = process × overhead-fraction, kept within [overhead-min, overhead-max]
 *                 flink    = process − metaspace − overhead          (refused if negative)
 *                 managed  = managed.size, else flink × managed-fraction
 *                 network  = flink × network-fraction, kept within [network-min, network-max]
 *                 task heap = flink − framework heap − framework off-heap − task off-heap − managed − network
 *                                                                    (refused if negative)
 *   JobManager    overhead and flink as above (its own options)
 *                 heap     = flink − off-heap                         (refused unless flink > off-heap)
 *
 * Fractions are read as 32-bit floats, as Flink's options are Float; products are rounded down to bytes.
 * test/flink-memory-boundary.test.ts proves the boundary against real Flink.
 */
import type { FlinkSettings } from "./flink-config.ts";

export const MiB = 1024 * 1024;

/**
 * Flink's defaults for the options the model reads. The same in every supported version
 * (components/flink-versions.ts); network-max has been unbounded since well before 1.20.
 */
export const FLINK_MEMORY_DEFAULTS: Record<string, string | number> = {
  "taskmanager.memory.framework.heap.size": "128m",
  "taskmanager.memory.framework.off-heap.size": "128m",
  "taskmanager.memory.task.off-heap.size": "0",
  "taskmanager.memory.managed.fraction": 0.4,
  "taskmanager.memory.network.fraction": 0.1,
  "taskmanager.memory.network.min": "64m",
  "taskmanager.memory.network.max": Number.MAX_SAFE_INTEGER,
  "taskmanager.memory.jvm-metaspace.size": "256m",
  "taskmanager.memory.jvm-overhead.fraction": 0.1,
  "taskmanager.memory.jvm-overhead.min": "192m",
  "taskmanager.memory.jvm-overhead.max": "1g",
  "jobmanager.memory.off-heap.size": "128m",
  "jobmanager.memory.jvm-metaspace.size": "256m",
  "jobmanager.memory.jvm-overhead.fraction": 0.1,
  "jobmanager.memory.jvm-overhead.min": "192m",
  "jobmanager.memory.jvm-overhead.max": "1g",
};

/**
 * Options that would make Flink size the process another way than from the process size the container
 * limit is set to; the model (and the container limit) would then be wrong, so they are refused.
 */
export const SIZING_OPTIONS = [
  "taskmanager.memory.process.size",
  "taskmanager.memory.flink.size",
  "taskmanager.memory.task.heap.size",
  "taskmanager.heap.size",
  "taskmanager.network.numberOfBuffers",
  "jobmanager.memory.process.size",
  "jobmanager.memory.flink.size",
  "jobmanager.memory.heap.size",
  "jobmanager.heap.size",
] as const;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kibibytes: 1024,
  m: MiB,
  mb: MiB,
  mebibytes: MiB,
  g: 1024 * MiB,
  gb: 1024 * MiB,
  gibibytes: 1024 * MiB,
  t: 1024 * 1024 * MiB,
  tb: 1024 * 1024 * MiB,
  tebibytes: 1024 * 1024 * MiB,
};

/** A Flink MemorySize (`128m`, `1 gb`, `67108864b`, a plain number of bytes) in bytes. */
export function parseMemorySize(key: string, value: string | number | boolean): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(String(value));
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined)
    throw new Error(`Flink config ${key}: ${JSON.stringify(value)} is not a memory size such as "128m" or "1g"`);
  return Math.min(Number(match[1]) * unit, Number.MAX_SAFE_INTEGER);
}

function fraction(key: string, value: string | number | boolean): number {
  const f = Number(value);
  if (typeof value === "boolean" || !Number.isFinite(f) || f < 0 || f >= 1)
    throw new Error(`Flink config ${key}: ${JSON.stringify(value)} must be a fraction in [0, 1)`);
  return Math.fround(f);
}

function reader(settings: FlinkSettings) {
  const raw = (key: string) => settings[key] ?? FLINK_MEMORY_DEFAULTS[key]!;
  return {
    size: (key: string) => parseMemorySize(key, raw(key)),
    fraction: (key: string) => fraction(key, raw(key)),
    has: (key: string) => key in settings,
  };
}

const share = (bytes: number, f: number, min: number, max: number) =>
  Math.min(Math.max(Math.floor(bytes * f), min), max);
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

export interface ProcessMemory {
  overhead: number;
  metaspace: number;
  /** Total Flink memory: what the pools below share. */
  flink: number;
  /** JVM heap for user code (TaskManager) or the JobManager's heap. */
  heap: number;
}

/** Overhead and Flink memory, common to both processes; throws when metaspace and overhead alone do not fit. */
function processShare(role: "taskmanager" | "jobmanager", process: number, settings: FlinkSettings) {
  const r = reader(settings);
  const p = `${role}.memory.jvm-overhead`;
  const overhead = share(process, r.fraction(`${p}.fraction`), r.size(`${p}.min`), r.size(`${p}.max`));
  const metaspace = r.size(`${role}.memory.jvm-metaspace.size`);
  if (metaspace + overhead > process) {
    throw new Error(
      `JVM metaspace (${mib(metaspace)}) and JVM overhead (${mib(overhead)}) exceed the process size (${mib(process)})`,
    );
  }
  return { r, overhead, metaspace, flink: process - metaspace - overhead };
}

export function taskManagerMemory(
  processBytes: number,
  settings: FlinkSettings,
): ProcessMemory & { managed: number; network: number } {
  const { r, overhead, metaspace, flink } = processShare("taskmanager", processBytes, settings);
  const managed = r.has("taskmanager.memory.managed.size")
    ? r.size("taskmanager.memory.managed.size")
    : Math.floor(flink * r.fraction("taskmanager.memory.managed.fraction"));
  const network = share(
    flink,
    r.fraction("taskmanager.memory.network.fraction"),
    r.size("taskmanager.memory.network.min"),
    r.size("taskmanager.memory.network.max"),
  );
  const fixed =
    r.size("taskmanager.memory.framework.heap.size") +
    r.size("taskmanager.memory.framework.off-heap.size") +
    r.size("taskmanager.memory.task.off-heap.size");
  const heap = flink - fixed - managed - network;
  if (heap < 0) {
    throw new Error(
      `framework heap and off-heap, task off-heap (${mib(fixed)}), managed (${mib(managed)}) and network memory (${mib(network)}) exceed the Flink memory (${mib(flink)})`,
    );
  }
  return { overhead, metaspace, flink, managed, network, heap };
}

export function jobManagerMemory(processBytes: number, settings: FlinkSettings): ProcessMemory {
  const { r, overhead, metaspace, flink } = processShare("jobmanager", processBytes, settings);
  const offHeap = r.size("jobmanager.memory.off-heap.size");
  if (flink <= offHeap)
    throw new Error(
      `the Flink memory (${mib(flink)}) is not larger than the JobManager's off-heap memory (${mib(offHeap)})`,
    );
  return { overhead, metaspace, flink, heap: flink - offHeap };
}

/** The smallest whole MiB Flink accepts; acceptance only grows with the size, so a bisection finds it. */
export function smallestAcceptedMiB(derive: (bytes: number) => unknown, upToMiB = 1_048_576): number | undefined {
  const ok = (m: number) => {
    try {
      derive(m * MiB);
      return true;
    } catch {
      return false;
    }
  };
  if (!ok(upToMiB)) return undefined;
  let [low, high] = [0, upToMiB];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (ok(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * Throws, naming the argument and the smallest size that would work, unless Flink would start both
 * processes with `settings` (the rendered configuration) and these sizes.
 */
export function requireStartableMemory(settings: FlinkSettings, taskManagerMiB: number, jobManagerMiB: number): void {
  const roles = [
    ["taskManager", "taskmanager", taskManagerMiB, taskManagerMemory],
    ["jobManager", "jobmanager", jobManagerMiB, jobManagerMemory],
  ] as const;
  for (const [arg, role, size, derive] of roles) {
    try {
      derive(size * MiB, settings);
    } catch (error) {
      if ((error as Error).message.startsWith("Flink config ")) throw error;
      const least = smallestAcceptedMiB((bytes) => derive(bytes, settings));
      throw new Error(
        `${arg}.memoryMiB ${size} is too small: Flink would refuse to start the ${role} (${(error as Error).message}). ` +
          (least
            ? `With this configuration it needs at least ${least} MiB.`
            : "Check the memory options in flinkConfig."),
      );
    }
  }
}
