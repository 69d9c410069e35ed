// --via exec: the caller's own `kubectl exec` runs the helper in each TaskManager; no Job, no template.
// The helper's stdout crosses the exec stream exactly as it would cross a Job's log.
import type { HelperRun, HelperRunOptions } from "../run-helper.ts";
import { runHelper } from "../run-helper.ts";
import type { Kubectl } from "./kubectl.ts";
import type { TaskManagerTarget } from "./select.ts";

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
  lines: string[];
  run: HelperRun;
}

/** Runs the helper through exec; `onEvent` sees its events as they come, the lines are kept for the decoder. */
export async function execHelper(
  command: string[],
  opts: Pick<HelperRunOptions, "signal" | "onEvent"> = {},
): Promise<ExecRun> {
  const run = await runHelper(command, { signal: opts.signal, onEvent: opts.onEvent });
  // runHelper keeps parsed events; records are events too, so the decoder gets them back as lines.
  return { run, lines: run.events.map((e) => JSON.stringify(e)) };
}
