// Runs the in-image helper (directly, or through `kubectl exec`) and streams its JSON-line events.
// The command is an argument array: nothing here goes through a shell.
//
// The one process runner in scripts/lib that is not execa (with project-node.mjs): every --local run
// starts here, and loading execa took 0.1–0.2 s of a run's start on this 2-core machine (measured:
// `profile.mjs --local --pid 1` 386 ms with execa here, 190 ms without), most of the 0.3 s our whole
// layer may add to a profile. A stream of lines, one signal and an exit status need nothing more.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseHelperLine, type HelperEvent } from "./helper-events.ts";

export interface HelperRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  events: HelperEvent[];
  /** The last lines the helper wrote to stderr, for errors it could not describe itself. */
  stderrTail: string[];
  /** It wrote more than maxOutputBytes and was stopped; the events so far are kept. */
  overLimit?: boolean;
}

/** The most output read from one helper run: its events are a few KiB (a local profile's records stay on disk). */
export const HELPER_OUTPUT_LIMIT = 4 * 1024 * 1024;

export interface HelperRunOptions {
  onEvent?: (event: HelperEvent) => void;
  /** Aborting sends SIGTERM: the helper then stops the profiler and removes what it wrote. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Past this many bytes of stdout and stderr (a helper gone wrong, a pod that is not ours) it is stopped. */
  maxOutputBytes?: number;
}

export function runHelper(command: readonly string[], opts: HelperRunOptions = {}): Promise<HelperRun> {
  const [file, ...args] = command;
  if (!file) return Promise.reject(new Error("runHelper: empty command"));
  return new Promise((resolve, reject) => {
    // Own process group: a terminal's Ctrl-C reaches us only, and we decide how the helper stops.
    const child = spawn(file, args, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: opts.env ?? process.env,
    });
    const events: HelperEvent[] = [];
    const stderrTail: string[] = [];
    const limit = opts.maxOutputBytes ?? HELPER_OUTPUT_LIMIT;
    let seen = 0;
    let overLimit = false;
    // Counted as it comes, so that a line that never ends is not held past the limit either.
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit && !overLimit) {
        overLimit = true;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", count);
    child.stderr.on("data", count);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (overLimit) return;
      const event = parseHelperLine(line);
      if (!event) return;
      events.push(event);
      opts.onEvent?.(event);
    });
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderrTail.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      if (stderrTail.length > 20) stderrTail.shift();
    });
    const stop = () => child.kill("SIGTERM");
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", (err) => {
      opts.signal?.removeEventListener("abort", stop);
      reject(err);
    });
    child.on("close", (exitCode, signal) => {
      opts.signal?.removeEventListener("abort", stop);
      resolve({ exitCode, signal, events, stderrTail, ...(overLimit ? { overLimit } : {}) });
    });
  });
}
