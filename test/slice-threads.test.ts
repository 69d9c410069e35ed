// Cutting a per-thread profile down to one operator's threads: pure, on collapsed lines as async-profiler
// -t writes them (the thread names are Flink's real ones, from a profile of the pipeline job).
import { describe, expect, it } from "vitest";
import { lineThread, operatorThreadFilter, sliceByThread } from "../scripts/lib/analysis/slice-threads.ts";

const profile = [
  "[Score (1/2)#0 tid=101];java/lang/Thread.run;com/example/pipeline/ScoreStage.scoreRisk 40",
  "[Score (2/2)#0 tid=102];java/lang/Thread.run;com/example/pipeline/ScoreStage.scoreRisk 30",
  "[Parse (1/2)#0 tid=103];java/lang/Thread.run;com/example/pipeline/ParseStage.parseFields 20",
  "[Parse -> Score (1/2)#0 tid=104];java/lang/Thread.run;com/example/pipeline/ScoreStage.scoreRisk 7",
  "[Legacy Source Thread - Source: Legacy Events (1/2)#0 tid=105];com/example/pipeline/LegacyEventSource.run 5",
  "[Source Data Fetcher for Source: Events (2/2)#0 tid=106];fetch 4",
  "[Time Trigger for Score (2/2)#0 tid=107];timer 3",
  "[Score (1/4)#0 tid=108];other job with the same name 2",
  "[C2 CompilerThread0 tid=9];Compile 6",
  "[odd;name (1/1)#0 tid=110];work 1",
  "no thread frame 8",
  "",
].join("\n");

describe("sliceByThread", () => {
  it("keeps one operator's task threads and the helpers working for them, not its neighbours'", () => {
    const s = sliceByThread(profile, operatorThreadFilter({ task: "Score", parallelism: 2 }));
    expect(s.threads).toEqual(["Score (1/2)#0", "Score (2/2)#0", "Time Trigger for Score (2/2)#0"]);
    expect(s.samples).toBe(40 + 30 + 3);
    expect(s.total).toBe(126);
    expect(s.text).not.toMatch(/ParseStage|Parse -> Score|C2 Compiler/);
    expect(s.text.split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("a subtask set (0-based, as REST) keeps only those subtasks", () => {
    const s = sliceByThread(profile, operatorThreadFilter({ task: "Score", parallelism: 2, subtasks: new Set([1]) }));
    expect(s.threads).toEqual(["Score (2/2)#0", "Time Trigger for Score (2/2)#0"]);
  });

  it("a chain is one task named after all its operators; legacy sources and fetchers are their task's", () => {
    expect(sliceByThread(profile, operatorThreadFilter({ task: "Parse -> Score", parallelism: 2 })).samples).toBe(7);
    expect(
      sliceByThread(profile, operatorThreadFilter({ task: "Source: Legacy Events", parallelism: 2 })).threads,
    ).toEqual(["Legacy Source Thread - Source: Legacy Events (1/2)#0"]);
    expect(sliceByThread(profile, operatorThreadFilter({ task: "Source: Events", parallelism: 2 })).samples).toBe(4);
  });

  it("reads a thread name holding ';', and none from a profile without thread frames", () => {
    expect(lineThread("[odd;name (1/1)#0 tid=110];work 1")).toBe("odd;name (1/1)#0");
    expect(lineThread("java/lang/Thread.run;x 3")).toBeUndefined();
    expect(sliceByThread("a;b 3\n", () => true)).toEqual({ text: "", samples: 0, total: 3, threads: [] });
  });
});
