// The JSON lines that images/flink-profiling/bin/flink-profiler writes on stdout (their required fields are
// in its contract.json; its README explains them), and where the helper and async-profiler live in this repository.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../components/package-root.ts";
import { HELPER_LINE_FIELDS } from "../../components/helper-contract.ts";

export type HelperFormat = "html" | "collapsed" | "jfr";
export type HelperRole = "taskmanager" | "jobmanager" | "jvm";

export type StartedEvent = {
  type: "started";
  pid: number;
  role: HelperRole;
  /** The event actually profiled: `ctimer` when `cpu` was asked for but perf events are unavailable. */
  event: string;
  duration: number;
  formats: HelperFormat[];
  startedAt: string;
};
export type NoticeEvent = { type: "notice"; code: string; message: string; hint: string };
export type ProgressEvent = { type: "progress"; pid: number; elapsed: number; remaining: number };
export type ResultEvent = {
  type: "result";
  pid: number;
  format: HelperFormat;
  path: string;
  size: number;
  sha256: string;
};
export type DoneEvent = { type: "done"; pid: number; status: "ok" };
export type ErrorEvent = { type: "error"; code: string; message: string; hint: string };
export type StatusEvent = { type: "status"; pid: number; role: HelperRole; active: boolean; seconds: number | null };
export type StoppedEvent = { type: "stopped"; pid: number; role: HelperRole; wasActive: boolean };
export type JvmEvent = { type: "jvm"; pid: number; role: HelperRole; mainClass: string; uid: number | null };
export type FileRecord = {
  type: "file";
  id: string;
  name: string;
  format: string;
  size: number;
  sha256: string;
  encoding: string;
  chunks: number;
};
export type ChunkRecord = { type: "chunk"; id: string; seq: number; data: string };
export type EndRecord = { type: "end"; id: string; chunks: number };
/** One answer of the JobManager's REST API, from the `rest` action (its body as the text it was). */
export type RestRecord = { type: "rest"; path: string; status: number; body: string };
/** The `rest` action's last line: how many `rest` records it sent. */
export type RestEndRecord = { type: "rest-end"; records: number };

export type HelperEvent =
  | StartedEvent
  | NoticeEvent
  | ProgressEvent
  | ResultEvent
  | DoneEvent
  | ErrorEvent
  | StatusEvent
  | StoppedEvent
  | JvmEvent
  | FileRecord
  | ChunkRecord
  | EndRecord
  | RestRecord
  | RestEndRecord;

type FieldKind = "string" | "number" | "boolean" | "array" | "number|null";

// Required fields per type, from the helper's contract: a line that lacks one is not trusted as that event.
const SHAPES: Record<HelperEvent["type"], Record<string, FieldKind>> = HELPER_LINE_FIELDS;

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "array":
      return Array.isArray(value);
    case "number|null":
      return value === null || typeof value === "number";
    default:
      return typeof value === kind;
  }
}

/** One helper stdout line as an event; undefined for anything else (blank, log text, unknown types). */
export function parseHelperLine(line: string): HelperEvent | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== "string" || !Object.hasOwn(SHAPES, type)) return undefined;
  const shape = SHAPES[type as HelperEvent["type"]];
  for (const [field, kind] of Object.entries(shape)) {
    if (!hasKind(record[field], kind)) return undefined;
  }
  // The helper writes `hint` on every notice and error; older or foreign lines may not.
  if ((type === "notice" || type === "error") && typeof record.hint !== "string") record.hint = "";
  return record as HelperEvent;
}

// The clone's root, or the installed package's (where .cache exists only if someone made it there).
const repoRoot = PACKAGE_ROOT;

/** The in-image helper script, from this repository. */
export function helperPath(): string {
  return join(repoRoot, "images/flink-profiling/bin/flink-profiler");
}

/** The async-profiler version the image and the tests use (images/flink-profiling/async-profiler.version). */
export function asyncProfilerVersion(): string {
  return readFileSync(join(repoRoot, "images/flink-profiling/async-profiler.version"), "utf8").trim();
}

/** async-profiler's linux architecture name for a Node `process.arch`. */
export function asyncProfilerArch(arch: string = process.arch): "x64" | "arm64" {
  if (arch === "x64" || arch === "arm64") return arch;
  throw new Error(`async-profiler has no linux build for architecture ${arch}`);
}

/**
 * The release-layout directory (bin/asprof, bin/jfrconv, lib/libasyncProfiler.so):
 * $ASYNC_PROFILER_HOME when set, else the one scripts/setup/async-profiler.sh laid out in .cache.
 */
export function asyncProfilerHome(env: NodeJS.ProcessEnv = process.env, arch: string = process.arch): string {
  const fromEnv = env.ASYNC_PROFILER_HOME;
  if (fromEnv) return fromEnv;
  return join(
    repoRoot,
    ".cache/async-profiler",
    `async-profiler-${asyncProfilerVersion()}-linux-${asyncProfilerArch(arch)}`,
  );
}

/** A notice as a report shows it: its message, then what to do about it when the helper says. */
export function noticeText(message: string, hint: string): string {
  return hint ? `${message}; ${hint}` : message;
}
