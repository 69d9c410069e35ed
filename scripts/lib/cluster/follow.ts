// Follows a run's Jobs: one pod list per tick for the whole run (so the API sees one request a second,
// whatever the number of TaskManagers), a log stream per pod once its container runs, and events
// only while something waits. Each watched Job ends with its log lines and exit code, or a Problem.
// A log is read up to its limit (log-limits.ts) and no further, so what is held for a Job is bounded.
import type { Kubectl } from "./kubectl.ts";
import { runSelector } from "./jobs.ts";
import { OTHER_JOB_LOG_LIMIT, type LogLimit } from "./log-limits.ts";
import { eventProblem, waitingProblem, type Problem, type ProblemContext } from "./wording.ts";

export interface JobEnd {
  lines: string[];
  exitCode?: number;
  problem?: Problem;
  interrupted: boolean;
}

export interface WatchHandlers {
  onLine?: (line: string) => void;
  /** A reason the Job's pod is not running yet (once per kind of problem), while we keep waiting. */
  onWaiting?: (problem: Problem) => void;
  /**
   * True for a line after which the Job has nothing more to say: the Job then ends at once (exit code 0)
   * instead of when the pod is seen finished, a second or two later.
   */
  isLast?: (line: string) => boolean;
}

export interface FollowOptions {
  signal?: AbortSignal;
  pollMs?: number;
  /** How long a Job's pod may take to start before we give up on it. @default 120 s */
  startTimeoutMs?: number;
  /** The most a Job's log may carry; past it the Job ends with the limit's problem. @default OTHER_JOB_LOG_LIMIT */
  logLimit?: LogLimit;
}

// Waiting reasons that will not fix themselves while we wait.
const FATAL_WAITING = new Set([
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
]);

interface Watched {
  job: string;
  ctx: ProblemContext;
  handlers: WatchHandlers;
  since: number;
  pod?: string;
  lines: string[];
  stream?: Promise<number>;
  streamDone: boolean;
  streamAbort: AbortController;
  seenProblem?: Problem;
  ended: boolean;
  finish: (end: JobEnd) => void;
}

export function createRunFollower(kubectl: Kubectl, namespace: string, runId: string, opts: FollowOptions = {}) {
  const pollMs = opts.pollMs ?? 1000;
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  const logLimit = opts.logLimit ?? OTHER_JOB_LOG_LIMIT;
  const watched = new Map<string, Watched>();
  let loop: Promise<void> | undefined;

  // Ends the wait between two polls early (set while the loop sleeps).
  let wake: (() => void) | undefined;
  // A Job can end from its stream (over the limit) while a tick looks at it: only the first end counts.
  const end = (w: Watched, e: Omit<JobEnd, "lines">) => {
    if (w.ended) return;
    w.ended = true;
    watched.delete(w.job);
    w.streamAbort.abort();
    w.finish({ lines: w.lines, ...e });
  };

  const seen = (w: Watched, p: Problem) => {
    if (w.seenProblem?.code !== p.code) w.handlers.onWaiting?.(p);
    w.seenProblem = p;
  };

  const startStream = (w: Watched, pod: string) => {
    w.pod = pod;
    // kubectl passes a log on line by line, holding a line until its newline comes: the server's own
    // limit, one byte past ours, ends a line that never does. Ours counts the bytes as they come.
    w.stream = kubectl
      .lines(
        ["logs", "--follow", `--namespace=${namespace}`, `--limit-bytes=${logLimit.bytes + 1}`, pod],
        (line) => {
          if (w.ended) return;
          w.lines.push(line);
          w.handlers.onLine?.(line);
          if (w.handlers.isLast?.(line)) end(w, { exitCode: 0, interrupted: false });
        },
        { signal: w.streamAbort.signal, maxBytes: logLimit.bytes },
      )
      .then((r) => {
        // kubectl was stopped at the limit: the lines so far stay (they are bounded), the rest is not read.
        if (r.overLimit) end(w, { problem: logLimit.problem(w.ctx), interrupted: false });
        return r.exitCode;
      })
      .catch(() => 1)
      .finally(() => {
        w.streamDone = true;
        // The container has ended: look at its pod now rather than at the next poll.
        wake?.();
      });
  };

  const tick = async () => {
    const list = await kubectl.run([
      "get",
      "pods",
      `--namespace=${namespace}`,
      `--selector=${runSelector(runId)}`,
      "-o",
      "json",
    ]);
    if (list.exitCode !== 0) return;
    const pods: any[] = JSON.parse(list.stdout).items ?? [];
    let needEvents = false;
    for (const w of [...watched.values()]) {
      if (w.ended) continue;
      const pod = pods.find(
        (p) => (p.metadata?.labels?.["batch.kubernetes.io/job-name"] ?? p.metadata?.labels?.["job-name"]) === w.job,
      );
      const phase: string = pod?.status?.phase ?? "";
      const state = pod?.status?.containerStatuses?.[0]?.state ?? {};
      if (!pod) {
        if (w.pod) {
          end(w, {
            problem: {
              code: "job-failed",
              message: `the profiling Job's pod ${w.pod} was deleted`,
              hint: "someone deleted it, or the Job hit its deadline",
            },
            interrupted: false,
          });
          continue;
        }
        needEvents ||= Date.now() - w.since > 3 * pollMs;
      } else if (phase === "Pending" || state.waiting) {
        const reason: string | undefined = state.waiting?.reason;
        const p = reason ? waitingProblem(reason, state.waiting?.message, w.ctx) : undefined;
        if (p && FATAL_WAITING.has(reason!)) {
          end(w, { problem: p, interrupted: false });
          continue;
        }
        if (p) seen(w, p);
        needEvents ||= Date.now() - w.since > 3 * pollMs;
      } else if (!w.stream) {
        startStream(w, pod.metadata.name);
      } else if ((phase === "Succeeded" || phase === "Failed") && w.streamDone) {
        const exitCode = state.terminated?.exitCode;
        if ((await w.stream) !== 0) {
          const log = await fullLog(pod.metadata.name, w.lines);
          if (log === "over-limit") {
            end(w, { problem: logLimit.problem(w.ctx), interrupted: false });
            continue;
          }
          w.lines = log;
        }
        end(w, {
          exitCode: typeof exitCode === "number" ? exitCode : phase === "Succeeded" ? 0 : 1,
          interrupted: false,
        });
        continue;
      }
      if (!w.stream && Date.now() - w.since > startTimeoutMs) {
        end(w, {
          problem: w.seenProblem ?? {
            code: "job-failed",
            message: `the profiling Job's pod did not start within ${Math.round(startTimeoutMs / 1000)} s`,
            hint: `see \`kubectl describe job -n ${namespace} ${w.job}\``,
          },
          interrupted: false,
        });
      }
    }
    if (needEvents) await readEvents();
  };

  const fullLog = async (pod: string, fallback: string[]): Promise<string[] | "over-limit"> => {
    // The server stops one byte past the limit: enough to tell a log over it, never more to hold.
    const r = await kubectl.run(["logs", `--namespace=${namespace}`, `--limit-bytes=${logLimit.bytes + 1}`, pod]);
    if (r.exitCode !== 0) return fallback;
    if (Buffer.byteLength(r.stdout) > logLimit.bytes) return "over-limit";
    return r.stdout.split("\n").filter((l) => l !== "");
  };

  const readEvents = async () => {
    // Only warnings explain a pod that does not start; a busy namespace has many more Normal events.
    const r = await kubectl.run([
      "get",
      "events",
      `--namespace=${namespace}`,
      "--field-selector=type=Warning",
      "-o",
      "json",
    ]);
    if (r.exitCode !== 0) return;
    const events: any[] = (JSON.parse(r.stdout).items ?? []).sort((a: any, b: any) =>
      String(a.lastTimestamp ?? "").localeCompare(String(b.lastTimestamp ?? "")),
    );
    for (const w of [...watched.values()]) {
      for (const e of events) {
        const name = e.involvedObject?.name;
        if (name !== w.job && !(w.pod && name === w.pod) && !String(name ?? "").startsWith(`${w.job}-`)) continue;
        const p = eventProblem(e, w.ctx);
        if (!p) continue;
        // A Job that may not create its pod will never get one: say so now rather than at the timeout.
        if (p.code === "rbac-denied" || p.code === "image-pull" || p.code === "deadline")
          end(w, { problem: p, interrupted: false });
        else seen(w, p);
        break;
      }
    }
  };

  const run = async () => {
    while (watched.size > 0) {
      if (opts.signal?.aborted) {
        for (const w of [...watched.values()]) end(w, { interrupted: true });
        break;
      }
      await tick().catch(() => undefined);
      await new Promise<void>((resolve) => {
        wake = resolve;
        void sleep(pollMs, opts.signal).then(resolve);
      });
      wake = undefined;
    }
    loop = undefined;
  };

  return {
    watch(job: string, ctx: ProblemContext, handlers: WatchHandlers = {}): Promise<JobEnd> {
      return new Promise((resolve) => {
        watched.set(job, {
          job,
          ctx,
          handlers,
          since: Date.now(),
          lines: [],
          streamDone: false,
          ended: false,
          streamAbort: new AbortController(),
          finish: resolve,
        });
        if (loop === undefined) loop = run();
      });
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
