// Per frame, how many samples it ran itself (self) and was on the stack for (total). Frames get their
// readable names (collapsed.ts's readableFrame) and "waiting" means what it means everywhere in this
// project (collapsed.ts's isWaitingFrame): such stacks are counted apart and left out of the frame
// figures, which stay shares of all samples. Pure.
import { isWaitingFrame, readableFrame, type TopFrame } from "../collapsed.ts";
import { percent, type StackTree } from "./stack-tree.ts";
import { topK } from "./top-k.ts";

export interface FrameCounts {
  self: number;
  total: number;
}

export interface FrameTable {
  /** All samples, waiting ones included. */
  samples: number;
  /** Samples whose stack ends in a waiting frame (parked, sleeping, polling). */
  waiting: number;
  /** Readable frame → samples of running stacks. */
  frames: Map<string, FrameCounts>;
}

/** Readable names by frame id, with one id per readable name (_[j] and _[i] of one method are one frame). */
export function readableIds(tree: StackTree): { names: string[]; idOf: Int32Array } {
  const names: string[] = [];
  const ids = new Map<string, number>();
  const idOf = new Int32Array(tree.names.length);
  tree.names.forEach((raw, i) => {
    const name = readableFrame(raw);
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

/** With `totals` false, total stays 0: diff and skew need self samples only, and skip the walk to the root. */
export function frameTable(tree: StackTree, totals = true): FrameTable {
  const { names, idOf } = readableIds(tree);
  const waits = waitingLeaves(names);
  const self = new Float64Array(names.length);
  const total = new Float64Array(names.length);
  const seen = new Int32Array(names.length).fill(-1);
  let waiting = 0;
  for (const end of tree.stackEnds()) {
    const count = tree.self[end]!;
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
  const frames = new Map<string, FrameCounts>();
  names.forEach((name, i) => {
    if (total[i]! > 0 || self[i]! > 0) frames.set(name, { self: self[i]!, total: total[i]! });
  });
  return { samples: tree.samples, waiting, frames };
}

/** Frames of running code by self samples, then total; shares of all samples, one decimal. */
export function topFrames(table: FrameTable, limit: number): TopFrame[] {
  return ranked(table, (a, b) => b.self - a.self || b.total - a.total, limit, (f) => f.self > 0);
}

/** Frames of running code by total samples: where the time is spent underneath. */
export function topByTotal(table: FrameTable, limit: number): TopFrame[] {
  return ranked(table, (a, b) => b.total - a.total || b.self - a.self, limit, () => true);
}

function ranked(table: FrameTable, order: (a: FrameCounts, b: FrameCounts) => number, limit: number, keep: (f: FrameCounts) => boolean): TopFrame[] {
  const kept = [...table.frames].filter(([, f]) => keep(f));
  return topK(kept, limit, ([a, fa], [b, fb]) => order(fa, fb) || byName.compare(a, b))
    .map(([frame, f]) => ({ frame, self: percent(f.self, table.samples), total: percent(f.total, table.samples) }));
}

// Ties in name order, as collapsed.ts's topFrames has them (localeCompare), but faster.
const byName = new Intl.Collator();

export const waitingPercent = (table: FrameTable): number => percent(table.waiting, table.samples);
