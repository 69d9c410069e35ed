// async-profiler's own converter (bin/jfrconv of the release layout that scripts/setup.sh installs, or
// $ASYNC_PROFILER_HOME's): JFR and html to collapsed stacks, collapsed to html flame graphs, and
// differential flame graphs. It is a Java program; its failures are reported with what it said.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { asyncProfilerHome } from "../helper-events.ts";
import { HintedError } from "../profile-options.ts";

export function jfrconvPath(): string {
  return path.join(asyncProfilerHome(), "bin", "jfrconv");
}

// A cluster run converts every TaskManager's profile here: at most one converter JVM per core at a time.
let running = 0;
const queue: (() => void)[] = [];
async function oneOfFew<T>(work: () => Promise<T>): Promise<T> {
  if (running >= Math.max(1, os.availableParallelism())) await new Promise<void>((r) => queue.push(r));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    queue.shift()?.();
  }
}

/** Runs jfrconv with options first, then the files (it reads options only before its inputs). */
export function jfrconv(options: readonly string[], files: readonly string[]): Promise<void> {
  return oneOfFew(() => runJfrconv(options, files));
}

async function runJfrconv(options: readonly string[], files: readonly string[]): Promise<void> {
  const bin = jfrconvPath();
  if (!existsSync(bin)) {
    throw new HintedError(
      `async-profiler's converter is not at ${bin}`,
      "run `bash scripts/setup.sh`, or set ASYNC_PROFILER_HOME to an async-profiler 4.4+ release folder",
    );
  }
  // Loaded when first needed: a --local run that draws no flame graph here never pays for execa's start.
  const { execa } = await import("execa");
  const run = await execa(bin, [...options, ...files], { stdin: "ignore", maxBuffer: 16 << 20, reject: false });
  if (run.failed) {
    const lines = run.stderr
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    // The exception's line when there is one; else the launcher's last word (say, that it found no java).
    const said =
      lines.find((l) => /Exception|Error|error/.test(l)) ?? lines.at(-1) ?? String(run.shortMessage).split("\n")[0];
    throw new HintedError(
      `async-profiler's converter failed on ${files
        .slice(0, -1)
        .map((f) => path.basename(f))
        .join(", ")}: ${said}`,
      "check that the input is an async-profiler profile (3.0+ for html) and that java 11+ is on PATH or in JAVA_HOME",
    );
  }
}

export const toCollapsed = (input: string, output: string, opts: { threads?: boolean } = {}) =>
  jfrconv(["-o", "collapsed", ...(opts.threads ? ["--threads"] : [])], [input, output]);

export const toHtml = (input: string, output: string, title: string) =>
  jfrconv(["-o", "html", "--title", title], [input, output]);

/** A differential flame graph: widths follow NEW; red where NEW has more self samples, blue fewer, yellow new. */
export const diffHtml = (base: string, next: string, output: string, title: string) =>
  jfrconv(["--diff", "-o", "html", "--title", title], [base, next, output]);
