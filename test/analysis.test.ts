// report, diff and merge on generated profiles whose answers are known by construction. The expected
// figures are written out by hand or counted here with plain string handling, never with the code under test.
import { describe, expect, it } from "vitest";
import { clusterView } from "../scripts/lib/analysis/cluster-view.ts";
import { LeafCounts } from "../scripts/lib/analysis/leaf-counts.ts";
import { frameTable, topByTotal, topFrames } from "../scripts/lib/analysis/frame-table.ts";
import { grepProfile } from "../scripts/lib/analysis/grep.ts";
import { regressions } from "../scripts/lib/analysis/regressions.ts";
import { skew, WAITING } from "../scripts/lib/analysis/skew.ts";
import { StackTree, treeOf as treeOfBytes } from "../scripts/lib/analysis/stack-tree.ts";
import type { TargetReport } from "../scripts/lib/report.ts";
import { syntheticCollapsed } from "../scripts/lib/analysis/synthetic-profile.ts";
import { flinkTask, threadBreakdown, threadName } from "../scripts/lib/analysis/threads.ts";
import { topK } from "../scripts/lib/analysis/top-k.ts";
import { shortFrame } from "../scripts/lib/analysis/analysis-text.ts";
import { forEachLine } from "../scripts/lib/analysis/line-reader.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const treeOf = (text: string) => {
  const t = new StackTree();
  for (const line of text.split("\n")) t.addLine(line);
  return t;
};
/** The oracle: stack → samples by splitting lines at the last space. */
const naive = (lines: Iterable<string>) => {
  const m = new Map<string, number>();
  for (const line of lines) {
    const l = line.trimEnd();
    const sp = l.lastIndexOf(" ");
    if (sp <= 0 || !/^\d+$/.test(l.slice(sp + 1))) continue;
    m.set(l.slice(0, sp), (m.get(l.slice(0, sp)) ?? 0) + Number(l.slice(sp + 1)));
  }
  return m;
};
/** A profile of `total` samples: `share` of them (in %) on each leaf under a common caller. */
const profile = (total: number, shares: Record<string, number>) =>
  Object.entries(shares)
    .map(([leaf, pct]) => `java/lang/Thread.run;com/acme/Job.process;${leaf} ${(total * pct) / 100}`)
    .join("\n");

describe("the stack tree", () => {
  it("holds exactly the stacks of the lines, in any order, with identical stacks added up", () => {
    const lines = [...syntheticCollapsed({ stacks: 600, bytes: 300_000 })];
    const shuffled = [...lines, ...lines.slice(0, 100)].sort((a, b) =>
      a.split("").reverse().join("").localeCompare(b.split("").reverse().join("")),
    );
    for (const input of [lines, shuffled]) {
      const tree = treeOf(input.join(""));
      expect(naive(tree.collapsedLines())).toEqual(naive(input));
    }
  });

  it("tells a shared caller from a longer frame that starts with the same characters", () => {
    const tree = treeOf("a;bc;d 1\na;b;d 2\na;bc 4\na;b 8\na 16\n");
    expect(naive(tree.collapsedLines())).toEqual(
      new Map([
        ["a;bc;d", 1],
        ["a;b;d", 2],
        ["a;bc", 4],
        ["a;b", 8],
        ["a", 16],
      ]),
    );
    expect(tree.samples).toBe(31);
  });

  it("refuses lines that are not stacks and takes CRLF and UTF-8 thread names", () => {
    const tree = new StackTree();
    for (const bad of ["", "   ", "no-count", "a;b x7", "a;b 0", " 5", "a;b -3"])
      expect(tree.addLine(bad), bad).toBe(false);
    expect(tree.addLine("[Größe (1/1)#0 tid=7];java/lang/Thread.run 3\r")).toBe(true);
    expect([...tree.collapsedLines()]).toEqual(["[Größe (1/1)#0 tid=7];java/lang/Thread.run 3\n"]);
  });

  it("merged from N copies holds N times every count", () => {
    const one = treeOf(profile(1000, { "a/B.c": 30, "a/B.d": 70 }));
    const merged = new StackTree();
    for (let i = 0; i < 5; i++) merged.addTree(one);
    const expected = new Map([...naive(one.collapsedLines())].map(([s, n]) => [s, n * 5]));
    expect(naive(merged.collapsedLines())).toEqual(expected);
    expect(merged.samples).toBe(5000);
  });
});

describe("reading a file line by line", () => {
  it("gives every line whole, across reads, longer than the buffer, UTF-8 and without a last newline", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "line-reader-"));
    try {
      const text = ["a;b 1", "", `${"x".repeat(100)};ü 2\r`, "Größe;€ 3", "last 4"].join("\n");
      const file = path.join(dir, "p.collapsed");
      writeFileSync(file, text);
      for (const chunk of [1, 7, 16, 1 << 20]) {
        const lines: string[] = [];
        await forEachLine(file, (buf, start, end) => lines.push(buf.toString("utf8", start, end)), chunk);
        expect(lines, `chunk ${chunk}`).toEqual(text.split("\n"));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("top frames", () => {
  const text = [
    "java/lang/Thread.run;com/acme/Job.map_[j];java/lang/String.replace_[i] 60",
    "java/lang/Thread.run;com/acme/Job.map_[j] 20",
    "java/lang/Thread.run;com/acme/Job.map;com/acme/Job.map;com/acme/Job.map 5",
    "[pool-1 tid=3];java/lang/Thread.run;jdk/internal/misc/Unsafe.park 15",
  ].join("\n");

  it("ranks running frames by self and by total, in % of all samples, waiting stacks apart", () => {
    const t = frameTable(treeOf(text));
    expect(t.samples).toBe(100);
    expect(t.waiting).toBe(15);
    expect(topFrames(t, 2)).toEqual([
      { frame: "java.lang.String.replace", self: 60, total: 60 },
      { frame: "com.acme.Job.map", self: 25, total: 85 },
    ]);
    // Equal totals: more self time first.
    expect(topByTotal(t, 2)).toEqual([
      { frame: "com.acme.Job.map", self: 25, total: 85 },
      { frame: "java.lang.Thread.run", self: 0, total: 85 },
    ]);
  });

  it("picks the first k as a full sort would", () => {
    const xs = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    expect(topK(xs, 7, (a, b) => b - a)).toEqual([...xs].sort((a, b) => b - a).slice(0, 7));
    expect(topK([3, 1, 2], 10, (a, b) => a - b)).toEqual([1, 2, 3]);
  });
});

describe("--grep", () => {
  const text = [
    "x/Main.run;com/example/orders/EncodeOrder.map;com/example/orders/OrderJsonEncoder.encode;com/example/orders/OrderJsonEncoder.escape;java/lang/StringBuilder.append 250",
    "x/Main.run;com/example/orders/EncodeOrder.map;com/example/orders/OrderJsonEncoder.encode 126",
    "x/Main.run;org/json/Parser.parse 100",
    "x/Main.run;java/util/HashMap.get 524",
  ].join("\n");

  it("gives the share of samples whose stack has a matching frame, each stack once", () => {
    const g = grepProfile(treeOf(text), "Json", 10);
    expect(g.samples).toBe(376);
    expect(g.share).toBe(37.6);
    expect(g.frames).toEqual([
      { frame: "com.example.orders.OrderJsonEncoder.encode", self: 12.6, total: 37.6 },
      { frame: "com.example.orders.OrderJsonEncoder.escape", self: 0, total: 25 },
    ]);
    expect(g.stacks[0]).toEqual({
      share: 25,
      samples: 250,
      frames: [
        "com.example.orders.EncodeOrder.map",
        "com.example.orders.OrderJsonEncoder.encode",
        "com.example.orders.OrderJsonEncoder.escape",
        "java.lang.StringBuilder.append",
      ],
    });
  });

  it("is case-insensitive unless the pattern has a capital, and reads either spelling of a Java name", () => {
    expect(grepProfile(treeOf(text), "json", 10).share).toBe(47.6);
    expect(grepProfile(treeOf(text), "orders/OrderJson", 10).share).toBe(37.6);
    expect(grepProfile(treeOf(text), "orders\\.OrderJson", 10).share).toBe(37.6);
    expect(grepProfile(treeOf(text), "Nothing", 10)).toMatchObject({ samples: 0, share: 0, frames: [], stacks: [] });
  });

  it("does not search thread frames, which name threads, not code", () => {
    expect(grepProfile(treeOf(`[Encode JSON (1/1)#0 tid=3];${text.split("\n")[3]}`), "json", 10).share).toBe(0);
  });
});

it("diff's leaf-only reading gives the self samples the tree gives", () => {
  const text = `${[...syntheticCollapsed({ stacks: 300, bytes: 100_000 })].join("")}lonely 5\n[t tid=1];x/Y.z_[j] 3\n[t tid=2];x/Y.z_[i] 4\n`;
  const leaves = new LeafCounts();
  for (const line of text.split("\n")) leaves.addBytes(Buffer.from(line), 0, Buffer.byteLength(line));
  const a = leaves.table();
  const b = frameTable(treeOf(text), false);
  const bySelf = (t: typeof a) => new Map(t.names.map((n, i) => [n, t.self[i]!] as const).filter(([, v]) => v > 0));
  expect(bySelf(a)).toEqual(bySelf(b));
  expect(bySelf(a).get("x.Y.z")).toBe(7);
  expect([a.samples, a.waiting]).toEqual([b.samples, b.waiting]);
});

describe("diff: regressions", () => {
  const base = frameTable(treeOf(profile(2000, { "a/Hot.spot": 5, "a/Old.gone": 10, "a/Other.work": 85 })));
  const next = frameTable(treeOf(profile(400, { "a/Hot.spot": 25, "a/Other.work": 70, "a/New.thing": 5 })));

  it("puts a frame moved from 5 % to 25 % on top, normalised by each profile's own total", () => {
    const r = regressions(base, next, 10);
    expect(r[0]).toEqual({ frame: "a.Hot.spot", base: 5, new: 25, delta: 20, change: "grew" });
    expect(r[1]).toEqual({ frame: "a.New.thing", base: 0, new: 5, delta: 5, change: "new" });
  });

  it("shows a removed frame as shrunk, largest shrink last", () => {
    const r = regressions(base, next, 10);
    expect(r.map((x) => x.frame)).toEqual(["a.Hot.spot", "a.New.thing", "a.Old.gone", "a.Other.work"]);
    expect(r.at(-1)).toEqual({ frame: "a.Other.work", base: 85, new: 70, delta: -15, change: "shrank" });
    expect(r.at(-2)).toEqual({ frame: "a.Old.gone", base: 10, new: 0, delta: -10, change: "gone" });
  });

  it("finds nothing between a profile and itself scaled", () => {
    expect(
      regressions(
        base,
        frameTable(treeOf(profile(20000, { "a/Hot.spot": 5, "a/Old.gone": 10, "a/Other.work": 85 }))),
        10,
      ),
    ).toEqual([]);
  });
});

describe("merge: skew", () => {
  const same = frameTable(treeOf(profile(1000, { "a/B.c": 60, "a/B.d": 40 })));
  const odd = frameTable(treeOf(`${profile(1000, { "a/B.c": 20, "a/B.d": 40 })}\nx;jdk/internal/misc/Unsafe.park 400`));

  it("puts the TaskManager that differs on top, as an outlier, by the share of samples that sit elsewhere", () => {
    const rows = skew([
      { target: "tm-0", table: same },
      { target: "tm-1", table: same },
      { target: "tm-2", table: odd },
      { target: "tm-3", table: same },
    ]);
    // tm-2: a.B.c 20 % vs 60 %, waiting 40 % vs 0 %: 40 % of its samples sit elsewhere.
    expect(rows[0]).toEqual({ target: "tm-2", differs: 40, frame: WAITING, here: 40, rest: 0, outlier: true });
    // tm-0 against the mean of tm-1, tm-2, tm-3: a.B.c 60 vs 46.7, waiting 0 vs 13.3.
    expect(rows.slice(1).map((r) => [r.target, r.differs, r.outlier])).toEqual([
      ["tm-0", 13.3, false],
      ["tm-1", 13.3, false],
      ["tm-3", 13.3, false],
    ]);
  });

  it("has nothing to compare with one TaskManager, and finds identical ones alike", () => {
    expect(skew([{ target: "tm-0", table: same }])).toEqual([]);
    expect(
      skew([
        { target: "a", table: same },
        { target: "b", table: same },
      ]).map((r) => r.differs),
    ).toEqual([0, 0]);
  });
});

describe("a cluster run's view of all its TaskManagers", () => {
  const target = (name: string, text: string, status: TargetReport["status"] = "ok"): TargetReport => ({
    target: name,
    status,
    event: "cpu",
    files: [],
    top: [],
    waiting: 0,
    notices: [],
    stacks: treeOfBytes(Buffer.from(text)),
  });
  const a = profile(1000, { "a/B.c": 60, "a/B.d": 40 });

  it("adds the TaskManagers up and names the one that differs", () => {
    const v = clusterView([
      target("tm-0", a),
      target("tm-1", a),
      target("tm-2", profile(1000, { "a/B.c": 10, "a/B.d": 90 })),
      target("tm-3", a, "failed"),
    ]);
    expect(v).toMatchObject({ taskManagers: 3, samples: 3000, waiting: 0 });
    expect(v!.top).toEqual([
      { frame: "a.B.d", self: 56.7, total: 56.7 },
      { frame: "a.B.c", self: 43.3, total: 43.3 },
    ]);
    expect(v!.skew[0]).toMatchObject({ target: "tm-2", differs: 50, outlier: true });
  });

  it("is not shown for a single TaskManager", () => {
    expect(clusterView([target("tm-0", a), target("tm-1", a, "failed")])).toBeUndefined();
  });
});

describe("--threads", () => {
  it("reads Flink task threads, their helpers and the job suffix, and nothing else", () => {
    expect(threadName("[Map -> Sink (2/4)#1 tid=42]")).toBe("Map -> Sink (2/4)#1");
    expect(threadName("[unknown]")).toBeUndefined();
    expect(flinkTask("Map -> Sink (2/4)#1")).toEqual({ task: "Map -> Sink", subtask: 2, parallelism: 4, attempt: 1 });
    expect(flinkTask("Legacy Source Thread - Source: Orders (1/2)#0")).toMatchObject({
      task: "Source: Orders",
      subtask: 1,
    });
    expect(flinkTask("Source Data Fetcher for Source: Kafka (3/8)#2 (job: orders / 0a1b)")).toMatchObject({
      task: "Source: Kafka",
      subtask: 3,
      parallelism: 8,
      attempt: 2,
    });
    for (const t of ["GC Thread#0", "flink-pekko.actor.default-dispatcher-5", "OutputFlusher for Map"])
      expect(flinkTask(t), t).toBeUndefined();
  });

  it("gives samples per thread and per operator, busiest first", () => {
    const text = [
      "[Price FX (1/2)#0 tid=11];java/lang/Thread.run;com/acme/Fx.convert 30",
      "[Price FX (2/2)#0 tid=12];java/lang/Thread.run;com/acme/Fx.convert 20",
      "[Price FX (2/2)#0 tid=12];java/lang/Thread.run;jdk/internal/misc/Unsafe.park 10",
      "[Time Trigger for Price FX (1/2)#0 tid=13];java/lang/Thread.run;com/acme/Fx.tick 5",
      "[GC Thread#0 tid=2];G1ParTask::work 35",
    ].join("\n");
    const b = threadBreakdown(treeOf(text), 10);
    expect(b.hasThreads).toBe(true);
    expect(b.threads.map((t) => [t.name, t.share, t.running, t.top])).toEqual([
      ["GC Thread#0", 35, 35, "G1ParTask::work"],
      ["Price FX (1/2)#0", 30, 30, "com.acme.Fx.convert"],
      ["Price FX (2/2)#0", 30, 20, "com.acme.Fx.convert"],
      ["Time Trigger for Price FX (1/2)#0", 5, 5, "com.acme.Fx.tick"],
    ]);
    expect(b.operators).toEqual([
      { name: "Price FX", samples: 65, share: 65, running: 55, top: "com.acme.Fx.convert", subtasks: ["1/2", "2/2"] },
    ]);
    expect(threadBreakdown(treeOf("a;b 1"), 10)).toEqual({ hasThreads: false, threads: [], operators: [] });
  });
});

it("shortens Java frames to class and method, and leaves the rest alone", () => {
  expect(shortFrame("com.example.orders.OrderJsonEncoder.escape")).toBe("OrderJsonEncoder.escape");
  expect(shortFrame("java.util.HashMap$Node.<init>")).toBe("HashMap$Node.<init>");
  expect(shortFrame("G1ParTask::work")).toBe("G1ParTask::work");
  expect(shortFrame("[Map (1/2)#0 tid=4]")).toBe("[Map (1/2)#0 tid=4]");
});
