// Flink's REST answers as the operators model needs them, read the same way from Flink 1.18 to 2.x. Pure.
// What differs between versions, and how it is read here:
//  - a subtask's place: `endpoint` "host:dataPort" (1.19+; a real 1.20.5 sends it beside a deprecated
//    `host` that is the host name alone, 2.x `endpoint` only) or `host` alone (1.18 and older);
//    `taskmanager-id` is in every version and is the join key with GET /taskmanagers.
//  - numbers: Flink writes NaN (busy time of a legacy source) as the string "NaN", per-subtask metric values
//    are strings ("918.0"), aggregates are numbers; all are read by `ratioOf`/`numberOf`, NaN and absent as null.
//  - job lists: GET /jobs/overview has {jobs:[{jid,name,state}]}, GET /jobs {jobs:[{id,status}]}: both read.
import { HintedError } from "../profile-options.ts";

export interface JobRef {
  id: string;
  name?: string;
  state: string;
}

export interface VertexRef {
  id: string;
  name: string;
  parallelism: number;
  status: string;
}

export interface JobShape {
  id: string;
  name: string;
  state: string;
  vertices: VertexRef[];
  /** vertex id → the ids of the vertices feeding it (the job plan's `nodes[].inputs`). */
  inputs: Map<string, string[]>;
}

export interface SubtaskPlace {
  /** 0-based, as REST counts; thread names count from 1. */
  subtask: number;
  attempt: number;
  status: string;
  taskManagerId: string;
  /** As Flink reports it: `endpoint` ("host:port"), else `host` (1.18: the host name); "" when absent. */
  endpoint: string;
}

export interface LoadMetrics {
  /** busyTimeMsPerSecond / 1000, or null where Flink has no busy time (legacy sources: NaN) or no value yet. */
  busyMax: number | null;
  busyAvg: number | null;
  backPressureMax: number | null;
  backPressureAvg: number | null;
}

export interface TaskManagerRef {
  id: string;
  dataPort?: number;
  /** The RPC address from `path` (pekko/akka URL), e.g. 127.0.0.1:41167. */
  rpcHost?: string;
  rpcPort?: number;
}

export const BUSY = "busyTimeMsPerSecond";
export const BACK_PRESSURED = "backPressuredTimeMsPerSecond";

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/** A finite number from a number or a numeric string; null for NaN, Infinity, "", absent. */
export function numberOf(v: unknown): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** A ms-per-second metric as a ratio 0..1 (Flink's own back-pressure page divides by 1000 too). */
export function ratioOf(v: unknown): number | null {
  const n = numberOf(v);
  return n === null ? null : Math.min(1, Math.max(0, n / 1000));
}

function unexpected(what: string): HintedError {
  return new HintedError(
    `Flink's REST API answered ${what} in a shape this tool does not know`,
    "check that --flink-rest points at a Flink JobManager (1.18 or newer)",
  );
}

/** GET /jobs/overview or GET /jobs. */
export function parseJobList(body: unknown): JobRef[] {
  const jobs = obj(body).jobs;
  if (!Array.isArray(jobs)) throw unexpected("the job list");
  return jobs
    .map((j) => {
      const o = obj(j);
      return {
        id: str(o.jid ?? o.id),
        ...(typeof o.name === "string" ? { name: o.name } : {}),
        state: str(o.state ?? o.status),
      };
    })
    .filter((j) => j.id !== "");
}

/** GET /jobs/:jid: its vertices and, from the plan, which vertex feeds which. */
export function parseJob(body: unknown): JobShape {
  const o = obj(body);
  if (!Array.isArray(o.vertices)) throw unexpected("a job");
  const vertices = o.vertices.map((v) => {
    const x = obj(v);
    return { id: str(x.id), name: str(x.name), parallelism: numberOf(x.parallelism) ?? 0, status: str(x.status) };
  });
  const inputs = new Map<string, string[]>(vertices.map((v) => [v.id, []]));
  for (const node of arr(obj(o.plan).nodes)) {
    const n = obj(node);
    const feeding = arr(n.inputs)
      .map((i) => str(obj(i).id))
      .filter((id) => id !== "");
    if (inputs.has(str(n.id))) inputs.set(str(n.id), feeding);
  }
  return { id: str(o.jid), name: str(o.name), state: str(o.state), vertices, inputs };
}

/** GET /jobs/:jid/vertices/:vid: where each subtask runs. */
export function parseSubtaskPlaces(body: unknown): SubtaskPlace[] {
  const subtasks = obj(body).subtasks;
  if (!Array.isArray(subtasks)) throw unexpected("a vertex");
  return subtasks.map((s) => {
    const o = obj(s);
    return {
      subtask: numberOf(o.subtask) ?? -1,
      attempt: numberOf(o.attempt) ?? 0,
      status: str(o.status),
      taskManagerId: str(o["taskmanager-id"]),
      endpoint: str(o.endpoint ?? o.host),
    };
  });
}

/** GET …/subtasks/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond&agg=max,avg. */
export function parseLoad(body: unknown): LoadMetrics {
  const rows = new Map(arr(body).map((r) => [str(obj(r).id), obj(r)]));
  return {
    busyMax: ratioOf(rows.get(BUSY)?.max),
    busyAvg: ratioOf(rows.get(BUSY)?.avg),
    backPressureMax: ratioOf(rows.get(BACK_PRESSURED)?.max),
    backPressureAvg: ratioOf(rows.get(BACK_PRESSURED)?.avg),
  };
}

/** GET …/subtasks/:i/metrics?get=…: [{id, value:"918.0"}] → busy and back-pressure ratios of one subtask. */
export function parseSubtaskLoad(body: unknown): { busy: number | null; backPressure: number | null } {
  const rows = new Map(arr(body).map((r) => [str(obj(r).id), obj(r).value]));
  return { busy: ratioOf(rows.get(BUSY)), backPressure: ratioOf(rows.get(BACK_PRESSURED)) };
}

/** GET /taskmanagers: ids, data ports and RPC addresses (to find a TaskManager among local JVMs). */
export function parseTaskManagers(body: unknown): TaskManagerRef[] {
  const tms = obj(body).taskmanagers;
  if (!Array.isArray(tms)) throw unexpected("the TaskManager list");
  return tms.map((t) => {
    const o = obj(t);
    const rpc = /@([^/]+):(\d+)\//.exec(str(o.path));
    const dataPort = numberOf(o.dataPort);
    return {
      id: str(o.id),
      ...(dataPort !== null && dataPort > 0 ? { dataPort } : {}),
      ...(rpc ? { rpcHost: rpc[1]!, rpcPort: Number(rpc[2]) } : {}),
    };
  });
}
