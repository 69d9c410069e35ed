// How much of a profile a frame accounts for, read from async-profiler's collapsed text or its
// HTML flame graph. Pure: text in, numbers out. Frame names are dotted Java names without the
// _[j]/_[i]/_[k] kind marks, so both formats can be asked the same question.
import { parseCollapsed, readableFrame } from "../../scripts/lib/collapsed.ts";

export type FrameTotals = {
  /** All samples of the profile. */
  samples: number;
  /** Samples with the frame anywhere on the stack, counted once per stack. */
  totals: Map<string, number>;
};

/** Frames read the same from both formats: the product's own reading of async-profiler's names. */
export const normalizeFrame = readableFrame;

export function collapsedTotals(text: string): FrameTotals {
  const totals = new Map<string, number>();
  const profile = parseCollapsed(text);
  for (const { frames, count } of profile.stacks) {
    for (const frame of new Set(frames)) totals.set(frame, (totals.get(frame) ?? 0) + count);
  }
  return { samples: profile.samples, totals };
}

/**
 * async-profiler's HTML keeps frame names in a prefix-compressed `cpool` array and the tree as a
 * depth-first sequence of f(key, level, left, width)/u(key, width)/n(key, width) calls.
 */
export function flamegraphTotals(html: string): FrameTotals {
  const pool = /const cpool = \[\n([\s\S]*?)\n\];/.exec(html);
  if (!pool) throw new Error("no cpool in the flame graph");
  const names: string[] = [];
  for (const m of pool[1]!.matchAll(/'((?:[^'\\]|\\.)*)'/g)) {
    const s = m[1]!.replace(/\\(.)/g, "$1");
    const prev = names[names.length - 1];
    names.push(prev === undefined ? s : prev.substring(0, s.charCodeAt(0) - 32) + s.substring(1));
  }
  const body = html.slice(html.indexOf("unpack(cpool);"));
  const totals = new Map<string, number>();
  const path: string[] = [];
  let samples = 0;
  let level0 = 0;
  let width0 = 0;
  for (const m of body.matchAll(/^([fun])\(([\d,]*)\)$/gm)) {
    const a = m[2]!.split(",").map(Number);
    const key = a[0]!;
    let level: number;
    let width: number | undefined;
    if (m[1] === "f") [level, width] = [a[1]!, a[3]];
    else if (m[1] === "u") [level, width] = [level0 + 1, a[1]];
    else [level, width] = [level0, a[1]];
    level0 = level;
    width0 = width || width0;
    const name = normalizeFrame(names[key >>> 3] ?? "?");
    path.length = level;
    if (level === 0) samples += width0;
    // Recursion puts a frame under itself; its samples still count once.
    else if (!path.includes(name)) totals.set(name, (totals.get(name) ?? 0) + width0);
    path[level] = name;
  }
  return { samples, totals };
}

/** Fraction of `of`'s samples (all samples when omitted) that have `frame` on the stack. */
export function share(t: FrameTotals, frame: string, of?: string): number {
  const base = of === undefined ? t.samples : (t.totals.get(of) ?? 0);
  return base === 0 ? 0 : (t.totals.get(frame) ?? 0) / base;
}

/** Frames of a package, most samples first. */
export function topFramesOf(t: FrameTotals, prefix: string, limit = 5): string[] {
  return [...t.totals]
    .filter(([f]) => f.startsWith(prefix))
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([f]) => f);
}
