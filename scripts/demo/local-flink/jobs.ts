// The sample jobs of scripts/demo/sample-job and how they are submitted: a job's client (a main class of
// the job jar) submits it over REST, prints its JobID and exits; the job then runs until the cluster stops.
import { JOB_CLIENT_JVM_FLAGS } from "./config.ts";
import type { Distribution } from "./distribution.ts";
import { tail } from "./logs.ts";
import type { ClusterProcesses, FlinkProcess } from "./processes.ts";
import { getJson } from "./rest.ts";
import { Fatal, type Startup } from "./startup.ts";

/** The orders job (the default; hot method com.example.orders.OrderJsonEncoder.encode). */
export const ORDERS_JOB = "com.example.orders.SubmitOrdersJob";
/** The pipeline job: Source: Events -> Parse -> Score (bottleneck, ScoreStage.scoreRisk) -> Sink. */
export const PIPELINE_JOB = "com.example.pipeline.SubmitPipelineJob";
/** The counter both jobs' sinks keep, read to measure throughput. */
export const SINK_COUNTER = "ordersDiscarded";

/** Its main class gets `--rest-port P --parallelism N` and then `args`, e.g. PIPELINE_JOB with ["--chained"]. */
export type JobSpec = { mainClass: string; args?: string[]; parallelism?: number };

export type JobTarget = {
  processes: ClusterProcesses;
  startup: Startup;
  distribution: Distribution;
  restPort: number;
  restUrl: string;
  /** Every slot of the cluster: the parallelism of a job that names none. */
  slots: number;
  log: (line: string) => void;
};

/** Runs the job's client (the n-th submission) and resolves with the JobID once every vertex is RUNNING. */
export async function submitJob(target: JobTarget, job: JobSpec, n: number): Promise<string> {
  const client = startJobClient(target, job, n);
  await target.startup.waitFor("the job client to exit", async () => (client.exited ? true : undefined));
  const jobId = /JobID ([0-9a-f]{32})/.exec(tail(client.outFile, 50))?.[1];
  if (!jobId || client.exitCode !== 0)
    return target.startup.fail(`the job client exited with ${client.exitCode}`, client);
  target.log(`local-flink: submitted job ${jobId}`);
  await waitUntilRunning(target, jobId);
  target.log(`local-flink: job running after ${target.startup.elapsed()} s`);
  return jobId;
}

function startJobClient(target: JobTarget, job: JobSpec, n: number): FlinkProcess {
  const { classpath, jobJar } = target.distribution;
  return target.processes.launch(n === 1 ? "submit" : `submit-${n}`, {
    jvmFlags: JOB_CLIENT_JVM_FLAGS,
    main: [
      job.mainClass,
      "--rest-port",
      String(target.restPort),
      "--parallelism",
      String(job.parallelism ?? target.slots),
      ...(job.args ?? []),
    ],
    // The cluster gets the same jar as the job's user jar; the client only needs to load it.
    classpath: `${jobJar}:${classpath}`,
  });
}

/** A job that failed or was cancelled ends the wait at once, with Flink's root exception. */
async function waitUntilRunning({ startup, restUrl }: JobTarget, jobId: string): Promise<void> {
  await startup.waitFor(`job ${jobId} and all its vertices to be RUNNING`, async () => {
    const state = await getJson(`${restUrl}/jobs/${jobId}`);
    if (["FAILED", "FAILING", "CANCELED", "CANCELLING"].includes(state.state)) {
      const exceptions = await getJson(`${restUrl}/jobs/${jobId}/exceptions`).catch(() => ({}));
      return new Fatal(`job ${state.state}: ${exceptions["root-exception"] ?? "(no exception reported)"}`);
    }
    return state.state === "RUNNING" && state.vertices.every((v: { status: string }) => v.status === "RUNNING")
      ? true
      : undefined;
  });
}
