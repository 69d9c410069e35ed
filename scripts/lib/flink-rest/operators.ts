// Which operator of a Flink job is the bottleneck, where its subtasks run, and which of them to profile.
// Pure: REST answers in (rest-shapes.ts reads them), a model out. operators-fetch.ts does the I/O.
import { UsageError } from "../profile-options.ts";
import type { JobShape, LoadMetrics, SubtaskPlace } from "./rest-shapes.ts";

/** Flink's own back-pressure page calls a task back-pressured above 10 % ("low", "high"); "ok" up to it. */
export const BACK_PRESSURED_ABOVE = 0.1;
/** Busy for more than half of the time: the work of the vertex itself limits it. */
export const BUSY_ABOVE = 0.5;

export interface VertexView extends LoadMetrics {
  id: string;
  name: string;
  parallelism: number;
  status: string;
  /** Distinct TaskManager ids its subtasks run on, sorted. */
  taskManagers: string[];
  subtasks: SubtaskPlace[];
  /** Ids of the vertices feeding this one (the plan's inputs). */
  upstream: string[];
  /** Busy, not back-pressured itself, and at least one upstream is back-pressured. */
  bottleneck: boolean;
}

export interface JobView {
  id: string;
  name: string;
  state: string;
  vertices: VertexView[];
}

export interface VertexData {
  subtasks: SubtaskPlace[];
  load: LoadMetrics;
}

/** The job's vertices in the order Flink lists them (sources first), with load, places and the bottleneck. */
export function jobView(job: JobShape, data: ReadonlyMap<string, VertexData>): JobView {
  const vertices: VertexView[] = job.vertices.map((v) => {
    const d = data.get(v.id);
    const subtasks = d?.subtasks ?? [];
    return {
      ...v,
      ...(d?.load ?? { busyMax: null, busyAvg: null, backPressureMax: null, backPressureAvg: null }),
      taskManagers: [...new Set(subtasks.map((s) => s.taskManagerId).filter((id) => id !== ""))].sort(),
      subtasks,
      upstream: job.inputs.get(v.id) ?? [],
      bottleneck: false,
    };
  });
  const byId = new Map(vertices.map((v) => [v.id, v]));
  for (const v of vertices) {
    const busy = v.busyMax !== null && v.busyMax > BUSY_ABOVE;
    const free = v.backPressureMax !== null && v.backPressureMax <= BACK_PRESSURED_ABOVE;
    const pushedBack = v.upstream.some((u) => (byId.get(u)?.backPressureMax ?? 0) > BACK_PRESSURED_ABOVE);
    v.bottleneck = busy && free && pushedBack;
  }
  return { id: job.id, name: job.name, state: job.state, vertices };
}

/** The names of the operators in a vertex: a chain's name is theirs joined by " -> ". */
export function chainParts(vertexName: string): string[] {
  return vertexName.split(" -> ");
}

export interface OperatorChoice {
  vertex: VertexView;
  /** How it was chosen, said in the report. */
  reason: "bottleneck" | "busiest" | "name" | "vertex id";
  /** The operator the user named when it is one part of a chain. */
  operator?: string;
  /** The chain's name when the vertex is a chain of several operators. */
  chain?: string;
}

const VERTEX_ID = /^[0-9a-f]{32}$/;

/**
 * `--operator busiest|NAME|VERTEX_ID`. busiest: the busiest bottleneck, else the busiest vertex with a busy
 * time. NAME: a vertex's name, or one operator of a chain ("Score" in "Parse -> Score"); exact first, then
 * ignoring case and a "Source: "/"Sink: " prefix.
 */
export function chooseOperator(job: JobView, spec: string): OperatorChoice {
  const withChain = (vertex: VertexView, reason: OperatorChoice["reason"], operator?: string): OperatorChoice => ({
    vertex,
    reason,
    ...(operator !== undefined && operator !== vertex.name ? { operator } : {}),
    ...(chainParts(vertex.name).length > 1 ? { chain: vertex.name } : {}),
  });
  const byBusy = (vs: VertexView[]) => [...vs].sort((a, b) => (b.busyMax ?? -1) - (a.busyMax ?? -1));
  if (spec === "busiest") {
    const bottleneck = byBusy(job.vertices.filter((v) => v.bottleneck))[0];
    if (bottleneck) return withChain(bottleneck, "bottleneck");
    const busiest = byBusy(job.vertices.filter((v) => v.busyMax !== null))[0];
    if (busiest) return withChain(busiest, "busiest");
    throw new UsageError(
      `no vertex of job ${job.id} reports a busy time yet`,
      "wait a few seconds after the job starts (busy time is measured per second), or name the operator: --operator NAME",
    );
  }
  if (VERTEX_ID.test(spec)) {
    const v = job.vertices.find((x) => x.id === spec);
    if (v) return withChain(v, "vertex id");
  }
  const loose = (s: string) => s.replace(/^(Source|Sink): /i, "").toLowerCase();
  const tiers: ((name: string) => boolean)[] = [(n) => n === spec, (n) => loose(n) === loose(spec)];
  for (const matches of tiers) {
    const hits = job.vertices.flatMap((v) => {
      if (matches(v.name)) return [withChain(v, "name")];
      const part = chainParts(v.name).find(matches);
      return part === undefined ? [] : [withChain(v, "name", part)];
    });
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) {
      throw new UsageError(
        `--operator ${JSON.stringify(spec)} matches ${hits.length} vertices of job ${job.id}: ${hits.map((h) => `${h.vertex.name} (${h.vertex.id})`).join(", ")}`,
        "give the vertex id instead: --operator VERTEX_ID (see `profile.mjs operators`)",
      );
    }
  }
  throw new UsageError(
    `job ${job.id} has no operator ${JSON.stringify(spec)}; its vertices: ${job.vertices.map((v) => v.name).join(", ")}`,
    "use busiest, an operator's name or a vertex id (see `profile.mjs operators`)",
  );
}

export interface SubtaskPick extends SubtaskPlace {
  /** Its busy ratio, or null where Flink has none (legacy source). */
  busy: number | null;
}

/**
 * The subtasks to profile: the busiest per distinct TaskManager, at most `tms` TaskManagers, busiest
 * first. Subtasks without a busy time come last, in subtask order. Only RUNNING subtasks count.
 */
export function pickSubtasks(
  subtasks: readonly SubtaskPlace[],
  busy: ReadonlyMap<number, number | null>,
  tms = 3,
): SubtaskPick[] {
  const ranked = subtasks
    .filter((s) => s.status === "RUNNING" && s.taskManagerId !== "")
    .map((s) => ({ ...s, busy: busy.get(s.subtask) ?? null }))
    .sort((a, b) => (b.busy ?? -1) - (a.busy ?? -1) || a.subtask - b.subtask);
  const seen = new Set<string>();
  const picks: SubtaskPick[] = [];
  for (const s of ranked) {
    if (seen.has(s.taskManagerId)) continue;
    seen.add(s.taskManagerId);
    picks.push(s);
    if (picks.length >= tms) break;
  }
  return picks;
}

/** Pick the jobs to look at: every running job, or the one given; errors say what to do. */
export function chooseJobs(
  jobs: readonly { id: string; name?: string; state: string }[],
  wanted: string | undefined,
  needOne: boolean,
): string[] {
  const running = jobs.filter((j) => j.state === "RUNNING");
  const list = (js: readonly { id: string; name?: string; state: string }[]) =>
    js.map((j) => `${j.id}${j.name ? ` (${j.name}, ${j.state})` : ` (${j.state})`}`).join(", ");
  if (wanted !== undefined) {
    const job = jobs.find((j) => j.id === wanted);
    if (!job) {
      throw new UsageError(
        `Flink knows no job ${wanted}${jobs.length ? `; its jobs: ${list(jobs)}` : ""}`,
        running.length ? `pick one of the running jobs with --job ID` : "submit the job first, or check --flink-rest",
      );
    }
    if (job.state !== "RUNNING")
      throw new UsageError(
        `job ${wanted} is ${job.state}, not RUNNING`,
        "its operators have no busy time to read; pick a running job with --job ID",
      );
    return [job.id];
  }
  if (running.length === 0) {
    throw new UsageError(
      `no job is running in this Flink${jobs.length ? ` (it knows: ${list(jobs)})` : ""}`,
      "start the job first; operators and --operator read a running job's metrics",
    );
  }
  if (needOne && running.length > 1) {
    throw new UsageError(`${running.length} jobs are running: ${list(running)}`, "say which one with --job ID");
  }
  return running.map((j) => j.id);
}
