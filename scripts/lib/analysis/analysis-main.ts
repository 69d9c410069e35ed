// `profile.mjs report | diff | merge`: profiles on disk in, a table (or --json) on stdout and, for diff
// and merge, flame graphs made by async-profiler's converter. Errors are thrown for profile-main.ts to
// word (bad input: exit 2; a converter failure: 1).
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { UsageError } from "../profile-options.ts";
import type { AnalysisCommand, DiffCommand, MergeCommand, ReportCommand } from "./analysis-cli.ts";
import { renderDiff, renderMerge, renderReport } from "./analysis-text.ts";
import { diffHtml, toHtml } from "./converter.ts";
import { frameTable, type FrameTable } from "./frame-table.ts";
import { LeafCounts } from "./leaf-counts.ts";
import { resolveInputs, type ProfileInput } from "./profile-inputs.ts";
import { readAll, readStacks } from "./read-profile.ts";
import { diffResult, mergeResult, reportResult } from "./results.ts";
import { StackTree } from "./stack-tree.ts";

type Write = (text: string) => void;

export async function runAnalysis(cmd: AnalysisCommand, write: Write = (t) => process.stdout.write(t)): Promise<void> {
  if (cmd.kind === "report") return report(cmd, write);
  if (cmd.kind === "diff") return diff(cmd, write);
  return merge(cmd, write);
}

async function report(cmd: ReportCommand, write: Write): Promise<void> {
  const inputs = await resolveInputs(cmd.inputs);
  const tree = await readAll(inputs, { threads: cmd.threads });
  const result = reportResult(inputs, tree, { top: cmd.top, grep: cmd.grep, threads: cmd.threads });
  write(cmd.json ? `${JSON.stringify(result, null, 2)}\n` : renderReport(result));
}

async function diff(cmd: DiffCommand, write: Write): Promise<void> {
  const base = await resolveInputs([cmd.base]);
  const next = await resolveInputs([cmd.next]);
  const [baseName, nextName] = labels(cmd.base, cmd.next);
  await writableDir(cmd.outputDir);
  const html = path.resolve(cmd.outputDir, `diff-${baseName}-vs-${nextName}.html`);
  const title = `${baseName} → ${nextName}: red grew, blue shrank, yellow new`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), "profile-diff-"));
  try {
    // The converter reads one file of any format itself, and then runs while we read, side by side; a
    // folder or several files are merged into a collapsed file for it first.
    // Regressions need self samples only: two single files are read for their leaves alone.
    // (jfrconv cannot read async-profiler 2.x html: such a file goes to it as collapsed stacks we read.)
    const alone =
      base.length === 1 && next.length === 1 && base[0]!.format !== "html-2" && next[0]!.format !== "html-2";
    let tables: [FrameTable, FrameTable];
    if (alone) {
      const early = settled(diffHtml(base[0]!.file, next[0]!.file, html, title));
      tables = [
        (await readAll(base, { into: new LeafCounts() })).table(),
        (await readAll(next, { into: new LeafCounts() })).table(),
      ];
      (await early)();
    } else {
      const [b, n] = [await readAll(base), await readAll(next)];
      await diffHtml(
        await collapsedFor(base, b, path.join(tmp, "base.collapsed")),
        await collapsedFor(next, n, path.join(tmp, "new.collapsed")),
        html,
        title,
      );
      tables = [frameTable(b, false), frameTable(n, false)];
    }
    const result = diffResult({ inputs: base, table: tables[0] }, { inputs: next, table: tables[1] }, html, cmd.top);
    write(cmd.json ? `${JSON.stringify(result, null, 2)}\n` : renderDiff(result));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A promise that never rejects: awaiting it gives a function that returns or throws as the promise did. */
function settled(p: Promise<void>): Promise<() => void> {
  return p.then(
    () => () => undefined,
    (err: unknown) => () => {
      throw err;
    },
  );
}

/** The file the converter reads for these inputs: the one file itself, or their stacks merged. */
async function collapsedFor(inputs: readonly ProfileInput[], tree: StackTree, file: string): Promise<string> {
  return inputs.length === 1 && inputs[0]!.format !== "html-2" ? inputs[0]!.file : writeCollapsed(tree, file);
}

async function merge(cmd: MergeCommand, write: Write): Promise<void> {
  const inputs = await resolveInputs(cmd.inputs);
  await writableDir(path.dirname(path.resolve(cmd.output)));
  const merged = new StackTree();
  const perProfile: { target: string; table: FrameTable }[] = [];
  for (const input of inputs) {
    const tree = await readStacks(input);
    perProfile.push({ target: input.name, table: frameTable(tree, false) });
    merged.addTree(tree);
  }
  const collapsed = await writeCollapsed(merged, path.resolve(`${cmd.output}.collapsed`));
  const html = path.resolve(`${cmd.output}.html`);
  await toHtml(collapsed, html, `${inputs.length} profiles merged: ${path.basename(cmd.output)}`);
  const result = mergeResult(inputs, frameTable(merged), perProfile, [collapsed, html], cmd.top);
  write(cmd.json ? `${JSON.stringify(result, null, 2)}\n` : renderMerge(result));
}

/** Names for the diff's file: the profiles' own, or their folders' when both are called the same. */
function labels(base: string, next: string): [string, string] {
  const name = (p: string) => path.basename(path.resolve(p)).replace(/\.(collapsed|folded|txt|jfr|html)$/, "");
  const [b, n] = [name(base), name(next)];
  if (b !== n) return [b, n];
  const parent = (p: string) => path.basename(path.dirname(path.resolve(p)));
  return [`${parent(base)}-${b}`, `${parent(next)}-${n}`];
}

/** Collapsed text, written whole or not at all. */
async function writeCollapsed(tree: StackTree, file: string): Promise<string> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await pipeline(Readable.from(batches(tree.collapsedLines())), createWriteStream(partial));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return file;
}

/** Lines gathered into writes of about a megabyte. */
function* batches(lines: Iterable<string>): Generator<string> {
  let batch = "";
  for (const line of lines) {
    batch += line;
    if (batch.length >= 1 << 20) {
      yield batch;
      batch = "";
    }
  }
  if (batch !== "") yield batch;
}

async function writableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot write to ${dir}: ${(err as Error).message}`, "choose a writable place with -o");
  }
}
