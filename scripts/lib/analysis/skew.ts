// `merge`: which TaskManagers look different from the rest. Each TaskManager's samples are spread over
// the frames they ran in (self samples; waiting stacks as one more bucket), normalised by its own total;
// "the rest" is the mean of the other TaskManagers' spreads, each weighing the same. The distance is
// the share of samples that would have to move to make the two spreads equal (half the summed
// absolute differences): 0 % for identical TaskManagers, 100 % for ones that share no frame. Pure.
import { selfByFrame, type FrameTable } from "./frame-table.ts";

export interface SkewRow {
  target: string;
  /** % of this TaskManager's samples that sit elsewhere than the rest's. */
  differs: number;
  /** The frame whose share differs most, with its share here and in the rest (% of samples). */
  frame: string | null;
  here: number;
  rest: number;
  /** Differs at least 1.5 times as much as the median TaskManager, and by 10 % or more. */
  outlier: boolean;
}

/** The pseudo-frame that stands for every waiting stack. */
export const WAITING = "(waiting: parked, sleeping, polling)";

type Spread = Map<string, number>;

function spread(t: FrameTable): Spread {
  const s: Spread = new Map();
  if (t.samples === 0) return s;
  for (const [frame, self] of selfByFrame(t)) s.set(frame, self / t.samples);
  if (t.waiting > 0) s.set(WAITING, t.waiting / t.samples);
  return s;
}

export function skew(tables: readonly { target: string; table: FrameTable }[]): SkewRow[] {
  if (tables.length < 2) return [];
  const spreads = tables.map((t) => spread(t.table));
  const sum: Spread = new Map();
  for (const s of spreads) for (const [f, v] of s) sum.set(f, (sum.get(f) ?? 0) + v);
  const others = tables.length - 1;
  const rows = tables.map(({ target }, i) => {
    const here = spreads[i]!;
    let distance = 0;
    let frame: string | null = null;
    let most = 0;
    for (const [f, total] of sum) {
      const h = here.get(f) ?? 0;
      const gap = Math.abs(h - (total - h) / others);
      distance += gap;
      if (gap > most || (gap === most && frame !== null && f < frame)) [frame, most] = [f, gap];
    }
    const h = frame === null ? 0 : (here.get(frame) ?? 0);
    const rest = frame === null ? 0 : ((sum.get(frame) ?? 0) - h) / others;
    return {
      target,
      differs: round(distance * 50),
      frame,
      here: round(h * 100),
      rest: round(rest * 100),
      outlier: false,
    };
  });
  const median = [...rows.map((r) => r.differs)].sort((a, b) => a - b)[Math.floor((rows.length - 1) / 2)]!;
  for (const r of rows) r.outlier = r.differs >= 10 && r.differs >= 1.5 * median;
  return rows.sort((a, b) => b.differs - a.differs || a.target.localeCompare(b.target));
}

const round = (n: number) => Math.round(n * 10) / 10;
