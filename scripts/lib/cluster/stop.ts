// After Ctrl-C or a failure: stop the profiler in every TaskManager of the run, then delete every
// Job of the run. Stopping goes the same way the profile went: small `flink-profiler stop` Jobs
// (the caller needs no exec right), or the caller's own exec.
import { renderProfilingJob, type ProfilingJobTemplate } from "../../../components/profiling-job.ts";
import { runHelper } from "../run-helper.ts";
import { createRunFollower } from "./follow.ts";
import { createJobCreator, deleteJobs, runSelector } from "./jobs.ts";
import type { Kubectl } from "./kubectl.ts";
import type { TaskManagerTarget } from "./select.ts";
import { execCommand } from "./via-exec.ts";

export interface StopOutcome {
  /** Pods where the stop could not be confirmed, with why. */
  unconfirmed: { pod: string; reason: string }[];
}

export async function stopViaJobs(
  kubectl: Kubectl,
  namespace: string,
  runId: string,
  template: ProfilingJobTemplate,
  targets: readonly TaskManagerTarget[],
  timeoutMs = 60_000,
): Promise<StopOutcome> {
  const creator = createJobCreator(kubectl, namespace);
  const follower = createRunFollower(kubectl, namespace, runId, { startTimeoutMs: timeoutMs, pollMs: 500 });
  const outcome: StopOutcome = { unconfirmed: [] };
  await Promise.all(
    targets.map(async (t) => {
      // A stop takes a second; a stop Job that cannot run must not linger for the template's full deadline.
      const job = renderProfilingJob(template, {
        namespace,
        pod: t.pod,
        container: t.container,
        runId,
        helperArgs: [],
        action: "stop",
        activeDeadlineSeconds: Math.ceil(timeoutMs / 1000),
      });
      try {
        await creator.create(job);
        const end = await follower.watch(job.metadata!.name!, { pod: t.pod, namespace });
        // A JVM that is gone has no profiler left to stop.
        const gone = end.lines.some((l) => /"code":"(no-such-process|no-flink-jvm)"/.test(l));
        if (!gone && (end.problem || !end.lines.some((l) => l.includes('"type":"stopped"')))) {
          outcome.unconfirmed.push({
            pod: t.pod,
            reason: end.problem?.message ?? `flink-profiler stop exited with ${end.exitCode}`,
          });
        }
      } catch (err) {
        outcome.unconfirmed.push({ pod: t.pod, reason: (err as Error).message });
      }
    }),
  );
  return outcome;
}

export async function stopViaExec(
  kubectl: Kubectl,
  namespace: string,
  helper: string,
  targets: readonly TaskManagerTarget[],
): Promise<StopOutcome> {
  const outcome: StopOutcome = { unconfirmed: [] };
  await Promise.all(
    targets.map(async (t) => {
      // A stop says a line or two; more is a pod gone wrong, and is not held.
      const run = await runHelper(execCommand(kubectl, namespace, t, helper, ["stop"]), {
        maxOutputBytes: 64 * 1024,
      }).catch((err: Error) => ({
        exitCode: 1,
        events: [],
        stderrTail: [err.message],
      }));
      if (!run.events.some((e) => e.type === "stopped")) {
        outcome.unconfirmed.push({
          pod: t.pod,
          reason: run.stderrTail.slice(-1)[0] ?? `flink-profiler stop exited with ${run.exitCode}`,
        });
      }
    }),
  );
  return outcome;
}

export const deleteRun = (kubectl: Kubectl, namespace: string, runId: string) =>
  deleteJobs(kubectl, namespace, runSelector(runId));
