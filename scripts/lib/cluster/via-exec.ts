// --via exec: the caller's own `kubectl exec` runs the helper in each TaskManager; no Job, no template.
// The helper's stdout crosses the exec stream exactly as it would cross a Job's log.
import { execa } from "execa";
import { parseHelperLine, type HelperEvent } from "../helper-events.ts";
import { createRecordDecoder, type DecodeOptions, type DecodeResult } from "../transport.ts";
import { ByteBudget, splitLines } from "./bounded-lines.ts";
import type { Kubectl } from "./kubectl.ts";
import { OTHER_JOB_LOG_LIMIT, type LogLimit } from "./log-limits.ts";
import type { TaskManagerTarget } from "./select.ts";
import type { Problem, ProblemContext } from "./wording.ts";

/** `kubectl exec` of the helper in one TaskManager: every value its own argument, the helper's after `--`. */
export function execCommand(
  kubectl: Kubectl,
  namespace: string,
  target: TaskManagerTarget,
  helper: string,
  helperArgs: readonly string[],
): string[] {
  return [
    kubectl.binary,
    ...kubectl.connection,
    "exec",
    `--namespace=${namespace}`,
    target.pod,
    `--container=${target.container}`,
    "--",
    helper,
    ...helperArgs,
  ];
}

export interface ExecRun {
  /** The helper's event lines; transport records go to the decoder instead and are not kept. */
  lines: string[];
  /** The records decoded as they came. */
  decoded: DecodeResult;
  exitCode: number | null;
  /** The last lines of kubectl exec's stderr (the helper's and kubectl's own), for errors it could not describe. */
  stderrTail: string[];
  /** The stream passed its limit: the helper was cut off there. */
  problem?: Problem;
}

export interface ExecOptions {
  /** Aborting sends kubectl SIGTERM, as on Ctrl-C. */
  signal?: AbortSignal;
  onEvent?: (event: HelperEvent) => void;
  /** The most stdout and stderr together may carry. @default OTHER_JOB_LOG_LIMIT */
  limit?: LogLimit;
  ctx?: ProblemContext;
  decode?: DecodeOptions;
}

/**
 * Runs the helper through exec and reads its output as it comes: events to `onEvent` and kept, records
 * into the decoder, so what is held is the decoded file (bounded by --max-file-mib) and the events, and
 * reading stops at `limit` whatever the helper does.
 */
export async function execHelper(command: string[], opts: ExecOptions = {}): Promise<ExecRun> {
  const [file, ...args] = command;
  if (!file) throw new Error("execHelper: empty command");
  const limit = opts.limit ?? OTHER_JOB_LOG_LIMIT;
  const budget = new ByteBudget(limit.bytes);
  const decoder = createRecordDecoder(opts.decode);
  const lines: string[] = [];
  const stderrTail: string[] = [];
  const child = execa(file, args, {
    stdin: "ignore",
    // Own process group: a terminal's Ctrl-C reaches us only, and we decide how the helper stops.
    detached: true,
    cancelSignal: opts.signal,
    killSignal: "SIGTERM",
    // SIGTERM only: kubectl then ends the exec, and the helper stops the profiler and removes its files.
    forceKillAfterDelay: false,
    // Read here as it comes, within the budget; nothing is kept by execa.
    buffer: false,
    reject: false,
  });
  const stop = () => child.kill("SIGTERM");
  const stdout = splitLines(budget, (line) => {
    const e = parseHelperLine(line);
    if (e?.type === "file" || e?.type === "chunk" || e?.type === "end") decoder.push(e);
    else if (e) lines.push(line);
    if (e) opts.onEvent?.(e);
  });
  const stderr = splitLines(budget, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
  });
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk) || stop());
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk) || stop());
  const result = await child;
  // kubectl that never ran (not found, not executable) has no exit status: that is an error.
  if (result.exitCode === undefined && result.signal === undefined) throw result.cause ?? result;
  stdout.end();
  stderr.end();
  const ctx = opts.ctx ?? { pod: "the TaskManager", namespace: "" };
  return {
    lines,
    decoded: decoder.finish(),
    exitCode: result.exitCode ?? null,
    stderrTail,
    ...(budget.exceeded ? { problem: limit.problem(ctx) } : {}),
  };
}
