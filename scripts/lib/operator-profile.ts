// `profile.mjs --local --flink-rest URL --operator busiest|NAME|VERTEX_ID`: asks Flink which operator and
// which of its subtasks are busiest, finds the TaskManagers running them among this machine's JVMs,
// profiles those JVMs with per-thread stacks, and writes per JVM the flame graph and top frames of the
// operator's threads only, the whole JVM's profile beside them.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { summarizeCollapsed } from "./collapsed.ts";
import { operatorThreadFilter, sliceByThread } from "./analysis/slice-threads.ts";
import { flinkRest } from "./flink-rest/http.ts";
import { chooseOperator, pickSubtasks, type OperatorChoice, type SubtaskPick } from "./flink-rest/operators.ts";
import { fetchJobViews, fetchSubtaskBusy } from "./flink-rest/operators-fetch.ts";
import type { OperatorTarget } from "./flink-rest/operators-cli.ts";
import { parseTaskManagers } from "./flink-rest/rest-shapes.ts";
import {
  chooseTargets,
  findLocalJvms,
  profileLocal,
  type LocalJvm,
  type ProfileLocalOptions,
} from "./local-profile.ts";
import { inspectJvm, matchTaskManagers } from "./operator-jvms.ts";
import type { LocalCommand } from "./profile-cli.ts";
import { HintedError } from "./profile-options.ts";
import { renderFormats } from "./render-formats.ts";
import type { OperatorReport, TargetReport } from "./report.ts";

export interface OperatorPlan {
  choice: OperatorChoice;
  jobId: string;
  /** pid → the TaskManagers it runs (empty: a --pid JVM that matches none of them). */
  jvms: { jvm: LocalJvm; taskManagers: string[] }[];
  picks: SubtaskPick[];
  busy: Map<number, number | null>;
  notices: string[];
}

/** Everything before profiling: REST, the operator, its busiest subtasks, their JVMs. */
export async function planOperator(cmd: LocalCommand, op: OperatorTarget, helper?: string): Promise<OperatorPlan> {
  const rest = flinkRest(op.restUrl);
  const [job] = await fetchJobViews(rest, op.jobId, true);
  const choice = chooseOperator(job!, op.spec);
  const v = choice.vertex;
  const [busy, tms] = await Promise.all([
    fetchSubtaskBusy(
      rest,
      job!.id,
      v.id,
      v.subtasks.map((s) => s.subtask),
    ),
    rest.getJson("/taskmanagers").then(parseTaskManagers),
  ]);
  const notices: string[] = [];
  const candidates =
    cmd.pids.length > 0
      ? await chooseTargets(cmd, helper)
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
    return { choice, jobId: job!.id, jvms, picks, busy, notices };
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
  return { choice, jobId: job!.id, jvms: [...byPid.values()], picks: found, busy, notices };
}

/** A file name part for the operator: "Parse -> Score" → "parse-score". */
export function operatorSlug(name: string, vertexId: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug === "" ? vertexId.slice(0, 8) : slug;
}

export async function profileOperator(
  cmd: LocalCommand,
  op: OperatorTarget,
  opts: ProfileLocalOptions = {},
): Promise<{ plan: OperatorPlan; targets: TargetReport[] }> {
  const plan = await planOperator(cmd, op, opts.helper);
  const reports = await profileLocal(cmd, { ...opts, targets: plan.jvms.map((j) => j.jvm), keepCollapsed: true });
  const targets = await Promise.all(reports.map((r) => sliceReport(r, plan, cmd)));
  return { plan, targets };
}

async function sliceReport(report: TargetReport, plan: OperatorPlan, cmd: LocalCommand): Promise<TargetReport> {
  const { choice, picks } = plan;
  const v = choice.vertex;
  const collapsed = report.collapsed;
  delete report.collapsed;
  const hosted = plan.jvms.find((j) => j.jvm.pid === report.pid)?.taskManagers ?? [];
  const subtasks = v.subtasks.filter((s) => s.status === "RUNNING" && hosted.includes(s.taskManagerId));
  const name = choice.operator ?? v.name;
  const operator: OperatorReport = {
    job: plan.jobId,
    vertexId: v.id,
    name,
    ...(choice.chain ? { chain: choice.chain } : {}),
    reason: choice.reason,
    busy: v.busyMax,
    subtasks: subtasks.map((s) => ({
      subtask: s.subtask,
      attempt: s.attempt,
      taskManager: s.taskManagerId,
      busy: plan.busy.get(s.subtask) ?? null,
      thread: `${v.name} (${s.subtask + 1}/${v.parallelism})#${s.attempt}`,
    })),
    threads: [],
    samples: 0,
    jvmSamples: 0,
  };
  report.operator = operator;
  report.notices.unshift(...plan.notices);
  if (report.status !== "ok" || collapsed === undefined) return report;

  // A --pid JVM that shows no TaskManager: every thread of the operator in it.
  const only = hosted.length > 0 ? new Set(subtasks.map((s) => s.subtask)) : undefined;
  const slice = sliceByThread(
    collapsed,
    operatorThreadFilter({ task: v.name, parallelism: v.parallelism, subtasks: only }),
  );
  Object.assign(operator, { threads: slice.threads, samples: slice.samples, jvmSamples: slice.total });
  report.jvmFiles = report.files;
  report.files = [];
  if (slice.samples === 0) {
    report.status = "failed";
    report.top = [];
    report.error = {
      message: `no samples of ${v.name}'s threads in pid ${report.pid} (${picks.length} subtask(s) chosen); the whole JVM's profile is kept`,
      hint: "the operator may have been idle or run elsewhere: check `profile.mjs operators`, or profile longer with -d",
    };
    return report;
  }
  Object.assign(report, summarizeCollapsed(slice.text));
  const jvmBase = (report.jvmFiles[0] ?? path.join(path.resolve(cmd.outputDir), report.target)).replace(
    /\.(html|collapsed|jfr)$/,
    "",
  );
  const base = `${jvmBase}.${operatorSlug(name, v.id)}`;
  const wanted = cmd.settings.formats.filter((f) => f !== "jfr");
  const formats = wanted.length > 0 ? wanted : (["collapsed"] as const);
  const source = path.join(path.dirname(base), `.${path.basename(base)}.slice-${process.pid}.collapsed`);
  const extra = cmd.settings.extraArgs.includes("--title")
    ? cmd.settings.extraArgs
    : [...cmd.settings.extraArgs, "--title", `${name} on ${report.target}`];
  try {
    await writeFile(source, slice.text);
    const outputs = Object.fromEntries(formats.map((f) => [f, `${base}.${f}`]));
    // The project's converter path: collapsed stays as cut, html is drawn by async-profiler's jfrconv.
    await renderFormats({
      source,
      sourceFormat: "collapsed",
      settings: { ...cmd.settings, extraArgs: extra },
      event: report.event,
      outputs,
    });
    report.files = formats.map((f) => `${base}.${f}`);
  } catch (err) {
    report.status = "failed";
    report.error = { message: (err as Error).message, hint: err instanceof HintedError ? err.hint : undefined };
  } finally {
    await rm(source, { force: true });
  }
  return report;
}

/** The lines a person reads before the per-JVM reports. */
export function renderPlan(plan: OperatorPlan): string {
  const v = plan.choice.vertex;
  const pct = (r: number | null) => (r === null ? "n/a" : `${Math.round(r * 100)}%`);
  const name = plan.choice.operator ?? v.name;
  const why = {
    bottleneck: "the bottleneck (busy, not back-pressured, upstream back-pressured)",
    busiest: "the busiest vertex (no bottleneck marked)",
    name: "named",
    "vertex id": "by vertex id",
  }[plan.choice.reason];
  const lines = [
    `operator ${name} of job ${plan.jobId}: ${why}, busy ${pct(v.busyMax)} max, back-pressured ${pct(v.backPressureMax)} max`,
  ];
  if (plan.choice.chain)
    lines.push(`  chained: its threads are the chain's, "${plan.choice.chain}" (the whole chain's work is in them)`);
  for (const { jvm, taskManagers } of plan.jvms)
    lines.push(
      `  ${jvm.target} (pid ${jvm.pid}) runs ${taskManagers.length ? taskManagers.join(", ") : "no TaskManager it shows"}`,
    );
  for (const p of plan.picks)
    lines.push(`  busiest subtask on ${p.taskManagerId}: ${p.subtask + 1}/${v.parallelism}, busy ${pct(p.busy)}`);
  for (const n of plan.notices) lines.push(`  note: ${n}`);
  return `${lines.join("\n")}\n\n`;
}
