// Per frame, how many samples it ran itself (self) and was on the stack for (total). Frames get their
// readable names (collapsed.ts's readableFrame) and "waiting" means what it means everywhere in this
// project (collapsed.ts's isWaitingFrame): such stacks are counted apart and left out of the frame
// figures, which stay shares of all samples. Pure.
import { isWaitingFrame, readableFrame, type TopFrame } from "../collapsed.ts";
import { percent, type StackTree } from "./stack-tree.ts";
import { topK } from "./top-k.ts";

export interface FrameTable {
  /** All samples, waiting ones included. */
  samples: number;
  /** Samples whose stack ends in a waiting frame (parked, sleeping, polling). */
  waiting: number;
  /** Readable frame names; self and total are their samples in running stacks, by the same index. */
  names: readonly string[];
  self: Float64Array;
  total: Float64Array;
}

/** Readable names by frame id, with one id per readable name (_[j] and _[i] of one method are one frame). */
export function readableIds(tree: StackTree): { names: string[]; idOf: Int32Array } {
  return readableNames(tree.names);
}

export function readableNames(raw: readonly string[]): { names: string[]; idOf: Int32Array } {
  const names: string[] = [];
  const ids = new Map<string, number>();
  const idOf = new Int32Array(raw.length);
  raw.forEach((r, i) => {
    const name = readableFrame(r);
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
    }
    idOf[i] = id;
  });
  return { names, idOf };
}

/** isWaitingFrame by readable frame id, asked once per frame that is a leaf. */
export function waitingLeaves(names: readonly string[]): (id: number) => boolean {
  const known = new Uint8Array(names.length); // 0 not asked yet, 1 waits, 2 runs
  return (id) => {
    if (known[id] === 0) known[id] = isWaitingFrame(names[id]!) ? 1 : 2;
    return known[id] === 1;
  };
}

/** With `totals` false, totals stay 0: diff and skew need self samples only, and skip the walk to the root. */
export function frameTable(tree: StackTree, totals = true): FrameTable {
  const { names, idOf } = readableIds(tree);
  const waits = waitingLeaves(names);
  const self = new Float64Array(names.length);
  const total = new Float64Array(names.length);
  const seen = new Int32Array(names.length).fill(-1);
  let waiting = 0;
  for (let end = 0; end < tree.size; end++) {
    const count = tree.self[end]!;
    if (count === 0) continue;
    const leaf = idOf[tree.frame[end]!]!;
    if (waits(leaf)) {
      waiting += count;
      continue;
    }
    self[leaf]! += count;
    if (!totals) continue;
    // Recursion puts a frame on a stack more than once; it still ran for `count` samples only.
    for (let n = end; n !== -1; n = tree.parent[n]!) {
      const f = idOf[tree.frame[n]!]!;
      if (seen[f] !== end) {
        seen[f] = end;
        total[f]! += count;
      }
    }
  }
  return { samples: tree.samples, waiting, names, self, total };
}

/** Frames that ran themselves, with their self samples. */
export function selfByFrame(table: FrameTable): Map<string, number> {
  const m = new Map<string, number>();
  table.names.forEach((name, i) => {
    if (table.self[i]! > 0) m.set(name, table.self[i]!);
  });
  return m;
}

/** Frames of running code by self samples, then total; shares of all samples, one decimal. */
export function topFrames(table: FrameTable, limit: number): TopFrame[] {
  const { self, total } = table;
  return ranked(
    table,
    limit,
    (i) => self[i]! > 0,
    (a, b) => self[b]! - self[a]! || total[b]! - total[a]!,
  );
}

/** Frames of running code by total samples: where the time is spent underneath. */
export function topByTotal(table: FrameTable, limit: number): TopFrame[] {
  const { self, total } = table;
  return ranked(
    table,
    limit,
    (i) => total[i]! > 0,
    (a, b) => total[b]! - total[a]! || self[b]! - self[a]!,
  );
}

function ranked(
  table: FrameTable,
  limit: number,
  keep: (i: number) => boolean,
  order: (a: number, b: number) => number,
): TopFrame[] {
  const ids = function* () {
    for (let i = 0; i < table.names.length; i++) if (keep(i)) yield i;
  };
  return topK(ids(), limit, (a, b) => order(a, b) || byName.compare(table.names[a]!, table.names[b]!)).map((i) => ({
    frame: table.names[i]!,
    self: percent(table.self[i]!, table.samples),
    total: percent(table.total[i]!, table.samples),
  }));
}

// Ties in name order, as collapsed.ts's topFrames has them (localeCompare), but faster.
const byName = new Intl.Collator();

export const waitingPercent = (table: FrameTable): number => percent(table.waiting, table.samples);
