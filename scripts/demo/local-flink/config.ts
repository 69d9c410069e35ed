// What the Flink processes are told: config.yaml, log4j.properties and their JVM flags. Without
// flink-dist's shell scripts nobody derives the TaskManager memory settings, so the config spells out
// every memory component and the TaskManager's JVM flags are derived from the same numbers.
// Everything binds to 127.0.0.1.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export type FlinkConfig = Record<string, string | number | boolean>;

// The JVM module flags Flink needs on Java 17 (flink-dist sets the same kind through env.java.opts).
export const JAVA_17_OPENS = [
  "java.base/java.lang",
  "java.base/java.lang.reflect",
  "java.base/java.io",
  "java.base/java.net",
  "java.base/java.nio",
  "java.base/sun.nio.ch",
  "java.base/java.util",
  "java.base/java.util.concurrent",
  "java.base/java.util.concurrent.atomic",
  "java.base/java.time",
  "java.base/java.text",
]
  .map((p) => `--add-opens=${p}=ALL-UNNAMED`)
  .concat("--add-exports=java.base/sun.net.util=ALL-UNNAMED");

// TaskManager memory in MiB; -Xmx and MaxDirectMemorySize below are derived from it the way
// Flink's BashJavaUtils would, so the JVM limits agree with what the TaskManager reports.
const TM_MEMORY = {
  frameworkHeap: 128,
  taskHeap: 256,
  frameworkOffHeap: 64,
  taskOffHeap: 0,
  managed: 32,
  network: 64,
  metaspace: 160,
  overhead: 128,
};

export function taskManagerJvmFlags(): string[] {
  const heap = TM_MEMORY.frameworkHeap + TM_MEMORY.taskHeap;
  const direct = TM_MEMORY.frameworkOffHeap + TM_MEMORY.taskOffHeap + TM_MEMORY.network;
  return [
    `-Xmx${heap}m`,
    `-Xms${heap}m`,
    `-XX:MaxDirectMemorySize=${direct}m`,
    `-XX:MaxMetaspaceSize=${TM_MEMORY.metaspace}m`,
    // Frames between safepoints too, so that profiles of the TaskManagers attribute time precisely.
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
  ];
}

// C1 only: the JobManager is never profiled, and C2 would take CPU from TaskManagers starting beside it.
export const JOB_MANAGER_JVM_FLAGS = [
  "-Xmx448m",
  "-XX:MaxMetaspaceSize=192m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
];

// The job client only submits over REST and exits: small, and no time spent compiling.
export const JOB_CLIENT_JVM_FLAGS = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];

export type ConfigSettings = { rpcPort: number; restPort: number; slots: number; extra?: FlinkConfig };

/** Writes conf/config.yaml (the caller's keys last, so they win) and conf/log4j.properties. */
export function writeFlinkConf(confDir: string, { rpcPort, restPort, slots, extra }: ConfigSettings): void {
  const config: FlinkConfig = {
    "jobmanager.rpc.address": "127.0.0.1",
    "jobmanager.rpc.port": rpcPort,
    "jobmanager.bind-host": "127.0.0.1",
    "rest.address": "127.0.0.1",
    "rest.bind-address": "127.0.0.1",
    "rest.port": restPort,
    "blob.server.port": 0,
    "taskmanager.host": "127.0.0.1",
    "taskmanager.bind-host": "127.0.0.1",
    "taskmanager.rpc.port": 0,
    "taskmanager.data.port": 0,
    "taskmanager.numberOfTaskSlots": slots,
    "taskmanager.cpu.cores": slots,
    "taskmanager.memory.framework.heap.size": `${TM_MEMORY.frameworkHeap}m`,
    "taskmanager.memory.task.heap.size": `${TM_MEMORY.taskHeap}m`,
    "taskmanager.memory.framework.off-heap.size": `${TM_MEMORY.frameworkOffHeap}m`,
    "taskmanager.memory.task.off-heap.size": `${TM_MEMORY.taskOffHeap}m`,
    "taskmanager.memory.managed.size": `${TM_MEMORY.managed}m`,
    "taskmanager.memory.network.min": `${TM_MEMORY.network}m`,
    "taskmanager.memory.network.max": `${TM_MEMORY.network}m`,
    "taskmanager.memory.jvm-metaspace.size": `${TM_MEMORY.metaspace}m`,
    "taskmanager.memory.jvm-overhead.min": `${TM_MEMORY.overhead}m`,
    "taskmanager.memory.jvm-overhead.max": `${TM_MEMORY.overhead}m`,
    "jobmanager.memory.process.size": "768m",
    // Default is 10 s: REST metric values would lag the counter too much to measure throughput.
    "metrics.fetcher.update-interval": 1000,
    ...extra,
  };
  const yamlValue = (v: string | number | boolean) => (typeof v === "string" ? JSON.stringify(v) : String(v));
  writeFileSync(
    join(confDir, "config.yaml"),
    Object.entries(config)
      .map(([k, v]) => `${k}: ${yamlValue(v)}\n`)
      .join(""),
  );
  // Each process logs to its own file, named by -Dlog.file on its command line.
  writeFileSync(
    join(confDir, "log4j.properties"),
    [
      "rootLogger.level = INFO",
      "rootLogger.appenderRef.file.ref = MainAppender",
      "appender.main.name = MainAppender",
      "appender.main.type = File",
      "appender.main.fileName = ${sys:log.file}",
      "appender.main.layout.type = PatternLayout",
      "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-50c{1.} [%t] - %m%n",
      "",
    ].join("\n"),
  );
}
