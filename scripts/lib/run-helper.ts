// Runs the in-image helper (directly, or through `kubectl exec`) and streams its JSON-line events.
// The command is an argument array: nothing here goes through a shell.
import { createInterface } from "node:readline";
import { execa } from "execa";
import { parseHelperLine, type HelperEvent } from "./helper-events.ts";

export interface HelperRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  events: HelperEvent[];
  /** The last lines the helper wrote to stderr, for errors it could not describe itself. */
  stderrTail: string[];
}

export interface HelperRunOptions {
  onEvent?: (event: HelperEvent) => void;
  /** Aborting sends SIGTERM: the helper then stops the profiler and removes what it wrote. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export async function runHelper(command: readonly string[], opts: HelperRunOptions = {}): Promise<HelperRun> {
  const [file, ...args] = command;
  if (!file) throw new Error("runHelper: empty command");
  const child = execa(file, args, {
    stdin: "ignore",
    // Own process group: a terminal's Ctrl-C reaches us only, and we decide how the helper stops.
    detached: true,
    env: opts.env ?? process.env,
    extendEnv: false,
    cancelSignal: opts.signal,
    killSignal: "SIGTERM",
    // SIGTERM only, however long the helper takes: killing it midway would leave the profiler running.
    forceKillAfterDelay: false,
    // The lines are read here as they come; nothing is kept by execa.
    buffer: false,
    reject: false,
  });
  const events: HelperEvent[] = [];
  const stderrTail: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const event = parseHelperLine(line);
    if (!event) return;
    events.push(event);
    opts.onEvent?.(event);
  });
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
  });
  const result = await child;
  // A helper that never ran (no such file, not executable) has no exit status: that is an error.
  if (result.exitCode === undefined && result.signal === undefined) throw result.cause ?? result;
  return { exitCode: result.exitCode ?? null, signal: result.signal ?? null, events, stderrTail };
}
