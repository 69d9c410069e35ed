// `profile.mjs --via rest --flink-rest URL --operator busiest|NAME|VERTEX_ID`: the operator and its busiest
// subtasks are chosen from Flink's REST API as for --local, and Flink's own profiler runs on the TaskManagers
// of those subtasks only. Flink's flame graphs hold no thread frames, so nothing can be cut to the operator's
// threads: each report names the operator and its subtasks there, and says that its files are the whole JVM's.
import { operatorReportOf, type OperatorPlan } from "../operator-slice.ts";
import { HintedError } from "../profile-options.ts";
import type { TargetReport } from "../report.ts";
import { profileViaRest, type RestProfileOptions } from "./builtin-profiler.ts";
import { flinkRest } from "./http.ts";
import { pickSubtasks } from "./operators.ts";
import type { OperatorSpec } from "./operators-cli.ts";
import { fetchOperatorLoad } from "./operators-fetch.ts";
import type { RestCommand } from "./rest-cli.ts";

export async function profileOperatorViaRest(
  cmd: RestCommand,
  op: OperatorSpec,
  opts: RestProfileOptions = {},
): Promise<{ plan: OperatorPlan; targets: TargetReport[] }> {
  const rest = flinkRest(cmd.restUrl, { signal: opts.signal });
  const { jobId, choice, busy } = await fetchOperatorLoad(rest, op.jobId, op.spec);
  const v = choice.vertex;
  const picks = pickSubtasks(v.subtasks, busy, op.tms);
  if (picks.length === 0)
    throw new HintedError(
      `no running subtask of ${v.name} has a TaskManager to profile`,
      "check the job with `profile.mjs operators --flink-rest URL`",
    );
  const taskManagers = [...new Set(picks.map((p) => p.taskManagerId))];
  const plan: OperatorPlan = {
    choice,
    jobId,
    places: taskManagers.map((id) => ({
      target: id,
      label: `TaskManager ${id}: Flink's profiler, the whole JVM (its flame graph has no thread frames)`,
      taskManagers: [id],
      isTaskManager: true,
    })),
    picks,
    busy,
    notices: [],
  };
  const reports = await profileViaRest({ ...cmd, taskManagers }, opts);
  for (const r of reports) r.operator = { ...operatorReportOf(plan, r.target), wholeJvm: true };
  return { plan, targets: reports };
}
