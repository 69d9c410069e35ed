// The helper in the image's situation: the TaskManager JVM runs as uid 9999, the helper runs as a
// non-root user (the JVM's own, as `kubectl exec` into the container runs it), other users' JVMs are on
// the machine, output volumes are small, and a shared directory may hold someone else's symlinks.
// The test process is root: it creates the users, mounts small tmpfs volumes (unmounted in afterAll)
// and starts the TaskManager as uid 9999 (test/support/production-situation.ts), and then runs everything
// else as the users it is about.
import { spawn } from "node:child_process";
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { helperPath } from "../scripts/lib/helper-events.ts";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { UsageError } from "../scripts/lib/profile-options.ts";

import {
  AP_HOME,
  ASPROF,
  JVM_UID,
  OTHER_UID,
  PROFILE,
  asprofStatus,
  dirOf,
  errorOf,
  helper,
  mountTmpfs,
  outDir,
  productionSituation,
  runAs,
  scratchDir,
} from "./support/production-situation.ts";

const situation = productionSituation();
let base: string;
let tm: number;
let jm: number;
beforeAll(() => {
  ({ base, tm, jm } = situation.state());
});

// Each run takes seconds; a hung one should fail soon, not after the default three minutes.
vi.setConfig({ testTimeout: 60_000 });

describe("finding 4: a non-root helper with other users' JVMs on the machine", () => {
  it("lists its own JVMs and says which processes it could not inspect, instead of exiting silently", async () => {
    const run = await helper(["list"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.records).toContainEqual({
      type: "jvm",
      pid: tm,
      role: "taskmanager",
      mainClass: "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
      uid: JVM_UID,
    });
    // The JobManager is root's: its memory map cannot be read, so it is not listed as a JVM, but named.
    expect(run.records.some((r) => r.type === "jvm" && r.pid === jm)).toBe(false);
    const notice = run.records.find((r) => r.type === "notice");
    expect(notice).toMatchObject({ code: "not-inspected" });
    expect(notice.message).toMatch(new RegExp(`\\b${jm}\\b`));
    expect(notice.hint).toMatch(/root|user/);
  });

  it("profile --pid of another user's JVM says whose it is", async () => {
    const run = await helper(["--pid", String(jm), "-d", "1", "-f", "collapsed", "-o", outDir()]);
    expect(run.code).toBe(3);
    const error = errorOf(run);
    expect(error.code).toBe("wrong-user");
    expect(error.message).toContain(`uid 0`);
    expect(asprofStatus(jm)).toBe("Profiler is not active");
  });

  it("profile.mjs --local as a non-root user reports the helper's reason, not an empty failure", async () => {
    const out = outDir();
    const r = await runAs(
      JVM_UID,
      process.execPath,
      [PROFILE, "--local", "--pid", String(jm), "-d", "1", "--format", "collapsed", "-o", out, "--json"],
      {},
      out,
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/list failed: *$/m);
    const doc = JSON.parse(r.lines.join("\n"));
    expect(doc.targets).toHaveLength(1);
    expect(doc.targets[0]).toMatchObject({ pid: jm, status: "failed" });
    expect(doc.targets[0].error).toMatch(/uid 0/);
  });
});

describe("finding 5: numbers are decimal, with the same rules in the helper and the CLI", () => {
  // A wrapper in front of the real asprof writes down the arguments it was given.
  function loggingAsprofHome(): { home: string; log: string } {
    const home = dirOf(base, `asprof-wrapper-${Date.now()}`, JVM_UID, 0o755);
    scratchDir(home);
    mkdirSync(join(home, "bin"));
    const log = join(home, "args.log");
    writeFileSync(join(home, "bin", "asprof"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${ASPROF}' "$@"\n`, {
      mode: 0o755,
    });
    symlinkSync(join(AP_HOME, "lib"), join(home, "lib"));
    return { home, log };
  }

  it.each([
    ["010ms", "10ms"],
    ["09ms", "9ms"],
  ])("-i %s reaches async-profiler as %s and profiles", async (given, meant) => {
    const { home, log } = loggingAsprofHome();
    const run = await helper(["--pid", String(tm), "-d", "1", "-f", "collapsed", "-i", given, "-o", outDir()], {
      env: { ASYNC_PROFILER_HOME: home },
    });
    expect(run.code, run.stderr).toBe(0);
    const start = readFileSync(log, "utf8")
      .split("\n")
      .find((l) => l.startsWith("start "));
    expect(start).toMatch(new RegExp(` -i ${meant} `));
  });

  // Accepted or refused, and the value meant, written out here by hand: the oracle is this table.
  const table: [option: "-i" | "-d" | "--pid", value: string, meant: string | number | null][] = [
    ["-i", "010ms", "10ms"],
    ["-i", "09", "9"],
    ["-i", "0008us", "8us"],
    ["-i", "0", null],
    ["-i", "00ms", null],
    ["-i", "1e3", null],
    ["-i", "0x10", null],
    ["-i", "-5ms", null],
    ["-d", "010", 10],
    ["-d", "09", 9],
    ["-d", "0", null],
    ["-d", "03601", null],
    ["-d", "+5", null],
    ["--pid", "010", 10],
    ["--pid", "0", null],
    ["--pid", "0x10", null],
  ];
  it.each(table)("%s %s: the helper and profile.mjs agree (%s)", async (option, value, meant) => {
    // The helper checks values before it looks for async-profiler: a value it accepts meets the missing asprof.
    const empty = dirOf(base, `no-asprof-${Date.now()}`, JVM_UID, 0o755);
    scratchDir(empty);
    const args = option === "--pid" ? ["--pid", value] : ["--pid", String(tm), option, value];
    const run = await helper([...args, "-o", outDir()], { env: { ASYNC_PROFILER_HOME: empty } });
    expect(errorOf(run).code, JSON.stringify(run.records)).toBe(meant === null ? "bad-input" : "asprof-missing");

    const cli = () => parseProfileCommand(["--local", option, value]);
    if (meant === null) {
      expect(cli).toThrow(UsageError);
    } else {
      const cmd = cli();
      if (cmd.kind !== "local") throw new Error("expected local");
      const got = option === "-i" ? cmd.settings.interval : option === "-d" ? cmd.settings.duration : cmd.pids[0];
      expect(got).toBe(meant);
    }
  });
});

describe("finding 2: a file cut by a full volume is an error, never a result", () => {
  let small: string; // 12 KiB
  let tiny: string; // 4 KiB
  beforeAll(() => {
    small = mountTmpfs("small", "12k");
    tiny = mountTmpfs("tiny", "4k");
  });

  // A wall-clock profile of every thread of a TaskManager is far more than 12 KiB of collapsed stacks.
  it.each([
    ["collapsed", "small", ["-e", "wall", "-t", "-f", "collapsed"]],
    ["html", "small", ["-e", "wall", "-t", "-f", "html"]],
    ["html", "tiny", ["-e", "wall", "-t", "-f", "html"]],
    ["jfr", "small", ["-e", "wall", "-t", "-f", "jfr"]],
    ["collapsed in Job mode", "small", ["-e", "wall", "-t", "-f", "html", "--emit-records"]],
  ])("%s on the %s tmpfs: an error naming the full volume, no result, nothing left", async (_what, volume, args) => {
    const dir = volume === "small" ? small : tiny;
    const run = await helper(["--pid", String(tm), "-d", "2", "-o", dir, ...args]);
    expect(run.code, JSON.stringify(run.records)).toBe(5);
    const error = errorOf(run);
    expect(error.code).toBe("output-incomplete");
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/full|incomplete/);
    expect(run.records.filter((r) => ["result", "file", "chunk", "end", "done"].includes(r.type))).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it("profile.mjs --local exits 1 when the profile does not fit, and keeps no cut file", async () => {
    const r = await runAs(0, process.execPath, [
      PROFILE,
      "--local",
      "--pid",
      String(tm),
      "-d",
      "2",
      "-e",
      "wall",
      "-t",
      "--format",
      "collapsed",
      "-o",
      small,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(1);
    const [t] = JSON.parse(r.lines.join("\n")).targets;
    expect(t).toMatchObject({ pid: tm, status: "failed", files: [] });
    expect(t.error).toMatch(/full|incomplete/);
    expect(readdirSync(small)).toEqual([]);
  });

  it("profile.mjs --local exits 1 when the flame graph it draws does not fit, though the stacks did", async () => {
    // One method's stacks are a few hundred bytes; the flame graph around them is more than 12 KiB.
    const r = await runAs(0, process.execPath, [
      PROFILE,
      "--local",
      "--pid",
      String(tm),
      "-d",
      "2",
      "-I",
      "*OrderJsonEncoder.encode*",
      "--format",
      "html",
      "-o",
      small,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(1);
    const [t] = JSON.parse(r.lines.join("\n")).targets;
    expect(t).toMatchObject({ pid: tm, status: "failed", files: [] });
    expect(readdirSync(small).filter((f) => f.endsWith(".html"))).toEqual([]);
  });
});

describe("finding 1: output directories other users can write to", () => {
  it.each([
    ["world-writable, not sticky, owned by the JVM's user", JVM_UID, JVM_UID, 0o777],
    ["sticky but owned by another user", OTHER_UID, OTHER_UID, 0o1777],
    ["group-writable by another user's group", JVM_UID, OTHER_UID, 0o775],
  ])("refuses one %s, before profiling", async (_what, owner, group, mode) => {
    const dir = dirOf(base, `shared-${owner}-${group}-${mode.toString(8)}`, owner, mode);
    chownSync(dir, owner, group);
    scratchDir(dir);
    const run = await helper(["--pid", String(tm), "-d", "1", "-f", "collapsed", "-o", dir]);
    expect(run.code).toBe(2);
    const error = errorOf(run);
    expect(error.code).toBe("bad-input");
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/other users/);
    expect(readdirSync(dir)).toEqual([]);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it("never lets the JVM follow a symlink another user plants at the temporary name, even in a race", async () => {
    // Before: the JVM wrote to <dir>/.<name>.<format>.part, a name known in advance, and followed a link
    // planted there. Now the helper creates the JVM's file itself, exclusively, under a name no one can guess.
    // A sticky, root-owned, world-writable directory (like /tmp) is allowed: others can add names, not replace ours.
    const dir = dirOf(base, "sticky-shared", 0, 0o1777);
    const victimDir = dirOf(base, "victim", JVM_UID, 0o755);
    scratchDir(dir, victimDir);
    const victim = join(victimDir, "created-through-the-link");
    // The attacker plants the link before the run starts and keeps planting it while it runs.
    const planter = spawn(
      "bash",
      ["-c", `while :; do ln -s '${victim}' '${dir}/.planted.collapsed.part' 2>/dev/null; done`],
      { uid: OTHER_UID, gid: OTHER_UID, stdio: "ignore" },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(lstatSync(join(dir, ".planted.collapsed.part")).isSymbolicLink()).toBe(true);
      const run = await helper(["--pid", String(tm), "-d", "1", "-f", "collapsed", "--name", "planted", "-o", dir]);
      expect(existsSync(victim)).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      const st = lstatSync(join(dir, "planted.collapsed"));
      expect(st.isFile() && st.uid === JVM_UID).toBe(true);
      expect(readFileSync(join(dir, "planted.collapsed"), "utf8")).toContain("OrderJsonEncoder");
    } finally {
      planter.kill("SIGKILL");
    }
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it("writes into a sticky root-owned shared directory, in a file of its own that others cannot replace", async () => {
    const dir = dirOf(base, "sticky-ok", 0, 0o1777);
    scratchDir(dir);
    const run = await helper(["--pid", String(tm), "-d", "1", "-f", "collapsed", "--name", "mine", "-o", dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["mine.collapsed"]);
    // Only the JVM's user may write it: no one else can have changed it.
    const st = lstatSync(join(dir, "mine.collapsed"));
    expect(st.isFile()).toBe(true);
    expect(st.uid).toBe(JVM_UID);
    expect(st.mode & 0o022).toBe(0);
    expect(readFileSync(join(dir, "mine.collapsed"), "utf8")).toContain("OrderJsonEncoder");
  });
});

describe("finding 8: the helper's own unclear errors", () => {
  it("an unknown action is named as one", async () => {
    const run = await helper(["bogusaction"]);
    expect(run.code).toBe(2);
    const error = errorOf(run);
    expect(error.code).toBe("bad-input");
    expect(error.message).toMatch(/unknown action 'bogusaction'/);
    expect(error.message).not.toMatch(/needs a value/);
  });

  it("an empty -o is refused, not read as the default", async () => {
    const run = await helper(["--pid", String(tm), "-d", "1", "-o", ""]);
    expect(run.code).toBe(2);
    expect(errorOf(run).message).toMatch(/output dir.*empty/);
  });

  it("exits 130 when its reader goes away (SIGPIPE), as documented", async () => {
    const child = spawn(
      helperPath(),
      ["--pid", String(tm), "-d", "30", "-f", "collapsed", "-o", outDir(), "--emit-records", "--progress-every", "1"],
      {
        uid: JVM_UID,
        gid: JVM_UID,
        env: { ...process.env, ASYNC_PROFILER_HOME: AP_HOME },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const code = await new Promise<number | null>((ok) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        if (d.includes('"progress"')) child.stdout.destroy();
      });
      child.on("close", (c) => ok(c));
    });
    expect(code).toBe(130);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it.each([
    [["-n", "flink", "--cluster", "a", "--start-timeout", "-1"], /start-timeout "-1" is/],
    [["--local", "-d", "-5"], /duration "-5" is/],
  ])("profile.mjs %j says what is wrong with the value, not that it is ambiguous", (argv, message) => {
    try {
      parseProfileCommand(argv as string[]);
      throw new Error("expected a usage error");
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/ambiguous/);
    }
  });
});
