// Per frame, how many samples it ran itself (self) and was on the stack for (total), from distinct
// stacks. Frames get their readable names (collapsed.ts's readableFrame) and "waiting" means what
// it means everywhere in this project (collapsed.ts's isWaitingFrame): such stacks are counted apart
// and left out of the frame figures, which stay shares of all samples. Pure.
import { isWaitingFrame, readableFrame, type TopFrame } from "../collapsed.ts";
import { framesOf, percent, type StackCounts } from "./stack-counts.ts";

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

/** async-profiler's spelling → readable name, remembered: a profile repeats few frames many times. */
export function frameNamer(): (raw: string) => string {
  const names = new Map<string, string>();
  return (raw) => {
    let name = names.get(raw);
    if (name === undefined) {
      name = readableFrame(raw);
      names.set(raw, name);
    }
    return name;
  };
}

export function frameTable(counts: StackCounts, name = frameNamer()): FrameTable {
  const frames = new Map<string, FrameCounts & { seen: number }>();
  let samples = 0;
  let waiting = 0;
  let stackNo = 0;
  for (const [stack, count] of counts) {
    samples += count;
    const raw = framesOf(stack);
    const leaf = name(raw[raw.length - 1]!);
    if (isWaitingFrame(leaf)) {
      waiting += count;
      continue;
    }
    stackNo++;
    for (const r of raw) {
      const frame = name(r);
      let f = frames.get(frame);
      if (f === undefined) {
        f = { self: 0, total: 0, seen: 0 };
        frames.set(frame, f);
      }
      // Recursion puts a frame on a stack more than once; it still ran for `count` samples only.
      if (f.seen !== stackNo) {
        f.seen = stackNo;
        f.total += count;
      }
    }
    frames.get(leaf)!.self += count;
  }
  return { samples, waiting, frames };
}

/** Frames of running code by self samples, then total; shares of all samples, one decimal. */
export function topFrames(table: FrameTable, limit: number): TopFrame[] {
  return [...table.frames]
    .filter(([, f]) => f.self > 0)
    .sort(([a, fa], [b, fb]) => fb.self - fa.self || fb.total - fa.total || a.localeCompare(b))
    .slice(0, limit)
    .map(([frame, f]) => ({ frame, self: percent(f.self, table.samples), total: percent(f.total, table.samples) }));
}

/** Frames of running code by total samples: where the time is spent underneath. */
export function topByTotal(table: FrameTable, limit: number): TopFrame[] {
  return [...table.frames]
    .sort(([a, fa], [b, fb]) => fb.total - fa.total || fb.self - fa.self || a.localeCompare(b))
    .slice(0, limit)
    .map(([frame, f]) => ({ frame, self: percent(f.self, table.samples), total: percent(f.total, table.samples) }));
}

export const waitingPercent = (table: FrameTable): number => percent(table.waiting, table.samples);
