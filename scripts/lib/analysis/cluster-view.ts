// What a cluster run prints after the TaskManagers' own reports: the top frames of all of them together
// and the TaskManagers whose frames differ most from the rest (merge's skew table). Pure.
import type { TopFrame } from "../collapsed.ts";
import type { TargetReport } from "../report.ts";
import { frameTable, topFrames, waitingPercent } from "./frame-table.ts";
import { skew, type SkewRow } from "./skew.ts";
import { StackTree } from "./stack-tree.ts";

export interface ClusterView {
  taskManagers: number;
  samples: number;
  waiting: number;
  top: TopFrame[];
  skew: SkewRow[];
}

/** Undefined unless two or more TaskManagers brought stacks back. */
export function clusterView(targets: readonly TargetReport[], limit = 10): ClusterView | undefined {
  const profiled = targets.filter((t) => t.status === "ok" && t.stacks !== undefined && t.stacks.samples > 0);
  if (profiled.length < 2) return undefined;
  const merged = new StackTree();
  for (const t of profiled) merged.addTree(t.stacks!);
  const table = frameTable(merged);
  return {
    taskManagers: profiled.length,
    samples: table.samples,
    waiting: waitingPercent(table),
    top: topFrames(table, limit),
    skew: skew(profiled.map((t) => ({ target: t.target, table: frameTable(t.stacks!, false) }))),
  };
}
