// Reads what operators.ts needs from a JobManager's REST API: only GETs, a few at a time.
import { runPool } from "../cluster/pool.ts";
import type { FlinkRest } from "./http.ts";
import {
  chooseJobs,
  chooseOperator,
  jobView,
  type JobView,
  type OperatorChoice,
  type VertexData,
} from "./operators.ts";
import {
  BACK_PRESSURED,
  BUSY,
  parseJob,
  parseJobList,
  parseLoad,
  parseSubtaskLoad,
  parseSubtaskPlaces,
} from "./rest-shapes.ts";

/** The query of the per-vertex aggregate: the busiest subtask's and the mean busy and back-pressure times. */
export const METRICS_QUERY = `get=${BUSY},${BACK_PRESSURED}&agg=max,avg`;
/** Requests in flight at once: the JobManager answers from its metric cache; a 50-vertex job needs 101 GETs. */
const CONCURRENCY = 16;

const enc = encodeURIComponent;

/** Every running job (or the one asked for) with its vertices' load and places. */
export async function fetchJobViews(rest: FlinkRest, wanted: string | undefined, needOne: boolean): Promise<JobView[]> {
  const ids = chooseJobs(parseJobList(await rest.getJson("/jobs/overview")), wanted, needOne);
  return Promise.all(ids.map((id) => fetchJobView(rest, id)));
}

export async function fetchJobView(rest: FlinkRest, jobId: string): Promise<JobView> {
  const job = parseJob(await rest.getJson(`/jobs/${enc(jobId)}`));
  const data = new Map<string, VertexData>();
  await runPool(
    job.vertices,
    CONCURRENCY,
    async (v) => {
      const base = `/jobs/${enc(jobId)}/vertices/${enc(v.id)}`;
      const [detail, load] = await Promise.all([
        rest.getJson(base),
        rest.getJson(`${base}/subtasks/metrics?${METRICS_QUERY}`),
      ]);
      data.set(v.id, { subtasks: parseSubtaskPlaces(detail), load: parseLoad(load) });
    },
    () => undefined,
  );
  return jobView({ ...job, id: job.id || jobId }, data);
}

/** Busy ratio per subtask of one vertex (null where Flink has none), for choosing the busiest subtasks. */
export async function fetchSubtaskBusy(
  rest: FlinkRest,
  jobId: string,
  vertexId: string,
  subtasks: readonly number[],
): Promise<Map<number, number | null>> {
  const busy = new Map<number, number | null>();
  await runPool(
    subtasks,
    CONCURRENCY,
    async (i) => {
      const body = await rest.getJson(
        `/jobs/${enc(jobId)}/vertices/${enc(vertexId)}/subtasks/${i}/metrics?get=${BUSY},${BACK_PRESSURED}`,
      );
      busy.set(i, parseSubtaskLoad(body).busy);
    },
    () => undefined,
  );
  return busy;
}

/** The one job (--job, or the only one running), the operator `spec` names in it, and its subtasks' busy ratios. */
export async function fetchOperatorLoad(
  rest: FlinkRest,
  jobId: string | undefined,
  spec: string,
): Promise<{ jobId: string; choice: OperatorChoice; busy: Map<number, number | null> }> {
  const [job] = await fetchJobViews(rest, jobId, true);
  const choice = chooseOperator(job!, spec);
  const v = choice.vertex;
  const busy = await fetchSubtaskBusy(
    rest,
    job!.id,
    v.id,
    v.subtasks.map((s) => s.subtask),
  );
  return { jobId: job!.id, choice, busy };
}
