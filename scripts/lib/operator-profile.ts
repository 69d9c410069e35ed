// `profile.mjs --local --flink-rest URL --operator busiest|NAME|VERTEX_ID`: asks Flink which operator and
// which of its subtasks are busiest, finds the TaskManagers running them among this machine's JVMs,
// profiles those JVMs with per-thread stacks, and writes per JVM the flame graph and top frames of the
// operator's threads only, the whole JVM's profile beside them.
import { flinkRest } from "./flink-rest/http.ts";
import { pickSubtasks } from "./flink-rest/operators.ts";
import { fetchOperatorLoad } from "./flink-rest/operators-fetch.ts";
import type { OperatorTarget } from "./flink-rest/operators-cli.ts";
import { parseTaskManagers } from "./flink-rest/rest-shapes.ts";
import { findLocalJvms, listedJvms, profileLocal, type LocalJvm, type ProfileLocalOptions } from "./local-profile.ts";
import { inspectJvm, matchTaskManagers } from "./operator-jvms.ts";
import type { LocalCommand } from "./profile-cli.ts";
import { HintedError } from "./profile-options.ts";
import { sliceReport, type OperatorPlan } from "./operator-slice.ts";
import type { TargetReport } from "./report.ts";

/** The plan, and the local JVMs its places are. */
export interface LocalOperatorPlan extends OperatorPlan {
  jvms: LocalJvm[];
}

/** Everything before profiling: REST, the operator, its busiest subtasks, their JVMs. */
export async function planOperator(cmd: LocalCommand, op: OperatorTarget, helper?: string): Promise<LocalOperatorPlan> {
  const rest = flinkRest(op.restUrl);
  const [{ jobId, choice, busy }, tms] = await Promise.all([
    fetchOperatorLoad(rest, op.jobId, op.spec),
    rest.getJson("/taskmanagers").then(parseTaskManagers),
  ]);
  const v = choice.vertex;
  const notices: string[] = [];
  const candidates =
    cmd.pids.length > 0
      ? await listedJvms(cmd.pids, helper)
      : (await findLocalJvms(helper)).filter((j) => j.role === "taskmanager");
  const where = matchTaskManagers(await Promise.all(candidates.map((j) => inspectJvm(j.pid))), tms);
  const pidOf = (tm: string) => where.get(tm);

  if (cmd.pids.length > 0) {
    // --pid: exactly those JVMs; the operator's subtasks on the TaskManagers each one runs (all of a MiniCluster's).
    const jvms = candidates.map((jvm) => ({
      jvm,
      taskManagers: tms.map((t) => t.id).filter((id) => pidOf(id) === jvm.pid),
    }));
    for (const j of jvms.filter((x) => x.taskManagers.length === 0)) {
      notices.push(
        `pid ${j.jvm.pid} shows no TaskManager of this Flink (no resource id on its command line, none of their ports): its profile is cut to every thread of ${v.name}`,
      );
    }
    const mine = new Set(jvms.flatMap((j) => j.taskManagers));
    const picks = pickSubtasks(
      v.subtasks.filter((s) => mine.has(s.taskManagerId)),
      busy,
      Number.MAX_SAFE_INTEGER,
    );
    return { ...localPlaces(jvms), choice, jobId, picks, busy, notices };
  }

  const picks = pickSubtasks(v.subtasks, busy, op.tms);
  const found = picks.filter((p) => pidOf(p.taskManagerId) !== undefined);
  for (const p of picks.filter((x) => pidOf(x.taskManagerId) === undefined)) {
    notices.push(
      `TaskManager ${p.taskManagerId} (${p.endpoint || "no address"}) runs subtask ${p.subtask + 1}/${v.parallelism} of ${v.name} but is not a JVM on this machine: not profiled`,
    );
  }
  if (found.length === 0) {
    throw new HintedError(
      `none of the TaskManagers running ${v.name}'s busiest subtasks (${picks.map((p) => p.taskManagerId).join(", ") || "none running"}) is a JVM on this machine`,
      "run this on the TaskManagers' machine; for a MiniCluster (every TaskManager in one JVM) or a JVM this tool cannot tell, pass its --pid",
    );
  }
  const byPid = new Map<number, { jvm: LocalJvm; taskManagers: string[] }>();
  for (const p of found) {
    const pid = pidOf(p.taskManagerId)!;
    const entry = byPid.get(pid) ?? { jvm: candidates.find((j) => j.pid === pid)!, taskManagers: [] };
    entry.taskManagers.push(p.taskManagerId);
    byPid.set(pid, entry);
  }
  return { ...localPlaces([...byPid.values()]), choice, jobId, picks: found, busy, notices };
}

function localPlaces(jvms: { jvm: LocalJvm; taskManagers: string[] }[]) {
  return {
    jvms: jvms.map((j) => j.jvm),
    places: jvms.map(({ jvm, taskManagers }) => ({
      target: jvm.target,
      label: `${jvm.target} (pid ${jvm.pid})`,
      taskManagers,
    })),
  };
}

export async function profileOperator(
  cmd: LocalCommand,
  op: OperatorTarget,
  opts: ProfileLocalOptions = {},
): Promise<{ plan: OperatorPlan; targets: TargetReport[] }> {
  const plan = await planOperator(cmd, op, opts.helper);
  const reports = await profileLocal(cmd, { ...opts, targets: plan.jvms, keepCollapsed: true });
  const targets = await Promise.all(reports.map((r) => sliceReport(r, plan, cmd.settings, cmd.outputDir)));
  return { plan, targets };
}
