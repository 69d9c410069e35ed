// Profiles on disk into distinct stacks: collapsed files are streamed line by line; JFR recordings and
// html flame graphs go through async-profiler's converter into a temporary collapsed file first.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { UsageError } from "../profile-options.ts";
import { toCollapsed } from "./converter.ts";
import { forEachLine } from "./line-reader.ts";
import { FlameGraphFormatError, flameGraphV2Collapsed, parseFlameGraphV2 } from "./flamegraph-v2.ts";
import type { CollapsedSink } from "./collapsed-line.ts";
import type { ProfileInput } from "./profile-inputs.ts";
import { StackTree } from "./stack-tree.ts";

export interface ReadOptions<T extends CollapsedSink = StackTree> {
  /** JFR: split stacks by thread (a "[name tid=N]" root frame), as asprof -t does. */
  threads?: boolean;
  /** Add to this (a tree, or leaf counts) instead of a new tree. */
  into?: T;
}

export async function readStacks<T extends CollapsedSink = StackTree>(
  input: ProfileInput,
  opts: ReadOptions<T> = {},
): Promise<T> {
  const tree = opts.into ?? (new StackTree() as unknown as T);
  if (input.format === "collapsed") {
    await readCollapsed(input.file, tree);
    return tree;
  }
  // async-profiler 2.x html, which its converter cannot read: our own reader, file in memory (such files
  // come from Flink's built-in profiler and hold a tree, far smaller than the samples behind it).
  if (input.format === "html-2") {
    let fg: ReturnType<typeof parseFlameGraphV2>;
    try {
      fg = parseFlameGraphV2(await readFile(input.file, "utf8"));
    } catch (err) {
      if (!(err instanceof FlameGraphFormatError)) throw err;
      throw new UsageError(
        `${input.file} is an async-profiler 2.x html flame graph that cannot be read back: ${err.message}`,
        "open it in a browser; profile.mjs reads only what it can read exactly",
      );
    }
    const text = Buffer.from(flameGraphV2Collapsed(fg), "utf8");
    for (let start = 0, nl = text.indexOf(10); nl >= 0; start = nl + 1, nl = text.indexOf(10, start))
      tree.addBytes(text, start, nl);
    return tree;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "profile-read-"));
  try {
    const collapsed = path.join(dir, `${input.name}.collapsed`);
    await toCollapsed(input.file, collapsed, { threads: opts.threads && input.format === "jfr" });
    await readCollapsed(collapsed, tree);
    return tree;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every stack of these profiles together: one TaskManager's, a run's, a cluster's. */
export async function readAll<T extends CollapsedSink = StackTree>(
  inputs: readonly ProfileInput[],
  opts: ReadOptions<T> = {},
): Promise<T> {
  const tree = opts.into ?? (new StackTree() as unknown as T);
  for (const input of inputs) await readStacks(input, { ...opts, into: tree });
  return tree;
}

async function readCollapsed(file: string, tree: CollapsedSink): Promise<void> {
  let lineNo = 0;
  let bad: { lineNo: number; line: string } | undefined;
  await forEachLine(file, (buf, start, end) => {
    lineNo++;
    if (tree.addBytes(buf, start, end) || bad !== undefined) return;
    const line = buf.toString("utf8", start, Math.min(end, start + 200));
    if (line.trim() !== "") bad = { lineNo, line };
  });
  // The format was sniffed from the first line; a later line that is not a stack means a damaged file.
  if (bad) {
    throw new UsageError(
      `${file}:${bad.lineNo} is not a collapsed stack: "${bad.line.slice(0, 80)}${bad.line.length > 80 ? "…" : ""}"`,
      "collapsed lines are frame;frame;frame COUNT (count after the last space); was the file cut short or edited?",
    );
  }
}
