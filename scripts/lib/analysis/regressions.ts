// `diff BASE NEW`: which frames' share of samples grew or shrank most. Each profile is normalised by its
// own total, so a longer or busier profile does not look slower. Self samples, as the differential flame
// graph colours them (red: more self samples, blue: fewer); waiting stacks are left out, as in `report`. Pure.
import { selfByFrame, type FrameTable } from "./frame-table.ts";
import { percent } from "./stack-tree.ts";

export type Change = "grew" | "shrank" | "new" | "gone";

export interface Regression {
  frame: string;
  /** Self samples in % of all of BASE's samples. */
  base: number;
  /** Self samples in % of all of NEW's samples. */
  new: number;
  /** new − base, percentage points. */
  delta: number;
  change: Change;
}

/**
 * Frames whose self share changed by at least 0.1 points: up to `limit` that grew most and `limit` that
 * shrank most, largest growth first (so the largest shrink comes last).
 */
export function regressions(base: FrameTable, next: FrameTable, limit: number): Regression[] {
  const [before, after] = [selfByFrame(base), selfByFrame(next)];
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .map((frame) => {
      const b = before.get(frame) ?? 0;
      const n = after.get(frame) ?? 0;
      return { frame, b, n, delta: share(n, next.samples) - share(b, base.samples) };
    })
    .filter((r) => Math.abs(r.delta) >= 0.05)
    .sort((x, y) => y.delta - x.delta || x.frame.localeCompare(y.frame));
  const grown = changed.filter((r) => r.delta > 0).slice(0, limit);
  const shrunk = changed.filter((r) => r.delta < 0).slice(-limit);
  return [...grown, ...shrunk].map(({ frame, b, n, delta }) => ({
    frame,
    base: percent(b, base.samples),
    new: percent(n, next.samples),
    delta: Math.round(delta * 10) / 10,
    change: b === 0 ? "new" : n === 0 ? "gone" : delta > 0 ? "grew" : "shrank",
  }));
}

const share = (n: number, of: number) => (of === 0 ? 0 : (n / of) * 100);
