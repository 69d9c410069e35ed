// Cuts a profile taken with per-thread stacks (async-profiler -t) down to the threads of one Flink operator.
// Pure: collapsed text in, collapsed text out. Every stack of a -t profile starts with a thread frame
// "[<thread name> tid=<tid>]"; Flink names a task's threads after the task (threads.ts reads them):
//   "<task name> (<i>/<n>)#<attempt>"            the task thread (a chain's task name is "A -> B")
//   "Legacy Source Thread - <task thread>"         a legacy SourceFunction's loop
//   "Source Data Fetcher for <task thread>"        FLIP-27 split fetchers
//   "Time Trigger for …", "System Time Trigger for …"  processing-time timers
// Thread names are not escaped in collapsed output: a ";" in one would split its frame, so the thread
// frame is taken up to the first ";" that follows " tid=<digits>]".
import { flinkTask, threadName } from "./threads.ts";

export interface ThreadSlice {
  /** The kept lines, as they were, newline-terminated ("" when none). */
  text: string;
  /** Samples kept, and in the whole profile. */
  samples: number;
  total: number;
  /** Distinct thread names kept, sorted. */
  threads: string[];
}

const THREAD_FRAME_END = / tid=\d+\](?=;| \d+$)/;

/** The thread name a collapsed line starts with, or undefined (a profile without -t, or a blank line). */
export function lineThread(line: string): string | undefined {
  if (!line.startsWith("[")) return undefined;
  const end = THREAD_FRAME_END.exec(line);
  return end ? threadName(line.slice(0, end.index + end[0].length)) : undefined;
}

/** The lines of `collapsed` whose thread `keep` accepts. */
export function sliceByThread(collapsed: string, keep: (thread: string) => boolean): ThreadSlice {
  const kept: string[] = [];
  const threads = new Set<string>();
  let samples = 0;
  let total = 0;
  for (const line of collapsed.split("\n")) {
    const space = line.lastIndexOf(" ");
    const count = Number(line.slice(space + 1));
    if (space <= 0 || !Number.isSafeInteger(count) || count <= 0) continue;
    total += count;
    const thread = lineThread(line);
    if (thread === undefined || !keep(thread)) continue;
    kept.push(line);
    threads.add(thread);
    samples += count;
  }
  return { text: kept.length ? `${kept.join("\n")}\n` : "", samples, total, threads: [...threads].sort() };
}

export interface OperatorThreads {
  /** The task's name as Flink names its threads: the REST vertex name (a chain's "A -> B"). */
  task: string;
  parallelism: number;
  /** 0-based subtask indexes to keep (REST numbering); absent: every subtask of the task. */
  subtasks?: ReadonlySet<number>;
}

/** A thread filter for one operator's task threads and the helper threads that work for them. */
export function operatorThreadFilter(op: OperatorThreads): (thread: string) => boolean {
  return (thread) => {
    const t = flinkTask(thread);
    return (
      t !== undefined &&
      t.task === op.task &&
      t.parallelism === op.parallelism &&
      (op.subtasks === undefined || op.subtasks.has(t.subtask - 1))
    );
  };
}
