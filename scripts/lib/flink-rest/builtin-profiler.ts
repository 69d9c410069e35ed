// `profile.mjs --via rest`: profiles TaskManagers with Flink's built-in profiler (FLIP-375) through the
// JobManager's REST API: no exec, no image of ours, no Job. Per TaskManager, in parallel: trigger, show the
// time left, poll Flink's list until our profile is FINISHED or FAILED (with a deadline), download the html,
// and summarise it with the project's own reading of async-profiler 2.x html (flamegraph-v2.ts).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { summarizeCollapsed } from "../collapsed.ts";
import { FlameGraphFormatError, flameGraphV2Collapsed, parseFlameGraphV2 } from "../analysis/flamegraph-v2.ts";
import { HintedError } from "../profile-options.ts";
import type { TargetProgress } from "../progress.ts";
import type { TargetReport } from "../report.ts";
import { FlinkRestError, flinkRest, type FlinkRest } from "./http.ts";
import {
  explainFailed,
  explainNotServed,
  explainTriggerError,
  byJvm,
  fileSafe,
  perfBlocked,
  findOurs,
  flinkMode,
  parseProfilingInfo,
  parseProfilingList,
  profilerPath,
  type FlinkMode,
  type ProfilingInfo,
} from "./profiler-api.ts";
import { NO_CANCEL } from "./no-cancel.ts";
import type { RestCommand } from "./rest-cli.ts";

export interface RestProfileOptions {
  signal?: AbortSignal;
  onProgress?: (p: TargetProgress) => void;
  /** ms between two looks at a TaskManager's profile list. */
  pollMs?: number;
  /** Seconds Flink may take beyond the duration to stop the profiler and write the file. */
  graceSeconds?: number;
}

export async function profileViaRest(cmd: RestCommand, opts: RestProfileOptions = {}): Promise<TargetReport[]> {
  const rest = flinkRest(cmd.restUrl, { signal: opts.signal });
  const mode = flinkMode(cmd.event);
  const jvms = await chooseTaskManagers(rest, cmd.taskManagers);
  // One cheap GET before anything starts: a cluster that does not serve the profiler is refused as a whole.
  await checkServed(rest, jvms[0]![0]!);
  const outputDir = path.resolve(cmd.outputDir);
  await mkdir(outputDir, { recursive: true });
  return Promise.all(
    jvms.map(async ([id, ...others]) => {
      const report = await profileOne(rest, id!, mode, cmd, outputDir, opts);
      if (others.length > 0)
        report.notices.push(
          `${others.join(", ")} run${others.length === 1 ? "s" : ""} in the same JVM (a MiniCluster): Flink profiles the whole JVM, so this profile covers ${others.length === 1 ? "it" : "them"} too`,
        );
      return report;
    }),
  );
}

/** The TaskManagers to profile, by JVM (byJvm): those asked for, each known to the JobManager, or all it lists. */
export async function chooseTaskManagers(rest: FlinkRest, asked: readonly string[]): Promise<string[][]> {
  const answer = await rest.getJson<{ taskmanagers?: { id?: unknown; path?: unknown }[] }>("/taskmanagers");
  const known = (answer.taskmanagers ?? []).filter(
    (t): t is { id: string; path?: unknown } => typeof t.id === "string",
  );
  if (asked.length === 0) {
    if (known.length === 0)
      throw new HintedError(
        `no TaskManager is registered at ${rest.baseUrl}`,
        "start the cluster's TaskManagers, or check that --flink-rest points at the right JobManager",
      );
    return byJvm(known);
  }
  const unknown = asked.filter((id) => !known.some((t) => t.id === id));
  if (unknown.length > 0) {
    const sorted = known.map((t) => t.id).sort();
    const list = sorted.length > 0 ? sorted.slice(0, 10).join(", ") + (sorted.length > 10 ? ", …" : "") : "none";
    throw new HintedError(
      `Flink at ${rest.baseUrl} knows no TaskManager ${unknown.join(", ")}`,
      `its TaskManagers: ${list}; or leave --tm out to profile them all`,
    );
  }
  return byJvm(known.filter((t) => asked.includes(t.id)));
}

async function checkServed(rest: FlinkRest, id: string): Promise<void> {
  try {
    parseProfilingList(await rest.getJson(profilerPath(id)));
  } catch (err) {
    if (!(err instanceof FlinkRestError) || err.status !== 404 || !/^Not found/.test(err.errors[0] ?? "")) throw err;
    const version = await rest.getJson<{ "flink-version"?: string }>("/config").then(
      (c) => c["flink-version"],
      () => undefined,
    );
    const config = await rest.getJson<{ key: string; value: string }[]>("/jobmanager/config").catch(() => []);
    throw explainNotServed(version, config.find((e) => e.key === "rest.profiling.enabled")?.value);
  }
}

async function profileOne(
  rest: FlinkRest,
  id: string,
  mode: FlinkMode,
  cmd: RestCommand,
  outputDir: string,
  opts: RestProfileOptions,
): Promise<TargetReport> {
  const report: TargetReport = {
    target: id,
    status: "ok",
    event: cmd.event,
    files: [],
    top: [],
    waiting: 0,
    notices: [],
  };
  const progress: TargetProgress = { target: id, state: "waiting", duration: cmd.duration, event: cmd.event };
  const show = () => opts.onProgress?.({ ...progress, event: report.event });
  show();
  let started: ProfilingInfo | undefined;
  let startedAt = 0;
  try {
    started = await trigger(rest, id, mode, cmd.duration, report);
    startedAt = Date.now(); // our clock, not the TaskManager's (triggerTime), which may differ
    const done = await waitForEnd(rest, id, started, cmd.duration, progress, show, opts);
    const bytes = await rest.getBytes(profilerPath(id, done.outputFile ?? ""));
    report.files.push(await writeNew(path.join(outputDir, `${fileSafe(id)}-${stamp(new Date())}`), ".html", bytes));
    summarise(bytes.toString("utf8"), report);
    progress.state = "done";
  } catch (err) {
    if (opts.signal?.aborted) {
      report.status = "interrupted";
      const over = started !== undefined && Date.now() >= startedAt + cmd.duration * 1000;
      report.error = over
        ? {
            message: "interrupted after the profile ended in Flink, before its html was saved here",
            hint: `GET ${rest.baseUrl}${profilerPath(id)} lists it`,
          }
        : started
          ? {
              message: NO_CANCEL,
              hint: `its html will be listed by GET ${rest.baseUrl}${profilerPath(id)} after ${cmd.duration} s`,
            }
          : {
              message: "interrupted while asking Flink to start the profile",
              hint: `if Flink started it, it runs until its duration ends; GET ${rest.baseUrl}${profilerPath(id)} lists it`,
            };
    } else {
      report.status = "failed";
      report.error = { message: (err as Error).message, hint: err instanceof HintedError ? err.hint : undefined };
    }
    progress.state = report.status;
  }
  show();
  return report;
}

async function trigger(
  rest: FlinkRest,
  id: string,
  mode: FlinkMode,
  duration: number,
  report: TargetReport,
): Promise<ProfilingInfo> {
  let info: ProfilingInfo;
  try {
    info = parseProfilingInfo(await rest.postJson(profilerPath(id), { mode, duration }));
  } catch (err) {
    if (!(err instanceof FlinkRestError)) throw err;
    const { kind, error } = explainTriggerError(err, { taskManager: id, duration });
    if (kind === "busy") throw await withRunningProfile(rest, id, error);
    throw error;
  }
  // Flink answers a profiler that could not start with FAILED at once (e.g. "Start profiler failed. …").
  // Where perf events are blocked (a container's seccomp profile, perf_event_paranoid), CPU cannot start;
  // as --local falls back to ctimer, this falls back to ITIMER, Flink's timer-based mode, and says so.
  if (info.status === "FAILED" && mode === "CPU" && perfBlocked(info.message)) {
    report.notices.push(
      `perf events are blocked in this TaskManager, so it was profiled with itimer (Flink said: "${info.message}")`,
    );
    report.event = "itimer";
    return trigger(rest, id, "ITIMER", duration, report);
  }
  if (info.status === "FAILED") throw explainFailed(info, id);
  return info;
}

/** "still under profiling": say which profile runs and about when it ends, when Flink lists it. */
async function withRunningProfile(rest: FlinkRest, id: string, error: HintedError): Promise<HintedError> {
  const list = await rest.getJson(profilerPath(id)).then(parseProfilingList, () => []);
  const running = list.find((p) => p.status === "RUNNING");
  if (!running) return error;
  const left = Math.max(0, Math.ceil((running.triggerTime + running.duration * 1000 - Date.now()) / 1000));
  return new HintedError(
    `${error.message}; that profile (${running.mode}, ${running.duration} s) ends in about ${left} s`,
    error.hint,
  );
}

async function waitForEnd(
  rest: FlinkRest,
  id: string,
  ours: ProfilingInfo,
  duration: number,
  progress: TargetProgress,
  show: () => void,
  opts: RestProfileOptions,
): Promise<ProfilingInfo> {
  const began = Date.now();
  const grace = opts.graceSeconds ?? 30;
  const deadline = began + (duration + grace) * 1000;
  Object.assign(progress, { state: "profiling", remaining: duration });
  show();
  for (;;) {
    await sleep(opts.pollMs ?? 1000, undefined, { signal: opts.signal });
    const remaining = Math.max(0, Math.ceil(duration - (Date.now() - began) / 1000));
    Object.assign(progress, { remaining, state: remaining > 0 ? "profiling" : "finishing" });
    show();
    // Nothing to ask Flink before the duration is over: the profile cannot end earlier.
    if (remaining > 0) continue;
    const now = findOurs(parseProfilingList(await rest.getJson(profilerPath(id))), ours);
    if (now === undefined) {
      throw new HintedError(
        `Flink no longer lists the profile started on ${id}`,
        "Flink keeps rest.profiling.history-size profiles (10 by default) per TaskManager; did others start meanwhile, or did the TaskManager restart?",
      );
    }
    if (now.status === "FAILED") throw explainFailed(now, id);
    if (now.status === "FINISHED") {
      if (!now.outputFile)
        throw new HintedError(
          `Flink finished the profile on ${id} but named no file`,
          "look for it in Flink's web UI (TaskManager → Profiler)",
        );
      return now;
    }
    if (Date.now() > deadline) {
      throw new HintedError(
        `Flink did not finish the profile on ${id} within ${duration + grace} s`,
        "the TaskManager may be overloaded or gone; its log says more, and Flink's web UI (TaskManager → Profiler) shows the profile's state",
      );
    }
  }
}

/** The top frames of Flink's html, read by the project's 2.x reader; the html is kept whatever happens here. */
function summarise(html: string, report: TargetReport): void {
  try {
    const fg = parseFlameGraphV2(html);
    Object.assign(report, summarizeCollapsed(flameGraphV2Collapsed(fg)));
    if (fg.samples === 0)
      report.notices.push(
        `Flink's profile has no samples: nothing happened that ${report.event} counts (for lock, no contention)`,
      );
    if (fg.hidden > 0)
      report.notices.push(`${fg.hidden} samples of frames too narrow to draw count as their callers' own`);
  } catch (err) {
    if (!(err instanceof FlameGraphFormatError)) throw err;
    report.notices.push(`no top frames: Flink's html could not be read back (${err.message}); open the html itself`);
  }
}

/** Writes base+ext, or base-2+ext… when a run of the same second wrote it: never over another file. */
async function writeNew(base: string, ext: string, bytes: Buffer): Promise<string> {
  for (let n = 1; ; n++) {
    const file = `${base}${n === 1 ? "" : `-${n}`}${ext}`;
    try {
      await writeFile(file, bytes, { flag: "wx" });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n >= 100) throw err;
    }
  }
}

/** UTC time as in the other file names of the project: 20261124T062149Z. */
function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}
