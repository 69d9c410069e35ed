// `profile.mjs -n NS --cluster NAME --operator busiest|NAME|VERTEX_ID`: Flink's REST answers are read
// inside one of the cluster's TaskManagers (rest-through-taskmanager.ts: no right to the REST API needed),
// the operator and its busiest subtasks chosen, their TaskManagers found among the pods, those pods
// profiled with per-thread stacks as any cluster run, and each profile cut to the operator's threads.
import path from "node:path";
import { pickSubtasks } from "../flink-rest/operators.ts";
import type { ClusterOperatorTarget } from "../flink-rest/operators-cli.ts";
import { fetchOperatorLoad } from "../flink-rest/operators-fetch.ts";
import { podsOfTaskManagers } from "../flink-rest/taskmanager-pods.ts";
import { sliceReport, type OperatorPlan } from "../operator-slice.ts";
import { HintedError } from "../profile-options.ts";
import { requireConverter } from "../render-formats.ts";
import { needsConverter } from "../source-format.ts";
import type { ClusterCommand } from "./cluster-cli.ts";
import { profileCluster, type ClusterRun, type ClusterRunOptions } from "./cluster-profile.ts";
import { createKubectl } from "./kubectl.ts";
import { restThroughTaskManager } from "./rest-through-taskmanager.ts";

export async function profileOperatorInCluster(
  cmd: ClusterCommand,
  op: ClusterOperatorTarget,
  opts: ClusterRunOptions = {},
): Promise<ClusterRun & { plan: OperatorPlan }> {
  const kubectl = opts.kubectl ?? createKubectl(cmd.kube);
  // Before the REST Job: a machine that cannot draw the flame graphs is told so at once.
  const converter = needsConverter(cmd.settings.formats);
  if (converter) await requireConverter();
  const read = await restThroughTaskManager(cmd.kube, cmd.choice, {
    kubectl,
    signal: opts.signal,
    job: op.jobId,
    restUrl: op.restUrl,
    startTimeoutSeconds: cmd.startTimeout,
    onNote: opts.onNote,
  });
  // The REST Job is deleted while the operator is chosen and its pods profiled; awaited before the end.
  let run: ClusterRun;
  let plan: OperatorPlan;
  try {
    if (opts.signal?.aborted) throw new HintedError("interrupted before anything was profiled", "nothing was changed");
    const { jobId, choice, busy } = await fetchOperatorLoad(read.rest, op.jobId, op.spec);
    const v = choice.vertex;
    const picks = pickSubtasks(v.subtasks, busy, op.tms);
    const podOf = podsOfTaskManagers(
      v.subtasks,
      read.taskManagers.map((t) => ({ pod: t.pod, ...(t.ip ? { ip: t.ip } : {}) })),
    );
    const notices = picks
      .filter((p) => !podOf.has(p.taskManagerId))
      .map(
        (p) =>
          `TaskManager ${p.taskManagerId} (${p.endpoint || "no address"}) runs subtask ${p.subtask + 1}/${v.parallelism} of ${v.name} but is none of the running pods of ${read.cluster}: not profiled`,
      );
    const found = picks.filter((p) => podOf.has(p.taskManagerId));
    if (found.length === 0) {
      throw new HintedError(
        `none of the TaskManagers running ${v.name}'s busiest subtasks (${picks.map((p) => p.taskManagerId).join(", ") || "none running"}) is a running pod of ${read.cluster} in ${read.namespace}`,
        "check the pods with kubectl get pods, and the job with `profile.mjs operators -n NS --cluster NAME`",
      );
    }
    const pods = [...new Set(found.map((p) => podOf.get(p.taskManagerId)!))];
    // Every TaskManager a chosen pod runs (one, unless several share a pod name), so that all of the
    // operator's subtasks in that JVM are cut out, not only the busiest.
    const places = pods.map((pod) => ({
      target: pod,
      label: `pod ${pod}`,
      taskManagers: [...podOf].filter(([, p]) => p === pod).map(([tm]) => tm),
    }));
    plan = { choice, jobId, places, picks: found, busy, notices };
    opts.onNote?.(
      `${choice.operator ?? v.name} of job ${jobId}: profiling ${pods.join(", ")} (busiest subtask${found.length > 1 ? "s" : ""} ${found.map((p) => `${p.subtask + 1}/${v.parallelism}`).join(", ")})`,
    );
    run = await profileCluster(cmd, {
      ...opts,
      kubectl,
      pods,
      keepCollapsed: true,
      context: read.context,
      converterChecked: converter,
    });
  } finally {
    await read.deleted;
  }
  const targets = await Promise.all(
    run.targets.map((r) => sliceReport(r, plan, cmd.settings, path.join(cmd.outputDir, run.cluster, run.runId))),
  );
  return { ...run, targets, plan };
}
