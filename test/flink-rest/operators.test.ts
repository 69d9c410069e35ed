// The operators model on REAL answers of a real Flink 2.3.0 (recorded by record-fixtures.ts: a pipeline job
// with every operator unchained, and one with a legacy source and the chain "Parse -> Score"), replayed
// through the same fetch code the CLI runs; older versions' shapes are the same answers with the fields
// those versions spell differently. No network, no JVM.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FlinkRest } from "../../scripts/lib/flink-rest/http.ts";
import { chooseJobs, chooseOperator, pickSubtasks, type JobView } from "../../scripts/lib/flink-rest/operators.ts";
import { fetchJobView, fetchJobViews, fetchSubtaskBusy } from "../../scripts/lib/flink-rest/operators-fetch.ts";
import { operatorsJson, renderOperators } from "../../scripts/lib/flink-rest/operators-text.ts";
import {
  parseJobList,
  parseLoad,
  parseSubtaskPlaces,
  parseTaskManagers,
} from "../../scripts/lib/flink-rest/rest-shapes.ts";
import { UsageError } from "../../scripts/lib/profile-options.ts";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/flink-2.3.0.json", import.meta.url), "utf8")) as {
  jobs: { unchained: string; chainedLegacy: string };
  responses: Record<string, unknown>;
};
const R = fixture.responses;
const { unchained, chainedLegacy } = fixture.jobs;

/** Answers GETs from the recording; an unrecorded path is a test failure, as a 404 would be. */
function recorded(responses: Record<string, unknown> = R): FlinkRest & { asked: string[] } {
  const asked: string[] = [];
  return {
    baseUrl: "http://recorded",
    asked,
    async getJson<T>(path: string) {
      asked.push(path);
      if (!(path in responses)) throw new Error(`not recorded: ${path}`);
      return structuredClone(responses[path]) as T;
    },
    postJson: () => Promise.reject(new Error("no POST in the operators model")),
    getBytes: () => Promise.reject(new Error("no bytes")),
  };
}

const byName = (job: JobView, name: string) => job.vertices.find((v) => v.name === name)!;

describe("operators on Flink 2.3's real answers", () => {
  it("lists both running jobs; one job must be chosen when one is needed", async () => {
    const ids = [unchained, chainedLegacy].sort();
    expect(
      parseJobList(R["/jobs/overview"])
        .map((j) => j.id)
        .sort(),
    ).toEqual(ids);
    expect(
      parseJobList(R["/jobs"])
        .map((j) => j.id)
        .sort(),
    ).toEqual(ids);
    expect((await fetchJobViews(recorded(), undefined, false)).map((j) => j.id).sort()).toEqual(ids);
    await expect(fetchJobViews(recorded(), undefined, true)).rejects.toThrow(/2 jobs are running: .*pipeline/);
    expect((await fetchJobViews(recorded(), unchained, true)).map((j) => j.id)).toEqual([unchained]);
  });

  it("unchained: Score is the one bottleneck, busy and not back-pressured, its upstreams back-pressured", async () => {
    const rest = recorded();
    const job = await fetchJobView(rest, unchained);
    expect(job.vertices.map((v) => v.name)).toEqual(["Source: Events", "Parse", "Score", "Sink: Writer"]);
    expect(job.vertices.filter((v) => v.bottleneck).map((v) => v.name)).toEqual(["Score"]);
    const score = byName(job, "Score");
    expect(score.busyMax).toBeGreaterThan(0.8);
    expect(score.backPressureMax).toBeLessThanOrEqual(0.1);
    expect(score.upstream).toEqual([byName(job, "Parse").id]);
    expect(byName(job, "Parse").backPressureMax).toBeGreaterThan(0.1);
    // Both slots of one TaskManager took this job (2 TaskManagers x 2 slots, two jobs): read from the raw answer.
    for (const v of job.vertices) {
      const raw = R[`/jobs/${unchained}/vertices/${v.id}`] as { subtasks: { "taskmanager-id": string }[] };
      expect(v).toMatchObject({
        parallelism: 2,
        taskManagers: [...new Set(raw.subtasks.map((s) => s["taskmanager-id"]))].sort(),
      });
    }
    // Two GETs per vertex and the job: what the 1 s goal of a 50-vertex job is measured on.
    expect(rest.asked.length).toBe(1 + 2 * job.vertices.length);
    expect(chooseOperator(job, "busiest")).toMatchObject({ reason: "bottleneck", vertex: { name: "Score" } });
    expect(chooseOperator(job, score.id)).toMatchObject({ reason: "vertex id", vertex: { name: "Score" } });
    expect(chooseOperator(job, "events")).toMatchObject({ reason: "name", vertex: { name: "Source: Events" } });
  });

  it("a legacy source's busy time is n/a, never 0, and a chained operator resolves to its chain", async () => {
    const job = await fetchJobView(recorded(), chainedLegacy);
    expect(job.vertices.map((v) => v.name)).toEqual(["Source: Legacy Events", "Parse -> Score", "Sink: Writer"]);
    const legacy = byName(job, "Source: Legacy Events");
    expect(legacy.busyMax).toBeNull();
    expect(legacy.backPressureMax).toBeGreaterThan(0.1);
    expect(job.vertices.filter((v) => v.bottleneck).map((v) => v.name)).toEqual(["Parse -> Score"]);
    const table = renderOperators([job]);
    const row = table.split("\n").find((l) => l.includes("Source: Legacy Events"))!;
    expect(row).toMatch(/\bn\/a\b/);
    expect(row).not.toMatch(/\b0%/);
    expect(table).toMatch(/n\/a: Flink measures no busy time there \(legacy SourceFunction sources\)/);
    expect(table.split("\n").find((l) => l.includes("<- bottleneck"))).toContain("Parse -> Score");
    const doc = JSON.parse(operatorsJson([job]));
    expect(doc.jobs[0].vertices[0].busy).toEqual({ max: null, avg: null });
    expect(doc.jobs[0].bottleneck).toEqual([byName(job, "Parse -> Score").id]);
    expect(chooseOperator(job, "Score")).toMatchObject({
      operator: "Score",
      chain: "Parse -> Score",
      vertex: { name: "Parse -> Score" },
    });
    expect(chooseOperator(job, "busiest")).toMatchObject({ chain: "Parse -> Score" });
  });

  it("per-subtask busy picks the busiest subtask per TaskManager; a legacy source's come last", async () => {
    const job = await fetchJobView(recorded(), unchained);
    const score = byName(job, "Score");
    const busy = await fetchSubtaskBusy(recorded(), unchained, score.id, [0, 1]);
    expect([...busy.values()].every((b) => b !== null && b > 0.5)).toBe(true);
    // Both Score subtasks of this recording run on one TaskManager: one pick, the busier of the two.
    expect(score.taskManagers).toHaveLength(1);
    const picks = pickSubtasks(score.subtasks, busy);
    expect(picks).toHaveLength(1);
    expect(picks[0]!.busy).toBe(Math.max(...[...busy.values()].map(Number)));
    // Spread over two TaskManagers, each gets its busiest; --tms 1 keeps the busiest of all.
    const spread = score.subtasks.map((s) => ({ ...s, taskManagerId: `tm-${s.subtask}` }));
    expect(
      pickSubtasks(spread, busy)
        .map((p) => p.subtask)
        .sort(),
    ).toEqual([0, 1]);
    expect(pickSubtasks(spread, busy, 1)[0]!.busy).toBe(picks[0]!.busy);
    const legacyJob = await fetchJobView(recorded(), chainedLegacy);
    const legacy = byName(legacyJob, "Source: Legacy Events");
    const none = await fetchSubtaskBusy(recorded(), chainedLegacy, legacy.id, [0, 1]);
    expect([...none.values()]).toEqual([null, null]);
    const legacySpread = legacy.subtasks.map((s) => ({ ...s, taskManagerId: `tm-${s.subtask}` }));
    expect(pickSubtasks(legacySpread, none).map((p) => [p.subtask, p.busy])).toEqual([
      [0, null],
      [1, null],
    ]);
  });

  it("reads the TaskManagers' data and RPC ports", () => {
    const tms = parseTaskManagers(R["/taskmanagers"]);
    expect(tms.map((t) => t.id).sort()).toEqual(["tm-1", "tm-2"]);
    for (const t of tms)
      expect(t).toMatchObject({ dataPort: expect.any(Number), rpcHost: "127.0.0.1", rpcPort: expect.any(Number) });
  });
});

describe("operators on Flink 1.20.5's real answers (same pipeline, written against 1.20's APIs)", () => {
  const old = JSON.parse(
    readFileSync(new URL("./fixtures/flink-1.20.5.json", import.meta.url), "utf8"),
  ) as typeof fixture;
  const O = old.responses;
  it("is a 1.20.5 whose subtasks carry both `host` (the host name alone) and `endpoint`", () => {
    expect((O["/config"] as { "flink-version": string })["flink-version"]).toBe("1.20.5");
    const job = O[`/jobs/${old.jobs.unchained}`] as { vertices: { id: string }[] };
    const vertex = O[`/jobs/${old.jobs.unchained}/vertices/${job.vertices[0]!.id}`] as {
      subtasks: { host: string; endpoint: string }[];
    };
    expect(vertex.subtasks[0]!.host).toMatch(/^[\w.-]+$/);
    expect(vertex.subtasks[0]!.endpoint).toMatch(/^[\w.-]+:\d+$/);
    expect(parseSubtaskPlaces(vertex)[0]!.endpoint).toBe(vertex.subtasks[0]!.endpoint);
  });

  it("marks Score, says n/a for the legacy source and resolves Score to its chain", async () => {
    const unchainedJob = await fetchJobView(recorded(O), old.jobs.unchained);
    expect(unchainedJob.vertices.map((v) => v.name)).toEqual(["Source: Events", "Parse", "Score", "Sink: Writer"]);
    expect(unchainedJob.vertices.filter((v) => v.bottleneck).map((v) => v.name)).toEqual(["Score"]);
    const chained = await fetchJobView(recorded(O), old.jobs.chainedLegacy);
    expect(byName(chained, "Source: Legacy Events").busyMax).toBeNull();
    expect(chained.vertices.filter((v) => v.bottleneck).map((v) => v.name)).toEqual(["Parse -> Score"]);
    expect(chooseOperator(chained, "Score")).toMatchObject({ chain: "Parse -> Score" });
    const busy = await fetchSubtaskBusy(
      recorded(O),
      old.jobs.chainedLegacy,
      byName(chained, "Source: Legacy Events").id,
      [0, 1],
    );
    expect([...busy.values()]).toEqual([null, null]);
    expect(
      parseTaskManagers(O["/taskmanagers"])
        .map((t) => t.id)
        .sort(),
    ).toEqual(["tm-1", "tm-2"]);
  });
});

describe("older Flink shapes (the same answers as 1.18 spells them)", () => {
  it("a subtask with `host` only (1.18, before `endpoint`) is placed on the same TaskManagers", async () => {
    const job = await fetchJobView(recorded(), unchained);
    const vertexPath = `/jobs/${unchained}/vertices/${byName(job, "Score").id}`;
    const real = R[vertexPath] as { subtasks: Record<string, unknown>[] };
    // 1.18 had no `endpoint`; its `host` is the host name alone (as 1.20.5's deprecated `host` still is).
    const old = {
      ...real,
      subtasks: real.subtasks.map(({ endpoint, ...s }) => ({ ...s, host: String(endpoint).split(":")[0] })),
    };
    expect(parseSubtaskPlaces(old).map(({ endpoint, ...rest }) => rest)).toEqual(
      parseSubtaskPlaces(real).map(({ endpoint, ...rest }) => rest),
    );
    expect(parseSubtaskPlaces(old).map((s) => s.endpoint)).toEqual(
      real.subtasks.map((s) => String(s.endpoint).split(":")[0]),
    );
    expect(
      parseSubtaskPlaces(real)
        .map((s) => s.endpoint)
        .every((e) => /^[\w.-]+:\d+$/.test(e)),
    ).toBe(true);
  });

  it("NaN as a string or number, and an absent metric, are unknown; numeric strings are numbers", () => {
    expect(
      parseLoad([
        { id: "busyTimeMsPerSecond", max: "NaN", avg: "NaN" },
        { id: "backPressuredTimeMsPerSecond", max: 900, avg: "450.0" },
      ]),
    ).toEqual({ busyMax: null, busyAvg: null, backPressureMax: 0.9, backPressureAvg: 0.45 });
    expect(parseLoad([])).toEqual({ busyMax: null, busyAvg: null, backPressureMax: null, backPressureAvg: null });
  });

  it("says when every vertex reads 100 % busy (a job's first seconds) instead of leaving it unexplained", async () => {
    const job = await fetchJobView(recorded(), unchained);
    const fresh = {
      ...job,
      vertices: job.vertices.map((v) => ({ ...v, busyMax: 1, backPressureMax: 0, bottleneck: false })),
    };
    expect(renderOperators([fresh])).toMatch(/every vertex reads 100% busy: .*ask again/);
    expect(renderOperators([job])).not.toMatch(/every vertex reads 100% busy/);
  });

  it("refuses an answer that is not Flink's with a hint", () => {
    expect(() => parseJobList({ nope: 1 })).toThrow(/shape this tool does not know/);
  });
});

describe("choosing jobs and operators", () => {
  const jobs = [
    { id: "a".repeat(32), name: "one", state: "RUNNING" },
    { id: "b".repeat(32), name: "two", state: "FINISHED" },
  ];
  it("explains each refusal", () => {
    expect(chooseJobs(jobs, undefined, true)).toEqual(["a".repeat(32)]);
    expect(() => chooseJobs([], undefined, false)).toThrow(/no job is running/);
    expect(() => chooseJobs(jobs.slice(1), undefined, false)).toThrow(
      /no job is running in this Flink \(it knows: b+ \(two, FINISHED\)\)/,
    );
    expect(() => chooseJobs(jobs, "c".repeat(32), false)).toThrow(/knows no job c+; its jobs: a+ \(one, RUNNING\)/);
    expect(() => chooseJobs(jobs, "b".repeat(32), false)).toThrow(/is FINISHED, not RUNNING/);
    expect(() => chooseJobs(jobs, undefined, true)).not.toThrow();
    try {
      chooseJobs([jobs[0]!, { ...jobs[1]!, state: "RUNNING" }], undefined, true);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).hint).toMatch(/--job ID/);
    }
  });

  it("names the vertices when an operator is unknown, and asks for an id when a name is ambiguous", async () => {
    const job = await fetchJobView(recorded(), unchained);
    expect(() => chooseOperator(job, "Nope")).toThrow(
      /no operator "Nope"; its vertices: Source: Events, Parse, Score, Sink: Writer/,
    );
    const twice = { ...job, vertices: [...job.vertices, { ...byName(job, "Score"), id: "f".repeat(32) }] };
    expect(() => chooseOperator(twice, "Score")).toThrow(/matches 2 vertices/);
    const idle = { ...job, vertices: job.vertices.map((v) => ({ ...v, busyMax: null, bottleneck: false })) };
    expect(() => chooseOperator(idle, "busiest")).toThrow(/reports a busy time/);
  });
});
