// `--operator`, after the profile: cuts each target's collapsed stacks (taken with per-thread stacks) to the
// operator's threads and writes its own flame graph and top frames beside the whole JVM's. Shared by a
// --local run (operator-profile.ts) and a cluster run (cluster/operator-cluster.ts): a target is a local
// JVM or a TaskManager pod; both say which TaskManagers it runs.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { summarizeCollapsed } from "./collapsed.ts";
import { treeOf } from "./analysis/stack-tree.ts";
import { stripFrameKinds } from "./source-format.ts";
import { operatorThreadFilter, sliceByThread } from "./analysis/slice-threads.ts";
import type { OperatorChoice, SubtaskPick } from "./flink-rest/operators.ts";
import { HintedError, type ProfileSettings } from "./profile-options.ts";
import { renderFormats } from "./render-formats.ts";
import type { OperatorReport, TargetReport } from "./report.ts";

/** What Flink said and what was chosen, before anything is profiled. */
export interface OperatorPlan {
  choice: OperatorChoice;
  jobId: string;
  /** The targets to profile (`target` as its report names it), each with the TaskManager ids it runs
   * (empty: a --pid JVM that shows none of them). `isTaskManager`: the place is that TaskManager itself
   * (--via rest), so there is no "runs" to say. */
  places: { target: string; label: string; taskManagers: string[]; isTaskManager?: boolean }[];
  picks: SubtaskPick[];
  busy: Map<number, number | null>;
  notices: string[];
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

/** What a report says of the plan's operator at one of its places (its subtasks there), before any slicing. */
export function operatorReportOf(plan: OperatorPlan, target: string): OperatorReport {
  const { choice } = plan;
  const v = choice.vertex;
  const hosted = plan.places.find((p) => p.target === target)?.taskManagers ?? [];
  const subtasks = v.subtasks.filter((s) => s.status === "RUNNING" && hosted.includes(s.taskManagerId));
  return {
    job: plan.jobId,
    vertexId: v.id,
    name: choice.operator ?? v.name,
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
}

/**
 * Adds `operator` to a target's report and, when it holds collapsed stacks, makes `files` and `top` the
 * operator's (the whole JVM's files move to `jvmFiles`). `outputDir` places the files of a target that
 * wrote none of its own.
 */
export async function sliceReport(
  report: TargetReport,
  plan: OperatorPlan,
  settings: ProfileSettings,
  outputDir: string,
): Promise<TargetReport> {
  const { choice, picks } = plan;
  const v = choice.vertex;
  const collapsed = report.collapsed;
  delete report.collapsed;
  const operator = operatorReportOf(plan, report.target);
  const name = operator.name;
  report.operator = operator;
  report.notices.unshift(...plan.notices);
  if (report.status !== "ok" || collapsed === undefined) return report;

  // A --pid JVM that shows no TaskManager: every thread of the operator in it.
  const hosted = plan.places.find((p) => p.target === report.target)?.taskManagers ?? [];
  const only = hosted.length > 0 ? new Set(operator.subtasks.map((s) => s.subtask)) : undefined;
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
      message: `no samples of ${v.name}'s threads in ${report.target} (${picks.length} subtask(s) chosen); the whole JVM's profile is kept`,
      hint: "the operator may have been idle or run elsewhere: check `profile.mjs operators`, or profile longer with -d",
    };
    return report;
  }
  Object.assign(report, summarizeCollapsed(slice.text));
  // A cluster run's view across TaskManagers compares what `top` shows: the operator's stacks.
  if (report.stacks) report.stacks = treeOf(Buffer.from(stripFrameKinds(slice.text)));
  const jvmBase = (report.jvmFiles[0] ?? path.join(path.resolve(outputDir), report.target)).replace(
    /\.(html|collapsed|jfr)$/,
    "",
  );
  const base = `${jvmBase}.${operatorSlug(name, v.id)}`;
  const wanted = settings.formats.filter((f) => f !== "jfr");
  const formats = wanted.length > 0 ? wanted : (["collapsed"] as const);
  const source = path.join(path.dirname(base), `.${path.basename(base)}.slice-${process.pid}.collapsed`);
  const extra = settings.extraArgs.includes("--title")
    ? settings.extraArgs
    : [...settings.extraArgs, "--title", `${name} on ${report.target}`];
  try {
    await writeFile(source, slice.text);
    const outputs = Object.fromEntries(formats.map((f) => [f, `${base}.${f}`]));
    // The project's converter path: collapsed stays as cut, html is drawn by async-profiler's jfrconv.
    await renderFormats({
      source,
      sourceFormat: "collapsed",
      settings: { ...settings, extraArgs: extra },
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

/** The lines a person reads before the per-target reports. */
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
  for (const { label, taskManagers, isTaskManager } of plan.places) {
    if (isTaskManager) lines.push(`  ${label}`);
    else lines.push(`  ${label} runs ${taskManagers.length ? taskManagers.join(", ") : "no TaskManager it shows"}`);
  }
  for (const p of plan.picks)
    lines.push(`  busiest subtask on ${p.taskManagerId}: ${p.subtask + 1}/${v.parallelism}, busy ${pct(p.busy)}`);
  for (const n of plan.notices) lines.push(`  note: ${n}`);
  return `${lines.join("\n")}\n\n`;
}
