// A real Apache Flink session cluster on this machine, for the demo (`npm run demo`), the benches and the
// tests; it is not part of the profiler. It runs the sample orders job (scripts/demo/sample-job, hot
// method com.example.orders.OrderJsonEncoder.encode) or, with `job`, another job of the same jar (the
// pipeline job: bottleneck Score, com.example.pipeline.ScoreStage.scoreRisk).
//
// The processes run from the separate Flink modules (distribution.ts), not from flink-dist's scripts:
//   JobManager:   org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
//   TaskManagers: org.apache.flink.runtime.taskexecutor.TaskManagerRunner (resource id tm-<n>)
//   job client:   the job's main class in the job jar (submits over REST, prints the JobID)
// Everything binds to 127.0.0.1 on free ports; logs go to files under the work directory.
import { resourceId, startJobManager, startTaskManagers, waitForTaskManagers } from "./cluster.ts";
import { type FlinkConfig, writeFlinkConf } from "./config.ts";
import { type DistributionFiles, resolveDistribution } from "./distribution.ts";
import { type JobSpec, ORDERS_JOB, submitJob } from "./jobs.ts";
import { freePort } from "./ports.ts";
import { ClusterProcesses } from "./processes.ts";
import { Startup } from "./startup.ts";
import { measureThroughput, measureWindow, type Window } from "./throughput.ts";
import { makeWorkDir } from "./work-dir.ts";

export { JAVA_17_OPENS } from "./config.ts";
export { FLINK_VERSION } from "./distribution.ts";
export { ORDERS_JOB, PIPELINE_JOB, SINK_COUNTER } from "./jobs.ts";
export { isAlive } from "./pids.ts";

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
  flinkConfig?: FlinkConfig;
  /** Overall limit for start-up, including job submission. Default 120 s. */
  timeoutMs?: number;
  /**
   * Which job of the sample jar to submit; default the orders job. Its main class gets
   * `--rest-port P --parallelism N` and then `args`, e.g. PIPELINE_JOB with ["--chained"].
   */
  job?: JobSpec;
  /**
   * Another Flink's jars and job jar instead of .cache/flink's (e.g. Flink 1.20.5's, built by
   * test/flink-rest/flink-1.20/build.sh, to record its REST answers); scripts/setup/flink.sh is then not run.
   */
  distribution?: DistributionFiles;
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
  /** Records that reached the sink over `seconds`, with `mark` read at the window's two ends. */
  window<T>(seconds: number, mark: () => T): Promise<Window<T>>;
  /** Submits one more job of the sample jar (same rules as the `job` option); resolves when it runs. */
  submitJob(job: JobSpec): Promise<string>;
  /** Stops every process of this cluster (SIGTERM, then SIGKILL after 5 s) and removes its files. */
  stop(): Promise<void>;
};

export async function startLocalFlink(opts: LocalFlinkOptions = {}): Promise<LocalFlink> {
  const started = Date.now();
  const tmCount = opts.taskManagers ?? 1;
  const slots = opts.slotsPerTaskManager ?? 1;
  const log = opts.log ?? (() => {});

  const distribution = await resolveDistribution(opts.distribution);
  const dir = makeWorkDir(opts.workDir);
  const processes = new ClusterProcesses(dir, distribution.java);
  const [rpcPort, restPort] = [await freePort(), await freePort()];
  const restUrl = `http://127.0.0.1:${restPort}`;
  writeFlinkConf(dir.conf, { rpcPort, restPort, slots, extra: opts.flinkConfig });

  const stop = async (): Promise<void> => {
    await processes.stop();
    log(`local-flink: stopped (${dir.path})`);
  };
  const startup = new Startup({ started, timeoutMs: opts.timeoutMs ?? 120_000, processes, stop, ownWorkDir: dir.own });

  const jm = startJobManager(processes, dir, distribution.classpath);
  log(`local-flink: Flink ${distribution.description} jobmanager pid ${jm.pid}, REST ${restUrl}, work dir ${dir.path}`);
  const tms = startTaskManagers(processes, dir, distribution.classpath, tmCount, opts.taskManagerLauncher);
  await waitForTaskManagers(startup, restUrl, tms, dir);
  log(`local-flink: ${tmCount} TaskManager(s) registered after ${startup.elapsed()} s`);

  const target = { processes, startup, distribution, restPort, restUrl, slots: tmCount * slots, log };
  let submissions = 0;
  const jobId = await submitJob(target, opts.job ?? { mainClass: ORDERS_JOB }, ++submissions);

  return {
    restUrl,
    workDir: dir.path,
    jobManager: { pid: jm.pid, logFile: jm.logFile },
    taskManagers: tms.map((p, i) => ({ pid: p.jvmPid!, resourceId: resourceId(i + 1), logFile: p.logFile })),
    jobId,
    throughput: (seconds) => measureThroughput(restUrl, jobId, seconds),
    window: (seconds, mark) => measureWindow(restUrl, jobId, seconds, mark),
    submitJob: (job) => {
      startup.restartClock();
      return submitJob(target, job, ++submissions);
    },
    stop,
  };
}
