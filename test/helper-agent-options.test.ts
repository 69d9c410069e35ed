// Issue 11, finding 8: asprof options that the agent in the JVM refuses get a clear bad-input error
// (exit 2) and change nothing: a --begin symbol the JVM does not have, agent options longer than the
// JVM's attach request carries, and --jfropts on a run that records no jfr. Real asprof, a real JVM.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { UsageError } from "../scripts/lib/profile-options.ts";
import { startBusyJvm, type BusyJvm } from "./support/busy-jvm.ts";
import { jsonLines } from "./support/json-lines.ts";

const ASPROF = join(asyncProfilerHome(), "bin/asprof");
let base: string;
let jvm: BusyJvm;
let n = 0;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "helper-agent-options-"));
  jvm = await startBusyJvm(base);
});
afterAll(() => {
  jvm?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

function profile(args: string[]) {
  const out = join(base, `out-${++n}`);
  mkdirSync(out);
  const r = spawnSync(helperPath(), ["--pid", String(jvm.pid), "-e", "itimer", "-d", "1", "-o", out, ...args], {
    encoding: "utf8",
    env: { ...process.env, ASYNC_PROFILER_HOME: asyncProfilerHome() },
  });
  const events = jsonLines(r.stdout);
  const errors = events.filter((e) => e.type === "error");
  expect(errors, r.stdout + r.stderr).toHaveLength(1);
  return {
    code: r.status,
    error: errors[0],
    started: events.some((e) => e.type === "started"),
    files: readdirSync(out),
  };
}
const notActive = () =>
  expect(execFileSync(ASPROF, ["status", String(jvm.pid)], { encoding: "utf8" })).toMatch(/not active/);

describe("agent options the JVM refuses", () => {
  it("a --begin symbol the JVM does not have", () => {
    const run = profile(["-f", "collapsed", "--", "--begin", "NoSuchSymbolAnywhere"]);
    expect(run.code).toBe(2);
    expect(run.error).toMatchObject({ code: "bad-input", message: expect.stringContaining("--begin/--end") });
    expect(run.error.message).not.toMatch(/no such process/);
    expect(run.files).toEqual([]);
    notActive();
  });

  it("patterns longer than the JVM's attach request carries", () => {
    const patterns = ["a", "b", "c", "d"].flatMap((c) => ["-I", `*${c.repeat(250)}*`]);
    const run = profile(["-f", "collapsed", ...patterns]);
    expect(run.code).toBe(2);
    expect(run.error.code).toBe("bad-input");
    expect(run.error.message).toMatch(/take about \d{4} bytes, more than the JVM's attach request can carry/);
    expect(run.error.hint).toMatch(/fewer or shorter --include/);
    expect(run.files).toEqual([]);
    notActive();
  });

  it("--jfropts on a run without jfr is refused before anything starts", () => {
    const run = profile(["-f", "collapsed", "--", "--jfropts", "mem"]);
    expect(run.code).toBe(2);
    expect(run.started).toBe(false);
    expect(run.error.message).toMatch(/--jfropts shapes a jfr recording, and this run records collapsed/);
    expect(run.files).toEqual([]);
  });

  it("profile.mjs refuses --jfropts without jfr, and passes it with jfr", () => {
    expect(() => parseProfileCommand(["--local", "--format", "html", "--", "--jfropts", "mem"])).toThrow(UsageError);
    expect(parseProfileCommand(["--local", "--format", "html,jfr", "--", "--jfropts", "mem"])).toMatchObject({
      settings: { extraArgs: ["--jfropts", "mem"] },
    });
  });
});
