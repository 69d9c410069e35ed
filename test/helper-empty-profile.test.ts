// A profile that holds no sample is a profile: an idle TaskManager under a CPU event writes empty collapsed
// stacks, and the helper must deliver them with a notice, not call them a file the JVM could not write.
// A JVM that truly cannot reach the file (its own mount namespace over the output directory, as in
// another container) must still be told apart. Real asprof, real JVMs; root for the mount namespace.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { startIdleJvm, type BusyJvm } from "./support/busy-jvm.ts";

let base: string;
let idle: BusyJvm;
let elsewhere: BusyJvm;
let hiddenOut: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "helper-empty-"));
  hiddenOut = join(base, "hidden-out");
  mkdirSync(hiddenOut, { mode: 0o700 });
  idle = await startIdleJvm(base);
  // This JVM sees a tmpfs of its own where the helper sees hiddenOut: the files the helper makes
  // there are out of its reach, as a directory of another container would be.
  elsewhere = await startIdleJvm(base, [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    'mount -t tmpfs -o size=1m tmpfs "$0" && exec "$@"',
    hiddenOut,
  ]);
}, 120_000);

afterAll(() => {
  idle?.stop();
  elsewhere?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

function helper(args: string[]) {
  const r = spawnSync(helperPath(), args, {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ASYNC_PROFILER_HOME: asyncProfilerHome() },
  });
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  return { status: r.status, lines, stderr: r.stderr };
}

it("delivers an idle JVM's empty ctimer profile with a no-samples notice", () => {
  const out = join(base, "idle-out");
  mkdirSync(out, { mode: 0o700 });
  const r = helper(["--pid", String(idle.pid), "-e", "ctimer", "-d", "2", "-f", "collapsed,html", "-o", out]);
  expect(r.status, r.stderr + JSON.stringify(r.lines)).toBe(0);
  const notice = r.lines.find((l) => l.type === "notice");
  expect(notice?.code).toBe("no-samples");
  expect(notice?.hint).toContain("-e wall");
  const results = r.lines.filter((l) => l.type === "result");
  expect(results.map((l) => l.format).sort()).toEqual(["collapsed", "html"]);
  const collapsed = results.find((l) => l.format === "collapsed");
  expect(statSync(collapsed.path).size).toBe(0);
  expect(readFileSync(results.find((l) => l.format === "html").path, "utf8")).toMatch(/<\/html>\s*$/);
  expect(r.lines.at(-1)).toMatchObject({ type: "done", status: "ok" });
});

it("still says the JVM never wrote its profile when it cannot reach the output directory, and leaves nothing", () => {
  const r = helper(["--pid", String(elsewhere.pid), "-e", "ctimer", "-d", "2", "-f", "collapsed", "-o", hiddenOut]);
  expect(r.status, r.stderr + JSON.stringify(r.lines)).toBe(3);
  const error = r.lines.find((l) => l.type === "error");
  expect(error?.code).toBe("output-not-writable");
  expect(error?.message).toContain("never wrote its profile");
  expect(r.lines.some((l) => l.type === "notice" && l.code === "no-samples")).toBe(false);
  expect(readdirSync(hiddenOut)).toEqual([]);
});
