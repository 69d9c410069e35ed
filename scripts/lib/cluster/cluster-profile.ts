// `profile.mjs -n NS --cluster NAME`: one profiling Job (or one exec) per TaskManager, all at once up
// to --concurrency, results decoded and verified, files under <output>/<cluster>/<run>/, and nothing
// left behind: on Ctrl-C or failure the profiler is stopped everywhere and the run's Jobs deleted.
import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { HELPER_COMMAND, renderProfilingJob, type ProfilingJobTemplate } from "../../../components/profiling-job.ts";
import { JOB_HELPER_ACTION, JOB_HELPER_FLAGS } from "../../../components/helper-contract.ts";
import { parseHelperLine } from "../helper-events.ts";
import { UsageError, helperArgs } from "../profile-options.ts";
import { requireConverter } from "../render-formats.ts";
import { needsConverter } from "../source-format.ts";
import type { TargetProgress } from "../progress.ts";
import type { TargetReport } from "../report.ts";
import { MIB, type ClusterCommand } from "./cluster-cli.ts";
import {
  findTaskManagers,
  readTemplateFor,
  requireNamespace,
  resolveNamespace,
  type StoredTemplate,
} from "./context.ts";
import { renderDryRun } from "./dry-run.ts";
import { createRunFollower } from "./follow.ts";
import { execOutputLimit, jobLogLimit } from "./log-limits.ts";
import { createJobCreator } from "./jobs.ts";
import { createKubectl, type Kubectl } from "./kubectl.ts";
import { ClusterError } from "./kubectl-errors.ts";
import { newRunId } from "./naming.ts";
import { finishTarget, progressTracker, type Destination } from "./outcome.ts";
import { runPool } from "./pool.ts";
import type { Selection, TaskManagerTarget } from "./select.ts";
import { deleteRun, stopViaExec, stopViaJobs } from "./stop.ts";
import { execCommand, execHelper } from "./via-exec.ts";

export interface ClusterRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: TargetProgress) => void;
  /** One line for the person watching (run id, skipped pods, cleanup). */
  onNote?: (line: string) => void;
  runId?: string;
  kubectl?: Kubectl;
  /** Only these TaskManager pods of the choice (--operator: the ones running its busiest subtasks). */
  pods?: readonly string[];
  /** Keep each target's collapsed stacks in its report (--operator slices them by thread). */
  keepCollapsed?: boolean;
  /** The namespace, template and TaskManagers a caller has just looked up (--operator): not asked again. */
  context?: RunContext;
  /** The caller has already checked that the converter runs here. */
  converterChecked?: boolean;
}

/** What a run looks up before any Job exists. */
export interface RunContext {
  namespace: string;
  stored?: StoredTemplate;
  selection: Selection;
}

async function lookUp(kubectl: Kubectl, cmd: ClusterCommand): Promise<RunContext> {
  const namespace = await resolveNamespace(kubectl);
  await requireNamespace(kubectl, namespace);
  const stored = cmd.via === "job" ? await readTemplateFor(kubectl, namespace, cmd.choice) : undefined;
  const selection = await findTaskManagers(kubectl, namespace, cmd.choice, stored?.template.target.container);
  return { namespace, ...(stored ? { stored } : {}), selection };
}

export interface ClusterRun {
  runId: string;
  namespace: string;
  cluster: string;
  targets: TargetReport[];
  /** --dry-run: what would have been created. */
  dryRun?: string;
}

export async function profileCluster(cmd: ClusterCommand, opts: ClusterRunOptions = {}): Promise<ClusterRun> {
  // The formats are made on this machine from the one file each TaskManager sends: if they cannot be,
  // say so before any Job exists (a fallback that converts in the TaskManager would be the JVM this avoids).
  if (!cmd.dryRun && !opts.converterChecked && needsConverter(cmd.settings.formats)) await requireConverter();
  const kubectl = opts.kubectl ?? createKubectl(cmd.kube);
  const note = opts.onNote ?? (() => undefined);
  const { namespace, stored, selection } = opts.context ?? (await lookUp(kubectl, cmd));
  const template = stored?.template;
  for (const s of selection.skipped) note(`skipping ${s.pod}: ${s.reason}`);

  const runId = opts.runId ?? newRunId();
  const cluster = cmd.choice.by === "cluster" ? cmd.choice.cluster : (selection.targets[0]?.cluster ?? namespace);
  const args = helperArgs(cmd.settings, template ? { maxRecordsBytes: cmd.maxResultMiB * MIB } : {});
  // Room to be scheduled and to pull the image (--start-timeout), to profile, and to send the result.
  const deadline = Math.max(template?.activeDeadlineSeconds ?? 0, cmd.startTimeout + cmd.settings.duration + 120);
  const targets = opts.pods ? selection.targets.filter((t) => opts.pods!.includes(t.pod)) : selection.targets;
  const render = (t: TaskManagerTarget) =>
    renderProfilingJob(template!, {
      namespace,
      pod: t.pod,
      container: t.container,
      runId,
      helperArgs: args,
      activeDeadlineSeconds: deadline,
    });

  if (cmd.dryRun) {
    const text = template
      ? renderDryRun(targets.map(render), cmd.json)
      : renderDryRun(
          targets.map((t) =>
            execCommand(kubectl, namespace, t, HELPER_COMMAND, [JOB_HELPER_ACTION, ...JOB_HELPER_FLAGS, ...args]),
          ),
          cmd.json,
        );
    return { runId, namespace, cluster, targets: [], dryRun: text };
  }

  const dest: Destination = { outputDir: path.resolve(cmd.outputDir), cluster, runId };
  const finishOptions = { keepCollapsed: opts.keepCollapsed, maxFileBytes: cmd.maxFileMiB * MIB };
  await requireWritable(dest.outputDir);
  note(
    `run ${runId}: profiling ${targets.length} TaskManager(s) of ${cluster} in ${namespace} for ${cmd.settings.duration} s, ${cmd.via === "job" ? "through profiling Jobs" : "through kubectl exec"}`,
  );
  const interrupted = (t: TaskManagerTarget): TargetReport => ({
    target: t.pod,
    status: "interrupted",
    event: cmd.settings.event,
    files: [],
    top: [],
    waiting: 0,
    notices: [],
    error: { message: "interrupted before it started" },
  });

  // Both ways of running the helper end the same: the files and report from what it sent, the progress line.
  const finish = async (
    end: Parameters<typeof finishTarget>[0],
    ctx: Parameters<typeof finishTarget>[3],
    tracker: ReturnType<typeof progressTracker>,
  ) => {
    const report = await finishTarget(end, cmd.settings, dest, ctx, finishOptions);
    tracker.set(report.status === "ok" ? "done" : report.status);
    return report;
  };

  let reports: TargetReport[];
  const creationErrors: ClusterError[] = [];
  // TaskManagers where the helper may have started a profile: only these need a stop. After an
  // interrupt, any output at all counts (the helper may be starting); after a failure, a started profile.
  const reached = new Set<string>();
  const started = new Set<string>();
  // Whose helper said "done": its profile is over, whatever happens to the result here (a full -o, say).
  const ended = new Set<string>();
  try {
    if (template) {
      const follower = createRunFollower(kubectl, namespace, runId, {
        signal: opts.signal,
        startTimeoutMs: cmd.startTimeout * 1000,
        logLimit: jobLogLimit(cmd.maxResultMiB),
      });
      const creator = createJobCreator(kubectl, namespace);
      reports = await runPool(
        targets,
        cmd.concurrency,
        async (t) => {
          const ctx = {
            pod: t.pod,
            namespace,
            serviceAccount: template.serviceAccountName,
            image: template.runnerImage,
            templateConfigMap: stored!.configMap,
          };
          const tracker = progressTracker(t.pod, cmd.settings.duration, opts.onProgress);
          const job = render(t);
          try {
            await creator.create(job);
          } catch (err) {
            if (!(err instanceof ClusterError)) throw err;
            creationErrors.push(err);
            tracker.set("failed");
            return { ...interrupted(t), status: "failed" as const, error: { message: err.message, hint: err.hint } };
          }
          const end = await follower.watch(job.metadata!.name!, ctx, {
            onLine: (line) => {
              reached.add(t.pod);
              const e = parseHelperLine(line);
              if (e?.type === "started") started.add(t.pod);
              if (e?.type === "done") ended.add(t.pod);
              if (e) tracker.onEvent(e);
            },
            onWaiting: (p) => note(`${t.pod}: still waiting: ${p.message}\n  hint: ${p.hint}`),
          });
          return finish({ ...end, interrupted: end.interrupted || opts.signal?.aborted === true }, ctx, tracker);
        },
        interrupted,
        opts.signal,
      );
    } else {
      reports = await runPool(
        targets,
        cmd.concurrency,
        async (t) => {
          const ctx = { pod: t.pod, namespace };
          const tracker = progressTracker(t.pod, cmd.settings.duration, opts.onProgress);
          reached.add(t.pod);
          started.add(t.pod);
          const run = await execHelper(
            execCommand(kubectl, namespace, t, HELPER_COMMAND, [JOB_HELPER_ACTION, ...JOB_HELPER_FLAGS, ...args]),
            {
              signal: opts.signal,
              onEvent: (e) => {
                if (e.type === "done") ended.add(t.pod);
                tracker.onEvent(e);
              },
              limit: execOutputLimit(cmd.maxFileMiB),
              ctx,
              decode: { maxFileBytes: finishOptions.maxFileBytes },
            },
          );
          const end = {
            lines: run.lines,
            decoded: run.decoded,
            exitCode: run.exitCode ?? undefined,
            stderr: run.stderrTail,
            problem: run.problem,
            interrupted: opts.signal?.aborted === true,
          };
          return finish(end, ctx, tracker);
        },
        interrupted,
        opts.signal,
      );
    }
  } catch (err) {
    // Anything unexpected (a full disk under -o, say): still stop what may run and delete the run's Jobs.
    const failed = targets.map((t) => ({
      ...interrupted(t),
      status: "failed" as const,
      error: { message: (err as Error).message },
    }));
    await cleanUp(
      kubectl,
      namespace,
      runId,
      template,
      cmd,
      failed,
      targets.filter((t) => reached.has(t.pod) && !ended.has(t.pod)),
      note,
      opts.signal?.aborted === true,
    );
    throw err;
  }

  if (creationErrors.length === targets.length && creationErrors[0]) throw creationErrors[0];
  const mayRun = targets.filter((t) => (opts.signal?.aborted ? reached : started).has(t.pod) && !ended.has(t.pod));
  await cleanUp(kubectl, namespace, runId, template, cmd, reports, mayRun, note, opts.signal?.aborted === true);
  return { runId, namespace, cluster, targets: reports };
}

async function cleanUp(
  kubectl: Kubectl,
  namespace: string,
  runId: string,
  template: ProfilingJobTemplate | undefined,
  cmd: ClusterCommand,
  reports: TargetReport[],
  reached: TaskManagerTarget[],
  note: (line: string) => void,
  aborted: boolean,
): Promise<void> {
  const allOk = reports.every((r) => r.status === "ok");
  // A failed or interrupted target may still have a profiler running: stop it where it runs.
  const toStop = reached.filter((t) => reports.find((r) => r.target === t.pod)?.status !== "ok");
  if (toStop.length > 0) {
    note(`stopping the profiler in ${toStop.length} TaskManager(s)${aborted ? " after the interrupt" : ""}`);
    const stopped = template
      ? await stopViaJobs(kubectl, namespace, runId, template, toStop)
      : await stopViaExec(kubectl, namespace, HELPER_COMMAND, toStop);
    for (const u of stopped.unconfirmed) note(`could not confirm the profiler stopped in ${u.pod}: ${u.reason}`);
  }
  if (!template) return;
  if (allOk && cmd.keep) {
    note(`kept the run's Jobs; remove them with: zx scripts/profile.mjs cleanup -n ${namespace} --run ${runId}`);
    return;
  }
  try {
    await deleteRun(kubectl, namespace, runId);
  } catch (err) {
    note(
      `could not delete the run's Jobs (${(err as Error).message}); run: zx scripts/profile.mjs cleanup -n ${namespace} --run ${runId}`,
    );
  }
}

/** Checked before any Job exists: finding out after the profiles ran would waste them. */
async function requireWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(
      `cannot write profiles to ${dir}: ${(err as Error).message}`,
      "choose a writable directory with -o DIR",
    );
  }
}
