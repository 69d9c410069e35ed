// `operators` and `--operator` as a user runs them: real processes against a real Flink 2.3 running the
// pipeline job (Source: Events -> Parse -> Score -> Sink, unchained; Score, ScoreStage.scoreRisk, is the
// bottleneck; Parse, ParseStage.parseFields, does a fifth of its work), the real helper and async-profiler.
// The oracles read Flink's REST API and the written files themselves, not through the code under test.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JAVA_17_OPENS, PIPELINE_JOB, isAlive, type LocalFlink } from "../scripts/demo/local-flink/index.ts";
import { flamegraphTotals, share } from "./support/profile-shares.ts";
import { profileMjs } from "./support/profile-mjs.ts";
import {
  PARSE_HOT,
  SCORE_HOT,
  getJson,
  hasFrame,
  lines,
  settled,
  sleep,
  vertexId,
  expectNoNeighbour,
  STRAY_SHARE,
  expectScoreCut,
  startPipelineFlink,
  STRAY_SHARE_OF_SCORE_IN_PARSE,
} from "./support/pipeline-job.ts";

let flink: LocalFlink;
let out: string;

beforeAll(async () => {
  flink = await startPipelineFlink();
});
afterAll(async () => {
  await flink?.stop();
});
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "operator-profile-"));
  return () => rmSync(out, { recursive: true, force: true });
});

describe("profile.mjs operators", () => {
  it("names Score the bottleneck, in the table and in JSON, with the TaskManagers from Flink", async () => {
    const scoreId = await vertexId(flink.restUrl, flink.jobId, "Score");
    const json = await profileMjs(["operators", "--flink-rest", flink.restUrl, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const [job] = JSON.parse(json.stdout).jobs;
    expect(job.id).toBe(flink.jobId);
    expect(job.bottleneck).toEqual([scoreId]);
    const score = job.vertices.find((v: { id: string }) => v.id === scoreId);
    expect(score.busy.max).toBeGreaterThan(0.5);
    const raw = await getJson(`${flink.restUrl}/jobs/${flink.jobId}/vertices/${scoreId}`);
    expect(score.taskManagers).toEqual(
      [...new Set(raw.subtasks.map((s: { "taskmanager-id": string }) => s["taskmanager-id"]))].sort(),
    );
    expect(score.taskManagers).toEqual(["tm-1", "tm-2"]);

    const text = await profileMjs(["operators", "--flink-rest", flink.restUrl, "--job", flink.jobId]);
    expect(text.code, text.stderr).toBe(0);
    const marked = text.stdout.split("\n").filter((l) => l.includes("<- bottleneck"));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(/^\s+Score\s/);
  });

  it("refuses an unknown job, a bad id and an unreachable REST API with a hint", async () => {
    const unknown = await profileMjs(["operators", "--flink-rest", flink.restUrl, "--job", "0".repeat(32)]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(new RegExp(`knows no job 0{32}; its jobs: ${flink.jobId}`));
    expect(unknown.stderr).toMatch(/^hint: .+--job/m);
    const port = await new Promise<number>((ok) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    const down = await profileMjs(["operators", "--flink-rest", `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Flink's REST API/);
    expect(down.stderr).toMatch(/^hint: .+rest\.port/m);
  });
});

describe("profile.mjs --local --operator", () => {
  it("busiest: profiles Score's busiest subtask on each TaskManager; its flame graph holds scoreRisk and none of Parse", async () => {
    const r = await profileMjs([
      "--local",
      "--flink-rest",
      flink.restUrl,
      "--operator",
      "busiest",
      "-d",
      "6",
      "--format",
      "html,collapsed",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const targets = JSON.parse(r.stdout).targets;
    expect(targets.map((t: { pid: number }) => t.pid).sort()).toEqual(flink.taskManagers.map((t) => t.pid).sort());
    const scoreId = await vertexId(flink.restUrl, flink.jobId, "Score");
    for (const t of targets) {
      expect(t.operator.busy).toBeGreaterThan(0.5);
      const tm = flink.taskManagers.find((x) => x.pid === t.pid)!;
      const { cut, all } = expectScoreCut(t, { job: flink.jobId, vertexId: scoreId, taskManager: tm.resourceId });
      expect(cut.reduce((n, l) => n + l.count, 0)).toBe(t.operator.samples);
      expect(all.reduce((n, l) => n + l.count, 0)).toBe(t.operator.jvmSamples);
      // The flame graph drawn from the cut: read with the tests' own parser of async-profiler's html.
      const html = flamegraphTotals(
        readFileSync(
          t.files.find((f: string) => f.endsWith(".score.html")),
          "utf8",
        ),
      );
      expect(share(html, SCORE_HOT.replaceAll("/", "."))).toBeGreaterThan(0.3);
      expect([...html.totals.keys()].filter((f) => f.includes("ParseStage") && share(html, f) >= STRAY_SHARE)).toEqual(
        [],
      );
      expect(t.top[0].frame).toMatch(/ScoreStage\.scoreRisk|java\.lang\./);
      expect(
        t.top.filter(
          (f: { frame: string; total: number }) => f.frame.includes("ParseStage") && f.total >= STRAY_SHARE * 100,
        ),
      ).toEqual([]);
    }
  });

  it("the text report names the operator, its busy ratio and the subtasks profiled; --pid keeps to that JVM", async () => {
    const tm = flink.taskManagers[1]!;
    const r = await profileMjs([
      "--local",
      "--pid",
      String(tm.pid),
      "--flink-rest",
      flink.restUrl,
      "--operator",
      "Parse",
      "-d",
      "4",
      "--format",
      "collapsed",
      "-o",
      out,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^operator Parse of job [0-9a-f]{32}: named, busy \d+% max/m);
    expect(r.stdout).toMatch(new RegExp(`runs ${tm.resourceId}\\n`));
    expect(r.stdout).toMatch(new RegExp(`subtasks profiled: Parse \\(\\d/2\\)#0 on ${tm.resourceId}, busy \\d+%`));
    const files = [...r.stdout.matchAll(/wrote (\S+\.parse\.collapsed)/g)].map((m) => m[1]!);
    expect(files).toHaveLength(1);
    const cut = lines(files[0]!);
    expect(hasFrame(cut, PARSE_HOT)).toBe(true);
    expectNoNeighbour(cut, "com/example/pipeline/ScoreStage", STRAY_SHARE_OF_SCORE_IN_PARSE);
  });

  it("several jobs and no --job: refused with the jobs listed; a chained operator is profiled as its chain", async () => {
    const chained = await flink.submitJob({
      mainClass: PIPELINE_JOB,
      parallelism: 2,
      args: ["--chained", "--legacy-source"],
    });
    try {
      const both = await profileMjs([
        "--local",
        "--flink-rest",
        flink.restUrl,
        "--operator",
        "busiest",
        "-d",
        "2",
        "-o",
        out,
      ]);
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/2 jobs are running: /);
      expect(both.stderr).toContain(flink.jobId);
      expect(both.stderr).toContain(chained);
      expect(both.stderr).toMatch(/^hint: +say which one with --job ID/m);
      // The first job's work would share the two cores; the chained one runs alone from here.
      await fetch(`${flink.restUrl}/jobs/${flink.jobId}?mode=cancel`, { method: "PATCH" });
      await settled(flink.restUrl, chained, "Parse -> Score", "Source: Legacy Events");

      const ops = await profileMjs(["operators", "--flink-rest", flink.restUrl, "--job", chained]);
      expect(ops.code, ops.stderr).toBe(0);
      const legacy = ops.stdout.split("\n").find((l) => l.includes("Source: Legacy Events"))!;
      expect(legacy).toMatch(/\sn\/a\s/);
      expect(ops.stdout.split("\n").find((l) => l.includes("<- bottleneck"))).toMatch(/^\s+Parse -> Score\s/);

      const r = await profileMjs([
        "--local",
        "--flink-rest",
        flink.restUrl,
        "--job",
        chained,
        "--operator",
        "Score",
        "-d",
        "5",
        "--format",
        "collapsed",
        "-o",
        out,
        "--json",
      ]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      for (const t of JSON.parse(r.stdout).targets) {
        expect(t.operator).toMatchObject({ name: "Score", chain: "Parse -> Score" });
        const cut = lines(t.files[0]);
        expect(cut.every((l) => /^Parse -> Score \(\d\/2\)#\d+$/.test(l.thread))).toBe(true);
        // One thread runs the chain: both operators' work is in it, and nothing of the source's loop.
        expect(hasFrame(cut, SCORE_HOT)).toBe(true);
        expectNoNeighbour(cut, "com/example/pipeline/LegacyEventSource");
      }
      const text = await profileMjs([
        "--local",
        "--flink-rest",
        flink.restUrl,
        "--job",
        chained,
        "--operator",
        "Legacy Events",
        "--tms",
        "1",
        "-d",
        "3",
        "--format",
        "collapsed",
        "-o",
        out,
      ]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/busy n\/a max/);
      const file = /wrote (\S+\.source-legacy-events\.collapsed)/.exec(text.stdout)?.[1];
      const cut = lines(file!);
      // A legacy source's loop runs in its own thread, named after the task thread.
      expect(
        cut.some(
          (l) =>
            /^Legacy Source Thread - Source: Legacy Events \(\d\/2\)#\d+$/.test(l.thread) &&
            l.frames.some((f) => f.startsWith("com/example/pipeline/LegacyEventSource.run")),
        ),
      ).toBe(true);
      expectNoNeighbour(cut, "com/example/pipeline/ScoreStage", STRAY_SHARE_OF_SCORE_IN_PARSE);
    } finally {
      await fetch(`${flink.restUrl}/jobs/${chained}?mode=cancel`, { method: "PATCH" });
    }
  });
});

describe("--pid on a MiniCluster (every TaskManager in one JVM)", () => {
  let mini: ChildProcess | undefined;
  afterAll(async () => {
    if (mini?.pid && isAlive(mini.pid)) {
      mini.kill("SIGKILL");
      while (isAlive(mini.pid)) await sleep(100);
    }
  });

  it("finds both TaskManagers in the JVM by their ports and cuts the profile to Score's two subtasks", async () => {
    const port = await new Promise<number>((ok) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    const cache = resolve(".cache/flink");
    const cp = `${join(cache, "orders-job.jar")}:${readFileSync(join(cache, "classpath.txt"), "utf8").trim()}`;
    const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin/java") : "java";
    mini = spawn(
      java,
      [
        "-Xmx512m",
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:+DebugNonSafepoints",
        ...JAVA_17_OPENS,
        "-cp",
        cp,
        PIPELINE_JOB,
        "--mini-cluster",
        "2",
        "--parallelism",
        "2",
        "--rest-port",
        String(port),
      ],
      { stdio: "ignore" },
    );
    const rest = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    let jobId: string | undefined;
    while (!jobId) {
      jobId = await getJson(`${rest}/jobs/overview`)
        .then((d) => d.jobs.find((j: { state: string }) => j.state === "RUNNING")?.jid)
        .catch(() => undefined);
      if (!jobId && Date.now() > deadline) throw new Error("the MiniCluster's job did not start");
      if (!jobId) await sleep(500);
    }
    await settled(rest, jobId, "Score", "Parse");
    const tmIds = (await getJson(`${rest}/taskmanagers`)).taskmanagers.map((t: { id: string }) => t.id);
    expect(tmIds).toHaveLength(2);

    const r = await profileMjs([
      "--local",
      "--pid",
      String(mini.pid),
      "--flink-rest",
      rest,
      "--operator",
      "busiest",
      "-d",
      "5",
      "--format",
      "collapsed",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const [t] = JSON.parse(r.stdout).targets;
    expect(t.pid).toBe(mini.pid);
    expect(t.operator.name).toBe("Score");
    expect(t.operator.subtasks.map((s: { taskManager: string }) => s.taskManager).sort()).toEqual([...tmIds].sort());
    const cut = lines(t.files[0]);
    expect([...new Set(cut.map((l) => l.thread))].sort()).toEqual(["Score (1/2)#0", "Score (2/2)#0"]);
    expect(hasFrame(cut, SCORE_HOT)).toBe(true);
    expectNoNeighbour(cut, "com/example/pipeline/ParseStage");
  });
});
