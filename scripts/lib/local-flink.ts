// A real Apache Flink 2.3.0 session cluster on this machine, running the sample orders job
// (scripts/demo/sample-job, hot method com.example.orders.OrderJsonEncoder.encode) or, with `job`,
// another job of the same jar (the pipeline job: bottleneck Score, com.example.pipeline.ScoreStage.scoreRisk).
//
// flink-dist is not on Maven Central, so the processes run from the separate Flink modules that
// scripts/setup/flink.sh resolves into .cache/flink/classpath.txt:
//   JobManager:   org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
//   TaskManagers: org.apache.flink.runtime.taskexecutor.TaskManagerRunner (resource id tm-<n>)
//   job client:   com.example.orders.SubmitOrdersJob (submits over REST, prints the JobID)
// Without flink-dist's shell scripts nobody derives the TaskManager memory settings, so the
// config below spells out every memory component and the JVM flags that match them.
// Everything binds to 127.0.0.1 on free ports; logs go to files under the work directory.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TESTED_FLINK_RELEASE } from "../../components/flink-versions.ts";

export type LocalFlinkOptions = {
  taskManagers?: number;
  slotsPerTaskManager?: number;
  /** Command prefix put before each TaskManager's `java`, e.g. a seccomp wrapper. */
  taskManagerLauncher?: string[];
  /** Progress messages; the Flink processes themselves log to files in the work directory. */
  log?: (line: string) => void;
  /** Where config, logs and temp files go. Default: a fresh temp dir, removed by stop(). */
  workDir?: string;
  /** Extra Flink config keys, e.g. { "rest.profiling.enabled": true }. */
  flinkConfig?: Record<string, string | number | boolean>;
  /** Overall limit for start-up, including job submission. Default 120 s. */
  timeoutMs?: number;
  /**
   * Which job of the sample jar to submit; default the orders job. Its main class gets
   * `--rest-port P --parallelism N` and then `args`, e.g. PIPELINE_JOB with ["--chained"].
   */
  job?: { mainClass: string; args?: string[]; parallelism?: number };
  /**
   * Another Flink's jars and job jar instead of .cache/flink's (e.g. Flink 1.20.5's, built by
   * test/flink-rest/flink-1.20/build.sh, to record its REST answers); scripts/setup/flink.sh is then not run.
   */
  distribution?: { classpathFile: string; jobJar: string };
};

export type LocalFlinkProcess = { pid: number; logFile: string };

export type LocalFlink = {
  restUrl: string;
  workDir: string;
  jobManager: LocalFlinkProcess;
  /** pid is the TaskManager's JVM, also when a launcher runs in front of it. */
  taskManagers: (LocalFlinkProcess & { resourceId: string })[];
  jobId: string;
  /** Records per second that reached the sink, summed over all subtasks, measured over `seconds`. */
  throughput(seconds: number): Promise<number>;
  /** Submits one more job of the sample jar (same rules as the `job` option); resolves when it runs. */
  submitJob(job: NonNullable<LocalFlinkOptions["job"]>): Promise<string>;
  stop(): Promise<void>;
};

// The release of the project's version table that the real-Flink tests run; the sample job's pom.xml
// pins the same jars (test/flink-versions.test.ts keeps them equal).
export const FLINK_VERSION = TESTED_FLINK_RELEASE;
export const SINK_COUNTER = "ordersDiscarded";
/** The orders job (default) and the pipeline job: Source: Events -> Parse -> Score (bottleneck) -> Sink. */
export const ORDERS_JOB = "com.example.orders.SubmitOrdersJob";
export const PIPELINE_JOB = "com.example.pipeline.SubmitPipelineJob";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const cacheDir = join(repoRoot, ".cache/flink");

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

class Fatal {
  message: string;
  constructor(message: string) {
    this.message = message;
  }
}

type Proc = { name: string; child: ChildProcess; logFile: string; outFile: string; jvmPid?: number; exited: boolean };

const liveProcs = new Set<Proc>();
const ownWorkDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only 'exit' runs synchronously on every normal end of Node; orphaned JVMs would keep 2 cores busy.
  process.on("exit", () => {
    for (const p of liveProcs) killQuietly(p, "SIGKILL");
    for (const d of ownWorkDirs) rmSync(d, { recursive: true, force: true });
  });
}

function killQuietly(p: Proc, signal: NodeJS.Signals): void {
  for (const pid of new Set([p.child.pid, p.jvmPid])) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last lines of a log, without stack frames, so "Caused by:" lines survive the cut. */
function tail(file: string, lines = 30): string {
  try {
    const all = readFileSync(file, "utf8").trimEnd().split("\n");
    return all
      .filter((l) => !/^\s+at |^\s+\.\.\. \d+ more$/.test(l))
      .slice(-lines)
      .join("\n");
  } catch {
    return "(no log)";
  }
}

function yamlValue(v: string | number | boolean): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** The JVM under a launcher is found by its unique command line, not by process ancestry. */
function findPidByCmdline(markers: string[]): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const args = cmdline.split("\0");
    // argv[0] must be java itself: a launcher's command line carries the same markers.
    if (/(^|\/)java$/.test(args[0]) && markers.every((m) => args.includes(m))) return Number(entry);
  }
  return undefined;
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

export async function startLocalFlink(opts: LocalFlinkOptions = {}): Promise<LocalFlink> {
  const tmCount = opts.taskManagers ?? 1;
  const slots = opts.slotsPerTaskManager ?? 1;
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 120_000;
  let deadline = Date.now() + timeoutMs;
  const started = Date.now();

  // Near-instant when up to date; keeps `npx vitest run` working without `npm test`'s pre-hook.
  if (!opts.distribution)
    execFileSync("bash", [join(repoRoot, "scripts/setup/flink.sh")], { stdio: ["ignore", "ignore", "inherit"] });
  const classpath = readFileSync(opts.distribution?.classpathFile ?? join(cacheDir, "classpath.txt"), "utf8").trim();
  const jobJar = opts.distribution?.jobJar ?? join(cacheDir, "orders-job.jar");

  const ownWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), "local-flink-"));
  if (ownWorkDir) ownWorkDirs.add(workDir);
  const confDir = join(workDir, "conf");
  const logDir = join(workDir, "log");
  for (const d of [confDir, logDir]) mkdirSync(d, { recursive: true });

  const [rpcPort, restPort] = [await freePort(), await freePort()];
  const restUrl = `http://127.0.0.1:${restPort}`;
  const config: Record<string, string | number | boolean> = {
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
    ...opts.flinkConfig,
  };
  writeFileSync(
    join(confDir, "config.yaml"),
    Object.entries(config)
      .map(([k, v]) => `${k}: ${yamlValue(v)}\n`)
      .join(""),
  );
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

  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin/java") : "java";
  const procs: Proc[] = [];
  installExitHook();

  const launch = (name: string, prefix: string[], jvmArgs: string[], mainArgs: string[], cp = classpath): Proc => {
    const logFile = join(logDir, `${name}.log`);
    const outFile = join(logDir, `${name}.out`);
    const out = openSync(outFile, "a");
    const argv = [
      ...prefix,
      java,
      ...jvmArgs,
      ...JAVA_17_OPENS,
      `-Dlog.file=${logFile}`,
      `-Dlog4j.configurationFile=file:${join(confDir, "log4j.properties")}`,
      "-cp",
      cp,
      ...mainArgs,
    ];
    const child = spawn(argv[0], argv.slice(1), { cwd: workDir, stdio: ["ignore", out, out] });
    closeSync(out);
    const p: Proc = { name, child, logFile, outFile, exited: false };
    child.on("exit", () => {
      p.exited = true;
    });
    child.on("error", () => {
      p.exited = true;
    });
    procs.push(p);
    liveProcs.add(p);
    return p;
  };

  const stop = async (): Promise<void> => {
    const pending = procs.filter((p) => liveProcs.has(p));
    for (const p of pending) killQuietly(p, "SIGTERM");
    const gone = (p: Proc) => p.exited && (p.jvmPid === undefined || !isAlive(p.jvmPid));
    const termDeadline = Date.now() + 5000;
    while (pending.some((p) => !gone(p)) && Date.now() < termDeadline) await sleep(100);
    for (const p of pending) if (!gone(p)) killQuietly(p, "SIGKILL");
    while (pending.some((p) => !gone(p))) await sleep(50);
    for (const p of pending) liveProcs.delete(p);
    if (ownWorkDir) {
      rmSync(workDir, { recursive: true, force: true });
      ownWorkDirs.delete(workDir);
    } else rmSync(join(workDir, "tmp"), { recursive: true, force: true });
    log(`local-flink: stopped (${workDir})`);
  };

  const fail = async (what: string, p?: Proc): Promise<never> => {
    const logs = (p ? [p] : procs).map(
      (q) => `--- ${q.name}.log (tail)\n${tail(q.logFile)}\n--- ${q.name}.out (tail)\n${tail(q.outFile, 10)}`,
    );
    const message = `local-flink: ${what}\n${logs.join("\n")}`;
    if (ownWorkDir) await stop();
    else await stop().catch(() => {});
    throw new Error(message);
  };

  // A probe returns undefined to keep waiting, or a Fatal to give up at once.
  const waitFor = async <T>(what: string, probe: () => Promise<T | Fatal | undefined>): Promise<T> => {
    for (;;) {
      const dead = procs.find((p) => p.exited && !p.name.startsWith("submit"));
      if (dead) return fail(`${dead.name} exited while waiting for ${what}`, dead);
      const value = await probe().catch(() => undefined);
      if (value instanceof Fatal) return fail(`${value.message} while waiting for ${what}`);
      if (value !== undefined) return value;
      if (Date.now() > deadline) return fail(`timed out waiting for ${what}`);
      await sleep(250);
    }
  };

  const jmTmp = join(workDir, "tmp/jobmanager");
  mkdirSync(jmTmp, { recursive: true });
  const jm = launch(
    "jobmanager",
    [],
    // C1 only: the JobManager is never profiled, and C2 would take CPU from TaskManagers starting beside it.
    ["-Xmx448m", "-XX:MaxMetaspaceSize=192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"],
    [
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
      "--configDir",
      confDir,
      `-Dio.tmp.dirs=${jmTmp}`,
    ],
  );
  jm.jvmPid = jm.child.pid;
  log(
    `local-flink: Flink ${opts.distribution ? `from ${opts.distribution.classpathFile}` : FLINK_VERSION} jobmanager pid ${jm.child.pid}, REST ${restUrl}, work dir ${workDir}`,
  );

  const tms: Proc[] = [];
  const heap = TM_MEMORY.frameworkHeap + TM_MEMORY.taskHeap;
  const direct = TM_MEMORY.frameworkOffHeap + TM_MEMORY.taskOffHeap + TM_MEMORY.network;
  for (let n = 1; n <= tmCount; n++) {
    const resourceId = `tm-${n}`;
    const tmTmp = join(workDir, "tmp", resourceId);
    mkdirSync(tmTmp, { recursive: true });
    tms.push(
      launch(
        `taskmanager-${n}`,
        opts.taskManagerLauncher ?? [],
        [
          `-Xmx${heap}m`,
          `-Xms${heap}m`,
          `-XX:MaxDirectMemorySize=${direct}m`,
          `-XX:MaxMetaspaceSize=${TM_MEMORY.metaspace}m`,
          "-XX:+UnlockDiagnosticVMOptions",
          "-XX:+DebugNonSafepoints",
        ],
        [
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          "--configDir",
          confDir,
          `-Dtaskmanager.resource-id=${resourceId}`,
          `-Dio.tmp.dirs=${tmTmp}`,
        ],
      ),
    );
  }

  await waitFor("the REST endpoint", async () => ((await getJson(`${restUrl}/overview`)) ? true : undefined));
  const wanted = tms.map((_, i) => `tm-${i + 1}`);
  await waitFor(`${tmCount} TaskManager(s) to register`, async () => {
    const ids = new Set(((await getJson(`${restUrl}/taskmanagers`)).taskmanagers as { id: string }[]).map((t) => t.id));
    return wanted.every((id) => ids.has(id)) ? true : undefined;
  });
  tms.forEach((p, i) => {
    p.jvmPid = findPidByCmdline([`-Dtaskmanager.resource-id=tm-${i + 1}`, confDir]) ?? p.child.pid;
  });
  log(`local-flink: ${tmCount} TaskManager(s) registered after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  let submissions = 0;
  const submitJob = async (job: NonNullable<LocalFlinkOptions["job"]>): Promise<string> => {
    submissions += 1;
    const submit = launch(
      submissions === 1 ? "submit" : `submit-${submissions}`,
      [],
      ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"],
      [
        job.mainClass,
        "--rest-port",
        String(restPort),
        "--parallelism",
        String(job.parallelism ?? tmCount * slots),
        ...(job.args ?? []),
      ],
      // The cluster gets the same jar as the job's user jar; the client only needs to load it.
      `${jobJar}:${classpath}`,
    );
    await waitFor("the job client to exit", async () => (submit.exited ? true : undefined));
    const jobId = /JobID ([0-9a-f]{32})/.exec(tail(submit.outFile, 50))?.[1];
    if (!jobId || submit.child.exitCode !== 0)
      return fail(`the job client exited with ${submit.child.exitCode}`, submit);
    log(`local-flink: submitted job ${jobId}`);

    await waitFor(`job ${jobId} and all its vertices to be RUNNING`, async () => {
      const state = await getJson(`${restUrl}/jobs/${jobId}`);
      if (["FAILED", "FAILING", "CANCELED", "CANCELLING"].includes(state.state)) {
        const exceptions = await getJson(`${restUrl}/jobs/${jobId}/exceptions`).catch(() => ({}));
        return new Fatal(`job ${state.state}: ${exceptions["root-exception"] ?? "(no exception reported)"}`);
      }
      return state.state === "RUNNING" && state.vertices.every((v: { status: string }) => v.status === "RUNNING")
        ? true
        : undefined;
    });
    log(`local-flink: job running after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return jobId;
  };
  const jobId = await submitJob(opts.job ?? { mainClass: ORDERS_JOB });

  const throughput = async (seconds: number): Promise<number> => {
    const metric = await sinkMetric(restUrl, jobId);
    const first = await freshCounter(metric);
    await sleep(seconds * 1000);
    const last = await freshCounter(metric);
    return (last.value - first.value) / ((last.at - first.at) / 1000);
  };

  return {
    restUrl,
    workDir,
    jobManager: { pid: jm.child.pid!, logFile: jm.logFile },
    taskManagers: tms.map((p, i) => ({ pid: p.jvmPid!, resourceId: `tm-${i + 1}`, logFile: p.logFile })),
    jobId,
    throughput,
    // Each submission gets the start-up time limit anew.
    submitJob: (job) => {
      deadline = Date.now() + timeoutMs;
      return submitJob(job);
    },
    stop,
  };
}

type SinkMetric = { url: string; id: string };

/** The sink counter's REST id, e.g. "Discard__Writer.ordersDiscarded"; it appears after the first metric fetch. */
async function sinkMetric(restUrl: string, jobId: string): Promise<SinkMetric> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await getJson(`${restUrl}/jobs/${jobId}`);
    for (const v of job.vertices as { id: string }[]) {
      const url = `${restUrl}/jobs/${jobId}/vertices/${v.id}`;
      const metrics = (await getJson(`${url}/metrics`)) as { id: string }[];
      const hit = metrics.find((m) => m.id.endsWith(`.${SINK_COUNTER}`));
      if (hit) return { url, id: hit.id.replace(/^\d+\./, "") };
    }
    if (Date.now() > deadline) throw new Error(`local-flink: no ${SINK_COUNTER} metric on job ${jobId}`);
    await sleep(250);
  }
}

/**
 * REST serves metrics from a cache refreshed at most once per fetcher interval, so a value is only
 * timestamped when it changes; measuring between two changes keeps the window's error to one poll.
 */
async function freshCounter(metric: SinkMetric): Promise<{ value: number; at: number }> {
  const read = async () => {
    const rows = (await getJson(`${metric.url}/subtasks/metrics?get=${metric.id}&agg=sum`)) as { sum: number }[];
    return rows[0]?.sum ?? NaN;
  };
  const before = await read();
  const deadline = Date.now() + 10_000;
  for (;;) {
    await sleep(100);
    const value = await read();
    if (value !== before && !Number.isNaN(value)) return { value, at: Date.now() };
    if (Date.now() > deadline) return { value, at: Date.now() };
  }
}
