// `profile.mjs --local`: profiles Flink JVMs on this machine with the same helper the image carries,
// all targets in parallel, and turns what the helper reports into a TargetReport per JVM.
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { asyncProfilerHome, helperPath, noticeText } from "./helper-events.ts";
import { inProfileMjsTerms } from "./helper-hints.ts";
import type { LocalCommand } from "./profile-cli.ts";
import { HintedError, UsageError, helperArgs } from "./profile-options.ts";
import type { TargetProgress } from "./progress.ts";
import type { TargetReport } from "./report.ts";
import { HELPER_OUTPUT_LIMIT, runHelper } from "./run-helper.ts";
import { localHelperFormats, sourceFormat } from "./source-format.ts";

export interface LocalJvm {
  pid: number;
  role: string;
  target: string;
}

/** Flink JVMs the helper finds in /proc; the helper is the one place that knows Flink's main classes. */
export async function findLocalJvms(helper = helperPath()): Promise<LocalJvm[] & { uninspected?: string }> {
  const run = await runHelper([helper, "list"], { env: helperEnv() });
  const jvms: LocalJvm[] & { uninspected?: string } = [];
  for (const e of run.events) {
    if (e.type === "jvm") jvms.push({ pid: e.pid, role: e.role, target: `${e.role}-${e.pid}` });
    // Other users' processes a non-root helper may not inspect: said when no TaskManager is found.
    if (e.type === "notice" && e.code === "not-inspected") jvms.uninspected = e.message;
  }
  if (run.exitCode !== 0 && jvms.length === 0) {
    const err = run.events.find((e) => e.type === "error");
    if (err?.type === "error") throw new HintedError(err.message, err.hint);
    const said = run.stderrTail.length > 0 ? `: ${run.stderrTail.slice(-3).join(" | ")}` : ", and said nothing";
    throw new HintedError(
      `flink-profiler list exited with ${run.exitCode ?? run.signal}${said}`,
      `run ${helper} list yourself to see what it does`,
    );
  }
  return jvms;
}

export async function chooseTargets(cmd: LocalCommand, helper = helperPath()): Promise<LocalJvm[]> {
  if (cmd.pids.length > 0) {
    // An explicit pid need not be a Flink JVM the helper recognises; the helper still checks it is a JVM,
    // and says what it is when it starts (profileOne names the target then). No list first: it costs a
    // helper run before every profile.
    return cmd.pids.map(unnamedJvm);
  }
  const found = await findLocalJvms(helper);
  const taskManagers = found.filter((j) => j.role === "taskmanager");
  if (taskManagers.length === 0) {
    const others = found.length > 0 ? ` (found only: ${found.map((j) => j.target).join(", ")})` : "";
    const uninspected = found.uninspected ? `; ${found.uninspected}` : "";
    throw new UsageError(
      `no Flink TaskManager JVM is running on this machine${others}${uninspected}`,
      found.uninspected
        ? "run as the TaskManager's user or as root to profile it, or pass --pid N for a JVM of your own"
        : "start one (or run `npm run demo`), or pass --pid N for a JVM of your own",
    );
  }
  return taskManagers;
}

const unnamedJvm = (pid: number): LocalJvm => ({ pid, role: "jvm", target: `jvm-${pid}` });

/** The JVMs of --pid named by what the helper's list says they are, for a caller that needs the names first. */
export async function listedJvms(pids: readonly number[], helper = helperPath()): Promise<LocalJvm[]> {
  const found = await findLocalJvms(helper);
  return pids.map((pid) => found.find((j) => j.pid === pid) ?? unnamedJvm(pid));
}

/** On a developer's machine async-profiler lives in the project's .cache (or $ASYNC_PROFILER_HOME), not /opt. */
function helperEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ASYNC_PROFILER_HOME: asyncProfilerHome() };
}

export interface ProfileLocalOptions {
  signal?: AbortSignal;
  onProgress?: (p: TargetProgress) => void;
  helper?: string;
  /** These JVMs instead of the command's (--operator chooses them from Flink's REST API). */
  targets?: LocalJvm[];
  /** Keep each profile's collapsed stacks in its report (`collapsed`, with asprof's frame kinds where the source has them), e.g. to slice them by thread. */
  keepCollapsed?: boolean;
}

export async function profileLocal(cmd: LocalCommand, opts: ProfileLocalOptions = {}): Promise<TargetReport[]> {
  const helper = opts.helper ?? helperPath();
  const targets = opts.targets ?? (await chooseTargets(cmd, helper));
  // No converter probe here, unlike a cluster run: it would start a JVM before every local profile, and if
  // the formats cannot be made afterwards, deliverFormats keeps the profile's own file and says so.
  const outputDir = await ensureOutputDir(path.resolve(cmd.outputDir));
  return Promise.all(targets.map((t) => profileOne(t, cmd, outputDir, helper, opts)));
}

/** The -o directory, made if missing; a clear error when it cannot be (a file of that name, no permission). */
export async function ensureOutputDir(dir: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
    return dir;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") {
      throw new HintedError(
        `-o ${dir}: a file of that name is in the way (the output must be a directory)`,
        "choose another -o, or move that file",
      );
    }
    throw new HintedError(
      `-o ${dir}: cannot create the output directory (${code ?? (err as Error).message})`,
      "choose a directory you can write to with -o DIR",
    );
  }
}

async function profileOne(
  jvm: LocalJvm,
  cmd: LocalCommand,
  outputDir: string,
  helper: string,
  opts: ProfileLocalOptions,
): Promise<TargetReport> {
  // The helper records one file (source-format.ts), and draws the flame graph itself when it can; the other
  // asked formats and the top frames are made from the source here.
  const source = sourceFormat(cmd.settings.formats);
  const helperFormats = localHelperFormats(cmd.settings.formats);
  const report: TargetReport = {
    target: jvm.target,
    pid: jvm.pid,
    status: "ok",
    event: cmd.settings.event,
    files: [],
    top: [],
    waiting: 0,
    notices: [],
  };
  const progress: TargetProgress = {
    key: String(jvm.pid),
    target: jvm.target,
    state: "waiting",
    duration: cmd.settings.duration,
  };
  opts.onProgress?.({ ...progress });
  let delivered: string | undefined;
  let drawn: string | undefined;

  const running = runHelper(
    [
      helper,
      "profile",
      "--pid",
      String(jvm.pid),
      "--output-dir",
      outputDir,
      ...helperArgs(cmd.settings, { formats: helperFormats }),
    ],
    {
      signal: opts.signal,
      env: helperEnv(),
      onEvent: (e) => {
        if (e.type === "started") {
          report.event = e.event;
          // A --pid JVM is named now, by what the helper found it to be (a caller's targets keep their names).
          if (jvm.role === "jvm" && !opts.targets) report.target = progress.target = `${e.role}-${e.pid}`;
          Object.assign(progress, { state: "profiling", event: e.event, duration: e.duration, remaining: e.duration });
        } else if (e.type === "progress") {
          progress.remaining = e.remaining;
          if (e.remaining <= 0) progress.state = "finishing";
        } else if (e.type === "notice") {
          report.notices.push(noticeText(e.message, inProfileMjsTerms(e.hint, "local", helper)));
          return;
        } else if (e.type === "result") {
          if (e.format === source) delivered = e.path;
          else if (e.format === "html") drawn = e.path;
          return;
        } else if (e.type === "error") {
          report.error = { message: e.message, hint: inProfileMjsTerms(e.hint, "local", helper) };
          return;
        } else {
          return;
        }
        opts.onProgress?.({ ...progress });
      },
    },
  );
  // What turns the helper's file into the report is needed only once it is done: loaded while it profiles,
  // so that the helper starts a few milliseconds sooner (every one of them is our layer's cost).
  const finishing = Promise.all([import("./render-formats.ts"), import("./collapsed.ts")]);
  finishing.catch(() => undefined);
  const run = await running;

  // Only a finished run has a file to read; an interrupted one has removed it already.
  if (delivered && run.exitCode === 0) {
    const ext = `.${source}`;
    const base = delivered.slice(0, -ext.length);
    // Out of the way of the outputs: collapsed asked for is the source less its frame kinds.
    const sourceFile = path.join(path.dirname(base), `.${path.basename(base)}.source${ext}`);
    try {
      await rename(delivered, sourceFile);
      const rest = drawn ? cmd.settings.formats.filter((f) => f !== "html") : cmd.settings.formats;
      const [{ deliverFormats }, { summarizeCollapsed }] = await finishing;
      const out = await deliverFormats({
        source: sourceFile,
        sourceFormat: source,
        settings: { ...cmd.settings, formats: rest },
        event: report.event,
        base,
        keepSource: opts.keepCollapsed,
      });
      // In the order asked; the helper's flame graph already has its final name, <base>.html.
      report.files.push(
        ...cmd.settings.formats.map((f) => (f === "html" && drawn ? drawn : out.files[rest.indexOf(f)]!)),
      );
      const collapsed = out.collapsed.toString("utf8");
      Object.assign(report, summarizeCollapsed(collapsed));
      if (opts.keepCollapsed) report.collapsed = (out.source ?? out.collapsed).toString("utf8");
    } catch (err) {
      report.status = "failed";
      report.error = { message: (err as Error).message, hint: err instanceof HintedError ? err.hint : undefined };
    }
  }
  if (run.exitCode === 0) {
    progress.state = report.status === "ok" ? "done" : "failed";
  } else {
    const interrupted = opts.signal?.aborted === true || run.exitCode === 130;
    report.status = interrupted ? "interrupted" : "failed";
    progress.state = report.status;
    report.error ??= run.overLimit
      ? {
          message: `flink-profiler wrote more than ${HELPER_OUTPUT_LIMIT / 1024 / 1024} MiB of output and was stopped`,
          hint: `run ${helper} yourself with the same options to see what it writes`,
        }
      : {
          message: `flink-profiler exited with ${run.exitCode ?? run.signal}`,
          hint: run.stderrTail.length > 0 ? run.stderrTail.slice(-3).join(" | ") : undefined,
        };
  }
  opts.onProgress?.({ ...progress });
  return report;
}
