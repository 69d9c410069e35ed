// `--via rest` without Flink: the command line, the paths user values go into, and what Flink's refusals
// mean. The refusals are Flink 2.3's own answers, as a running cluster gave them (the same cases run
// against real Flink in test/via-rest.test.ts).
import { describe, expect, it } from "vitest";
import { parseProfileCommand } from "../../scripts/lib/profile-cli.ts";
import { FlinkRestError } from "../../scripts/lib/flink-rest/http.ts";
import {
  byJvm,
  checkTaskManagerId,
  explainFailed,
  explainNotServed,
  explainTriggerError,
  fileSafe,
  findOurs,
  flinkMode,
  parseProfilingList,
  perfBlocked,
  profilerPath,
  serverException,
} from "../../scripts/lib/flink-rest/profiler-api.ts";
import { UsageError } from "../../scripts/lib/profile-options.ts";

const URL = "http://127.0.0.1:8081";
const usage = (argv: string[]) => {
  try {
    parseProfileCommand(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return `${(err as UsageError).message} | ${(err as UsageError).hint}`;
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
};

// A 500 as Flink writes it: a generic first line, then the server's exception with its stack trace.
const serverError = (exception: string) =>
  new FlinkRestError(
    "POST",
    `${URL}/taskmanagers/tm-1/profiler`,
    500,
    [
      "Internal server error.",
      `<Exception on server side:\n${exception}\n\tat org.apache.flink.X.y(X.java:1)\n\nEnd of exception on server side>`,
    ],
    "",
  );

describe("--via rest on the command line", () => {
  it("reads the REST address, TaskManagers, duration, event, output and --json", () => {
    expect(
      parseProfileCommand([
        "--via",
        "rest",
        "--flink-rest",
        `${URL}/`,
        "--tm",
        "tm-1",
        "--tm",
        "tm-2",
        "--tm",
        "tm-1",
        "-d",
        "20",
        "-e",
        "itimer",
        "-o",
        "out",
        "--json",
      ]),
    ).toEqual({
      kind: "rest",
      restUrl: URL,
      taskManagers: ["tm-1", "tm-2"],
      duration: 20,
      event: "itimer",
      outputDir: "out",
      json: true,
    });
    expect(parseProfileCommand(["--via", "rest", "--flink-rest", URL])).toMatchObject({
      taskManagers: [],
      duration: 60,
      event: "cpu",
      outputDir: "profiles",
      json: false,
    });
    expect(parseProfileCommand(["--via", "rest", "--flink-rest", URL, "--format", "html"])).toMatchObject({
      kind: "rest",
    });
  });

  it("--operator chooses the TaskManagers itself, with --job and --tms as on a profile run", () => {
    expect(parseProfileCommand(["--via", "rest", "--flink-rest", URL, "--operator", "busiest"])).toMatchObject({
      kind: "rest",
      taskManagers: [],
      operator: { spec: "busiest", tms: 3 },
    });
    const job = "a".repeat(32);
    expect(
      parseProfileCommand(["--via", "rest", "--flink-rest", URL, "--operator", "Score", "--job", job, "--tms", "1"]),
    ).toMatchObject({ operator: { spec: "Score", jobId: job, tms: 1 } });
  });

  it.each([
    [["--via", "rest"], /needs the JobManager's REST address/],
    [["--via", "rest", "--flink-rest", "127.0.0.1:8081"], /is not a URL|must be an http/],
    [["--via", "rest", "--flink-rest", "http://u:p@h:1"], /no user/],
    [["--via", "rest", "--flink-rest", URL, "-e", "ctimer"], /no mode for -e ctimer.*itimer is the closest/],
    [["--via", "rest", "--flink-rest", URL, "--format", "html,jfr"], /--format does not apply/],
    [["--via", "rest", "--flink-rest", URL, "-t"], /-t\/--threads does not apply/],
    [["--via", "rest", "--flink-rest", URL, "-I", "com/*"], /-I\/-X does not apply/],
    [["--via", "rest", "--flink-rest", URL, "-i", "10ms"], /interval does not apply/],
    [["--via", "rest", "--flink-rest", URL, "--", "--alloc", "1m"], /options after -- does not apply/],
    [["--via", "rest", "--flink-rest", URL, "-n", "flink"], /--namespace does not apply/],
    [["--via", "rest", "--flink-rest", URL, "-n", "flink", "--keep"], /--namespace, --keep do not apply/],
    [["--via", "rest", "--flink-rest", URL, "--local"], /--local and --pid do not apply/],
    [["--via", "rest", "--flink-rest", URL, "--tm", "../jobs"], /not a TaskManager id/],
    [["--via", "rest", "--flink-rest", URL, "-d", "0"], /out of range/],
    [["--via", "rest", "--flink-rest", URL, "--operator", "busiest", "--tm", "tm-1"], /--tm and --operator both/],
    [["--via", "rest", "--flink-rest", URL, "--operator", "busiest", "--rest-service", "jm:8081"], /--rest-service/],
    [["--via", "rest", "--flink-rest", URL, "--job", "a".repeat(32)], /--job is for --operator/],
    [["--via", "rest", "--flink-rest", URL, "--operator", "busiest", "--tms", "0"], /--tms/],
    [["--local", "--tm", "tm-1"], /--tm is for --via rest/],
    [["--via", "ssh", "-n", "x", "--cluster", "y"], /--via rest --flink-rest URL/],
  ])("refuses %j", (argv, why) => {
    expect(usage(argv)).toMatch(why);
  });
});

describe("what reaches Flink's URL paths", () => {
  it("maps every event Flink has a mode for, and only those", () => {
    expect(["cpu", "alloc", "lock", "wall", "itimer"].map((e) => flinkMode(e as never))).toEqual([
      "CPU",
      "ALLOC",
      "LOCK",
      "WALL",
      "ITIMER",
    ]);
    expect(() => flinkMode("ctimer")).toThrow(UsageError);
  });

  it("encodes TaskManager ids and refuses those that would walk the path", () => {
    expect(profilerPath("tm-1")).toBe("/taskmanagers/tm-1/profiler");
    expect(profilerPath("10.0.0.7:6122-a1b2c3")).toBe("/taskmanagers/10.0.0.7%3A6122-a1b2c3/profiler");
    expect(profilerPath("a b?c#d%")).toBe("/taskmanagers/a%20b%3Fc%23d%25/profiler");
    for (const bad of ["", ".", "..", "a/b", "a\\b", "tm\n1", "x".repeat(254)])
      expect(() => checkTaskManagerId(bad)).toThrow(UsageError);
  });

  it("downloads only plain html file names Flink gave", () => {
    expect(profilerPath("tm-1", "tm-1_CPU_2026-11-30_01_36_15.html")).toBe(
      "/taskmanagers/tm-1/profiler/tm-1_CPU_2026-11-30_01_36_15.html",
    );
    expect(profilerPath("a:1", "a:1_ITIMER_x.html")).toBe("/taskmanagers/a%3A1/profiler/a%3A1_ITIMER_x.html");
    for (const bad of ["../x.html", "a/b.html", "x.sh", ".html", "..html"])
      expect(() => profilerPath("tm-1", bad)).toThrow(/not a file name/);
  });

  it("profiles one TaskManager per JVM: those behind one actor system share it", () => {
    // Standalone TaskManagers as Flink 2.3 lists them: an actor system each.
    const standalone = [
      { id: "tm-2", path: "pekko.tcp://flink@127.0.0.1:35017/user/rpc/taskmanager_0" },
      { id: "tm-1", path: "pekko.tcp://flink@127.0.0.1:41433/user/rpc/taskmanager_0" },
    ];
    expect(byJvm(standalone)).toEqual([["tm-1"], ["tm-2"]]);
    // A MiniCluster: every TaskManager behind the one actor system of the JVM.
    const mini = ["b", "a", "c"].map((id, i) => ({ id, path: `pekko://flink/user/rpc/taskmanager_${i}` }));
    expect(byJvm(mini)).toEqual([["a", "b", "c"]]);
    expect(byJvm([{ id: "x" }, { id: "y", path: 42 }])).toEqual([["x"], ["y"]]);
  });

  it("names files after the id with only safe characters", () => {
    expect(fileSafe("10.0.0.7:6122-a1b2c3")).toBe("10.0.0.7_6122-a1b2c3");
    expect(fileSafe("..x")).toBe("_x");
  });
});

describe("Flink's answers", () => {
  it("finds our profile in the list by trigger time and mode", () => {
    const list = parseProfilingList({
      profilingList: [
        {
          status: "FINISHED",
          mode: "CPU",
          triggerTime: 2,
          finishedTime: 7,
          duration: 5,
          message: "Profiling Successful",
          outputFile: "tm-1_CPU_b.html",
        },
        {
          status: "FINISHED",
          mode: "ITIMER",
          triggerTime: 1,
          finishedTime: 6,
          duration: 5,
          message: "Profiling Successful",
          outputFile: "tm-1_ITIMER_a.html",
        },
      ],
    });
    expect(findOurs(list, { ...list[1]!, status: "RUNNING", outputFile: null })?.outputFile).toBe("tm-1_ITIMER_a.html");
    expect(findOurs(list, { ...list[1]!, triggerTime: 3 })).toBeUndefined();
    expect(() => parseProfilingList({ jobs: [] })).toThrow(/not a list/);
  });

  it("reads the exception out of a 500", () => {
    expect(
      serverException(serverError("java.lang.IllegalStateException: tm-1 is still under profiling.").errors),
    ).toEqual({
      type: "java.lang.IllegalStateException",
      message: "tm-1 is still under profiling.",
    });
  });

  it("explains each refusal with Flink's words and what to do", () => {
    const ctx = { taskManager: "tm-1", duration: 30 };
    const busy = explainTriggerError(
      serverError("java.lang.IllegalStateException: tm-1 is still under profiling."),
      ctx,
    );
    expect(busy.kind).toBe("busy");
    expect(busy.error.message).toMatch(/already profiling.*still under profiling/);
    expect(busy.error.hint).toMatch(/one profile at a time/);
    const long = explainTriggerError(
      serverError("java.lang.IllegalArgumentException: `duration` must be set between (0s, 20s]."),
      ctx,
    );
    expect(long.kind).toBe("duration");
    expect(long.error.hint).toMatch(/-d 20 or less.*rest\.profiling\.duration-max/);
    const unknown = explainTriggerError(
      serverError(
        "org.apache.flink.runtime.resourcemanager.exceptions.UnknownTaskExecutorException: No TaskExecutor registered under nope.",
      ),
      ctx,
    );
    expect(unknown.kind).toBe("unknown-taskmanager");
    const off = explainTriggerError(
      new FlinkRestError("POST", URL, 404, ["Not found: /taskmanagers/tm-1/profiler"], ""),
      ctx,
    );
    expect(off.kind).toBe("not-served");
    expect(off.error.hint).toMatch(/rest\.profiling\.enabled: true/);
  });

  it("tells a disabled profiler from a Flink that has none", () => {
    expect(explainNotServed("2.3.0", undefined).message).toMatch(/disabled.*not set \(default false\).*Flink 2\.3\.0/);
    expect(explainNotServed("1.20.1", "false").message).toMatch(/rest\.profiling\.enabled is false/);
    expect(explainNotServed("1.18.1", undefined).message).toMatch(/Flink 1\.18\.1 has no built-in profiler/);
  });

  it("says perf events are blocked when CPU mode cannot start", () => {
    const said =
      "Start profiler failed. java.lang.IllegalStateException: No access to perf events. Try --fdtransfer or --all-user option or 'sysctl kernel.perf_event_paranoid=1'";
    expect(perfBlocked(said)).toBe(true);
    const failed = explainFailed(
      { status: "FAILED", mode: "CPU", triggerTime: 1, finishedTime: 1, duration: 5, message: said, outputFile: null },
      "tm-1",
    );
    expect(failed.hint).toMatch(/-e itimer/);
    expect(perfBlocked("Stop profiler failed. java.io.IOException: disk full")).toBe(false);
  });
});
