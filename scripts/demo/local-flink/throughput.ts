// The sample job's throughput: records per second that reached its sink, summed over all subtasks, read
// from the sink counter through the REST API's metrics.
import { setTimeout as sleep } from "node:timers/promises";
import { SINK_COUNTER } from "./jobs.ts";
import { getJson } from "./rest.ts";

/** What a window measured: records that reached the sink, and `mark`'s values at its two ends. */
export interface Window<T> {
  records: number;
  seconds: number;
  marks: [T, T];
}

/**
 * Measures over `seconds`, between two fresh values of the sink counter. `mark` is read right when each
 * value is seen (e.g. the TaskManager's CPU time), so that it covers the same window as the records.
 */
export async function measureWindow<T>(
  restUrl: string,
  jobId: string,
  seconds: number,
  mark: () => T,
): Promise<Window<T>> {
  const metric = await sinkMetric(restUrl, jobId);
  const first = await freshCounter(metric);
  const m0 = mark();
  await sleep(seconds * 1000);
  const last = await freshCounter(metric);
  const m1 = mark();
  return { records: last.value - first.value, seconds: (last.at - first.at) / 1000, marks: [m0, m1] };
}

/** Records per second over `seconds`, between two fresh values of the sink counter. */
export async function measureThroughput(restUrl: string, jobId: string, seconds: number): Promise<number> {
  const w = await measureWindow(restUrl, jobId, seconds, () => 0);
  return w.records / w.seconds;
}

type SinkMetric = { url: string; id: string };

/** The sink counter's REST id, e.g. "Discard__Writer.ordersDiscarded"; it appears after the first metric fetch. */
async function sinkMetric(restUrl: string, jobId: string): Promise<SinkMetric> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await getJson(`${restUrl}/jobs/${jobId}`);
    for (const v of job.vertices as { id: string }[]) {
      const url = `${restUrl}/jobs/${jobId}/vertices/${v.id}`;
      const metrics = (await getJson(`${url}/metrics`)) as { id: string }[];
      const hit = metrics.find((m) => m.id.endsWith(`.${SINK_COUNTER}`));
      if (hit) return { url, id: hit.id.replace(/^\d+\./, "") };
    }
    if (Date.now() > deadline) throw new Error(`local-flink: no ${SINK_COUNTER} metric on job ${jobId}`);
    await sleep(250);
  }
}

/**
 * REST serves metrics from a cache refreshed at most once per fetcher interval, so a value is only
 * timestamped when it changes; measuring between two changes keeps the window's error to one poll.
 */
async function freshCounter(metric: SinkMetric): Promise<{ value: number; at: number }> {
  const read = async () => {
    const rows = (await getJson(`${metric.url}/subtasks/metrics?get=${metric.id}&agg=sum`)) as { sum: number }[];
    return rows[0]?.sum ?? NaN;
  };
  const before = await read();
  const deadline = Date.now() + 10_000;
  for (;;) {
    await sleep(100);
    const value = await read();
    if (value !== before && !Number.isNaN(value)) return { value, at: Date.now() };
    if (Date.now() > deadline) return { value, at: Date.now() };
  }
}
