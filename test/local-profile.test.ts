// `profile.mjs --local` as a user runs it: a real process, real Flink TaskManagers running the sample job,
// the real helper and async-profiler. Checks what a user checks: the files, the hot method, the exit status.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { profileLocal } from "../scripts/lib/local-profile.ts";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";
import { summarizeCollapsed } from "../scripts/lib/collapsed.ts";
import { flamegraphTotals, share } from "./support/profile-shares.ts";
import { profileMjs } from "./support/profile-mjs.ts";

const HOT = "com.example.orders.OrderJsonEncoder";
const ASPROF = join(asyncProfilerHome(), "bin/asprof");

const asprofStatus = (pid: number) => execFileSync(ASPROF, ["status", String(pid)], { encoding: "utf8" }).trim();

let flink: LocalFlink;
let out: string;

beforeAll(async () => {
  flink = await startLocalFlink({ taskManagers: 2 });
});
afterAll(async () => {
  await flink?.stop();
});
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "profile-local-"));
  return () => rmSync(out, { recursive: true, force: true });
});

describe("profile.mjs --local", () => {
  it("profiles every TaskManager in parallel and prints the documented JSON with the hot method on top", async () => {
    const r = await profileMjs(["--local", "-d", "6", "--format", "html,collapsed", "-o", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const ours = flink.taskManagers.map((tm) => tm.pid);
    const targets = doc.targets.filter((t: { pid: number }) => ours.includes(t.pid));
    expect(targets.map((t: { pid: number }) => t.pid).sort()).toEqual([...ours].sort());
    for (const t of targets) {
      expect(Object.keys(t).sort()).toEqual(["event", "files", "pid", "status", "target", "top", "waiting"]);
      expect(t).toMatchObject({ target: `taskmanager-${t.pid}`, status: "ok" });
      expect(["cpu", "ctimer"]).toContain(t.event);
      expect(t.files.map((f: string) => f.split(".").pop()).sort()).toEqual(["collapsed", "html"]);
      for (const f of t.files) expect(f.startsWith(out) && existsSync(f)).toBe(true);
      for (const f of t.top) expect(Object.keys(f).sort()).toEqual(["frame", "self", "total"]);
      expect(
        t.top.slice(0, 5).some((f: { frame: string }) => f.frame.startsWith(HOT)),
        JSON.stringify(t.top),
      ).toBe(true);
      const html = t.files.find((f: string) => f.endsWith(".html"));
      expect(share(flamegraphTotals(readFileSync(html, "utf8")), `${HOT}.encode`)).toBeGreaterThan(0.3);
    }
    // Profiles run side by side: both started before either finished.
    expect(r.stderr.match(/\[#*\.*\] \d+s left/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it("with wall clock, names the hot method among the frames of running threads and keeps only html", async () => {
    const tm = flink.taskManagers[0]!;
    const r = await profileMjs(["--local", "--pid", String(tm.pid), "-e", "wall", "-d", "5", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/profiled wall/);
    expect(r.stdout).toMatch(/% of samples were threads waiting/);
    const frames = r.stdout.split("\n").filter((l) => /^\s+\d+\.\d%\s+\d+\.\d%\s+/.test(l));
    // The encoder's own code is inlined into it by the JIT, so the JDK string methods it calls may top the
    // self list; the listed frames of running threads must still name it (parked and polling ones do not).
    expect(
      frames.some((l) => l.includes(HOT)),
      r.stdout,
    ).toBe(true);
    expect(
      frames.some((l) => /Unsafe\.park|epollWait|Object\.wait|Thread\.sleep/.test(l)),
      r.stdout,
    ).toBe(false);
    // Only what was asked for stays: the collapsed file used for the top frames is gone.
    expect(readdirSync(out).map((f) => f.split(".").pop())).toEqual(["html"]);
  });

  it("on Ctrl-C stops the profiler in the target, keeps no file and exits 130", async () => {
    const tm = flink.taskManagers[1]!;
    let sent = false;
    const r = await profileMjs(["--local", "--pid", String(tm.pid), "-d", "60", "-o", out], (stderr, kill) => {
      if (!sent && /\d+s left/.test(stderr)) {
        sent = true;
        expect(asprofStatus(tm.pid)).toMatch(/Profiling is running/);
        kill("SIGINT");
      }
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/interrupted/);
    expect(asprofStatus(tm.pid)).toMatch(/not active/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("with --pid runs the helper once, without a list first, and names the JVM as the helper found it", async () => {
    // A wrapper in front of the real helper writes down each action it is asked for.
    const calls = join(out, "calls");
    const wrapper = join(out, "helper-wrapper");
    writeFileSync(wrapper, `#!/usr/bin/env bash\necho "$1" >> ${calls}\nexec ${helperPath()} "$@"\n`, { mode: 0o755 });
    const tm = flink.taskManagers[0]!.pid;
    const cmd = parseProfileCommand([
      "--local",
      "--pid",
      String(tm),
      "-d",
      "2",
      "-f",
      "collapsed",
      "-o",
      join(out, "p"),
    ]);
    if (cmd.kind !== "local") throw new Error("not a local command");
    const [t] = await profileLocal(cmd, { helper: wrapper });
    expect(t, JSON.stringify(t?.error)).toMatchObject({ pid: tm, status: "ok", target: `taskmanager-${tm}` });
    expect(readFileSync(calls, "utf8").split("\n").filter(Boolean)).toEqual(["profile"]);
  });

  it("reports a pid that is not a JVM as a failed target with the helper's reason", async () => {
    const sleeper = spawn("sleep", ["30"]);
    try {
      const r = await profileMjs(["--local", "--pid", String(sleeper.pid), "-d", "2", "-o", out, "--json"]);
      expect(r.code).toBe(1);
      const [t] = JSON.parse(r.stdout).targets;
      expect(t).toMatchObject({ pid: sleeper.pid, status: "failed", files: [] });
      expect(t.error).toMatch(/not a (Java|JVM)/i);
      expect(sleeper.exitCode).toBeNull();
    } finally {
      sleeper.kill();
    }
  });

  it("refuses bad arguments before touching anything", async () => {
    const missing = join(out, "not-created");
    for (const args of [
      ["-d", "0"],
      ["-e", "cycles"],
      ["--format", "svg"],
      ["--pid", "abc"],
    ]) {
      const r = await profileMjs(["--local", ...args, "-o", missing]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^error: .+\nhint: .+/m);
      expect(existsSync(missing)).toBe(false);
    }
    for (const tm of flink.taskManagers) expect(asprofStatus(tm.pid)).toMatch(/not active/);
  });

  it("reads its own profiles back: report, --grep, --threads, diff of the two TaskManagers, merge", async () => {
    const pids = flink.taskManagers.flatMap((tm) => ["--pid", String(tm.pid)]);
    const r = await profileMjs(["--local", ...pids, "-d", "5", "-t", "--format", "html,collapsed,jfr", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    const ours = (ext: string) =>
      readdirSync(out)
        .filter((f) => f.endsWith(ext))
        .sort()
        .map((f) => join(out, f));
    const [collapsed, other] = ours(".collapsed");
    const report = async (...args: string[]) => {
      const run = await profileMjs(["report", ...args, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };

    // The grep share, counted here from the file's lines: stacks with a frame of the encoder, thread frames aside.
    const lines = readFileSync(collapsed!, "utf8")
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.lastIndexOf(" ")).split(";"), Number(l.slice(l.lastIndexOf(" ") + 1))] as const);
    const all = lines.reduce((n, [, c]) => n + c, 0);
    const hits = lines
      .filter(([frames]) => frames.some((f) => !f.startsWith("[") && f.includes("OrderJsonEncoder")))
      .reduce((n, [, c]) => n + c, 0);
    const fromCollapsed = await report(collapsed!, "--grep", "OrderJsonEncoder", "--threads");
    expect(fromCollapsed.samples).toBe(all);
    expect(fromCollapsed.grep.share).toBe(Math.round((hits / all) * 1000) / 10);
    expect(fromCollapsed.grep.share).toBeGreaterThan(30);
    // The same top frames as the report of a fresh profile (collapsed.ts), a separate implementation.
    expect(fromCollapsed.top).toEqual(summarizeCollapsed(readFileSync(collapsed!, "utf8")).top);
    expect(fromCollapsed.operators.map((o: { name: string }) => o.name)).toContain(
      "Source: Orders -> Encode JSON -> Discard: Writer",
    );

    // The html and the JFR of the same run, read through async-profiler's converter, say the same.
    const fromHtml = await report(ours(".html")[0]!, "--grep", "OrderJsonEncoder\\.encode");
    const html = flamegraphTotals(readFileSync(ours(".html")[0]!, "utf8"));
    expect(fromHtml.samples).toBe(html.samples);
    expect(fromHtml.grep.share).toBe(Math.round(share(html, `${HOT}.encode`) * 1000) / 10);
    const fromJfr = await report(ours(".jfr")[0]!, "--threads");
    expect(fromJfr.samples).toBe(all);
    expect(fromJfr.top[0]).toEqual(fromCollapsed.top[0]);
    expect(fromJfr.operators[0].name).toBe(fromCollapsed.operators[0].name);

    const diff = await profileMjs(["diff", collapsed!, other!, "-o", join(out, "diff"), "--json"]);
    expect(diff.code, diff.stderr).toBe(0);
    const d = JSON.parse(diff.stdout);
    expect(existsSync(d.html)).toBe(true);
    const deltas = d.regressions.map((x: { delta: number }) => x.delta);
    expect(deltas).toEqual([...deltas].sort((a, b) => b - a));

    const merged = await profileMjs(["merge", ...ours(".collapsed"), "-o", join(out, "merged", "all"), "--json"]);
    expect(merged.code, merged.stderr).toBe(0);
    const m = JSON.parse(merged.stdout);
    expect(m.samples).toBe(all + (await report(other!)).samples);
    expect(m.skew.map((x: { target: string }) => x.target).sort()).toEqual(
      ours(".collapsed")
        .map((f) => f.split("/").pop()!.replace(".collapsed", ""))
        .sort(),
    );
  });

  it("documents every flag in --help", async () => {
    const r = await profileMjs(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of [
      "--local",
      "--pid",
      "--duration",
      "--event",
      "--interval",
      "--threads",
      "--include",
      "--exclude",
      "--format",
      "--output",
      "--json",
      "report",
      "diff",
      "merge",
      "--top",
      "--grep",
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Examples:/);
  });
});
