// Records real REST responses of a real local Flink for the pure model's tests (operators.test.ts):
//   node test/flink-rest/record-fixtures.ts [OUT.json]
//   FLINK_1_20=1 node test/flink-rest/record-fixtures.ts   (after bash test/flink-rest/flink-1.20/build.sh:
//   a real Flink 1.20.5 from Maven Central running the same pipeline written against 1.20's APIs)
// Starts Flink (scripts/demo/local-flink/: 2 TaskManagers x 2 slots) with two pipeline jobs: "unchained" (every
// operator its own task; Score is the bottleneck) and "chained + legacy source" (Legacy Events | Parse ->
// Score | Sink; a legacy source reports no busy time), lets their metrics settle, and writes every GET the
// model makes, keyed by path, as Flink answered it. Not run by the tests: the recording is the fixture.
import { writeFileSync } from "node:fs";
import { PIPELINE_JOB, startLocalFlink } from "../../scripts/demo/local-flink/index.ts";
import { METRICS_QUERY } from "../../scripts/lib/flink-rest/operators-fetch.ts";

const v120 = process.env.FLINK_1_20 === "1";
const cache120 = new URL("../../.cache/flink-1.20/", import.meta.url).pathname;
const mainClass = v120 ? "com.example.legacy.PipelineJob120" : PIPELINE_JOB;
const out = process.argv[2] ?? new URL(`./fixtures/flink-${v120 ? "1.20.5" : "2.3.0"}.json`, import.meta.url).pathname;
const flink = await startLocalFlink({
  ...(v120
    ? { distribution: { classpathFile: `${cache120}classpath.txt`, jobJar: `${cache120}pipeline-job.jar` } }
    : {}),
  taskManagers: 2,
  slotsPerTaskManager: 2,
  log: (l) => process.stderr.write(`${l}\n`),
  job: { mainClass, parallelism: 2 },
  timeoutMs: 300_000,
});
try {
  const second = await flink.submitJob({ mainClass, parallelism: 2, args: ["--chained", "--legacy-source"] });
  // busyTimeMsPerSecond is a rate over the last minute's views; give it time to mean something.
  await new Promise((r) => setTimeout(r, 20_000));
  const responses: Record<string, unknown> = {};
  const get = async (path: string) => {
    const res = await fetch(flink.restUrl + path);
    responses[path] = await res.json();
    return responses[path] as any;
  };
  await get("/config");
  await get("/jobs");
  await get("/jobs/overview");
  await get("/taskmanagers");
  for (const jid of [flink.jobId, second]) {
    const job = await get(`/jobs/${jid}`);
    for (const v of job.vertices as { id: string; parallelism: number }[]) {
      const base = `/jobs/${jid}/vertices/${v.id}`;
      await get(base);
      await get(`${base}/subtasks/metrics?${METRICS_QUERY}`);
      await get(`${base}/backpressure`);
      for (let i = 0; i < v.parallelism; i++)
        await get(`${base}/subtasks/${i}/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond`);
    }
  }
  writeFileSync(
    out,
    `${JSON.stringify({ recordedFrom: `scripts/demo/local-flink, Flink ${v120 ? "1.20.5" : "2.3.0"}`, jobs: { unchained: flink.jobId, chainedLegacy: second }, responses }, null, 1)}\n`,
  );
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await flink.stop();
}
