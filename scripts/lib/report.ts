// What a finished run looks like to a person (text) and to a program (--json). Pure.
import type { TopFrame } from "./collapsed.ts";
import type { ClusterView } from "./analysis/cluster-view.ts";
import type { StackTree } from "./analysis/stack-tree.ts";

export type TargetStatus = "ok" | "failed" | "interrupted";

export interface TargetReport {
  /** A name a person recognises: the TaskManager's pod, resource id, or `taskmanager-<pid>`. */
  target: string;
  pid?: number;
  status: TargetStatus;
  /** The event really profiled: `ctimer` when `cpu` fell back. */
  event: string;
  files: string[];
  top: TopFrame[];
  /** % of samples in waiting threads (parked, sleeping, polling), left out of `top`. */
  waiting: number;
  notices: string[];
  error?: { message: string; hint?: string };
  /** The profile's stacks, for the cluster-wide view; not part of the JSON. */
  stacks?: StackTree;
  /** The collapsed stacks (--operator slices them); not part of the JSON. */
  collapsed?: string;
  /** --operator: the operator whose threads `files` and `top` hold. */
  operator?: OperatorReport;
  /** --operator: the whole JVM's profile, kept beside the operator's. */
  jvmFiles?: string[];
}

/** What --operator says about the operator of one target (see operator-profile.ts). */
export interface OperatorReport {
  job: string;
  vertexId: string;
  /** The operator asked for: a vertex's name, or one operator of a chain. */
  name: string;
  /** The chain (the task's name, "A -> B") its threads are named after, when it is chained. */
  chain?: string;
  /** How it was chosen: bottleneck, busiest, name, vertex id. */
  reason: string;
  /** The vertex's busiest subtask's busy ratio (0..1), null where Flink has none. */
  busy: number | null;
  /** Its subtasks in this JVM whose threads the slice holds; `thread` as Flink names it (1-based). */
  subtasks: { subtask: number; attempt: number; taskManager: string; busy: number | null; thread: string }[];
  /** --via rest: Flink's profiler draws no thread frames, so `files` and `top` stay the whole JVM's. */
  wholeJvm?: boolean;
  /** Threads seen in the slice, and the samples kept of the whole JVM's. */
  threads: string[];
  samples: number;
  jvmSamples: number;
}

/**
 * The documented --json shape (README.md, profile-help.ts): {"targets":[{"target","pid","status","event",
 * "files","top","waiting","operator"?,"jvmFiles"?,"notices"?,"error"?}],"cluster"?}; "operator" and
 * "jvmFiles" with --operator, "error" a string (message and hint), "cluster" (all TaskManagers together)
 * when a cluster run has one.
 */
export function toJsonDocument(targets: readonly TargetReport[], cluster?: ClusterView): string {
  const doc = {
    targets: targets.map((t) => ({
      target: t.target,
      pid: t.pid ?? null,
      status: t.status,
      event: t.event,
      files: t.files,
      top: t.top,
      waiting: t.waiting,
      ...(t.operator ? { operator: t.operator, jvmFiles: t.jvmFiles ?? [] } : {}),
      ...(t.notices.length > 0 ? { notices: t.notices } : {}),
      ...(t.error ? { error: t.error.hint ? `${t.error.message} (${t.error.hint})` : t.error.message } : {}),
    })),
    ...(cluster ? { cluster } : {}),
  };
  return JSON.stringify(doc, null, 2);
}

export function renderReport(targets: readonly TargetReport[], topLimit = 10): string {
  const out: string[] = [];
  for (const t of targets) {
    const pid = t.pid === undefined ? "" : ` (pid ${t.pid})`;
    out.push(`${t.target}${pid}: ${t.status === "ok" ? `profiled ${t.event}` : t.status}`);
    for (const n of t.notices) out.push(`  note: ${n}`);
    if (t.error) {
      out.push(`  error: ${t.error.message}`);
      if (t.error.hint) out.push(`  hint:  ${t.error.hint}`);
    }
    if (t.operator) out.push(...operatorLines(t.operator));
    for (const f of t.files) out.push(`  wrote ${f}`);
    for (const f of t.jvmFiles ?? []) out.push(`  whole JVM: ${f}`);
    if (t.waiting >= 5)
      out.push(`  ${t.waiting.toFixed(1)}% of samples were threads waiting (parked, sleeping, polling); the rest:`);
    if (t.top.length > 0) {
      out.push("    self%  total%  frame");
      for (const f of t.top.slice(0, topLimit)) {
        out.push(`  ${pct(f.self)}  ${pct(f.total)}  ${f.frame}`);
      }
    } else if (t.status === "ok") {
      out.push("  no samples: the JVM was idle, or the filters matched nothing");
    }
    out.push("");
  }
  return out.join("\n");
}

const pct = (n: number) => `${n.toFixed(1)}%`.padStart(7);
const ratio = (r: number | null) => (r === null ? "n/a" : `${Math.round(r * 100)}%`);

function operatorLines(o: OperatorReport): string[] {
  const share = o.jvmSamples > 0 ? ` (${((o.samples / o.jvmSamples) * 100).toFixed(1)}% of the JVM's)` : "";
  const subtasks = o.subtasks.map((s) => `${s.thread} on ${s.taskManager}, busy ${ratio(s.busy)}`);
  return [
    `  operator ${o.name}${o.chain && o.chain !== o.name ? ` (in chain "${o.chain}")` : o.chain ? " (a chain)" : ""}: ${o.reason}, busy ${ratio(o.busy)} max, vertex ${o.vertexId}`,
    ...(subtasks.length > 0 ? [`  subtasks profiled: ${subtasks.join("; ")}`] : []),
    o.wholeJvm
      ? "  its threads: not cut out (Flink's profiler draws no thread frames); the files and top frames are the whole JVM's"
      : `  its threads: ${o.samples} samples${share}${o.threads.length ? `: ${o.threads.join(", ")}` : ""}`,
  ];
}
