// What `report`, `diff` and `merge` find, as plain data: printed as text by analysis-text.ts and as it
// is by --json. Pure: distinct stacks in, results out.
import type { TopFrame } from "../collapsed.ts";
import { frameTable, topByTotal, topFrames, waitingPercent, type FrameTable } from "./frame-table.ts";
import { grepProfile, type GrepResult } from "./grep.ts";
import type { ProfileInput } from "./profile-inputs.ts";
import { regressions, type Regression } from "./regressions.ts";
import { skew, type SkewRow } from "./skew.ts";
import type { StackTree } from "./stack-tree.ts";
import { threadBreakdown, type ThreadRow } from "./threads.ts";

export interface ProfileSummary {
  profiles: { name: string; file: string; format: string }[];
  samples: number;
  /** % of samples in waiting threads, left out of the frame rankings. */
  waiting: number;
  /** Running frames by self samples (total beside), % of all samples. */
  top: TopFrame[];
}

export interface ReportResult extends ProfileSummary {
  /** Running frames by total samples. */
  topTotal: TopFrame[];
  grep?: GrepResult;
  /** --threads; empty when the profiles have no thread frames (see `hasThreads`). */
  threads?: ThreadRow[];
  operators?: ThreadRow[];
  hasThreads?: boolean;
}

export interface DiffResult {
  base: Omit<ProfileSummary, "top">;
  new: Omit<ProfileSummary, "top">;
  /** The differential flame graph. */
  html: string;
  /** Largest growth first, largest shrink last. */
  regressions: Regression[];
}

export interface MergeResult extends ProfileSummary {
  /** OUT.collapsed and OUT.html. */
  files: string[];
  /** TaskManagers whose frames differ most from the rest first. */
  skew: SkewRow[];
}

export interface ReportOptions {
  top: number;
  grep?: string;
  threads?: boolean;
}

const described = (inputs: readonly ProfileInput[]) =>
  inputs.map((i) => ({ name: i.name, file: i.file, format: i.format }));

export function summary(inputs: readonly ProfileInput[], table: FrameTable, top: number): ProfileSummary {
  return {
    profiles: described(inputs),
    samples: table.samples,
    waiting: waitingPercent(table),
    top: topFrames(table, top),
  };
}

export function reportResult(inputs: readonly ProfileInput[], tree: StackTree, opts: ReportOptions): ReportResult {
  const table = frameTable(tree);
  const result: ReportResult = { ...summary(inputs, table, opts.top), topTotal: topByTotal(table, opts.top) };
  if (opts.grep !== undefined) result.grep = grepProfile(tree, opts.grep, opts.top);
  if (opts.threads) {
    const t = threadBreakdown(tree, opts.top);
    Object.assign(result, { hasThreads: t.hasThreads, threads: t.threads, operators: t.operators });
  }
  return result;
}

export function diffResult(
  base: { inputs: readonly ProfileInput[]; table: FrameTable },
  next: { inputs: readonly ProfileInput[]; table: FrameTable },
  html: string,
  top: number,
): DiffResult {
  const side = (s: typeof base) => ({
    profiles: described(s.inputs),
    samples: s.table.samples,
    waiting: waitingPercent(s.table),
  });
  return { base: side(base), new: side(next), html, regressions: regressions(base.table, next.table, top) };
}

export function mergeResult(
  inputs: readonly ProfileInput[],
  merged: FrameTable,
  perProfile: readonly { target: string; table: FrameTable }[],
  files: string[],
  top: number,
): MergeResult {
  return { ...summary(inputs, merged, top), files, skew: skew(perProfile) };
}
