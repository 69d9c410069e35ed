// Turns what one TaskManager's helper run sent back (JSON lines: events and transport records) into a
// TargetReport: progress on the way, then decode, verify, make the asked formats from the one file sent
// (source-format.ts), rank the top frames. Nothing is written unless the transfer was complete and every
// checksum matched.
import { mkdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { summarizeCollapsed } from "../collapsed.ts";
import { treeOf } from "../analysis/stack-tree.ts";
import { noticeText, parseHelperLine, type HelperEvent } from "../helper-events.ts";
import { HintedError, type ProfileSettings } from "../profile-options.ts";
import type { TargetProgress } from "../progress.ts";
import type { TargetReport } from "../report.ts";
import { deliverFormats } from "../render-formats.ts";
import { sourceFormat } from "../source-format.ts";
import { DEFAULT_MAX_FILE_BYTES, decodeRecords, type DecodeResult } from "../transport.ts";
import { profileBase } from "./naming.ts";
import { fileTooLargeProblem, helperProblem, logProblem, type Problem, type ProblemContext } from "./wording.ts";

/** Follows a helper's events and reports progress in the same terms as --local. */
export function progressTracker(target: string, duration: number, onProgress?: (p: TargetProgress) => void) {
  const progress: TargetProgress = { target, state: "waiting", duration };
  const emit = () => onProgress?.({ ...progress });
  emit();
  return {
    onEvent(e: HelperEvent) {
      if (e.type === "started")
        Object.assign(progress, { state: "profiling", event: e.event, duration: e.duration, remaining: e.duration });
      else if (e.type === "progress")
        Object.assign(progress, { remaining: e.remaining, state: e.remaining <= 0 ? "finishing" : "profiling" });
      else if (e.type === "result" && progress.state === "profiling") progress.state = "finishing";
      else return;
      emit();
    },
    /** A state of our own (the Job is pending, the pod waits for an image...). */
    set(state: TargetProgress["state"]) {
      progress.state = state;
      emit();
    },
  };
}

export interface Finished {
  lines: readonly string[];
  /** The records, when they were decoded as they came (--via exec); else they are among `lines`. */
  decoded?: DecodeResult;
  /** The helper's (or the Job container's) exit code; undefined when unknown. */
  exitCode?: number;
  /** Output that is not the helper's stdout: kubectl exec's stderr, or nothing when it shares the log. */
  stderr?: readonly string[];
  /** A problem seen outside the log (pod events, waiting reasons). */
  problem?: Problem;
  interrupted: boolean;
}

export interface Destination {
  outputDir: string;
  cluster: string;
  runId: string;
}

export interface FinishOptions {
  /** Keep the collapsed stacks in the report (`collapsed`), e.g. to slice them by thread (--operator). */
  keepCollapsed?: boolean;
  /** --max-file-mib in bytes: the largest file accepted once decoded. @default DEFAULT_MAX_FILE_BYTES */
  maxFileBytes?: number;
}

export async function finishTarget(
  run: Finished,
  settings: ProfileSettings,
  dest: Destination,
  ctx: ProblemContext,
  { keepCollapsed = false, maxFileBytes = DEFAULT_MAX_FILE_BYTES }: FinishOptions = {},
): Promise<TargetReport> {
  const report: TargetReport = {
    target: ctx.pod,
    status: "ok",
    event: settings.event,
    files: [],
    top: [],
    waiting: 0,
    notices: [],
  };
  const events = run.lines.map(parseHelperLine).filter((e): e is HelperEvent => e !== undefined);
  let done = false;
  let helperError: Problem | undefined;
  for (const e of events) {
    if (e.type === "started") Object.assign(report, { pid: e.pid, event: e.event });
    else if (e.type === "notice") report.notices.push(noticeText(e.message, e.hint));
    else if (e.type === "done") done = true;
    else if (e.type === "error") helperError ??= helperProblem(e.code, e.message, e.hint, ctx);
  }
  const fail = (status: "failed" | "interrupted", p: { message: string; hint?: string }) => {
    report.status = status;
    report.error = { message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
    return report;
  };
  if (run.interrupted)
    return fail("interrupted", { message: "interrupted: the profiler was stopped and nothing was kept" });
  const problem = run.problem ?? helperError ?? logProblem([...run.lines, ...(run.stderr ?? [])], run.exitCode, ctx);
  if (problem) return fail("failed", problem);
  if (!done || (run.exitCode !== undefined && run.exitCode !== 0)) {
    const tail = (run.stderr ?? run.lines)
      .filter((l) => !l.startsWith("{"))
      .slice(-3)
      .join(" | ");
    return fail("failed", {
      message: `the helper did not finish (exit ${run.exitCode ?? "unknown"})`,
      hint: tail || "see the Job's log",
    });
  }

  const { files, errors } = run.decoded ?? decodeRecords(run.lines, { maxFileBytes });
  const tooLarge = errors.filter((e) => e.kind === "too-large");
  if (tooLarge.length > 0) return fail("failed", fileTooLargeProblem(tooLarge[0]!.message, maxFileBytes, ctx));
  if (errors.length > 0) {
    return fail("failed", {
      message: `the result was damaged on its way back: ${errors.map((e) => e.message).join("; ")}`,
      hint: "nothing was written; run again (the Job's log stays for an hour with --keep)",
    });
  }
  const source = sourceFormat(settings.formats);
  const file = files.find((f) => f.format === source);
  if (!file)
    return fail("failed", {
      message: `the helper sent no ${source} result`,
      hint: "see the Job's log for what the helper did",
    });

  const base = profileBase(dest.outputDir, dest.cluster, dest.runId, ctx.pod);
  const sourceFile = path.join(path.dirname(base), `.${path.basename(base)}.source.${source}`);
  try {
    await writeAtomically(sourceFile, file.bytes, dest.outputDir);
    const out = await deliverFormats({
      source: sourceFile,
      sourceFormat: source,
      settings,
      event: report.event,
      base,
      keepSource: keepCollapsed,
    });
    report.files.push(...out.files);
    Object.assign(report, summarizeCollapsed(out.collapsed.toString("utf8")), { stacks: treeOf(out.collapsed) });
    if (keepCollapsed) report.collapsed = (out.source ?? out.collapsed).toString("utf8");
  } catch (err) {
    return fail("failed", { message: (err as Error).message, hint: err instanceof HintedError ? err.hint : undefined });
  }
  return report;
}

/** A reader never sees half a file under the final name; a failure names the file and what to do. */
async function writeAtomically(file: string, bytes: Buffer, outputDir: string): Promise<void> {
  const tmp = `${file}.partial-${process.pid}`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    // The run's folders, made above, unless another target's files are in them (rmdir takes only empty ones).
    for (let dir = path.dirname(file); dir.startsWith(`${outputDir}${path.sep}`); dir = path.dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOSPC"
        ? "no space left on its volume"
        : code === "EDQUOT"
          ? "over the disk quota"
          : (err as Error).message;
    throw new HintedError(
      `the profile finished, but ${file} could not be written: ${why}`,
      `free space under ${outputDir} or choose another -o, and run again`,
    );
  }
}
