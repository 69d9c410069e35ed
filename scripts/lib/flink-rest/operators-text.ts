// `profile.mjs operators`: the jobs' vertices as a table for a person, or JSON for a program. Pure.
import type { JobView, VertexView } from "./operators.ts";

/** A ratio as a percentage, or "n/a" where Flink has none: never 0 for "unknown". */
export function pct(r: number | null): string {
  return r === null ? "n/a" : `${Math.round(r * 100)}%`;
}

/** At most `max` names, then how many more. */
function names(list: readonly string[], max = 3): string {
  return list.length <= max ? list.join(", ") : `${list.slice(0, max).join(", ")} (+${list.length - max})`;
}

export function renderOperators(jobs: readonly JobView[]): string {
  const out: string[] = [];
  let anyUnknown = false;
  for (const job of jobs) {
    out.push(`job ${job.id} "${job.name}" ${job.state}`);
    const rows = [["vertex", "id", "par", "busy max", "backpressure max", "TaskManagers", ""]];
    for (const v of job.vertices) {
      if (v.busyMax === null) anyUnknown = true;
      rows.push([
        v.name,
        v.id,
        String(v.parallelism),
        pct(v.busyMax),
        pct(v.backPressureMax),
        names(v.taskManagers),
        v.bottleneck ? "<- bottleneck" : "",
      ]);
    }
    const width = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const right = new Set([2, 3, 4]);
    for (const r of rows)
      out.push(
        `  ${r
          .map((cell, c) => (right.has(c) ? cell.padStart(width[c]!) : cell.padEnd(width[c]!)))
          .join("  ")
          .trimEnd()}`,
      );
    const known = job.vertices.filter((v) => v.busyMax !== null);
    if (known.length > 1 && known.every((v) => v.busyMax === 1)) {
      // Right after a job starts Flink's per-second views are empty and every task reads 1000 ms/s busy.
      out.push(
        "  every vertex reads 100% busy: Flink's per-second metrics have no history yet; ask again in a few seconds",
      );
    }
    const marked = job.vertices.filter((v) => v.bottleneck);
    out.push(
      marked.length > 0
        ? `  bottleneck: ${marked.map((v) => `${v.name} (busy ${pct(v.busyMax)}, not back-pressured; upstream back-pressured)`).join("; ")}`
        : "  no bottleneck: no busy vertex that is not back-pressured has a back-pressured upstream",
    );
    out.push("");
  }
  if (anyUnknown)
    out.push("n/a: Flink measures no busy time there (legacy SourceFunction sources), or has no value yet.\n");
  if (jobs.some((j) => j.vertices.some((v) => v.bottleneck)))
    out.push("Profile it: zx scripts/profile.mjs --local --flink-rest URL --operator busiest [--job ID]\n");
  return out.join("\n");
}

export function vertexJson(v: VertexView) {
  return {
    id: v.id,
    name: v.name,
    parallelism: v.parallelism,
    status: v.status,
    busy: { max: v.busyMax, avg: v.busyAvg },
    backPressure: { max: v.backPressureMax, avg: v.backPressureAvg },
    taskManagers: v.taskManagers,
    upstream: v.upstream,
    bottleneck: v.bottleneck,
  };
}

/** {"jobs":[{"id","name","state","bottleneck":[ids],"vertices":[…]}]}; ratios 0..1, null where Flink has none. */
export function operatorsJson(jobs: readonly JobView[]): string {
  return JSON.stringify(
    {
      jobs: jobs.map((j) => ({
        id: j.id,
        name: j.name,
        state: j.state,
        bottleneck: j.vertices.filter((v) => v.bottleneck).map((v) => v.id),
        vertices: j.vertices.map(vertexJson),
      })),
    },
    null,
    2,
  );
}
