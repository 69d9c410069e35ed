// `profile.mjs --via rest` as a user runs it, against real Flink 2.3 TaskManagers running the sample job and
// Flink's own built-in profiler (async-profiler 2.9 inside the TaskManager): the files, the hot method, the
// refusals with Flink's real answers, Ctrl-C. Three clusters: profiling enabled (duration-max 12 s), disabled,
// and enabled on a TaskManager where perf events are blocked (the seccomp launcher of the helper's tests).
// A MiniCluster, where TaskManagers share a JVM: test/via-rest-minicluster.test.ts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asyncProfilerHome } from "../scripts/lib/helper-events.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";
import { HOT, SLOW_MACHINE, pct, positionalShares, profileMjs, profiles, quiet } from "./support/via-rest.ts";

const NO_PERF = resolve(".cache/bin/no-perf");

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "via-rest-"));
  return () => rmSync(out, { recursive: true, force: true });
});

describe("--via rest, profiling enabled", () => {
  let flink: LocalFlink;
  beforeAll(async () => {
    flink = await startLocalFlink({
      taskManagers: 2,
      flinkConfig: { ...SLOW_MACHINE, "rest.profiling.enabled": true, "rest.profiling.duration-max": "12 s" },
    });
  });
  afterAll(async () => {
    await flink?.stop();
  });

  it("profiles every TaskManager at once and prints the documented JSON, the top frames read from Flink's html", async () => {
    const r = await profileMjs([
      "--via",
      "rest",
      "--flink-rest",
      flink.restUrl,
      "-d",
      "5",
      "-e",
      "itimer",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets.map((t: { target: string }) => t.target)).toEqual(["tm-1", "tm-2"]);
    for (const t of doc.targets) {
      expect(Object.keys(t).sort()).toEqual(["event", "files", "pid", "status", "target", "top", "waiting"]);
      expect(t).toMatchObject({ pid: null, status: "ok", event: "itimer" });
      expect(t.files).toHaveLength(1);
      expect(t.files[0]).toMatch(new RegExp(`^${out}/${t.target}-\\d{8}T\\d{6}Z\\.html$`));

      // The file is Flink's, byte for byte, and Flink lists our profile as FINISHED.
      const [ours] = await profiles(flink, t.target);
      expect(ours).toMatchObject({ status: "FINISHED", mode: "ITIMER", duration: 5 });
      const flinks = Buffer.from(
        await (await fetch(`${flink.restUrl}/taskmanagers/${t.target}/profiler/${ours!.outputFile}`)).arrayBuffer(),
      );
      const html = readFileSync(t.files[0]);
      expect(html.equals(flinks)).toBe(true);

      // Top frames agree with the geometry of the flame graph, and the encoder dominates.
      const oracle = positionalShares(html.toString("utf8"));
      expect(oracle.samples).toBeGreaterThan(100);
      expect(t.waiting).toBe(pct(oracle.waiting, oracle.samples));
      for (const f of t.top) {
        expect(f.self, f.frame).toBe(pct(oracle.self.get(f.frame) ?? 0, oracle.samples));
        expect(f.total, f.frame).toBe(pct(oracle.total(f.frame), oracle.samples));
      }
      expect(
        t.top.slice(0, 5).some((f: { frame: string }) => f.frame.startsWith(HOT)),
        JSON.stringify(t.top),
      ).toBe(true);
      // The sample job spends most of its CPU encoding JSON (the --local tests ask the same of asprof's own html).
      expect(oracle.total(`${HOT}.encode`) / oracle.samples).toBeGreaterThan(0.3);
    }
    // Side by side: each TaskManager's profile started before the other's ended.
    const [a, b] = [(await profiles(flink, "tm-1"))[0]!, (await profiles(flink, "tm-2"))[0]!];
    expect(a.triggerTime).toBeLessThan(b.finishedTime!);
    expect(b.triggerTime).toBeLessThan(a.finishedTime!);
    expect(r.stderr.match(/itimer \[[#.]+\] \d+s left/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it("prints the report for cpu, which perf events serve on this machine, and `report` reads the html back", async () => {
    const r = await profileMjs(["--via", "rest", "--flink-rest", flink.restUrl, "--tm", "tm-2", "-d", "4", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tm-2: profiled cpu\n {2}wrote .+\.html\n {4}self% {2}total% {2}frame\n/);
    expect(r.stdout).toContain(HOT);
    expect((await profiles(flink, "tm-2"))[0]).toMatchObject({ status: "FINISHED", mode: "CPU" });
    const [file] = readdirSync(out);
    const report = await profileMjs(["report", join(out, file!), "--json"]);
    expect(report.code, report.stderr).toBe(0);
    const doc = JSON.parse(report.stdout);
    expect(doc.profiles[0].format).toBe("html-2");
    expect(doc.samples).toBe(positionalShares(readFileSync(join(out, file!), "utf8")).samples);
  });

  it("Flink's html is the 2.x format that async-profiler's own converter cannot read", async () => {
    await quiet(flink, "tm-1");
    const r = await profileMjs([
      "--via",
      "rest",
      "--flink-rest",
      flink.restUrl,
      "--tm",
      "tm-1",
      "-d",
      "2",
      "-e",
      "wall",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [t] = JSON.parse(r.stdout).targets;
    expect(t.event).toBe("wall");
    let failed: { status?: number; stderr?: Buffer } = {};
    try {
      execFileSync(
        join(asyncProfilerHome(), "bin/jfrconv"),
        ["-o", "collapsed", t.files[0], join(out, "x.collapsed")],
        { stdio: "pipe" },
      );
    } catch (err) {
      failed = err as typeof failed;
    }
    expect(failed.status).not.toBe(0);
    expect(String(failed.stderr)).toMatch(/Exception/);
  });

  it("refuses a second profile while one runs, saying when that one ends", async () => {
    await quiet(flink, "tm-1");
    // Someone else's profile, started straight through Flink's REST API.
    const res = await fetch(`${flink.restUrl}/taskmanagers/tm-1/profiler`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "ITIMER", duration: 8 }),
    });
    expect(res.status).toBe(200);
    const r = await profileMjs(["--via", "rest", "--flink-rest", flink.restUrl, "--tm", "tm-1", "-d", "3", "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /tm-1: failed\n {2}error: TaskManager tm-1 is already profiling \(Flink said: "tm-1 is still under profiling\."\); that profile \(ITIMER, 8 s\) ends in about \d s\n {2}hint: {2}Flink runs one profile at a time per TaskManager JVM/,
    );
    expect(readdirSync(out)).toEqual([]);
    await quiet(flink, "tm-1");
  });

  it("refuses a duration above rest.profiling.duration-max with Flink's limit", async () => {
    const r = await profileMjs([
      "--via",
      "rest",
      "--flink-rest",
      flink.restUrl,
      "--tm",
      "tm-2",
      "-d",
      "13",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code).toBe(1);
    const [t] = JSON.parse(r.stdout).targets;
    expect(t.status).toBe("failed");
    expect(t.error).toMatch(
      /-d 13 is longer than this cluster allows \(Flink said: "`duration` must be set between \(0s, 12s\]\."\) \(use -d 12 or less/,
    );
  });

  it("refuses a TaskManager Flink does not know, naming those it knows, before profiling any", async () => {
    const r = await profileMjs([
      "--via",
      "rest",
      "--flink-rest",
      flink.restUrl,
      "--tm",
      "tm-1",
      "--tm",
      "tm-9",
      "-d",
      "2",
      "-o",
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: Flink at http:\/\/127\.0\.0\.1:\d+ knows no TaskManager tm-9\nhint: {2}its TaskManagers: tm-1, tm-2/m,
    );
    expect((await profiles(flink, "tm-1")).filter((p) => p.status === "RUNNING")).toEqual([]);
  });

  it("doctor --flink-rest says --via rest works here, with the cluster's limit", async () => {
    const r = await profileMjs(["doctor", "--flink-rest", flink.restUrl]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `ok     Flink 2.3.0 REST API reachable at ${flink.restUrl}, 2 TaskManager(s)\n` +
        "ok     Flink's built-in profiler is enabled: --via rest works, one profile at a time per TaskManager, up to 12 s (rest.profiling.duration-max)\n" +
        "drivers: --via rest can profile this cluster\n",
    );
  });

  it("on Ctrl-C leaves at once, says the profile runs on in Flink, and keeps no file", async () => {
    await quiet(flink, "tm-1");
    let sent = false;
    const r = await profileMjs(
      ["--via", "rest", "--flink-rest", flink.restUrl, "--tm", "tm-1", "-d", "10", "-o", out],
      (stderr, kill) => {
        if (!sent && /\d+s left/.test(stderr)) {
          sent = true;
          kill("SIGINT");
        }
      },
    );
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(
      /SIGINT: leaving; the profile keeps running in Flink until its duration ends .*10 s after it started/,
    );
    expect(r.stdout).toMatch(
      /tm-1: interrupted\n {2}error: the profile keeps running in Flink until its duration ends/,
    );
    // What it said is so: Flink still runs it, and nothing was written here.
    expect((await profiles(flink, "tm-1"))[0]).toMatchObject({ status: "RUNNING", duration: 10 });
    expect(readdirSync(out)).toEqual([]);
    await quiet(flink, "tm-1");
  });
});

describe("--via rest, profiling disabled", () => {
  let flink: LocalFlink;
  beforeAll(async () => {
    flink = await startLocalFlink({ taskManagers: 1, flinkConfig: SLOW_MACHINE });
  });
  afterAll(async () => {
    await flink?.stop();
  });

  it("refuses the whole run with the setting to change, and writes nothing", async () => {
    const dir = join(out, "not-created");
    const r = await profileMjs(["--via", "rest", "--flink-rest", flink.restUrl, "-d", "5", "-o", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error: Flink's built-in profiler is disabled on this cluster: rest\.profiling\.enabled is not set \(default false\) \(Flink 2\.3\.0\)\nhint: {2}set rest\.profiling\.enabled: true in the cluster's Flink configuration and restart it/m,
    );
    expect(existsSync(dir)).toBe(false);
    // What Flink itself answers, which the message above was made from.
    const res = await fetch(`${flink.restUrl}/taskmanagers/tm-1/profiler`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"mode":"ITIMER","duration":5}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: ["Not found: /taskmanagers/tm-1/profiler"] });
  });

  it("doctor --flink-rest fails, saying why and what to set", async () => {
    const r = await profileMjs(["doctor", "--flink-rest", flink.restUrl]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^ok {5}Flink 2\.3\.0 REST API reachable at .+, 1 TaskManager\(s\)\nfail {3}--via rest cannot work here: Flink's built-in profiler is disabled on this cluster: rest\.profiling\.enabled is not set \(default false\) \(Flink 2\.3\.0\)\n {7}fix: set rest\.profiling\.enabled: true .+\ndrivers: none of those checked can profile this cluster; --via rest cannot \(see above\)\n$/,
    );
  });
});

describe("--via rest where perf events are blocked", () => {
  let flink: LocalFlink;
  beforeAll(async () => {
    flink = await startLocalFlink({
      taskManagers: 1,
      taskManagerLauncher: [NO_PERF],
      flinkConfig: { ...SLOW_MACHINE, "rest.profiling.enabled": true },
    });
  });
  afterAll(async () => {
    await flink?.stop();
  });

  it("cpu fails to start in Flink, so it profiles with itimer and says so", async () => {
    const r = await profileMjs([
      "--via",
      "rest",
      "--flink-rest",
      flink.restUrl,
      "-e",
      "cpu",
      "-d",
      "4",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [t] = JSON.parse(r.stdout).targets;
    expect(t).toMatchObject({ target: "tm-1", status: "ok", event: "itimer" });
    expect(t.notices[0]).toMatch(
      /perf events are blocked in this TaskManager, so it was profiled with itimer \(Flink said: "Start profiler failed\. .*No access to perf events/,
    );
    expect(
      t.top.slice(0, 5).some((f: { frame: string }) => f.frame.startsWith(HOT)),
      JSON.stringify(t.top),
    ).toBe(true);
    // Flink's own record: the CPU attempt FAILED, the ITIMER one FINISHED.
    const [itimer, cpu] = await profiles(flink, "tm-1");
    expect(cpu).toMatchObject({ status: "FAILED", mode: "CPU" });
    expect(itimer).toMatchObject({ status: "FINISHED", mode: "ITIMER" });
  });
});
