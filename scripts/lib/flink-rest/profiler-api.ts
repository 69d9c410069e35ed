// Flink's built-in profiler (FLIP-375, Flink 1.19+) as its REST API speaks it, and what its answers mean
// to a person. Pure: values in, paths, parsed answers and errors with hints out.
//
// The endpoints (per TaskManager; Flink runs one profile at a time per JVM and has no way to cancel one):
//   POST /taskmanagers/:id/profiler {"mode","duration"} → {status:"RUNNING"|"FAILED", mode, triggerTime, …}
//   GET  /taskmanagers/:id/profiler                     → {profilingList:[…]} newest first
//   GET  /taskmanagers/:id/profiler/:outputFile         → the html flame graph (async-profiler 2.9's)
// What Flink 2.3 really answers when it refuses, read from a running cluster (test/via-rest.test.ts):
//   profiling disabled: 404 {"errors":["Not found: /taskmanagers/tm-1/profiler"]} (the handlers are not
//     registered, exactly as in Flink < 1.19, so the JobManager's config and version tell which it is);
//   a profile running:  500, "java.lang.IllegalStateException: tm-1 is still under profiling.";
//   -d too long:        500, "java.lang.IllegalArgumentException: `duration` must be set between (0s, 20s].";
//   unknown id:         500, "…UnknownTaskExecutorException: No TaskExecutor registered under nope."
//   (500s carry the exception as the second of "errors": "<Exception on server side:\n<class>: <message>\n\tat …")
import { HintedError, UsageError, type ProfileEvent } from "../profile-options.ts";
import type { FlinkRestError } from "./http.ts";

export type FlinkMode = "CPU" | "ALLOC" | "LOCK" | "WALL" | "ITIMER";

/** Our events that Flink's ProfilingMode has; ctimer has no mode there. */
export const FLINK_MODES: Readonly<Partial<Record<ProfileEvent, FlinkMode>>> = {
  cpu: "CPU",
  alloc: "ALLOC",
  lock: "LOCK",
  wall: "WALL",
  itimer: "ITIMER",
};

export function flinkMode(event: ProfileEvent): FlinkMode {
  const mode = FLINK_MODES[event];
  if (mode === undefined) {
    throw new UsageError(
      `Flink's built-in profiler has no mode for -e ${event}`,
      `use one of ${Object.keys(FLINK_MODES).join(", ")} with --via rest (itimer is the closest to ctimer), or profile with --local or on Kubernetes for ${event}`,
    );
  }
  return mode;
}

/**
 * A TaskManager id goes into a URL path, so it is checked and encoded: Flink's ids are pod names, resource
 * ids (`tm-1`) or `<address>:<port>-<hex>`, never with a slash; '.' and '..' would walk the path.
 */
export function checkTaskManagerId(id: string): string {
  if (id === "" || id.length > 253 || /[/\\\u0000-\u001f\u007f]/.test(id) || id === "." || id === "..") {
    throw new UsageError(
      `"${id.slice(0, 80)}" is not a TaskManager id`,
      "copy an id from Flink's web UI or GET /taskmanagers (e.g. --tm tm-1 or --tm orders-taskmanager-1-1); ids never contain a slash",
    );
  }
  return id;
}

/** The profiler's path for a TaskManager, and for one of its files; both parts checked, then encoded. */
export function profilerPath(taskManager: string, outputFile?: string): string {
  const base = `/taskmanagers/${encodeURIComponent(checkTaskManagerId(taskManager))}/profiler`;
  if (outputFile === undefined) return base;
  // Flink names the file `<id>_<MODE>_<yyyy-MM-dd_HH_mm_ss>.html`; it comes from the server, so it is checked too.
  if (!/^[^/\\\u0000-\u001f\u007f]{1,255}\.html$/.test(outputFile) || outputFile.startsWith(".")) {
    throw new HintedError(
      `Flink named the profile ${JSON.stringify(outputFile.slice(0, 80))}, which is not a file name this tool downloads`,
      "download it from Flink's web UI (TaskManager → Profiler)",
    );
  }
  return `${base}/${encodeURIComponent(outputFile)}`;
}

export interface ProfilingInfo {
  status: "RUNNING" | "FINISHED" | "FAILED";
  mode: string;
  /** ms since the epoch, by the TaskManager's clock: with the mode, what tells our profile from others. */
  triggerTime: number;
  finishedTime: number | null;
  duration: number;
  message: string | null;
  outputFile: string | null;
}

const STATUSES = ["RUNNING", "FINISHED", "FAILED"];

export function parseProfilingInfo(v: unknown): ProfilingInfo {
  const o = (v ?? {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : null);
  if (!STATUSES.includes(o.status as string) || typeof o.triggerTime !== "number" || typeof o.duration !== "number") {
    throw new HintedError(
      `Flink's profiler answered something unexpected: ${JSON.stringify(v).slice(0, 200)}`,
      "is this Flink 1.19 or later? `--via rest` speaks the REST API of Flink's built-in profiler (FLIP-375)",
    );
  }
  return {
    status: o.status as ProfilingInfo["status"],
    mode: str(o.mode) ?? str(o.profilingMode) ?? "?",
    triggerTime: o.triggerTime,
    finishedTime: typeof o.finishedTime === "number" ? o.finishedTime : null,
    duration: o.duration,
    message: str(o.message),
    outputFile: str(o.outputFile),
  };
}

export function parseProfilingList(v: unknown): ProfilingInfo[] {
  const list = (v as { profilingList?: unknown } | null)?.profilingList;
  if (!Array.isArray(list))
    throw new HintedError(
      `Flink's profiler list is not a list: ${JSON.stringify(v).slice(0, 200)}`,
      "is this Flink 1.19 or later?",
    );
  return list.map(parseProfilingInfo);
}

/** Our profile in a TaskManager's list: the one with the trigger time and mode Flink answered our POST with. */
export function findOurs(list: readonly ProfilingInfo[], ours: ProfilingInfo): ProfilingInfo | undefined {
  return list.find((p) => p.triggerTime === ours.triggerTime && p.mode === ours.mode);
}

/** The exception Flink put in a 500's errors: its class and message, without the server's stack trace. */
export function serverException(errors: readonly string[]): { type: string; message: string } | undefined {
  for (const e of errors) {
    const m =
      /<Exception on server side:\n([\w.$]+): ([^\n]*)/.exec(e) ?? /^([\w.$]+(?:Exception|Error)): ([^\n]*)/.exec(e);
    if (m) return { type: m[1]!, message: m[2]! };
  }
  return undefined;
}

export type TriggerRefusal = "not-served" | "busy" | "duration" | "unknown-taskmanager" | "bad-request" | "other";

/** What a refused POST means, with Flink's own words in the message and what to do in the hint. */
export function explainTriggerError(
  err: FlinkRestError,
  ctx: { taskManager: string; duration: number },
): { kind: TriggerRefusal; error: HintedError } {
  const cause = serverException(err.errors);
  const said = cause?.message ?? err.errors[0]?.split("\n")[0] ?? `HTTP ${err.status}`;
  if (err.status === 404 && /^Not found/.test(err.errors[0] ?? "")) {
    return {
      kind: "not-served",
      error: new HintedError(`Flink does not serve the profiler: ${said}`, PROFILER_OFF_HINT),
    };
  }
  if (/is still under profiling/.test(said)) {
    return {
      kind: "busy",
      error: new HintedError(
        `TaskManager ${ctx.taskManager} is already profiling (Flink said: "${said}")`,
        "Flink runs one profile at a time per TaskManager JVM, and cannot stop one: wait for it to end (its duration), then run again",
      ),
    };
  }
  const max = /`duration` must be set between \(0s, (\d+)s\]/.exec(said);
  if (max) {
    return {
      kind: "duration",
      error: new HintedError(
        `-d ${ctx.duration} is longer than this cluster allows (Flink said: "${said}")`,
        `use -d ${max[1]} or less; the limit is the cluster's rest.profiling.duration-max`,
      ),
    };
  }
  if (/No TaskExecutor registered under|Could not find TaskExecutor/.test(said)) {
    return {
      kind: "unknown-taskmanager",
      error: new HintedError(
        `Flink knows no TaskManager ${ctx.taskManager} (Flink said: "${said}")`,
        "list the ids with GET /taskmanagers, or leave --tm out to profile every TaskManager",
      ),
    };
  }
  if (err.status === 400) {
    return {
      kind: "bad-request",
      error: new HintedError(
        `Flink refused the profiling request: ${said}`,
        "this Flink may not know the mode (ALLOC, LOCK, WALL, ITIMER came with 1.19); try -e cpu",
      ),
    };
  }
  return {
    kind: "other",
    error: new HintedError(
      `Flink could not start the profiler on ${ctx.taskManager}: ${said}`,
      "the JobManager's and the TaskManager's logs have the details",
    ),
  };
}

export const PROFILER_OFF_HINT =
  "set rest.profiling.enabled: true in the cluster's Flink configuration and restart it (Flink 1.19+), or profile with the project's image and Job template instead (-n NS --cluster NAME)";

/**
 * Why Flink does not serve the profiler, from its version (GET /config) and its configuration
 * (GET /jobmanager/config, which lists only the keys that were set).
 */
export function explainNotServed(version: string | undefined, enabled: string | undefined): HintedError {
  const [major, minor] = (version ?? "").split(".").map(Number);
  if (major !== undefined && minor !== undefined && (major < 1 || (major === 1 && minor < 19))) {
    return new HintedError(
      `Flink ${version} has no built-in profiler (it came with Flink 1.19)`,
      "profile with the project's image and Job template (-n NS --cluster NAME), or --local on the TaskManager's machine",
    );
  }
  const setting =
    enabled === undefined
      ? "rest.profiling.enabled is not set (default false)"
      : `rest.profiling.enabled is ${enabled}`;
  return new HintedError(
    `Flink's built-in profiler is disabled on this cluster: ${setting}${version ? ` (Flink ${version})` : ""}`,
    PROFILER_OFF_HINT,
  );
}

/**
 * async-profiler 2.9's words when perf_event_open is denied, as Flink 2.3 passes them on (a TaskManager run
 * under a seccomp filter that denies it): "Start profiler failed. java.lang.IllegalStateException: No access
 * to perf events. Try --fdtransfer or --all-user option or 'sysctl kernel.perf_event_paranoid=1'".
 * ("Perf events unavailable" is its message where the kernel has none.)
 */
export function perfBlocked(message: string | null): boolean {
  return /No access to perf events|Perf events unavailable/i.test(message ?? "");
}

/** How a FAILED profile reads: Flink's message, and for cpu the usual reason (perf events blocked). */
export function explainFailed(info: ProfilingInfo, taskManager: string): HintedError {
  const said = info.message ?? "no message";
  const perf = info.mode === "CPU" && perfBlocked(said);
  return new HintedError(
    `Flink's profiler failed on ${taskManager} (${info.mode}): ${said}`,
    perf
      ? "perf events are blocked in this TaskManager (seccomp, or kernel.perf_event_paranoid): use -e itimer"
      : "the TaskManager's log has the details (logger org.apache.flink.runtime.util.profiler.ProfilingService)",
  );
}

/**
 * TaskManagers grouped by the JVM they run in, first of each group profiled. Flink's profiler is one per JVM
 * (a singleton that refuses a second profile while one runs), and a MiniCluster runs every TaskManager in one
 * JVM, where one profile covers them all. GET /taskmanagers gives each its RPC endpoint as `path`, e.g.
 * `pekko.tcp://flink@127.0.0.1:35017/user/rpc/taskmanager_0`: TaskManagers behind one actor system (what comes
 * before `/user/`) share a JVM. (A MiniCluster with an RPC service per TaskManager is not told apart: there the
 * second profile is refused as "still under profiling".) Pure; ids sorted.
 */
export function byJvm(taskManagers: readonly { id: string; path?: unknown }[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const tm of [...taskManagers].sort((a, b) => a.id.localeCompare(b.id))) {
    const at = typeof tm.path === "string" ? tm.path.indexOf("/user/") : -1;
    const key = at > 0 ? `jvm:${(tm.path as string).slice(0, at)}` : `id:${tm.id}`;
    groups.set(key, [...(groups.get(key) ?? []), tm.id]);
  }
  return [...groups.values()];
}

/** File name safe characters of a TaskManager id, for the files written here. */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
}
