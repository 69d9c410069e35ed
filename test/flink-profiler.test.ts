// The in-image helper against real Flink JVMs (scripts/demo/local-flink/) and the real asprof 4.5.
// Each TaskManager runs in its own pid and mount namespace (unshare), and the helper is run inside
// it with nsenter where the test is about discovery: like `kubectl exec` into a TaskManager pod,
// it then sees that TaskManager alone, whatever other JVMs run on this shared machine.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { gunzipSync } from "node:zlib";
import { basename, join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asyncProfilerHome, helperPath, parseHelperLine, type HelperEvent } from "../scripts/lib/helper-events.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";
import { collapsedTotals, flamegraphTotals, share, topFramesOf } from "./support/profile-shares.ts";

const HOT = "com.example.orders.OrderJsonEncoder.encode";
const TASK_THREAD = "org.apache.flink.streaming.runtime.tasks.StreamTask.invoke";
const NAMESPACE_LAUNCHER = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];
const NO_PERF = resolve(".cache/bin/no-perf");
const AP_HOME = asyncProfilerHome();
const ASPROF = join(AP_HOME, "bin/asprof");
const PWNED = join(tmpdir(), `pwned-${process.pid}`);

type Run = {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: HelperEvent[];
  stdout: string[];
  stderr: string;
};
type Running = { child: ChildProcess; events: HelperEvent[]; done: Promise<Run> };

function startHelper(args: string[], opts: { inNamespaceOf?: number; env?: NodeJS.ProcessEnv } = {}): Running {
  const command = opts.inNamespaceOf
    ? ["nsenter", "-t", String(opts.inNamespaceOf), "-p", "-m", "--", helperPath(), ...args]
    : [helperPath(), ...args];
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ASYNC_PROFILER_HOME: AP_HOME, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: HelperEvent[] = [];
  const stdout: string[] = [];
  let stderr = "";
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      stdout.push(line);
      const e = parseHelperLine(line);
      if (e) events.push(e);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<Run>((ok) =>
    child.on("close", (code, signal) => ok({ code, signal, events, stdout, stderr })),
  );
  return { child, events, done };
}

const runHelper = (args: string[], opts?: Parameters<typeof startHelper>[1]) => startHelper(args, opts).done;

/** The contract: stdout is JSON lines that are all helper events, nothing else. */
function expectOnlyEvents(run: Run) {
  expect(run.stdout.filter((l) => parseHelperLine(l) === undefined)).toEqual([]);
}

function errorOf(run: Run) {
  const errors = run.events.filter((e) => e.type === "error");
  expect(errors, `stderr: ${run.stderr}`).toHaveLength(1);
  return errors[0] as Extract<HelperEvent, { type: "error" }>;
}

function asprofStatus(pid: number): string {
  return execFileSync(ASPROF, ["status", String(pid)], { encoding: "utf8" }).trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** local-flink reports the launcher's pid when a launcher runs in front of java; the JVM is its child. */
function jvmPid(pid: number): number {
  if (basename(readlinkSync(`/proc/${pid}/exe`)) === "java") return pid;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (Number(ppid) === pid && basename(readlinkSync(`/proc/${entry}/exe`)) === "java") return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  throw new Error(`no java process under pid ${pid}`);
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

function results(run: Run) {
  return run.events.filter((e) => e.type === "result") as Extract<HelperEvent, { type: "result" }>[];
}

/** Checks that each result exists with its reported size and sha256 and returns path by format. */
function checkedFiles(run: Run): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results(run)) {
    expect(existsSync(r.path), r.path).toBe(true);
    expect(readFileSync(r.path).length).toBe(r.size);
    expect(sha256(r.path)).toBe(r.sha256);
    out[r.format] = r.path;
  }
  return out;
}

/** Hot method among the application's top frames and holding most of the task thread's samples. */
function expectHotMethod(totals: ReturnType<typeof collapsedTotals>) {
  expect(topFramesOf(totals, "com.example.", 3)).toContain(HOT);
  expect(share(totals, HOT, TASK_THREAD)).toBeGreaterThan(0.5);
}

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), "flink-profiler-out-"));
  rmSync(PWNED, { force: true });
});

describe("flink-profiler without a Flink cluster", () => {
  it("refuses a pid that is not a JVM, and leaves that process alone", async () => {
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const run = await runHelper(["--pid", String(sleeper.pid), "-d", "1", "-o", outDir]);
      expectOnlyEvents(run);
      expect(run.code).toBe(3);
      const error = errorOf(run);
      expect(error.code).toBe("not-a-jvm");
      expect(error.message).toContain(String(sleeper.pid));
      expect(sleeper.exitCode).toBeNull();
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("refuses a pid that does not exist", async () => {
    const run = await runHelper(["--pid", "999999999", "-o", outDir]);
    expect(run.code).toBe(3);
    expect(errorOf(run).code).toBe("no-such-process");
  });

  it("says where to get async-profiler when asprof is missing", async () => {
    const empty = mkdtempSync(join(tmpdir(), "no-asprof-"));
    try {
      const run = await runHelper(["--pid", String(process.pid), "-d", "1", "-o", outDir], {
        env: { ASYNC_PROFILER_HOME: empty },
      });
      expectOnlyEvents(run);
      expect(run.code).toBe(5);
      const error = errorOf(run);
      expect(error.code).toBe("asprof-missing");
      expect(error.message).toContain(join(empty, "bin/asprof"));
      expect(error.hint).toContain("ASYNC_PROFILER_HOME");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("flink-profiler on a local Flink TaskManager", () => {
  let flink: LocalFlink;
  let tm: number; // the TaskManager JVM's pid on this machine; inside its namespace it is pid 1

  beforeAll(async () => {
    flink = await startLocalFlink({ taskManagers: 1, taskManagerLauncher: NAMESPACE_LAUNCHER });
    tm = jvmPid(flink.taskManagers[0]!.pid);
  });
  afterAll(async () => {
    await flink?.stop();
  });

  it("finds the TaskManager by main class and names the hot method in html and collapsed from one cpu run", async () => {
    const run = await runHelper(["-d", "6", "-f", "html,collapsed", "-o", outDir, "--progress-every", "2"], {
      inNamespaceOf: tm,
    });
    expectOnlyEvents(run);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events[0]).toMatchObject({
      type: "started",
      pid: 1,
      role: "taskmanager",
      event: "cpu",
      duration: 6,
      formats: ["html", "collapsed"],
    });
    expect(run.events.filter((e) => e.type === "progress").length).toBeGreaterThanOrEqual(2);
    expect(run.events.at(-1)).toEqual({ type: "done", pid: 1, status: "ok" });
    const files = checkedFiles(run);
    expect(Object.keys(files).sort()).toEqual(["collapsed", "html"]);
    // Only the final names remain: no temporary files.
    expect(readdirSync(outDir).sort()).toEqual(
      Object.values(files)
        .map((f) => basename(f))
        .sort(),
    );

    const collapsed = collapsedTotals(readFileSync(files.collapsed!, "utf8"));
    const html = flamegraphTotals(readFileSync(files.html!, "utf8"));
    expectHotMethod(collapsed);
    expectHotMethod(html);
    // A CPU-bound job: the hot method is a large part of the whole JVM's CPU time as well (most of it on a
    // quiet machine; 0.43 was seen at load 8, where the JIT and GC threads take more).
    expect(share(collapsed, HOT)).toBeGreaterThan(0.3);
    expect(html.samples).toBe(collapsed.samples);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  // A second JVM inside a memory-limited TaskManager container could push the pod over its limit: in Job
  // mode the helper sends the recording alone and the reader renders the rest. A `java` that leaves a
  // mark proves no converter ran, whichever way it would have looked for java.
  it("in Job mode with html and jfr asked, sends the jfr recording alone and starts no JVM", async () => {
    const fakeJdk = join(outDir, "..", `fake-jdk-${process.pid}`);
    const started = join(fakeJdk, "java-started");
    mkdirSync(join(fakeJdk, "bin"), { recursive: true });
    writeFileSync(join(fakeJdk, "bin", "java"), `#!/bin/sh\necho "$@" >> "${started}"\nexit 1\n`, { mode: 0o755 });
    try {
      const run = await runHelper(
        ["-d", "3", "-e", "wall", "-f", "html,jfr", "-o", outDir, "--name", "wall", "--emit-records"],
        {
          inNamespaceOf: tm,
          env: { JAVA_HOME: fakeJdk, PATH: `${join(fakeJdk, "bin")}:${process.env.PATH}` },
        },
      );
      expectOnlyEvents(run);
      expect(run.code, run.stderr).toBe(0);
      expect(existsSync(started)).toBe(false);
      expect(run.events.find((e) => e.type === "started")).toMatchObject({ formats: ["jfr"] });
      expect(results(run).map((r) => r.format)).toEqual(["jfr"]);
      // The records, read back here from their JSON lines: one file, a JFR recording (magic FLR\0).
      const headers = run.stdout.map((l) => JSON.parse(l)).filter((r) => r.type === "file");
      expect(headers.map((h) => [h.format, h.name])).toEqual([["jfr", "wall.jfr"]]);
      const data = run.stdout
        .map((l) => JSON.parse(l))
        .filter((r) => r.type === "chunk")
        .map((r) => r.data)
        .join("");
      const bytes = gunzipSync(Buffer.from(data, "base64"));
      expect(bytes.subarray(0, 4).toString("latin1")).toBe("FLR\0");
      expect(bytes.length).toBe(headers[0].size);
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      rmSync(fakeJdk, { recursive: true, force: true });
    }
  });

  it("in Job mode without jfr, sends collapsed stacks with frame kinds, from which html keeps its colours", async () => {
    const run = await runHelper(["-d", "2", "-f", "html", "-o", outDir, "--name", "kinds", "--emit-records"], {
      inNamespaceOf: tm,
    });
    expectOnlyEvents(run);
    expect(run.code, run.stderr).toBe(0);
    const headers = run.stdout.map((l) => JSON.parse(l)).filter((r) => r.type === "file");
    expect(headers.map((h) => [h.format, h.name])).toEqual([["collapsed", "kinds.collapsed"]]);
    const data = run.stdout
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === "chunk")
      .map((r) => r.data)
      .join("");
    const text = gunzipSync(Buffer.from(data, "base64")).toString("utf8");
    // asprof's -a: Java frames carry their kind (_[j] compiled, _[i] inlined, _[0] interpreted, _[1] C1).
    expect(text).toMatch(/OrderJsonEncoder\.\w+_\[[ji01]\]/);
  });

  it("outside Job mode refuses jfr together with another format: making it would take a JVM", async () => {
    const run = await runHelper(["--pid", String(tm), "-d", "1", "-f", "jfr,html", "-o", outDir]);
    expectOnlyEvents(run);
    expect(run.code).toBe(2);
    expect(errorOf(run)).toMatchObject({
      code: "bad-input",
      message: expect.stringMatching(/jfr/),
      hint: expect.stringMatching(/profile\.mjs|jfrconv/),
    });
    expect(readdirSync(outDir)).toEqual([]);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it("lists the TaskManager from inside its namespace and from the host", async () => {
    const inside = await runHelper(["list"], { inNamespaceOf: tm });
    expectOnlyEvents(inside);
    expect(inside.events).toEqual([
      {
        type: "jvm",
        pid: 1,
        role: "taskmanager",
        mainClass: "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
        uid: process.getuid!(),
      },
    ]);
    const host = await runHelper(["list"]);
    expect(host.events).toContainEqual(expect.objectContaining({ type: "jvm", pid: tm, role: "taskmanager" }));
    expect(host.events).toContainEqual(
      expect.objectContaining({ type: "jvm", pid: flink.jobManager.pid, role: "jobmanager" }),
    );
  });

  it("refuses a second profile of the same JVM, naming the running one, and leaves the first intact", async () => {
    const first = startHelper(["--pid", String(tm), "-d", "6", "-f", "collapsed", "-o", outDir, "--name", "first"]);
    await waitFor("the first profile to start", () => first.events.find((e) => e.type === "started"), 30_000);
    await sleep(1500);
    const second = await runHelper(["--pid", String(tm), "-d", "5", "-o", outDir, "--name", "second"]);
    expectOnlyEvents(second);
    expect(second.code).toBe(4);
    const error = errorOf(second);
    expect(error.code).toBe("already-running");
    expect(error.message).toMatch(new RegExp(`pid ${tm} .*running for [1-9]\\d* seconds`));
    const status = await runHelper(["status", "--pid", String(tm)]);
    expect(status.events).toEqual([
      { type: "status", pid: tm, role: "taskmanager", active: true, seconds: expect.any(Number) },
    ]);

    const firstRun = await first.done;
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(readdirSync(outDir)).toEqual(["first.collapsed"]);
  });

  // A helper left behind (its Job killed, its profile stopped by `flink-profiler stop`) must not end or
  // dump the profile the next person starts on the same JVM.
  describe("a helper whose profile someone else stopped", () => {
    async function stoppedThenReplaced(firstArgs: string[]) {
      const first = startHelper([
        "--pid",
        String(tm),
        "-d",
        "30",
        "-o",
        outDir,
        "--name",
        "first",
        "--progress-every",
        "1",
        ...firstArgs,
      ]);
      await waitFor(
        "the first profile to start",
        () => {
          if (first.events.some((e) => e.type === "error"))
            throw new Error(`the first profile failed: ${JSON.stringify(first.events)}`);
          return first.events.find((e) => e.type === "started");
        },
        30_000,
      );
      expect((await runHelper(["stop", "--pid", String(tm)])).code).toBe(0);
      // asprof counts a session's age in whole seconds: the helper tells its own session from one begun
      // two seconds or more after it.
      await sleep(2000);
      const second = startHelper([
        "--pid",
        String(tm),
        "-d",
        "12",
        "-f",
        "collapsed",
        "-o",
        outDir,
        "--name",
        "second",
      ]);
      await waitFor("the second profile to start", () => second.events.find((e) => e.type === "started"), 30_000);
      return { first, second };
    }

    async function expectSecondIntact(second: Running) {
      expect(asprofStatus(tm)).toMatch(/^Profiling is running/);
      const run = await second.done;
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(checkedFiles(run).collapsed!, "utf8")).toContain("OrderJsonEncoder");
    }

    it("ends within seconds, says why, and leaves the next profile running", async () => {
      const startedAt = Date.now();
      const { first, second } = await stoppedThenReplaced(["-f", "collapsed,html"]);
      const firstRun = await first.done;
      expect(Date.now() - startedAt).toBeLessThan(15_000);
      expectOnlyEvents(firstRun);
      expect(firstRun.code).toBe(4);
      expect(errorOf(firstRun)).toMatchObject({
        code: "stopped-elsewhere",
        message: expect.stringMatching(/was stopped by someone else .*another profile now runs/),
      });
      await expectSecondIntact(second);
      expect(readdirSync(outDir)).toEqual(["second.collapsed"]);
    });

    it("when its reader goes away, leaves the next profile running", async () => {
      const { first, second } = await stoppedThenReplaced(["-f", "collapsed", "--emit-records"]);
      first.child.stdout!.destroy();
      const firstRun = await first.done;
      expect(firstRun.code).not.toBe(0);
      await expectSecondIntact(second);
    });
  });

  it("on SIGINT stops the profiler, removes what it wrote and exits 130", async () => {
    const running = startHelper(["--pid", String(tm), "-d", "30", "-f", "jfr", "-o", outDir]);
    await waitFor("the profile to start", () => running.events.find((e) => e.type === "started"), 30_000);
    await sleep(2000);
    // The jfr recording is being written: there is something to clean up.
    expect(readdirSync(outDir).length).toBe(1);
    expect(asprofStatus(tm)).toMatch(/^Profiling is running/);
    running.child.kill("SIGINT");
    const run = await running.done;
    expectOnlyEvents(run);
    expect(run.code).toBe(130);
    expect(errorOf(run).code).toBe("interrupted");
    expect(asprofStatus(tm)).toBe("Profiler is not active");
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("a SIGKILLed helper's profile still ends by itself within its duration", async () => {
    const duration = 4;
    const running = startHelper(["--pid", String(tm), "-d", String(duration), "-f", "collapsed", "-o", outDir]);
    await waitFor("the profile to start", () => running.events.find((e) => e.type === "started"), 30_000);
    const killedAt = Date.now();
    running.child.kill("SIGKILL");
    await running.done;
    expect(asprofStatus(tm)).toMatch(/^Profiling is running/);
    await waitFor(
      "the profile to end",
      () => (asprofStatus(tm) === "Profiler is not active" ? true : undefined),
      (duration + 3) * 1000,
    );
    expect(Date.now() - killedAt).toBeLessThan((duration + 3) * 1000);
    // Nothing appears under a final name: a killed run can only leave its hidden temporary file.
    expect(readdirSync(outDir).filter((f) => !f.startsWith("."))).toEqual([]);
  });

  it("stops the profile and removes its files when its reader goes away (a dropped kubectl exec)", async () => {
    const running = startHelper([
      "--pid",
      String(tm),
      "-d",
      "30",
      "-f",
      "collapsed",
      "-o",
      outDir,
      "--emit-records",
      "--progress-every",
      "1",
    ]);
    await waitFor("a progress line", () => running.events.find((e) => e.type === "progress"), 30_000);
    running.child.stdout!.destroy();
    const run = await running.done;
    expect(run.code).not.toBe(0);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("status and stop report an idle JVM as idle", async () => {
    const status = await runHelper(["status"], { inNamespaceOf: tm });
    expect(status.events).toEqual([{ type: "status", pid: 1, role: "taskmanager", active: false, seconds: null }]);
    const stop = await runHelper(["stop", "--pid", String(tm)]);
    expect(stop.code).toBe(0);
    expect(stop.events).toEqual([{ type: "stopped", pid: tm, role: "taskmanager", wasActive: false }]);
  });

  const badInputs: [string, string[]][] = [
    ["duration 0", ["-d", "0"]],
    ["duration -5", ["-d", "-5"]],
    ["duration 99999", ["-d", "99999"]],
    ["duration abc", ["-d", "abc"]],
    ["duration 1.5", ["-d", "1.5"]],
    ["unknown event", ["-e", "cpu-cycles"]],
    ["unknown format", ["-f", "html,svg"]],
    ["empty format in the list", ["-f", "html,,jfr"]],
    ["bad interval", ["-i", "10 ms"]],
    ["name with a path", ["--name", "../escape"]],
    ["name with shell syntax", ["--name", `$(touch ${PWNED})`]],
    ["include with a comma (an agent option in disguise)", ["-I", `*,file=${PWNED}`]],
    ["extra argument the helper controls", ["--", "-f", PWNED]],
    ["extra bare argument", ["--", "--title", "x", "12345"]],
    ["an extra action word (asprof obeys the last one)", ["--", "--total", "inspectheap"]],
    ["a heap dump in disguise", ["--", "--total", "dumpheap", "--total", "1"]],
    ["an extra option that loads code into the JVM", ["--", "--libpath", PWNED]],
    ["an extra option that turns the stacks around", ["--", "--reverse"]],
    ["an extra option without its value", ["--", "--title"]],
    ["records limit of 0", ["--emit-records", "--max-records-size", "0"]],
    ["records limit with a unit", ["--emit-records", "--max-records-size", "8M"]],
    ["records limit without records", ["--max-records-size", "100000"]],
    ["unknown option", ["--bogus", "1"]],
    ["missing value", ["-d"]],
  ];
  for (const [what, args] of badInputs) {
    it(`refuses ${what} with a bad-input error and changes nothing`, async () => {
      const run = await runHelper(["--pid", String(tm), "-o", outDir, ...args]);
      expectOnlyEvents(run);
      expect(run.code).toBe(2);
      expect(errorOf(run).code).toBe("bad-input");
      expect(run.events).toHaveLength(1);
      expect(readdirSync(outDir)).toEqual([]);
      expect(existsSync(PWNED)).toBe(false);
      expect(asprofStatus(tm)).toBe("Profiler is not active");
    });
  }

  // As root `-w` passes on any directory, so "unwritable" is tested as a missing directory and as a
  // file where the directory should be; a JVM user who cannot write is covered by the helper's
  // ownership check and by asprof's "Could not open" mapping, not by this test.
  it("refuses an output directory that does not exist or is a file", async () => {
    const missing = join(outDir, "missing");
    const file = join(outDir, "a-file");
    writeFileSync(file, "x");
    for (const dir of [missing, file]) {
      const run = await runHelper(["--pid", String(tm), "-d", "1", "-o", dir]);
      expectOnlyEvents(run);
      expect(run.code).toBe(2);
      const error = errorOf(run);
      expect(error.code).toBe("bad-input");
      expect(error.message).toContain(dir);
    }
    expect(readdirSync(outDir)).toEqual(["a-file"]);
    expect(readFileSync(file, "utf8")).toBe("x");
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it("passes include/exclude patterns full of shell syntax to asprof as plain text", async () => {
    const nasty = [
      `$(touch ${PWNED})`,
      `\`touch ${PWNED}\``,
      `x; touch ${PWNED}`,
      `'"; touch ${PWNED} #`,
      `*|| touch ${PWNED}*`,
    ];
    const args = ["--pid", String(tm), "-d", "2", "-f", "collapsed", "-o", outDir, "--name", "nasty"];
    for (const p of nasty) args.push("-X", p);
    // Matching only the hot method proves the patterns reached asprof as patterns.
    args.push("-I", "*OrderJsonEncoder.encode*");
    const run = await runHelper(args);
    expectOnlyEvents(run);
    expect(run.code, run.stderr).toBe(0);
    const collapsed = collapsedTotals(readFileSync(join(outDir, "nasty.collapsed"), "utf8"));
    expect(collapsed.samples).toBeGreaterThan(0);
    expect(share(collapsed, HOT)).toBe(1);
    expect(existsSync(PWNED)).toBe(false);
    expect(asprofStatus(tm)).toBe("Profiler is not active");
  });

  it("gzip failing after the profile (as on a full TMPDIR) is reported as such and leaves nothing", async () => {
    const bin = join(outDir, "..", `broken-gzip-${process.pid}`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "gzip"), "#!/bin/sh\necho 'gzip: write error: No space left on device' >&2\nexit 1\n", {
      mode: 0o755,
    });
    try {
      const run = await runHelper(["--pid", String(tm), "-d", "1", "-f", "html", "-o", outDir, "--emit-records"], {
        env: { PATH: `${bin}:${process.env.PATH}` },
      });
      expect(run.code).toBe(5);
      // gzip writes the records' compressed copy in TMPDIR: the error says that, not "the output volume".
      expect(errorOf(run)).toMatchObject({ code: "encode-failed", hint: expect.stringContaining("TMPDIR") });
      expect(asprofStatus(tm)).toBe("Profiler is not active");
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("passes allowed asprof options through to every format of the run", async () => {
    const run = await runHelper([
      "--pid",
      String(tm),
      "-d",
      "1",
      "-f",
      "collapsed,html",
      "-o",
      outDir,
      "--",
      "--title",
      "orders; $(id)",
      "-s",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const files = checkedFiles(run);
    // The html is made by `dump` after a collapsed session: the options must reach it too.
    expect(readFileSync(files.html!, "utf8")).toContain("orders; $(id)");
    // -s: simple class names, in the session's own format.
    expect(readFileSync(files.collapsed!, "utf8")).toMatch(/(^|;)OrderJsonEncoder\.encode/m);
  });

  it("emits the result files as transport records after the results, kept only with --keep-files", async () => {
    const run = await runHelper([
      "--pid",
      String(tm),
      "-d",
      "1",
      "-f",
      "collapsed,html",
      "-o",
      outDir,
      "--emit-records",
      "--keep-files",
    ]);
    expectOnlyEvents(run);
    expect(run.code, run.stderr).toBe(0);
    const { decodeRecords } = await import("../scripts/lib/transport.ts");
    const { files, errors } = decodeRecords(run.stdout);
    expect(errors).toEqual([]);
    const byFormat = checkedFiles(run);
    // Job mode sends the one file the reader renders every format from.
    expect(files.map((f) => [f.format, f.name])).toEqual([["collapsed", basename(byFormat.collapsed!)]]);
    expect(Object.keys(byFormat)).toEqual(["collapsed"]);
    for (const f of files) expect(f.bytes.equals(readFileSync(byFormat[f.format]!))).toBe(true);
    expect(run.events.at(-1)?.type).toBe("done");

    // Without --keep-files the records are the only copy: nothing piles up in the TaskManager.
    const sent = await runHelper([
      "--pid",
      String(tm),
      "-d",
      "1",
      "-f",
      "html",
      "-o",
      outDir,
      "--name",
      "sent",
      "--emit-records",
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [file] = decodeRecords(sent.stdout).files;
    const [result] = results(sent);
    expect(file!.sha256).toBe(result!.sha256);
    expect(existsSync(result!.path)).toBe(false);
    expect(readdirSync(outDir).filter((f) => f.startsWith("sent") || f.startsWith(".sent"))).toEqual([]);
  });

  it("refuses, before sending any of it, a result whose records exceed --max-records-size, and keeps nothing", async () => {
    // Bytes: less than the records of any profile. A record set costs 256 bytes plus 48 per chunk plus the
    // base64 of the gzip, and a 1 s profile of a loaded machine compresses to well under 2000 bytes.
    const limit = 400;
    const run = await runHelper([
      "--pid",
      String(tm),
      "-d",
      "1",
      "-f",
      "collapsed,html",
      "-o",
      outDir,
      "--emit-records",
      "--max-records-size",
      String(limit),
    ]);
    expectOnlyEvents(run);
    expect(run.code).toBe(5);
    const error = errorOf(run);
    expect(error.code).toBe("result-too-large");
    const [, size] = /takes (\d+) bytes as records, more than the 400 bytes allowed/.exec(error.message) ?? [];
    expect(Number(size)).toBeGreaterThan(limit);
    // Nothing of the result went out: no result event and no record.
    expect(run.events.filter((e) => e.type === "result")).toEqual([]);
    expect(run.stdout.filter((l) => /"type":"(file|chunk|end)"/.test(l))).toEqual([]);
    expect(readdirSync(outDir)).toEqual([]);
    expect(asprofStatus(tm)).toBe("Profiler is not active");

    // With room for it, the same run delivers.
    const fits = await runHelper([
      "--pid",
      String(tm),
      "-d",
      "1",
      "-f",
      "collapsed,html",
      "-o",
      outDir,
      "--emit-records",
      "--max-records-size",
      "10000000",
    ]);
    expect(fits.code, fits.stderr).toBe(0);
    const recordBytes = fits.stdout
      .filter((l) => /"type":"(file|chunk|end)"/.test(l))
      .reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(recordBytes).toBeGreaterThan(limit);
  });
});

describe("flink-profiler on a TaskManager whose seccomp profile blocks perf_event_open", () => {
  let flink: LocalFlink;
  let tm: number;

  beforeAll(async () => {
    execFileSync("bash", ["scripts/setup/async-profiler.sh"], { stdio: "inherit" });
    flink = await startLocalFlink({ taskManagers: 1, taskManagerLauncher: [NO_PERF, ...NAMESPACE_LAUNCHER] });
    tm = jvmPid(flink.taskManagers[0]!.pid);
  });
  afterAll(async () => {
    await flink?.stop();
  });

  it("falls back to ctimer with a perf-unavailable notice, a valid profile and no warnings in the TaskManager's output", async () => {
    // The launcher really did install the filter on the JVM.
    expect(readFileSync(`/proc/${tm}/status`, "utf8")).toMatch(/^Seccomp:\s+2$/m);
    const run = await runHelper(["-d", "5", "-e", "cpu", "-f", "collapsed", "-o", outDir], { inNamespaceOf: tm });
    expectOnlyEvents(run);
    expect(run.code, run.stderr).toBe(0);
    const notice = run.events.find((e) => e.type === "notice") as Extract<HelperEvent, { type: "notice" }> | undefined;
    expect(notice?.code).toBe("perf-unavailable");
    expect(notice?.message).toMatch(/seccomp/);
    expect(notice?.message).toMatch(/perf_event_paranoid/);
    expect(run.events.find((e) => e.type === "started")).toMatchObject({ event: "ctimer", role: "taskmanager" });
    const files = checkedFiles(run);
    const collapsed = collapsedTotals(readFileSync(files.collapsed!, "utf8"));
    expectHotMethod(collapsed);
    const tmLog = flink.taskManagers[0]!.logFile;
    const tmOut = tmLog.replace(/\.log$/, ".out");
    for (const f of [tmLog, tmOut]) {
      if (existsSync(f)) expect(readFileSync(f, "utf8")).not.toMatch(/perf_event_open|\[WARN\]/);
    }
  });
});

afterEach(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(PWNED, { force: true });
});
