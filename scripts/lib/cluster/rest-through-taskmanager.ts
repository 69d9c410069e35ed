// The JobManager's REST answers that `operators` and `--operator` need, in a Kubernetes cluster: one
// profiling Job runs the helper's `rest` action in a TaskManager of the cluster, which reads them with GETs
// to fixed paths and sends them back in the Job's log. Nobody needs a right to reach the REST API itself
// (a proxy right to it would also allow GET /jobs/<id>/yarn-cancel, which cancels the job).
import { renderProfilingJob } from "../../../components/profiling-job.ts";
import { recordedRest } from "../flink-rest/recorded-rest.ts";
import type { FlinkRest } from "../flink-rest/http.ts";
import { parseHelperLine, type RestEndRecord, type RestRecord } from "../helper-events.ts";
import { HintedError } from "../profile-options.ts";
import type { KubeTarget, TaskManagerChoice } from "./cluster-cli.ts";
import type { TaskManagerTarget } from "./select.ts";
import type { RunContext } from "./cluster-profile.ts";
import { findTaskManagers, readTemplateFor, requireNamespace, resolveNamespace } from "./context.ts";
import { createRunFollower, type JobEnd } from "./follow.ts";
import { createJobCreator } from "./jobs.ts";
import { createKubectl, type Kubectl } from "./kubectl.ts";
import { newRunId } from "./naming.ts";
import { deleteRun } from "./stop.ts";
import { helperProblem, logProblem, type ProblemContext } from "./wording.ts";

/** The REST address a TaskManager of `cluster` reaches: the `<cluster>-rest` Service (the components, the
 * operator and native mode all name it so) on Flink's default port. */
export const defaultRestUrl = (cluster: string) => `http://${cluster}-rest:8081`;

export interface RestThroughTaskManagerOptions {
  kubectl?: Kubectl;
  signal?: AbortSignal;
  /** The REST address as the TaskManager sees it; default defaultRestUrl(cluster). */
  restUrl?: string;
  /** Only this job's answers (a 32-hex Flink job id). */
  job?: string;
  startTimeoutSeconds?: number;
  onNote?: (line: string) => void;
}

export interface RestThroughTaskManager {
  rest: FlinkRest;
  namespace: string;
  cluster: string;
  /** The TaskManager pod that read the answers. */
  pod: string;
  /** The cluster's TaskManager pods that can be profiled now (with their IPs, to place Flink's ids). */
  taskManagers: TaskManagerTarget[];
  /** What was looked up before the Job: a profile run that follows takes it instead of asking again. */
  context: RunContext;
  /**
   * The REST Job's deletion, started once its answers were read and left to run beside what the caller
   * does next (it takes a second or two); the caller awaits it before it ends. Never rejects: a Job that
   * could not be deleted is told through onNote, with the command that deletes it.
   */
  deleted: Promise<void>;
}

export async function restThroughTaskManager(
  kube: KubeTarget,
  choice: TaskManagerChoice,
  opts: RestThroughTaskManagerOptions = {},
): Promise<RestThroughTaskManager> {
  const kubectl = opts.kubectl ?? createKubectl(kube);
  const namespace = await resolveNamespace(kubectl);
  await requireNamespace(kubectl, namespace);
  const stored = await readTemplateFor(kubectl, namespace, choice);
  const { template } = stored;
  const selection = await findTaskManagers(kubectl, namespace, choice, template.target.container);
  const target = selection.targets[0];
  if (!target) {
    const why = selection.skipped.map((s) => `${s.pod}: ${s.reason}`).join("; ");
    throw new HintedError(
      `no running TaskManager in ${namespace} to read the JobManager's REST API from${why ? ` (${why})` : ""}`,
      "the cluster needs at least one running TaskManager; check with kubectl get pods",
    );
  }
  const cluster = choice.by === "cluster" ? choice.cluster : (target.cluster ?? namespace);
  const url = opts.restUrl ?? defaultRestUrl(cluster);
  const runId = newRunId();
  const job = renderProfilingJob(template, {
    namespace,
    pod: target.pod,
    container: target.container,
    runId,
    action: "rest",
    helperArgs: ["--rest-url", url, ...(opts.job ? ["--job", opts.job] : [])],
    activeDeadlineSeconds: (opts.startTimeoutSeconds ?? 120) + 120,
  });
  opts.onNote?.(`reading Flink's REST API at ${url} from ${target.pod} (run ${runId})`);
  const ctx = {
    pod: target.pod,
    namespace,
    serviceAccount: template.serviceAccountName,
    image: template.runnerImage,
    templateConfigMap: stored.configMap,
  };
  // Everything after waits for this one small Job: look at its pod four times a second, not once.
  const follower = createRunFollower(kubectl, namespace, runId, {
    pollMs: 250,
    signal: opts.signal,
    startTimeoutMs: (opts.startTimeoutSeconds ?? 120) * 1000,
  });
  const deleteJob = () =>
    deleteRun(kubectl, namespace, runId).then(
      () => undefined,
      (err: Error) =>
        opts.onNote?.(
          `could not delete the run's Job (${err.message}); run: zx scripts/profile.mjs cleanup -n ${namespace} --run ${runId}`,
        ),
    );
  let records: RestRecord[];
  try {
    await createJobCreator(kubectl, namespace).create(job);
    // The action's last line says every answer is in: no need to wait until the pod is seen finished.
    const end = await follower.watch(job.metadata!.name!, ctx, { isLast: (l) => l.startsWith('{"type":"rest-end"') });
    records = restRecords(end, ctx);
  } catch (err) {
    await deleteJob();
    throw err;
  }
  return {
    rest: recordedRest(records, url),
    namespace,
    cluster,
    pod: target.pod,
    taskManagers: selection.targets,
    context: { namespace, stored, selection },
    deleted: deleteJob(),
  };
}

/** The answers in a REST Job's log; throws what went wrong, or when the last line's count does not match. */
function restRecords(end: JobEnd, ctx: ProblemContext): RestRecord[] {
  if (end.interrupted)
    throw new HintedError("interrupted while reading Flink's REST API", "nothing was changed; run again");
  const events = end.lines.map(parseHelperLine);
  const error = events.find((e) => e?.type === "error");
  const problem =
    end.problem ??
    (error?.type === "error"
      ? helperProblem(error.code, error.message, error.hint, ctx)
      : logProblem(end.lines, end.exitCode, ctx));
  if (problem) throw new HintedError(problem.message, problem.hint ?? "see the Job's log");
  if (end.exitCode !== undefined && end.exitCode !== 0)
    throw new HintedError(`the helper's rest action ended with exit ${end.exitCode}`, "see the Job's log");
  const records = events.filter((e): e is RestRecord => e?.type === "rest");
  const last = events.find((e): e is RestEndRecord => e?.type === "rest-end");
  // An image whose helper predates the last line ends with its process (exit 0 checked above).
  if (last && last.records !== records.length)
    throw new HintedError(
      `the REST Job's log holds ${records.length} answers where the helper sent ${last.records}`,
      "run again; if it repeats, see the Job's log",
    );
  return records;
}
