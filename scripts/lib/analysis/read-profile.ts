// Profiles on disk into distinct stacks: collapsed files are streamed line by line; JFR recordings and
// html flame graphs go through async-profiler's converter into a temporary collapsed file first.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { UsageError } from "../profile-options.ts";
import { toCollapsed } from "./converter.ts";
import { forEachLine } from "./line-reader.ts";
import type { ProfileInput } from "./profile-inputs.ts";
import { addCollapsedLine, type StackCounts } from "./stack-counts.ts";

export interface ReadOptions {
  /** JFR: split stacks by thread (a "[name tid=N]" root frame), as asprof -t does. */
  threads?: boolean;
  /** Add to these stacks instead of new ones. */
  into?: StackCounts;
}

export async function readStacks(input: ProfileInput, opts: ReadOptions = {}): Promise<StackCounts> {
  const counts = opts.into ?? new Map<string, number>();
  if (input.format === "collapsed") {
    await readCollapsed(input.file, counts);
    return counts;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "profile-read-"));
  try {
    const collapsed = path.join(dir, `${input.name}.collapsed`);
    await toCollapsed(input.file, collapsed, { threads: opts.threads && input.format === "jfr" });
    await readCollapsed(collapsed, counts);
    return counts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every stack of these profiles together: one TaskManager's, a run's, a cluster's. */
export async function readAll(inputs: readonly ProfileInput[], opts: ReadOptions = {}): Promise<StackCounts> {
  const counts = opts.into ?? new Map<string, number>();
  for (const input of inputs) await readStacks(input, { ...opts, into: counts });
  return counts;
}

async function readCollapsed(file: string, counts: StackCounts): Promise<void> {
  let lineNo = 0;
  let bad: { lineNo: number; line: string } | undefined;
  await forEachLine(file, (line) => {
    lineNo++;
    if (!addCollapsedLine(counts, line) && bad === undefined && line.trim() !== "") bad = { lineNo, line };
  });
  // The format was sniffed from the first line; a later line that is not a stack means a damaged file.
  if (bad) {
    throw new UsageError(
      `${file}:${bad.lineNo} is not a collapsed stack: "${bad.line.slice(0, 80)}${bad.line.length > 80 ? "…" : ""}"`,
      "collapsed lines are frame;frame;frame COUNT (count after the last space); was the file cut short or edited?",
    );
  }
}
