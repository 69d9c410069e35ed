// The pipeline sample job as the --operator tests read it: Flink's own answers and the written files,
// with plain string operations, never through the code under test.
import { existsSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import { PIPELINE_JOB, startLocalFlink, type LocalFlink } from "../../scripts/demo/local-flink/index.ts";

export const SCORE_HOT = "com/example/pipeline/ScoreStage.scoreRisk";
export const PARSE_HOT = "com/example/pipeline/ParseStage.parseFields";

export const getJson = async (url: string) => (await fetch(url)).json() as Promise<any>;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collapsed lines as [thread name, frames, count], read here with plain string operations. */
export function lines(file: string): { thread: string; frames: string[]; count: number }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const sp = l.lastIndexOf(" ");
      const frames = l.slice(0, sp).split(";");
      return { thread: frames[0]!.replace(/^\[(.*) tid=\d+\]$/, "$1"), frames, count: Number(l.slice(sp + 1)) };
    });
}
export const hasFrame = (ls: ReturnType<typeof lines>, prefix: string) =>
  ls.some((l) => l.frames.some((f) => f.startsWith(prefix)));
/** The stacks that have a frame starting with `prefix`, as "thread: frames" (for an assertion's message). */
export const stacksWith = (ls: ReturnType<typeof lines>, prefix: string) =>
  ls.filter((l) => l.frames.some((f) => f.startsWith(prefix))).map((l) => `${l.thread}: ${l.frames.join(";")}`);

/** The vertex id of `name` in a job, straight from Flink. */
export async function vertexId(restUrl: string, jobId: string, name: string): Promise<string> {
  const job = await getJson(`${restUrl}/jobs/${jobId}`);
  return job.vertices.find((v: { name: string }) => v.name === name).id;
}

/** busyTimeMsPerSecond reads 1000 everywhere for the first seconds of a job: wait until Score stands out. */
export async function settled(restUrl: string, jobId: string, hot: string, cool: string): Promise<void> {
  const busy = async (name: string) => {
    const rows = await getJson(
      `${restUrl}/jobs/${jobId}/vertices/${await vertexId(restUrl, jobId, name)}/subtasks/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond&agg=max`,
    );
    return Object.fromEntries(rows.map((r: { id: string; max: number }) => [r.id, Number(r.max)]));
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    const [h, c] = [await busy(hot), await busy(cool)];
    if (h.busyTimeMsPerSecond > 500 && h.backPressuredTimeMsPerSecond <= 100 && c.backPressuredTimeMsPerSecond > 100)
      return;
    if (Date.now() > deadline) throw new Error(`metrics did not settle: ${JSON.stringify({ h, c })}`);
    await sleep(1000);
  }
}

/**
 * The most of a cut that may be a neighbour's frames. A task thread's cut can carry a few samples of the
 * other map function's frames: seen four times, one stack each, twice on a quiet machine (the same stack,
 * `ScoreStage.map;Long.toString`, in Parse's thread: one sample of a 3 s profile of lightly loaded Parse was
 * 2.3 % and 5.7 % of its cut). Likely async-profiler's frame attribution in compiled code both tasks share
 * (StreamMap.processElement, with both map functions inlined); the thread frame itself is right, and the cut
 * keeps or drops whole lines by it. Not verified.
 * A cut that did not cut holds the neighbour's whole work: some 15 % of Score's cut (Parse does a fifth of
 * Score's work), some 80 % of Parse's. So Score's cut may hold 5 % of Parse, and Parse's (few samples) 20 %
 * of Score.
 */
export const STRAY_SHARE = 0.05;
export const STRAY_SHARE_OF_SCORE_IN_PARSE = 0.2;

/** Fails when the neighbour's frames (`prefix`) are more than a stray sample's share of the cut. */
export function expectNoNeighbour(ls: ReturnType<typeof lines>, prefix: string, most = STRAY_SHARE): void {
  const count = (xs: typeof ls) => xs.reduce((n, l) => n + l.count, 0);
  const stray = count(ls.filter((l) => l.frames.some((f) => f.startsWith(prefix))));
  expect(stray / Math.max(1, count(ls)), stacksWith(ls, prefix).join("\n")).toBeLessThan(most);
}

/**
 * What every target of `--operator busiest` on the pipeline job must show, locally or in a cluster: Score
 * chosen as the bottleneck, its subtask on `taskManager`, a cut holding only Score's task threads with its hot
 * method and (beyond a stray sample) none of Parse's, and the whole JVM's profile beside it, where Parse did
 * run. Returns the files and their lines for the caller's own further checks.
 */
export function expectScoreCut(t: any, want: { job: string; vertexId: string; taskManager: string }) {
  expect(t.status, JSON.stringify(t)).toBe("ok");
  expect(t.operator).toMatchObject({ job: want.job, vertexId: want.vertexId, name: "Score", reason: "bottleneck" });
  expect(t.operator.subtasks.map((s: { taskManager: string }) => s.taskManager)).toEqual([want.taskManager]);
  const sliced: string = t.files.find((f: string) => f.endsWith(".score.collapsed"));
  const whole: string = t.jvmFiles.find((f: string) => f.endsWith(".collapsed"));
  expect(existsSync(sliced) && existsSync(whole)).toBe(true);
  const cut = lines(sliced);
  expect(
    cut.every((l) => /^Score \(\d\/2\)#\d+$/.test(l.thread)),
    [...new Set(cut.map((l) => l.thread))].join(),
  ).toBe(true);
  expect(hasFrame(cut, SCORE_HOT)).toBe(true);
  expectNoNeighbour(cut, "com/example/pipeline/ParseStage");
  // The neighbour ran in the same JVM: the cut removed it.
  const all = lines(whole);
  expect(hasFrame(all, PARSE_HOT)).toBe(true);
  expect(
    t.top.filter(
      (f: { frame: string; total: number }) => f.frame.includes("ParseStage") && f.total >= STRAY_SHARE * 100,
    ),
  ).toEqual([]);
  return { sliced, whole, cut, all };
}

/**
 * A local Flink 2.3 of two TaskManagers with two slots each, running the pipeline job at parallelism 2, one
 * subtask of each vertex per TaskManager (so "the busiest subtask per TaskManager" means two), once Score
 * stands out as the bottleneck. Pekko's default 10 s start-up limit is too short when other tests load the
 * two cores.
 */
export async function startPipelineFlink(flinkConfig: Record<string, string | boolean> = {}): Promise<LocalFlink> {
  const flink = await startLocalFlink({
    taskManagers: 2,
    slotsPerTaskManager: 2,
    job: { mainClass: PIPELINE_JOB, parallelism: 2 },
    flinkConfig: { "taskmanager.load-balance.mode": "SLOTS", "pekko.startup-timeout": "60 s", ...flinkConfig },
    timeoutMs: 300_000,
  });
  try {
    await settled(flink.restUrl, flink.jobId, "Score", "Parse");
  } catch (err) {
    await flink.stop();
    throw err;
  }
  return flink;
}
