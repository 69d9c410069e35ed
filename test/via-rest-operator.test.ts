// `profile.mjs --via rest --operator busiest` against real Flink 2.3 with its built-in profiler enabled,
// running the pipeline job (Score the bottleneck) on two TaskManagers: the operator is chosen from Flink's
// REST API, Flink's profiler runs on the TaskManagers of its busiest subtasks, and each report names the
// operator and says its flame graph is the whole JVM's (Flink's has no thread frames). Oracles: Flink asked
// directly with fetch, and the downloaded html read with a regular expression.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalFlink } from "../scripts/demo/local-flink/index.ts";
import { getJson, startPipelineFlink, vertexId } from "./support/pipeline-job.ts";
import { profileMjs, quiet } from "./support/via-rest.ts";

let flink: LocalFlink;
let out: string;

beforeAll(async () => {
  flink = await startPipelineFlink({ "rest.profiling.enabled": true, "rest.profiling.duration-max": "12 s" });
  out = mkdtempSync(join(tmpdir(), "via-rest-operator-"));
});
afterAll(async () => {
  await flink?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

it("names Score, profiles the TaskManagers of its busiest subtasks through Flink, and says the graphs are whole JVMs", async () => {
  const scoreId = await vertexId(flink.restUrl, flink.jobId, "Score");
  const detail = await getJson(`${flink.restUrl}/jobs/${flink.jobId}/vertices/${scoreId}`);
  const scoreTms = [...new Set(detail.subtasks.map((s: { "taskmanager-id": string }) => s["taskmanager-id"]))].sort();
  const r = await profileMjs([
    "--via",
    "rest",
    "--flink-rest",
    flink.restUrl,
    "--operator",
    "busiest",
    "-e",
    "itimer",
    "-d",
    "3",
    "-o",
    out,
    "--json",
  ]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.targets.map((t: { target: string }) => t.target).sort()).toEqual(scoreTms);
  for (const t of doc.targets) {
    expect(t.status).toBe("ok");
    expect(t.operator).toMatchObject({ job: flink.jobId, vertexId: scoreId, name: "Score", wholeJvm: true });
    expect(t.operator.subtasks.map((s: { taskManager: string }) => s.taskManager)).toEqual([t.target]);
    expect(t.operator.subtasks[0].thread).toMatch(/^Score \(\d\/2\)#\d+$/);
    // Flink's own html: a 2.x flame graph whose frames include Score's hot method.
    const html = readFileSync(t.files[0], "utf8");
    expect(html).toMatch(/^f\(\d+,\d+,\d+,\d+,'com\/example\/pipeline\/ScoreStage\.scoreRisk'/m);
  }
  for (const tm of scoreTms) await quiet(flink, tm as string);

  const text = await profileMjs([
    "--via",
    "rest",
    "--flink-rest",
    flink.restUrl,
    "--operator",
    "Score",
    "--tms",
    "1",
    "-e",
    "itimer",
    "-d",
    "2",
    "-o",
    out,
  ]);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/^operator Score of job [0-9a-f]{32}: named, busy \d+% max/m);
  expect(text.stdout).toMatch(/TaskManager tm-\d: Flink's profiler, the whole JVM/);
  expect(text.stdout).toMatch(/its threads: not cut out \(Flink's profiler draws no thread frames\)/);
  expect(text.stdout.match(/^tm-\d/gm)).toHaveLength(1);
});
