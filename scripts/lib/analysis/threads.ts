// `report --threads`: samples per thread, and per Flink operator where the thread frames are Flink
// task threads. async-profiler's -t (and jfrconv --threads) puts a frame "[<thread name> tid=<tid>]"
// at the root of every stack. Flink names a task thread "<task name> (<subtask>/<parallelism>)#<attempt>"
// (chained operators share one task, named "A -> B"), and some helper threads after it. Pure.
import { readableIds, waitingLeaves } from "./frame-table.ts";
import { percent, type StackTree } from "./stack-tree.ts";

export interface ThreadRow {
  /** Thread name (tid left out, so threads of one name add up), or the operator's task name. */
  name: string;
  samples: number;
  /** % of all samples. */
  share: number;
  /** % of all samples in which this thread (or operator) ran rather than waited. */
  running: number;
  /** Its running frame with the most self samples, or null when it only waited. */
  top: string | null;
  /** Operators only: the subtasks seen, "1/4", "2/4"... */
  subtasks?: string[];
}

export interface ThreadBreakdown {
  /** False when no stack starts with a thread frame (profiled without -t). */
  hasThreads: boolean;
  threads: ThreadRow[];
  operators: ThreadRow[];
}

export interface FlinkTask {
  task: string;
  subtask: number;
  parallelism: number;
  attempt: number;
}

const THREAD_FRAME = /^\[(.*) tid=\d+\]$/;
// Threads that work for a task carry its thread name after one of these (Flink's Task and StreamTask).
const TASK_HELPERS = /^(?:Legacy Source Thread - |Source Data Fetcher for |System Time Trigger for |Time Trigger for )/;
// Newer Flink may append " (job: <name> / <id>)": match by prefix, not equality.
const TASK_THREAD = /^(.+) \((\d+)\/(\d+)\)#(\d+)(?: \(job: .*\))?$/;

/** The thread name of a root frame "[name tid=42]", or undefined for any other frame. */
export function threadName(frame: string): string | undefined {
  return THREAD_FRAME.exec(frame)?.[1];
}

/** The Flink task a thread works for, from its name; undefined for threads that are not a task's. */
export function flinkTask(thread: string): FlinkTask | undefined {
  const m = TASK_THREAD.exec(thread.replace(TASK_HELPERS, ""));
  if (!m) return undefined;
  return { task: m[1]!, subtask: Number(m[2]), parallelism: Number(m[3]), attempt: Number(m[4]) };
}

interface Tally {
  samples: number;
  running: number;
  leaves: Map<string, number>;
  subtasks: Set<string>;
}

export function threadBreakdown(tree: StackTree, limit: number): ThreadBreakdown {
  const { names, idOf } = readableIds(tree);
  const waits = waitingLeaves(names);
  const threads = new Map<string, Tally>();
  const operators = new Map<string, Tally>();
  const tally = (into: Map<string, Tally>, key: string) => {
    let t = into.get(key);
    if (t === undefined) {
      t = { samples: 0, running: 0, leaves: new Map(), subtasks: new Set() };
      into.set(key, t);
    }
    return t;
  };
  let hasThreads = false;
  for (const end of tree.stackEnds()) {
    const count = tree.self[end]!;
    const root = tree.rootOf(end);
    const thread = threadName(tree.names[tree.frame[root]!]!);
    if (thread === undefined) continue;
    hasThreads = true;
    // A stack of the thread frame alone has no code to name.
    const leaf = idOf[tree.frame[end]!]!;
    const running = end !== root && !waits(leaf);
    const task = flinkTask(thread);
    for (const t of task ? [tally(threads, thread), tally(operators, task.task)] : [tally(threads, thread)]) {
      t.samples += count;
      if (running) {
        t.running += count;
        t.leaves.set(names[leaf]!, (t.leaves.get(names[leaf]!) ?? 0) + count);
      }
      if (task) t.subtasks.add(`${task.subtask}/${task.parallelism}`);
    }
  }
  const all = tree.samples;
  const rows = (from: Map<string, Tally>, withSubtasks: boolean): ThreadRow[] =>
    [...from]
      .sort(([a, ta], [b, tb]) => tb.running - ta.running || tb.samples - ta.samples || a.localeCompare(b))
      .slice(0, limit)
      .map(([key, t]) => ({
        name: key,
        samples: t.samples,
        share: percent(t.samples, all),
        running: percent(t.running, all),
        top: heaviest(t.leaves),
        ...(withSubtasks ? { subtasks: [...t.subtasks].sort(bySubtask) } : {}),
      }));
  return { hasThreads, threads: rows(threads, false), operators: rows(operators, true) };
}

function heaviest(leaves: Map<string, number>): string | null {
  let best: string | null = null;
  let most = 0;
  for (const [leaf, n] of leaves) {
    if (n > most || (n === most && best !== null && leaf < best)) [best, most] = [leaf, n];
  }
  return best;
}

const bySubtask = (a: string, b: string) => Number(a.split("/")[0]) - Number(b.split("/")[0]) || a.localeCompare(b);
